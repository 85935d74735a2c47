"""Admin pages for user accounts."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from crm.auth.accounts import AccountError, create_user, login_taken, reset_password, update_user
from crm.auth.models import User
from crm.auth.roles import Role
from crm.db import db
from crm.org import bp
from crm.org.forms import UserForm
from crm.org.models import Department, Town
from crm.pagination import paginate
from crm.permissions import require_roles


def _unit_choices(form: UserForm) -> None:
    none = [SelectChoice(0, _("（无）"))]
    form.town_id.choices = none + [
        SelectChoice(t.id, t.name)
        for t in db.session.scalars(select(Town).where(Town.active).order_by(Town.code))
    ]
    form.department_id.choices = none + [
        SelectChoice(d.id, d.name)
        for d in db.session.scalars(select(Department).where(Department.active).order_by(Department.code))
    ]


def _apply_account_error(form: UserForm, exc: AccountError) -> None:
    field = {"town": form.town_id, "department": form.department_id}.get(exc.field or "", None)
    field = field or getattr(form, exc.field or "", None) or form.login
    field.errors.append(str(exc))


@bp.route("/users")
@require_roles(Role.ADMIN)
def users():
    q = request.args.get("q", "").strip()
    # Units load with the page (one query each), not once per row.
    stmt = (select(User).options(selectinload(User.town), selectinload(User.department))
            .order_by(User.active.desc(), User.login))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.login.ilike(like), User.name.ilike(like), User.mobile.ilike(like)))
    page = paginate(stmt)
    return render_template("org/users.html", page=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def new_user():
    form = UserForm()
    _unit_choices(form)
    if form.validate_on_submit():
        try:
            user, otp = create_user(
                form.login.data, form.name.data, {Role(r) for r in form.roles.data},
                town=db.session.get(Town, form.town_id.data) if form.town_id.data else None,
                department=db.session.get(Department, form.department_id.data) if form.department_id.data else None,
                mobile=form.mobile.data or None, email=form.email.data or None,
            )
        except AccountError as exc:
            _apply_account_error(form, exc)
        else:
            db.session.commit()
            return render_template("org/one_time_password.html", user=user, otp=otp)
    return render_template("org/user_edit.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, data=None if request.method == "POST" else {
        "roles": [r.value for r in user.roles], "town_id": user.town_id or 0,
        "department_id": user.department_id or 0,
    })
    _unit_choices(form)
    if form.validate_on_submit():
        if login_taken(form.login.data, exclude_id=user.id):
            form.login.errors.append(_("登录名“%(login)s”已被使用", login=form.login.data))
        else:
            try:
                update_user(
                    user, login=form.login.data.strip(), name=form.name.data.strip(),
                    roles={Role(r) for r in form.roles.data},
                    town=db.session.get(Town, form.town_id.data) if form.town_id.data else None,
                    department=db.session.get(Department, form.department_id.data) if form.department_id.data else None,
                    mobile=form.mobile.data or None, email=form.email.data or None,
                    active=form.active.data,
                )
            except AccountError as exc:
                db.session.rollback()
                _apply_account_error(form, exc)
            else:
                db.session.commit()
                flash(_("已保存用户“%(name)s”。", name=user.name), "success")
                return redirect(url_for("org.users"))
    return render_template("org/user_edit.html", form=form, user=user)


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@require_roles(Role.ADMIN)
def reset_user_password(user_id: int):
    user = db.get_or_404(User, user_id)
    otp = reset_password(user)
    db.session.commit()
    return render_template("org/one_time_password.html", user=user, otp=otp)
