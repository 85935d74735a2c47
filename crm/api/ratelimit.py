"""Rate limit of the API, per token (or per address without one); 429 carries Retry-After."""
from __future__ import annotations

from flask import current_app

from crm.api import bp
from crm.api.auth import request_token
from crm.client_address import client_address
from crm.extensions import limiter

DEFAULT_LIMIT = "300 per minute"


def _limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_LIMIT)


def _key() -> str:
    # Keyed on the token's row, not the header's text: another spelling of the same header
    # ("bearer", extra spaces) must not open a fresh bucket, and guessed secrets (no row)
    # all count against the guesser's address.
    token = request_token()
    if token is not None:
        return f"api-token:{token.id}"
    return "api-address:" + client_address()


limiter.limit(_limit, key_func=_key)(bp)
