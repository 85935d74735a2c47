"""Who is told about what: the users behind departments, the commission, the enterprise's liaisons."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import select

from crm.auth.models import User, UserRole
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Assignment
from crm.requests.models import Request


def department_users(department_ids: Iterable[int]) -> list[User]:
    ids = [d for d in department_ids if d is not None]
    if not ids:
        return []
    return list(db.session.scalars(
        select(User).join(UserRole).where(
            User.department_id.in_(ids), User.active.is_(True), UserRole.role == Role.DEPARTMENT.value,
        ).order_by(User.id)
    ).unique())


def commission_users() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole).where(User.active.is_(True), UserRole.role == Role.COMMISSION.value)
        .order_by(User.id)
    ).unique())


def liaisons_of(req: Request, today: date) -> list[User]:
    if req.enterprise_id is None:
        return []
    return list(db.session.scalars(
        select(User).join(Assignment, Assignment.liaison_id == User.id).where(
            Assignment.enterprise_id == req.enterprise_id, Assignment.active_on(today),
            User.active.is_(True),
        ).order_by(User.id)
    ).unique())


def lead_users(req: Request) -> list[User]:
    return department_users([req.lead_department_id])
