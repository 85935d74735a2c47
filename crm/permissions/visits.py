"""Who sees which visit, who may log one for which enterprise, and who may edit it.

Seeing (union over the user's roles): the district-wide roles see all visits; a town user the
visits to their town's enterprises; a liaison the visits they took part in or logged, and every
visit to the enterprises assigned to them today (their predecessors' too); a department user
only the visits that raised a request their department leads or cooperates on.

Logging: a liaison logs visits to the enterprises assigned to them on the visit date (a joint
visit may name other liaisons); the commission (and admins) may log any visit on a liaison's
behalf. Visits older than the current and previous quarter are the commission's to log.

Editing: the author for EDIT_DAYS days after logging it, then only the commission.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Optional

from flask import abort
from sqlalchemy import Select, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from crm.auth.roles import Role
from crm.clock import business_date, business_today
from crm.db import db
from crm.enterprises.models import Assignment, Enterprise
from crm.permissions.roles import sees_everything, supervises
from crm.visits.models import Visit, VisitParticipant
from crm.visits.quarters import Quarter

#: The author may edit a visit until this many days after the day it was logged.
EDIT_DAYS = 7


def visit_condition(user, today: Optional[date] = None) -> ColumnElement[bool]:
    """SQL condition on Visit: the visits `user` may see."""
    if sees_everything(user):
        return true()
    conditions: list[ColumnElement[bool]] = []
    if user.has_role(Role.TOWN) and user.town_id is not None:
        conditions.append(exists().where(Enterprise.id == Visit.enterprise_id,
                                         Enterprise.town_id == user.town_id))
    if user.has_role(Role.LIAISON):
        today = today or business_today()
        conditions.append(or_(
            Visit.author_id == user.id,
            exists().where(VisitParticipant.visit_id == Visit.id, VisitParticipant.liaison_id == user.id),
            exists().where(Assignment.enterprise_id == Visit.enterprise_id,
                           Assignment.liaison_id == user.id, Assignment.active_on(today)),
        ))
    if user.has_role(Role.DEPARTMENT) and user.department_id is not None:
        conditions.append(_department_condition(user.department_id))
    return or_(*conditions) if conditions else false()


def _department_condition(department_id: int) -> ColumnElement[bool]:
    """Visits that raised a request the department leads or cooperates on."""
    from crm.requests.models import Request, request_cooperators

    return exists().where(
        Request.visit_id == Visit.id,
        or_(Request.lead_department_id == department_id,
            exists().where(request_cooperators.c.request_id == Request.id,
                           request_cooperators.c.department_id == department_id)),
    )


def scope_visits(stmt: Select, user, today: Optional[date] = None) -> Select:
    return stmt.where(visit_condition(user, today))


def get_visit_or_404(visit_id: int, user) -> Visit:
    visit = db.session.scalar(scope_visits(select(Visit).where(Visit.id == visit_id), user))
    if visit is None:
        abort(404)
    return visit


def can_edit_visit(user, visit: Visit, today: Optional[date] = None) -> bool:
    """The commission always; the author until EDIT_DAYS days after logging it."""
    if supervises(user):
        return True
    today = today or business_today()
    return visit.author_id == user.id and today <= edit_deadline(visit)


def edit_deadline(visit: Visit) -> date:
    """The last day the author may edit the visit."""
    return business_date(visit.created_at) + timedelta(days=EDIT_DAYS)


def may_log_visits(user) -> bool:
    return user.has_role(Role.LIAISON) or supervises(user)


def earliest_visit_date(user, today: Optional[date] = None) -> Optional[date]:
    """The oldest visit date `user` may enter: the previous quarter's first day, or None (any)."""
    if supervises(user):
        return None
    return Quarter.of(today or business_today()).previous.first_day


def loggable_enterprise_or_404(enterprise_id: int, user, today: Optional[date] = None) -> Enterprise:
    """The enterprise a visit is being logged for: any for the commission; for a liaison one
    they were assigned to at some time in the current or previous quarter (the visit date is
    checked against the assignment when the form comes back)."""
    today = today or business_today()
    stmt = select(Enterprise).where(Enterprise.id == enterprise_id)
    if not supervises(user):
        if not user.has_role(Role.LIAISON):
            abort(403)
        since = earliest_visit_date(user, today)
        stmt = stmt.where(exists().where(
            Assignment.enterprise_id == Enterprise.id, Assignment.liaison_id == user.id,
            Assignment.start_on <= today,
            or_(Assignment.end_on.is_(None), Assignment.end_on > since)))
    ent = db.session.scalar(stmt)
    if ent is None:
        abort(404)
    return ent


def assigned_on(liaison_id: int, enterprise_id: int, on: date) -> bool:
    return db.session.scalar(select(Assignment.id).where(
        Assignment.liaison_id == liaison_id, Assignment.enterprise_id == enterprise_id,
        Assignment.active_on(on)).limit(1)) is not None
