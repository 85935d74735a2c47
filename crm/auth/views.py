"""Login/logout, first-login password change, personal settings."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from crm.auth import bp, password_policy
from crm.auth.forms import ChangePasswordForm, LoginForm, SettingsForm
from crm.auth.models import User
from crm.auth.passwords import verify_password
from crm.auth import throttle
from crm.audit import record
from crm.client_address import client_address
from crm.db import db, utcnow
from crm.redirects import safe_next


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        login_name = form.login.data.strip()
        address = client_address()
        wait = throttle.blocked_minutes(login_name, address)
        if wait is not None:
            flash(_("登录失败次数过多，请 %(n)d 分钟后再试。", n=wait), "danger")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(func.lower(User.login) == login_name.lower()))
        ok = verify_password(user.password_hash if user else None, form.password.data)
        if not ok or user is None or not user.active:
            # One message for unknown login, wrong password and deactivated account.
            throttle.record_failure(login_name, address)
            db.session.commit()
            flash(_("登录名或密码错误。"), "danger")
            return render_template("auth/login.html", form=form), 200
        throttle.clear_failures(login_name)
        user.last_login_at = utcnow()
        expired = password_policy.expired(user)
        if expired:
            user.must_change_password = True
        db.session.commit()
        session.clear()  # no fixation: a fresh session for the logged-in user
        login_user(user)
        session["lang"] = user.language
        if expired:
            flash(_("密码已超过 %(n)s 天未修改，请设置新密码。", n=current_app.config["PASSWORD_MAX_AGE_DAYS"]),
                  "warning")
        if user.must_change_password:
            return redirect(url_for("auth.change_password"))
        return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current.data):
            form.current.errors = [_("当前密码不正确")]
        elif form.new.data == form.current.data:
            form.new.errors = [_("新密码不能与当前密码相同")]
        elif reuse := password_policy.reuse_problem(current_user, form.new.data):
            form.new.errors = [reuse]
        else:
            user = current_user._get_current_object()
            password_policy.set_own_password(user, form.new.data)
            user.must_change_password = False
            user.session_version += 1  # other sessions of this user end
            record("password_change", "user", user.id, actor=user)
            db.session.commit()
            login_user(user)  # keep this session under the new version
            flash(_("密码已修改。"), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(language=current_user.language)
    if form.validate_on_submit():
        current_user.language = form.language.data
        session["lang"] = form.language.data
        db.session.commit()
        flash(_("设置已保存。"), "success")
        return redirect(url_for("auth.settings"))
    return render_template("auth/settings.html", form=form)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    """The language switch for people who are not logged in (the login page, the public form)."""
    if code in ("zh", "en"):
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.language = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))
