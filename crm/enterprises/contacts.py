"""Contact details: phone numbers and e-mail addresses normalised, validated and masked.

One set of rules for the enterprise form and the spreadsheet import, so a number accepted by
one is accepted by the other and stored the same way.
"""
from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

MOBILE = re.compile(r"^1[3-9]\d{9}$")
#: Landline with area code (021-59612345, 0571-8888888), optional extension (-801). Area
#: codes are 010 and 020-029 (three digits) or 0 plus three digits elsewhere.
LANDLINE = re.compile(r"^(0[12]\d|0[3-9]\d{2})-?(\d{7,8})(?:-(\d{1,6}))?$")
#: A local number without area code, as districts often write them (59612345).
LOCAL = re.compile(r"^\d{7,8}(?:-\d{1,6})?$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PHONE_NOISE = re.compile(r"[\s()（）]")


def normalize_phone(raw: str) -> str:
    """A mobile (13812345678) or landline (021-59612345) number, or ValueError in Chinese."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = _PHONE_NOISE.sub("", text).replace("—", "-").replace("－", "-")
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix):].lstrip("-")
    if not text:
        return ""
    if MOBILE.match(text.replace("-", "")):
        return text.replace("-", "")
    landline = LANDLINE.match(text)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    if LOCAL.match(text):
        return text
    raise ValueError(_("电话号码“%(v)s”格式不正确（手机应为11位，座机如 021-59612345）", v=raw.strip()))


def normalize_email(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text and not EMAIL.match(text):
        raise ValueError(_("邮箱“%(v)s”格式不正确", v=raw.strip()))
    return text


def mask_phone(number: str | None) -> str:
    """138****5678: enough to recognise a number, not to call it (rule 11)."""
    if not number:
        return ""
    digits = number.replace("-", "")
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) > 7 else 1
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


def mask_email(address: str | None) -> str:
    if not address or "@" not in address:
        return address or ""
    local, domain = address.split("@", 1)
    return local[:1] + "***@" + domain
