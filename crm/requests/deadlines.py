"""Due dates and clocks: sign-for, reply deadlines, extensions, on-time, and the overdue selects.

Everything takes `today` (and optionally a calendar) as a parameter; nothing reads the clock.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.sql.elements import ColumnElement

from crm.calendar.store import add_working_days, deadline as calendar_deadline, working_days_between
from crm.calendar.workdays import WorkCalendar
from crm.db import db
from crm.requests.models import CLOCK_STATES, Category, Request, RequestState

#: The enterprise has this many working days after the reply to rate it.
RATING_WINDOW_DAYS = 10
#: A department may return a request only within this many working days of the assignment.
RETURN_WINDOW_DAYS = 2
#: "Due soon" = at most this many working days left.
DUE_SOON_DAYS = 2
#: Automatic urge notices repeat every this many working days while overdue.
URGE_EVERY_DAYS = 3

ON_TRACK, DUE_SOON, OVERDUE = "on_track", "due_soon", "overdue"
CLOCK_LABELS = {ON_TRACK: _l("正常"), DUE_SOON: _l("即将到期"), OVERDUE: _l("已逾期")}
NOT_ACCEPTED_LABEL = _l("未签收")


def time_limit(category: Category, urgent: bool) -> int:
    """The category's default time limit; urgent requests get half, at least one working day."""
    return category.limit_for(urgent)


class RoundDates(NamedTuple):
    accept_due_on: date
    original_deadline: date
    deadline: date
    provisional: bool


def round_dates(assigned_on: date, limit: int, extension_days: int = 0,
                cal: Optional[WorkCalendar] = None) -> RoundDates:
    """The dates of a handling round that starts on `assigned_on` with `limit` working days."""
    accept = calendar_deadline(assigned_on, 1, cal)
    original = calendar_deadline(assigned_on, limit, cal)
    final = calendar_deadline(assigned_on, limit + extension_days, cal) if extension_days else original
    return RoundDates(accept.day, original.day, final.day,
                      accept.provisional or original.provisional or final.provisional)


def apply_round_dates(req: Request, cal: Optional[WorkCalendar] = None) -> None:
    """(Re)compute the stored dates of the request's current round from its inputs."""
    granted = req.extension_days if req.extension_status == "approved" and req.extension_days else 0
    dates = round_dates(req.assigned_on, req.time_limit_days, granted, cal)
    req.accept_due_on = dates.accept_due_on
    req.original_deadline = dates.original_deadline
    req.deadline = dates.deadline
    req.deadline_provisional = dates.provisional


def clock_state(req: Request, today: date, cal: Optional[WorkCalendar] = None) -> Optional[str]:
    """on_track / due_soon / overdue while the lead department's clock runs; None otherwise."""
    if req.state_enum not in CLOCK_STATES or req.deadline is None:
        return None
    if today > req.deadline:
        return OVERDUE
    if working_days_between(today, req.deadline, cal) <= DUE_SOON_DAYS:
        return DUE_SOON
    return ON_TRACK


def not_accepted(req: Request, today: date) -> bool:
    """Sign-for is late: still not accepted after the first working day following assignment."""
    return (req.state == RequestState.ASSIGNED.value and req.accept_due_on is not None
            and today > req.accept_due_on)


def days_left(req: Request, today: date, cal: Optional[WorkCalendar] = None) -> int:
    """Working days left until the deadline (0 on the day itself)."""
    return working_days_between(today, req.deadline, cal)


def days_overdue(req: Request, today: date, cal: Optional[WorkCalendar] = None) -> int:
    """Working days past the deadline (0 if not overdue)."""
    return working_days_between(req.deadline, today, cal) if today > req.deadline else 0


def may_still_return(req: Request, today: date, cal: Optional[WorkCalendar] = None) -> bool:
    return req.assigned_on is not None and \
        working_days_between(req.assigned_on, today, cal) <= RETURN_WINDOW_DAYS


def on_time_reply(req: Request, replied_on: date) -> bool:
    """Replied on or before the deadline in force (approved extensions count).

    After an escalation the department's clock stopped on the day it was escalated, so a
    reply that ends an escalation is on time when the escalation itself came in time.
    """
    if req.deadline is None:
        return True
    if req.state == RequestState.ESCALATED.value and req.escalated_on is not None:
        return req.escalated_on <= req.deadline
    return replied_on <= req.deadline


def rating_closes_on(req: Request, cal: Optional[WorkCalendar] = None) -> date:
    """The last day the enterprise may rate; the day after, the request closes unrated."""
    return add_working_days(req.replied_on, RATING_WINDOW_DAYS, cal)


# --- SQL conditions for lists, boards and the tick -------------------------------------------

def overdue_condition(today: date) -> ColumnElement[bool]:
    return and_(Request.state.in_([s.value for s in CLOCK_STATES]), Request.deadline < today)


def due_soon_condition(today: date, cal: Optional[WorkCalendar] = None) -> ColumnElement[bool]:
    # At most 2 working days left <=> the deadline comes before the 3rd working day after today.
    cutoff = add_working_days(today, DUE_SOON_DAYS + 1, cal)
    return and_(Request.state.in_([s.value for s in CLOCK_STATES]),
                Request.deadline >= today, Request.deadline < cutoff)


def not_accepted_condition(today: date) -> ColumnElement[bool]:
    return and_(Request.state == RequestState.ASSIGNED.value, Request.accept_due_on < today)


def recompute_provisional(cal: Optional[WorkCalendar] = None) -> int:
    """Recompute every provisional deadline (after a year's schedule was loaded); returns the count."""
    changed = 0
    for req in db.session.scalars(select(Request).where(Request.deadline_provisional.is_(True))):
        if req.assigned_on is None or req.time_limit_days is None:
            continue
        before = (req.accept_due_on, req.deadline, req.deadline_provisional)
        apply_round_dates(req, cal)
        if (req.accept_due_on, req.deadline, req.deadline_provisional) != before:
            changed += 1
    db.session.flush()
    return changed
