"""Flask-Login wiring: sessions live on the server; force first-login password change.

A login starts a `UserSession` row and keeps its random id in the session cookie; the loader
accepts the cookie only while that row is live and the user's session version is unchanged
(deactivation and password change bump it). Logout ends this session's row only, so the same
user's other devices stay logged in, while a copy of the logged-out cookie opens nothing.

Two limits end a session on the server whatever the cookie says (等保 2.0 session control):
no request for SESSION_IDLE_MINUTES (default 30), and SESSION_MAX_HOURS (default 12) since login.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Optional

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, user_logged_in, user_logged_out
from sqlalchemy import select, update

from crm.auth.models import User, UserSession
from crm.db import db, utcnow
from crm.extensions import login_manager

_ALLOWED_WHILE_CHANGING = {"auth.change_password", "auth.logout", "static", "bootstrap.static",
                           "visits.session_check"}
#: The session cookie's key for the random session id.
SESSION_KEY = "sid"
#: Why the last session ended by itself, said on the next page.
ENDED_KEY = "session_ended"
#: last_seen_at is written at most this often per session: a cheap write, not one per request.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8", "surrogatepass")).hexdigest()


def _cookie_sid() -> Optional[str]:
    sid = session.get(SESSION_KEY)
    return sid if isinstance(sid, str) and 0 < len(sid) <= 100 else None


def _live(user_id: int) -> Optional[tuple[User, UserSession]]:
    """The user and this cookie's session row, when the row is live (one query)."""
    sid = _cookie_sid()
    if sid is None:
        return None
    row = db.session.execute(
        select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.token_hash == _hash(sid), UserSession.ended_at.is_(None))
    ).first()
    return None if row is None else (row[0], row[1])


@login_manager.user_loader
def load_user(session_id: str):
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    live = _live(int(user_id))
    if live is None:  # logged out, or a cookie from before server-side sessions
        return None
    user, row = live
    # A deactivated user, or a session from before a password change, is logged out.
    if not user.active or user.session_version != int(version):
        return None
    now = utcnow()
    expired = _expired(row, now)
    if expired:
        _end(row.id, now)
        session.pop(SESSION_KEY, None)
        # Said once the user is known to be anonymous: the message's language depends on the user.
        session[ENDED_KEY] = expired
        return None
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION:
        db.session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
        # Bookkeeping of the authentication itself: the loader runs before the view changes anything.
        db.session.commit()
    return user


def _expired(row: UserSession, now) -> Optional[str]:
    """Why the session is over ("idle" too long, or too "old"), or None while it may go on."""
    config = current_app.config
    if now - row.last_seen_at > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return "idle"
    if now - row.created_at > timedelta(hours=config["SESSION_MAX_HOURS"]):
        return "old"
    return None


def _say_why_session_ended() -> None:
    reason = session.pop(ENDED_KEY, None)
    if reason == "idle":
        n = current_app.config["SESSION_IDLE_MINUTES"]
        flash(_("长时间未操作（超过 %(n)s 分钟），已自动退出，请重新登录。", n=n), "warning")
    elif reason == "old":
        flash(_("登录已超过 %(n)s 小时，请重新登录。", n=current_app.config["SESSION_MAX_HOURS"]), "warning")


def _end(row_id: int, now) -> None:
    db.session.execute(update(UserSession).where(UserSession.id == row_id, UserSession.ended_at.is_(None))
                       .values(ended_at=now))
    db.session.commit()


def _start_session(_sender, user: User, **_extra) -> None:
    """On login, start a server-side session, unless this cookie's one is live (re-login after a
    password change keeps the session it happens in)."""
    if _live(user.id) is not None:
        return
    sid = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=_hash(sid)))
    db.session.commit()
    session[SESSION_KEY] = sid


def _end_session(_sender, **_extra) -> None:
    """On logout, end this cookie's session on the server (the user's other sessions go on)."""
    sid = _cookie_sid()
    session.pop(SESSION_KEY, None)
    if sid is None:
        return
    db.session.execute(update(UserSession).where(UserSession.token_hash == _hash(sid),
                                                 UserSession.ended_at.is_(None)).values(ended_at=utcnow()))
    db.session.commit()


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    user_logged_in.connect(_start_session)
    user_logged_out.connect(_end_session)

    @app.before_request
    def force_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in _ALLOWED_WHILE_CHANGING
            and not request.path.startswith("/api/")
        ):
            return redirect(url_for("auth.change_password"))
        return None

    @app.before_request
    def say_why_session_ended():
        if ENDED_KEY in session and not current_user.is_authenticated:
            _say_why_session_ended()
