"""Reusable conditions on Enterprise: "listed on D", "covered on D", contact search.

Reports, the coverage pages, the list page, exports and the API build on these, so "on the
key list" and "has a liaison" mean exactly the same thing everywhere. Period and assignment
end dates are exclusive (see ListPeriod.covers and Assignment.active_on).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, exists, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from crm.enterprises.models import Assignment, Contact, Enterprise, ListPeriod


def listed_on(on: date) -> ColumnElement[bool]:
    """SQL condition on Enterprise: on the key list on the date `on`."""
    return exists().where(ListPeriod.enterprise_id == Enterprise.id, ListPeriod.covers(on))


def listed_enterprises(on: date) -> Select:
    """select(Enterprise) of the enterprises on the key list on `on`."""
    return select(Enterprise).where(listed_on(on))


def listed_during(start: date, end: date) -> ColumnElement[bool]:
    """On the list on at least one day of [start, end) (end exclusive, like the periods)."""
    return exists().where(
        ListPeriod.enterprise_id == Enterprise.id,
        ListPeriod.added_on < end,
        or_(ListPeriod.removed_on.is_(None), ListPeriod.removed_on > start),
    )


def covered_on(on: date) -> ColumnElement[bool]:
    """SQL condition on Enterprise: at least one liaison assignment in force on `on`."""
    return exists().where(Assignment.enterprise_id == Enterprise.id, Assignment.active_on(on))


def without_liaison_on(on: date) -> ColumnElement[bool]:
    """A coverage gap (rule 1): listed on `on` but nobody assigned that day."""
    return and_(listed_on(on), not_(covered_on(on)))


def assigned_to(liaison_id: int, on: date) -> ColumnElement[bool]:
    return exists().where(
        Assignment.enterprise_id == Enterprise.id,
        Assignment.liaison_id == liaison_id,
        Assignment.active_on(on),
    )


def contact_name_matches(pattern: str, escape: str = "\\") -> ColumnElement[bool]:
    """A contact whose name matches the LIKE pattern (with its % signs), case-insensitively."""
    return exists().where(Contact.enterprise_id == Enterprise.id, Contact.name.ilike(pattern, escape=escape))


def contact_phone_matches(pattern: str, escape: str = "\\") -> ColumnElement[bool]:
    """A contact whose mobile number matches the LIKE pattern. Only for readers who see the
    numbers in full: see crm.permissions.enterprises.contact_search_condition."""
    return exists().where(Contact.enterprise_id == Enterprise.id, Contact.mobile.like(pattern, escape=escape))
