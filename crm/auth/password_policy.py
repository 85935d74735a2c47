"""Password expiry and history (等保 2.0 asks for both; off by default, each a setting).

PASSWORD_MAX_AGE_DAYS: a password its owner set longer ago than this must be changed at the next
login (0 = never expires). PASSWORD_HISTORY: a new password may not be any of the last N (0 = no
history kept). One-time passwords from an admin are not the owner's and do not count.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from crm.auth.models import PasswordHistory, User
from crm.auth.passwords import hash_password, verify_password
from crm.db import db, utcnow


def _history_size() -> int:
    return max(0, int(current_app.config.get("PASSWORD_HISTORY", 0)))


def reuse_problem(user: User, new_password: str) -> Optional[str]:
    """Why `new_password` may not be used (one of the last PASSWORD_HISTORY), or None."""
    n = _history_size()
    if not n:
        return None
    recent = db.session.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
                                .order_by(PasswordHistory.set_at.desc(), PasswordHistory.id.desc()).limit(n))
    if any(verify_password(h, new_password) for h in recent):
        return _("不能使用最近 %(n)s 次用过的密码", n=n)
    return None


def set_own_password(user: User, new_password: str) -> None:
    """The owner sets a new password: hash it, remember it in the history, restart the expiry clock."""
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    n = _history_size()
    if not n:
        return
    db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    db.session.flush()
    keep = select(PasswordHistory.id).where(PasswordHistory.user_id == user.id).order_by(
        PasswordHistory.set_at.desc(), PasswordHistory.id.desc()).limit(n)
    db.session.execute(delete(PasswordHistory).where(PasswordHistory.user_id == user.id,
                                                     PasswordHistory.id.not_in(keep)))


def expired(user: User) -> bool:
    days = int(current_app.config.get("PASSWORD_MAX_AGE_DAYS", 0))
    if not days:
        return False
    since = user.password_changed_at or user.created_at
    return since is not None and utcnow() - since > timedelta(days=days)
