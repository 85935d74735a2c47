"""Who sees which enterprise (rule 11: contacts are private outside the enterprise's scope)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask import abort
from sqlalchemy import Select, and_, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.enterprises.models import Assignment, Enterprise
from crm.enterprises.queries import contact_name_matches, contact_phone_matches
from crm.permissions.roles import sees_everything
from crm.requests.models import Request, request_cooperators


def _own_conditions(user, today: date) -> list[ColumnElement[bool]]:
    """The enterprises that are a user's own business: their town's, and those assigned to them."""
    conditions: list[ColumnElement[bool]] = []
    if user.has_role(Role.TOWN) and user.town_id is not None:
        conditions.append(Enterprise.town_id == user.town_id)
    if user.has_role(Role.LIAISON):
        conditions.append(exists().where(
            Assignment.enterprise_id == Enterprise.id,
            Assignment.liaison_id == user.id,
            Assignment.active_on(today),
        ))
    return conditions


def enterprise_condition(user, today: Optional[date] = None) -> ColumnElement[bool]:
    """SQL condition on Enterprise: the enterprises `user` may see (union over their roles)."""
    if sees_everything(user):
        return true()
    conditions = _own_conditions(user, today or business_today())
    if user.has_role(Role.DEPARTMENT) and user.department_id is not None:
        conditions.append(_department_condition(user.department_id))
    return or_(*conditions) if conditions else false()


def _department_condition(department_id: int) -> ColumnElement[bool]:
    """Enterprises named in requests led by or shared with the department."""
    return exists().where(
        Request.enterprise_id == Enterprise.id,
        or_(
            Request.lead_department_id == department_id,
            exists().where(
                request_cooperators.c.request_id == Request.id,
                request_cooperators.c.department_id == department_id,
            ),
        ),
    )


def scope_enterprises(stmt: Select, user, today: Optional[date] = None) -> Select:
    return stmt.where(enterprise_condition(user, today))


def get_enterprise_or_404(enterprise_id: int, user) -> Enterprise:
    ent = db.session.scalar(
        scope_enterprises(select(Enterprise).where(Enterprise.id == enterprise_id), user)
    )
    if ent is None:
        abort(404)
    return ent


def can_edit_enterprise(user, enterprise: Optional[Enterprise] = None, town_id: Optional[int] = None) -> bool:
    """Commission and admins edit all; a town user edits their own town's enterprises."""
    if user.has_role(Role.ADMIN, Role.COMMISSION):
        return True
    if user.has_role(Role.TOWN) and user.town_id is not None:
        target = enterprise.town_id if enterprise is not None else town_id
        return target is None or target == user.town_id
    return False


def masks_contacts(user, enterprise: Enterprise, today: Optional[date] = None) -> bool:
    """Department handlers see an enterprise only through a request: phones are masked."""
    if sees_everything(user) or (user.has_role(Role.TOWN) and user.town_id == enterprise.town_id):
        return False
    if user.has_role(Role.LIAISON):
        today = today or business_today()
        assigned = db.session.scalar(
            select(Assignment.id).where(
                Assignment.enterprise_id == enterprise.id,
                Assignment.liaison_id == user.id,
                Assignment.active_on(today),
            ).limit(1)
        )
        if assigned is not None:
            return False
    return True


def scope_users_liaisons(stmt: Select, user) -> Select:
    """Liaisons a user may look at: all for the district-wide roles, their town's for a town user."""
    from crm.auth.models import User

    if sees_everything(user):
        return stmt
    if user.has_role(Role.TOWN) and user.town_id is not None:
        return stmt.where(or_(User.town_id == user.town_id, User.id == user.id))
    return stmt.where(User.id == user.id)


#: Roles that keep the key list (create, edit, import, assign), each within its scope.
LIST_KEEPERS = (Role.ADMIN, Role.COMMISSION, Role.TOWN)


def keeps_list(user) -> bool:
    """May create, import and assign at all (a town user only within their town)."""
    return user.has_role(Role.ADMIN, Role.COMMISSION) or (
        user.has_role(Role.TOWN) and user.town_id is not None)


def editable_condition(user) -> ColumnElement[bool]:
    """SQL twin of can_edit_enterprise: the enterprises `user` may change (bulk actions)."""
    if user.has_role(Role.ADMIN, Role.COMMISSION):
        return true()
    if user.has_role(Role.TOWN) and user.town_id is not None:
        return Enterprise.town_id == user.town_id
    return false()


def get_editable_enterprise_or_404(enterprise_id: int, user) -> Enterprise:
    """404 when the user cannot see it, 403 when they see it but may not change it."""
    ent = get_enterprise_or_404(enterprise_id, user)
    if not can_edit_enterprise(user, ent):
        abort(403)
    return ent


def contacts_visible_condition(user, today: Optional[date] = None) -> ColumnElement[bool]:
    """SQL twin of `not masks_contacts(...)`: enterprises whose contacts `user` sees in full."""
    if sees_everything(user):
        return true()
    # Department handlers see an enterprise only through a request: never its full contacts.
    conditions = _own_conditions(user, today or business_today())
    return or_(*conditions) if conditions else false()


def contact_search_condition(user, name_pattern: str, phone_pattern: str,
                             today: Optional[date] = None) -> ColumnElement[bool]:
    """The contact part of a search by `user`: contact names wherever the user sees the enterprise,
    phone numbers only where the user sees them in full. A number shown masked is no search key
    (rule 11): otherwise about twenty prefix searches would spell out the hidden digits."""
    return or_(contact_name_matches(name_pattern),
               and_(contacts_visible_condition(user, today), contact_phone_matches(phone_pattern)))
