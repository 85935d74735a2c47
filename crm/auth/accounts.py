"""Creating and changing user accounts (admin pages, the CLI and the org import share this)."""
from __future__ import annotations

from typing import Iterable, Optional

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.audit import diff, record
from crm.auth.models import User
from crm.auth.passwords import hash_password, min_length, one_time_password
from crm.auth.roles import Role
from crm.db import db
from crm.org.models import Department, Town


class AccountError(ValueError):
    """A user account that cannot be created or changed as asked; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def check_password(password: str) -> None:
    if len(password) < min_length():
        raise AccountError(_("密码至少需要 %(n)s 个字符", n=min_length()), "password")


def check_unit(roles: set[Role], town: Optional[Town], department: Optional[Department]) -> None:
    """A town coordinator needs a town, a department handler a department."""
    if Role.TOWN in roles and town is None:
        raise AccountError(_("乡镇/园区角色必须指定所属乡镇"), "town")
    if Role.DEPARTMENT in roles and department is None:
        raise AccountError(_("承办部门角色必须指定所属部门"), "department")


def login_taken(login: str, exclude_id: Optional[int] = None) -> bool:
    stmt = select(User.id).where(func.lower(User.login) == login.strip().lower())
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    return db.session.scalar(stmt) is not None


def create_user(
    login: str,
    name: str,
    roles: Iterable[Role],
    *,
    town: Optional[Town] = None,
    department: Optional[Department] = None,
    mobile: Optional[str] = None,
    email: Optional[str] = None,
    password: Optional[str] = None,
) -> tuple[User, Optional[str]]:
    """Create a user; without a password a one-time one is made and returned (shown once)."""
    roles = set(roles)
    if not roles:
        raise AccountError(_("至少选择一个角色"), "roles")
    if login_taken(login):
        raise AccountError(_("登录名“%(login)s”已被使用", login=login), "login")
    check_unit(roles, town, department)
    otp = None
    if password is None:
        otp = password = one_time_password()
    else:
        check_password(password)
    user = User(
        login=login.strip(), name=name.strip(), mobile=mobile or None, email=email or None,
        town=town, department=department, password_hash=hash_password(password),
        must_change_password=otp is not None,
    )
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    record("create", "user", user.id, changes=snapshot(user))
    return user, otp


def snapshot(user: User) -> dict:
    return {
        "login": user.login, "name": user.name, "mobile": user.mobile, "email": user.email,
        "roles": sorted(r.value for r in user.roles),
        "town": user.town.code if user.town else None,
        "department": user.department.code if user.department else None,
        "active": user.active,
    }


def update_user(user: User, *, reason: Optional[str] = None, **fields) -> None:
    """Apply changes (name, mobile, email, roles, town, department, active) with an audit row."""
    before = snapshot(user)
    roles = fields.pop("roles", None)
    if roles is not None:
        if not roles:
            raise AccountError(_("至少选择一个角色"), "roles")
        user.set_roles(set(roles))
    for key, value in fields.items():
        setattr(user, key, value)
    check_unit(user.roles, user.town, user.department)
    if before["active"] and not user.active:
        user.session_version += 1  # open sessions of a deactivated user end now
    db.session.flush()
    changes = diff(before, snapshot(user))
    if changes:
        record("update", "user", user.id, changes=changes, reason=reason)


def reset_password(user: User) -> str:
    otp = one_time_password()
    user.password_hash = hash_password(otp)
    user.must_change_password = True
    user.session_version += 1
    record("reset_password", "user", user.id)
    return otp
