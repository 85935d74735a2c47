"""Unified social credit codes (统一社会信用代码, GB 32100-2015): normalise and validate.

Shared by the enterprise forms, the import, the public request form and the API, so a code
accepted in one place is accepted everywhere, spelled the same way.
"""
from __future__ import annotations

import unicodedata

from flask_babel import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Weight of position i (1-based) is 3^(i-1) mod 31.
WEIGHTS = [pow(3, i, 31) for i in range(17)]
LENGTH = 18
_SEPARATORS = {" ", "-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "_", "\u3000"}


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in the alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalize(raw: str) -> str:
    """The canonical 18-character code for what a person typed, or ValueError saying why.

    Full-width characters become half-width (NFKC), letters upper case, spaces and dashes go.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    code = "".join(ch for ch in text if ch not in _SEPARATORS and not ch.isspace()).upper()
    if not code:
        raise ValueError(_("请填写统一社会信用代码"))
    if len(code) != LENGTH:
        raise ValueError(
            _("统一社会信用代码应为18位，当前为%(n)d位", n=len(code))
        )
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        letters = "、".join(dict.fromkeys(bad))
        raise ValueError(
            _("统一社会信用代码不含字符“%(chars)s”（不使用 I、O、Z、S、V）", chars=letters)
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValueError(
            _("统一社会信用代码校验位错误：第18位应为“%(expected)s”，实际为“%(actual)s”",
              expected=expected, actual=code[17])
        )
    return code


def is_valid(raw: str) -> bool:
    try:
        normalize(raw)
    except ValueError:
        return False
    return True
