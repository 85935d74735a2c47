"""The enterprise's secret tracking links: random tokens of 256 bits, stored only as their hash.

A request has the link given at submission and, when the enterprise recovers a lost one at
/track, further links; all of them stay valid, so a recovery (possibly by someone else who
answered the questions) never cuts the enterprise off the link it holds.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Optional

from flask import current_app
from sqlalchemy import select

from crm.db import db
from crm.requests.models import Request, TrackingLink


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_for_submission(form_token: str) -> str:
    """The tracking token of a public submission, derived from its one-time form token.

    A double submit (double tap, retry after a lost answer) carries the same form token, so
    the second answer can show the same link again although only the hash is stored.
    Without the app's secret key the derived token cannot be computed from the form token.
    """
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    digest = hmac.new(key, b"tracking:" + form_token.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def set_token(req: Request, token: Optional[str] = None) -> str:
    """Give the request a (new) tracking token; any earlier link stops working."""
    token = token or new_token()
    req.tracking_token_hash = hash_token(token)
    return token


def add_recovery_link(req: Request) -> str:
    """A further link for a request whose enterprise lost its link; the earlier links stay valid."""
    token = new_token()
    db.session.add(TrackingLink(request_id=req.id, token_hash=hash_token(token)))
    return token


def find_by_token(token: str) -> Optional[Request]:
    """The request of a tracking token, or None for an unknown, wrong or replaced one."""
    if not token or len(token) > 100:
        return None
    digest = hash_token(token)
    req = db.session.scalar(select(Request).where(Request.tracking_token_hash == digest))
    if req is None:
        req = db.session.scalar(select(Request).join(TrackingLink, TrackingLink.request_id == Request.id)
                                .where(TrackingLink.token_hash == digest))
    return req
