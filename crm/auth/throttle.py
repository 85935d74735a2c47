"""Login throttling: too many recent failures for an account or an address blocks both."""
from __future__ import annotations

from datetime import timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import delete, func, select

from crm.auth.models import LoginAttempt
from crm.db import db, utcnow


def _window_start():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def blocked_minutes(login: str, address: str) -> Optional[int]:
    """Minutes to wait before another try, or None when a try is allowed."""
    since = _window_start()
    cfg = current_app.config
    for column, value, limit in (
        (LoginAttempt.login, login.lower(), cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
        (LoginAttempt.address, address, cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ):
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginAttempt.at)).where(column == value, LoginAttempt.at >= since)
        ).one()
        if count >= limit:
            # The block lifts when the oldest failure counted leaves the window.
            remaining = oldest + timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"]) - utcnow()
            return max(1, int(remaining.total_seconds() // 60) + 1)
    return None


def record_failure(login: str, address: str) -> None:
    db.session.add(LoginAttempt(login=login.lower()[:64], address=address[:64]))


def clear_failures(login: str) -> None:
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.login == login.lower()))
