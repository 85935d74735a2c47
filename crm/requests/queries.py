"""Scoped selects of requests, used by the pages, exports, reports and the API alike.

Every function starts from `scope_requests(..., user)`, so nothing here can return a
request its user may not see. Lists add `with_list_loading` to avoid N+1 queries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping, Optional

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from crm.db import db
from crm.permissions.requests import scope_requests
from crm.requests import deadlines
from crm.requests.models import (CLOCK_STATES, RATEABLE_STATES, ExtensionStatus, Request,
                                 RequestSource, RequestState, request_cooperators)

S = RequestState


def scoped(user, today: Optional[date] = None) -> Select:
    """All requests `user` may see, newest first."""
    return scope_requests(select(Request), user, today).order_by(Request.id.desc())


def with_list_loading(stmt: Select) -> Select:
    """What a list row shows, loaded in a fixed number of queries whatever the page size."""
    return stmt.options(
        joinedload(Request.category), joinedload(Request.lead_department), joinedload(Request.town),
        selectinload(Request.cooperators),
    )


@dataclass
class RequestFilters:
    state: Optional[str] = None
    department_id: Optional[int] = None
    category_id: Optional[int] = None
    town_id: Optional[int] = None
    source: Optional[str] = None
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    #: Tracking number, title or enterprise name (contains).
    q: Optional[str] = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "RequestFilters":
        """Read the filter query string; values that do not parse are ignored."""
        def as_int(name):
            value = (args.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        def as_date(name):
            try:
                return date.fromisoformat((args.get(name) or "").strip())
            except ValueError:
                return None

        state = args.get("state") or None
        source = args.get("source") or None
        return cls(
            state=state if state in {s.value for s in RequestState} else None,
            department_id=as_int("department"), category_id=as_int("category"), town_id=as_int("town"),
            source=source if source in {s.value for s in RequestSource} else None,
            date_from=as_date("from"), date_to=as_date("to"),
            q=(args.get("q") or "").strip()[:100] or None,
        )

    @property
    def active(self) -> bool:
        return any(v is not None for v in vars(self).values())


def apply_filters(stmt: Select, f: RequestFilters) -> Select:
    if f.state:
        stmt = stmt.where(Request.state == f.state)
    if f.department_id:
        stmt = stmt.where(or_(Request.lead_department_id == f.department_id, exists().where(
            request_cooperators.c.request_id == Request.id,
            request_cooperators.c.department_id == f.department_id)))
    if f.category_id:
        stmt = stmt.where(Request.category_id == f.category_id)
    if f.town_id:
        stmt = stmt.where(Request.town_id == f.town_id)
    if f.source:
        stmt = stmt.where(Request.source == f.source)
    if f.date_from:
        stmt = stmt.where(Request.submitted_on >= f.date_from)
    if f.date_to:
        stmt = stmt.where(Request.submitted_on <= f.date_to)
    if f.q:
        like = f"%{f.q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(or_(Request.number.like(like), Request.title.like(like),
                              Request.enterprise_name.like(like)))
    return stmt


# --- the department inbox --------------------------------------------------------------------

INBOX_TABS = ("to_sign", "in_progress", "due_soon", "overdue", "replied")


def inbox_condition(tab: str, department_id: int, today: date):
    lead = Request.lead_department_id == department_id
    cooperating = exists().where(request_cooperators.c.request_id == Request.id,
                                 request_cooperators.c.department_id == department_id)
    clock = Request.state.in_([s.value for s in CLOCK_STATES])
    return {
        "to_sign": and_(lead, Request.state == S.ASSIGNED.value),
        "in_progress": or_(and_(lead, Request.state == S.IN_PROGRESS.value), and_(cooperating, clock)),
        "due_soon": and_(lead, deadlines.due_soon_condition(today)),
        "overdue": and_(lead, deadlines.overdue_condition(today)),
        "replied": and_(
            or_(Request.replied_by_department_id == department_id, lead),
            Request.state.in_([S.REPLIED.value, S.REVIEWING.value, S.CLOSED.value]),
            Request.replied_on.is_not(None)),
    }[tab]


def inbox(user, tab: str, today: date) -> Select:
    stmt = scoped(user, today).where(inbox_condition(tab, user.department_id, today))
    if tab in ("to_sign", "in_progress", "due_soon", "overdue"):
        stmt = stmt.order_by(None).order_by(Request.deadline, Request.id)
    return stmt


def inbox_counts(user, today: date) -> dict[str, int]:
    return {tab: _count(scoped(user, today).where(inbox_condition(tab, user.department_id, today)))
            for tab in INBOX_TABS}


# --- the commission board --------------------------------------------------------------------

BOARD_SECTIONS = ("triage", "overdue", "not_accepted", "escalated", "reviewing", "awaiting_rating",
                  "extensions", "all")


def board_condition(section: str, today: date):
    return {
        "triage": Request.state == S.SUBMITTED.value,
        "overdue": deadlines.overdue_condition(today),
        "not_accepted": deadlines.not_accepted_condition(today),
        "escalated": Request.state == S.ESCALATED.value,
        "reviewing": Request.state == S.REVIEWING.value,
        "awaiting_rating": Request.state.in_([s.value for s in RATEABLE_STATES]),
        "extensions": and_(Request.state == S.IN_PROGRESS.value,
                           Request.extension_status == ExtensionStatus.PENDING.value),
        "all": Request.id.is_not(None),
    }[section]


def board(user, section: str, today: date) -> Select:
    stmt = scoped(user, today).where(board_condition(section, today))
    if section in ("overdue", "not_accepted"):
        stmt = stmt.order_by(None).order_by(Request.deadline, Request.id)
    elif section == "triage":
        stmt = stmt.order_by(None).order_by(Request.submitted_on, Request.id)
    return stmt


def board_counts(user, today: date) -> dict[str, int]:
    return {s: _count(scoped(user, today).where(board_condition(s, today)))
            for s in BOARD_SECTIONS if s != "all"}


# --- figures for reports ---------------------------------------------------------------------

@dataclass
class RequestFigures:
    received: int
    closed: int
    replied: int
    replied_on_time: int
    resolved: int
    rated: int
    satisfied: int

    @property
    def on_time_rate(self) -> Optional[float]:
        return self.replied_on_time / self.replied if self.replied else None

    @property
    def resolution_rate(self) -> Optional[float]:
        return self.resolved / self.replied if self.replied else None

    @property
    def satisfaction_rate(self) -> Optional[float]:
        return self.satisfied / self.rated if self.rated else None


def figures(user, start: date, end: date, today: Optional[date] = None) -> RequestFigures:
    """Received = submitted in [start, end]; the rest count the replies / ratings made in it."""
    base = scope_requests(select(Request.id), user, today).subquery()
    in_scope = Request.id.in_(select(base.c.id))
    replied = and_(in_scope, Request.replied_on.between(start, end))
    rated = and_(in_scope, Request.rated_on.between(start, end), Request.rating.is_not(None))
    satisfied_values = ("very_satisfied", "satisfied", "basically")
    row = db.session.execute(select(
        func.count().filter(and_(in_scope, Request.submitted_on.between(start, end))),
        func.count().filter(and_(in_scope, Request.closed_on.between(start, end),
                                 Request.state == S.CLOSED.value)),
        func.count().filter(replied),
        func.count().filter(and_(replied, Request.on_time.is_(True))),
        func.count().filter(and_(replied, Request.outcome == "resolved")),
        func.count().filter(rated),
        func.count().filter(and_(rated, Request.rating.in_(satisfied_values))),
    ).select_from(Request)).one()
    return RequestFigures(*row)


def _count(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
