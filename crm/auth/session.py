"""Flask-Login wiring: load users by id and session version; force first-login password change."""
from __future__ import annotations

from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.auth.models import User
from crm.db import db
from crm.extensions import login_manager

_ALLOWED_WHILE_CHANGING = {"auth.change_password", "auth.logout", "static", "bootstrap.static",
                           "visits.session_check"}


@login_manager.user_loader
def load_user(session_id: str):
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    # A deactivated user, or a session from before a password change, is logged out.
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

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
