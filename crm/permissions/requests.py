"""Who sees which request, and who may take which step of the workflow.

Seeing: the district-wide roles see all; a town user their town's; a liaison the requests of
the enterprises assigned to them (and those they recorded); a department those it leads or
cooperates on. Acting: one guard per workflow action, used by `crm.requests.workflow`
(which refuses) and by the pages (which show only the buttons that would work).
"""
from __future__ import annotations

from datetime import date
from typing import Callable, Optional

from flask import abort
from sqlalchemy import Select, exists, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.enterprises.models import Assignment
from crm.permissions.enterprises import masks_contacts
from crm.permissions.roles import sees_everything, supervises
from crm.requests.models import Request, RequestState, request_cooperators


def request_condition(user, today: Optional[date] = None) -> ColumnElement[bool]:
    """SQL condition on Request: the requests `user` may see (union over their roles)."""
    if sees_everything(user):
        return true()
    conditions: list[ColumnElement[bool]] = []
    if user.has_role(Role.TOWN) and user.town_id is not None:
        conditions.append(Request.town_id == user.town_id)
    if user.has_role(Role.LIAISON):
        today = today or business_today()
        conditions.append(or_(
            Request.created_by_id == user.id,
            exists().where(
                Assignment.enterprise_id == Request.enterprise_id,
                Assignment.liaison_id == user.id,
                Assignment.active_on(today),
            ),
        ))
    if user.has_role(Role.DEPARTMENT) and user.department_id is not None:
        conditions.append(or_(
            Request.lead_department_id == user.department_id,
            exists().where(
                request_cooperators.c.request_id == Request.id,
                request_cooperators.c.department_id == user.department_id,
            ),
        ))
    return or_(*conditions) if conditions else false()


def scope_requests(stmt: Select, user, today: Optional[date] = None) -> Select:
    return stmt.where(request_condition(user, today))


def get_request_or_404(request_id: int, user, today: Optional[date] = None) -> Request:
    req = db.session.scalar(
        scope_requests(select(Request).where(Request.id == request_id), user, today)
    )
    if req is None:
        abort(404)
    return req


# --- who is who for one request -------------------------------------------------------------

def is_lead(user, req: Request) -> bool:
    return (user is not None and user.has_role(Role.DEPARTMENT) and user.department_id is not None
            and user.department_id == req.lead_department_id)


def is_cooperator(user, req: Request) -> bool:
    return (user is not None and user.has_role(Role.DEPARTMENT) and user.department_id is not None
            and any(d.id == user.department_id for d in req.cooperators))


def is_town_of(user, req: Request) -> bool:
    return (user is not None and user.has_role(Role.TOWN) and user.town_id is not None
            and user.town_id == req.town_id)


def is_liaison_of(user, req: Request, today: Optional[date] = None) -> bool:
    if user is None or not user.has_role(Role.LIAISON) or req.enterprise_id is None:
        return False
    today = today or business_today()
    return db.session.scalar(
        select(Assignment.id).where(
            Assignment.enterprise_id == req.enterprise_id,
            Assignment.liaison_id == user.id,
            Assignment.active_on(today),
        ).limit(1)
    ) is not None


def _supervises(user) -> bool:
    return user is not None and supervises(user)


def can_see(user, req: Request, today: Optional[date] = None) -> bool:
    return user is not None and db.session.scalar(
        scope_requests(select(Request.id).where(Request.id == req.id), user, today)
    ) is not None


# --- per-action guards: (user or None, request, today, via) -> bool --------------------------

Guard = Callable[..., bool]


def _triage(user, req, today, via) -> bool:
    return _supervises(user) or is_town_of(user, req)


def _answer_on_site(user, req, today, via) -> bool:
    return _triage(user, req, today, via) or is_liaison_of(user, req, today)


def _assign(user, req, today, via) -> bool:
    # Re-assigning after escalation or a bad rating is the commission's call alone.
    if req.state == RequestState.SUBMITTED.value:
        return _triage(user, req, today, via)
    return _supervises(user)


def _lead(user, req, today, via) -> bool:
    return is_lead(user, req)


def _escalate(user, req, today, via) -> bool:
    return _supervises(user) or is_lead(user, req)


def _reply(user, req, today, via) -> bool:
    if req.state == RequestState.ESCALATED.value:
        return _supervises(user)
    return is_lead(user, req)


def _commission(user, req, today, via) -> bool:
    return _supervises(user)


def _rate(user, req, today, via) -> bool:
    if user is None:
        return via == "link"  # the public view checked the tracking token
    return _supervises(user) or is_town_of(user, req) or is_liaison_of(user, req, today)


def _system(user, req, today, via) -> bool:
    return user is None and via == "tick"


def _note(user, req, today, via) -> bool:
    if user is None:
        return False
    # Leaders read; everybody else who sees the request may write a note.
    if user.roles <= {Role.LEADER}:
        return False
    return can_see(user, req, today)


GUARDS: dict[str, Guard] = {
    "answer_on_site": _answer_on_site,
    "assign": _assign,
    "reject": _triage,
    "accept": _lead,
    "return": _lead,
    "request_extension": _lead,
    "approve_extension": _commission,
    "deny_extension": _commission,
    "escalate": _escalate,
    "reply": _reply,
    "rate": _rate,
    "close_unrated": _system,
    "close": _commission,
    "note": _note,
    "urge": lambda user, req, today, via: _commission(user, req, today, via) or _system(user, req, today, via),
}


def may(action: str, user, req: Request, today: Optional[date] = None, via: Optional[str] = None) -> bool:
    """Whether `user` (None: the enterprise or a scheduled job, see `via`) may take `action` on `req`."""
    guard = GUARDS.get(action)
    return bool(guard and guard(user, req, today or business_today(), via))


def masks_request_contacts(user, req: Request, today: Optional[date] = None) -> bool:
    """Rule 11 for a request's contact: masked unless the user sees the enterprise's contacts in
    full; for an unlisted enterprise, only the supervising commission sees them."""
    if req.enterprise is None:
        return not supervises(user)
    return masks_contacts(user, req.enterprise, today)
