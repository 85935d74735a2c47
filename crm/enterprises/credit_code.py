"""Unified social credit codes (统一社会信用代码, GB 32100-2015): normalise and validate.

Shared by the enterprise forms, the import, the public request form and the API, so a code
accepted in one place is accepted everywhere, spelled the same way.

Structure (GB 32100-2015 §4): 1 登记管理部门代码, 2 机构类别代码, 3-8 登记管理机关行政区划码
(GB/T 2260, six digits), 9-17 主体标识码 (组织机构代码, GB 11714), 18 校验码. Every character
comes from a 31-character alphabet without I, O, Z, S and V; the check character follows the
weights 3^(i-1) mod 31. The organisation code's own check digit (position 17) is not verified:
codes issued by registries other than market regulation do not always honour it.
"""
from __future__ import annotations

import unicodedata

from flask_babel import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Weight of position i (1-based) is 3^(i-1) mod 31: 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, ...
WEIGHTS = [pow(3, i, 31) for i in range(17)]
LENGTH = 18
#: Letters people type that the code never uses (they are confused with 1, 0, 2, 5 and U).
EXCLUDED_LETTERS = "IOZSV"
_SEPARATORS = {"-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "_", "\u00b7", "."}


class CreditCodeError(ValueError):
    """A code that cannot be right; `kind` says which rule it breaks (for the API and tests)."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind  # "empty", "length", "character", "division" or "check"


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in the alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def clean(raw: object) -> str:
    """What a person typed, folded: full-width to half-width, upper case, no spaces or dashes."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return "".join(ch for ch in text if ch not in _SEPARATORS and not ch.isspace()).upper()


def normalize(raw: object) -> str:
    """The canonical 18-character code for what a person typed, or ValueError saying why.

    Full-width characters become half-width (NFKC), letters upper case, spaces and dashes go.
    The ValueError (a CreditCodeError) carries a Chinese message naming the broken rule.
    """
    code = clean(raw)
    if not code:
        raise CreditCodeError(_("请填写统一社会信用代码"), "empty")
    if len(code) != LENGTH:
        raise CreditCodeError(_length_message(len(code)), "length")
    for position, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            raise CreditCodeError(_character_message(ch, position), "character")
    if not code[2:8].isdigit():
        raise CreditCodeError(
            _("统一社会信用代码第3-8位应为6位数字的行政区划代码，当前为“%(part)s”", part=code[2:8]),
            "division",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            _("统一社会信用代码校验位错误：按前17位计算，第18位应为“%(expected)s”，实际为“%(actual)s”，"
              "请核对是否有输错的字符",
              expected=expected, actual=code[17]),
            "check",
        )
    return code


def _length_message(n: int) -> str:
    if n == 15:
        return _("统一社会信用代码应为18位，当前为15位（15位的是旧的工商注册号，请填写营业执照上的18位代码）")
    if n == 9:
        return _("统一社会信用代码应为18位，当前为9位（9位的是旧的组织机构代码，请填写营业执照上的18位代码）")
    return _("统一社会信用代码应为18位，当前为%(n)d位", n=n)


def _character_message(ch: str, position: int) -> str:
    if ch in EXCLUDED_LETTERS:
        return _("统一社会信用代码第%(pos)d位为字母“%(ch)s”，代码中不使用字母 I、O、Z、S、V"
                 "（请检查是否应为数字 1、0、2、5 或字母 U）", pos=position, ch=ch)
    return _("统一社会信用代码第%(pos)d位含有不允许的字符“%(ch)s”（只能是数字和大写字母）",
             pos=position, ch=ch)


def is_valid(raw: object) -> bool:
    try:
        normalize(raw)
    except ValueError:
        return False
    return True
