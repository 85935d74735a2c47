"""The one rule for text people type into the system, shared by every form and the API.

Why: PostgreSQL refuses U+0000 in text (an anonymous post with it ended in a 500), and invisible
characters in a name shown to officials and written to exports can disguise it
(`公司\u202egnp.exe` reads as `公司exe.png`).

Always refused: C0 controls (U+0000-U+001F, U+007F), C1 controls (U+0080-U+009F), lone
surrogates and noncharacters (U+FFFE/U+FFFF of every plane, U+FDD0-U+FDEF); only a multi-line
field keeps newline, carriage return and tab.

Single-line fields (names, titles, codes, logins) also refuse every format character (Unicode
category Cf: bidi marks, embeddings, overrides and isolates, zero-width space/joiners, word
joiner, BOM, soft hyphen, tag characters) and the line and paragraph separators U+2028/U+2029.

Multi-line fields (descriptions, notes) refuse only the bidi embeddings, overrides and isolates
(U+202A-U+202E, U+2066-U+2069): they reorder the text around them and are as deceptive in a
paragraph as in a name. The joiners stay allowed there (U+200D builds emoji sequences such as a
family, U+200C is needed in Persian and Indic scripts), and so do the marks U+200E/U+200F/U+061C
and the zero-width space, which pasted text carries harmlessly.

Secrets (passwords) are checked for controls and invalid characters only: what they contain is
never shown, and any other character may be part of someone's password.

Browsers send a textarea's line breaks as CRLF; `normalise_newlines` turns CRLF and lone CR into
LF, so the length counted here is the one the page's counter shows.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

from flask_babel import gettext as _

#: C0 controls, DEL and C1 controls: refused everywhere bar the multi-line keepers below.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_MULTILINE_KEEPS = frozenset("\n\r\t")
#: Lone surrogates (reachable from Python strings and JSON escapes, never from UTF-8) and the
#: noncharacters U+FDD0-U+FDEF; the others end a plane (see `_noncharacter`).
_INVALID = re.compile("[\ud800-\udfff\ufdd0-\ufdef]")
#: Bidi embeddings, overrides and isolates: reorder what surrounds them.
_BIDI_REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SEPARATORS = frozenset("\u2028\u2029")

CONTROL, INVALID, FORMAT = "control", "invalid", "format"


def _noncharacter(ch: str) -> bool:
    return (ord(ch) & 0xFFFE) == 0xFFFE  # U+FFFE, U+FFFF, U+1FFFE ... U+10FFFF


def _single_line_format(ch: str) -> bool:
    return ch in _SEPARATORS or unicodedata.category(ch) == "Cf"


def refused(value: Optional[str], multiline: bool = False, *, secret: bool = False) -> Optional[str]:
    """Which kind of refused character `value` holds first by the rule above: CONTROL, INVALID,
    FORMAT or None."""
    if not value:
        return None
    keeps = _MULTILINE_KEEPS if multiline and not secret else frozenset()
    if any(ch not in keeps for ch in _CONTROLS.findall(value)):
        return CONTROL
    if _INVALID.search(value) or any(_noncharacter(ch) for ch in value):
        return INVALID
    if secret:
        return None
    if _BIDI_REORDERING.search(value) or (not multiline and any(_single_line_format(ch) for ch in value)):
        return FORMAT
    return None


def problem(value: Optional[str], multiline: bool = False, *, secret: bool = False) -> Optional[str]:
    """What is wrong with `value` under the rule above, as a message for its field; None if nothing."""
    kind = refused(value, multiline, secret=secret)
    if kind == CONTROL:
        return _("不能包含控制字符")
    if kind == INVALID:
        return _("不能包含无效字符")
    if kind == FORMAT:
        return _("不能包含不可见的格式字符（如方向控制符、零宽字符）")
    return None


def normalise_newlines(value: Optional[str]) -> Optional[str]:
    """CRLF and lone CR as LF (what a browser's textarea means by a line break)."""
    if not value or "\r" not in value:
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def strip_refused(value: str) -> str:
    """`value` without every character a single-line field refuses: for search boxes and filter
    links, where dropping an invisible character finds what the person meant."""
    if refused(value) is None:
        return value
    return "".join(ch for ch in value if refused(ch) is None)
