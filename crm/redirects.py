"""Where to send someone back to: a target they (or a link) supplied, only when it stays on this site.

Every redirect to a `next=` value, a form's "back" field or a stored link goes through `safe_next`.
Only a path on this host passes: one leading "/", no "//" in the path (a browser reads "//host"
as another site; after "?" or "#" it is only data and is kept), no backslash (browsers treat "\\" as "/"), no whitespace or control character at
all (browsers drop tab, CR and LF inside a URL, so "/\\t/evil.example/" becomes
"//evil.example/", and CR/LF in a Location header is refused by the server, a 500).
"""
from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from crm.text_rules import refused

#: Longest target kept; a longer one is no link this app made.
MAX_LENGTH = 2048


def _has_space_or_control(target: str) -> bool:
    # What a single-line field refuses (controls, invisible format characters), and any space.
    return refused(target) is not None or any(ch.isspace() for ch in target)


def is_safe(target: Optional[str]) -> bool:
    """True when `target` is a path on this host that a browser cannot read as another site."""
    if not target or len(target) > MAX_LENGTH or not target.startswith("/"):
        return False
    path = target.split("?", 1)[0].split("#", 1)[0]
    if "//" in path or "\\" in target or _has_space_or_control(target):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def safe_next(target: Optional[str], fallback: str) -> str:
    """`target` when it is safe (see the module docstring), else `fallback`."""
    return target if is_safe(target) else fallback
