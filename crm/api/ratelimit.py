"""Rate limit of the API, per token (or per address without one); 429 carries Retry-After."""
from __future__ import annotations

import hashlib

from flask import current_app, request
from flask_limiter.util import get_remote_address

from crm.api import bp
from crm.extensions import limiter

DEFAULT_LIMIT = "300 per minute"


def _limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_LIMIT)


def _key() -> str:
    header = request.headers.get("Authorization", "")
    if header:
        # A digest, not the secret: limiter storage (e.g. Redis) must never hold a usable token.
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-address:" + get_remote_address()


limiter.limit(_limit, key_func=_key)(bp)
