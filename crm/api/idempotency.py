"""Idempotency-Key: a client retrying a creation (lost answer, weak signal) gets the first result.

The key is scoped to the token that sent it, so two integrations can never collide, and only its
digest is stored (in the record's own unique column: a retry racing the first request loses on
the constraint and then finds the first record).
"""
from __future__ import annotations

import hashlib
from typing import Optional

from flask_babel import lazy_gettext as _l

from crm.api.schema import Str
from crm.api.tokens import ApiToken

IDEMPOTENCY_KEY = Str(100, pattern=r"[A-Za-z0-9_.:-]{8,100}",
                      description=_l("客户端生成的唯一值（如 UUID）；重试时原样再发，返回第一次的结果"))


def scoped_key(token: ApiToken, raw: Optional[str]) -> Optional[str]:
    if not raw:
        return None
    return hashlib.sha256(f"api:{token.id}:{raw}".encode("utf-8")).hexdigest()
