"""The calendar the application uses: the override table read from the database, cached per request,
and the working-day functions that use it unless they are handed a calendar."""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask import g, has_app_context
from sqlalchemy import select

from crm.calendar.models import CalendarOverride, CalendarYear
from crm.calendar.workdays import Deadline, WorkCalendar
from crm.db import db

_G_KEY = "_work_calendar"


def load_calendar() -> WorkCalendar:
    overrides = {row.day: row.kind == "workday" for row in db.session.scalars(select(CalendarOverride))}
    years = frozenset(db.session.scalars(select(CalendarYear.year)))
    return WorkCalendar(overrides=overrides, loaded_years=years)


def current_calendar() -> WorkCalendar:
    """The database calendar, read once per request (or command) and kept in `g`."""
    if not has_app_context():
        return WorkCalendar()
    cal = g.get(_G_KEY)
    if cal is None:
        cal = load_calendar()
        setattr(g, _G_KEY, cal)
    return cal


def invalidate() -> None:
    """Forget the cached calendar after the override table changed."""
    if has_app_context():
        g.pop(_G_KEY, None)


def unknown_years_ahead(today: date) -> list[int]:
    """Years admins should load now: this year, and next year once its schedule is due (November)."""
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return current_calendar().unknown_years(years)


def _calendar_or_current(cal: Optional[WorkCalendar]) -> WorkCalendar:
    if cal is not None:
        return cal
    return current_calendar()


def is_working_day(day: date, cal: Optional[WorkCalendar] = None) -> bool:
    return _calendar_or_current(cal).is_working_day(day)


def add_working_days(start: date, n: int, cal: Optional[WorkCalendar] = None) -> date:
    """The n-th working day after `start` (n >= 1; `start` itself is not counted)."""
    return _calendar_or_current(cal).add_working_days(start, n)


def deadline(start: date, n: int, cal: Optional[WorkCalendar] = None) -> Deadline:
    """Like add_working_days, with the provisional flag."""
    return _calendar_or_current(cal).deadline(start, n)


def working_days_between(a: date, b: date, cal: Optional[WorkCalendar] = None) -> int:
    """Number of working days d with a < d <= b."""
    return _calendar_or_current(cal).working_days_between(a, b)
