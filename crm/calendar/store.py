"""The calendar the application uses: the override table read from the database, cached per request."""
from __future__ import annotations

from datetime import date

from flask import g, has_app_context
from sqlalchemy import select

from crm.calendar.models import CalendarOverride, CalendarYear
from crm.calendar.workdays import WorkCalendar
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

