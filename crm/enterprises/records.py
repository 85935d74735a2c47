"""Creating and editing enterprises and their key-list periods, each change audited.

Services flush; the caller (a view, the import, the CLI) commits once. Nothing here deletes an
enterprise or a period: leaving the list closes the open period, re-listing opens a new one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Optional

from flask_babel import gettext as _
from sqlalchemy import select

from crm.audit import diff, record
from crm.db import db
from crm.enterprises.assignments import end_silently
from crm.enterprises.models import AUDIT_TYPE as OBJECT_TYPE
from crm.enterprises.models import Assignment, Contact, Enterprise, ListPeriod, Tag


class RecordError(ValueError):
    """A change that breaks a rule; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ContactData:
    name: str
    title: str = ""
    mobile: str = ""
    email: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "mobile": self.mobile, "email": self.email}


@dataclass
class EnterpriseData:
    """The editable profile of an enterprise, already validated and normalised."""

    name: str
    credit_code: str
    town_id: int
    level: str
    industry: Optional[str]
    address: Optional[str]
    notes: Optional[str]
    tags: list[Tag]
    contacts: list[ContactData]


def contact_dicts(contacts: Iterable[Contact]) -> list[dict[str, str]]:
    return [ContactData(c.name, c.title or "", c.mobile or "", c.email or "").as_dict()
            for c in contacts]


def snapshot(ent: Enterprise, town_name: Optional[str] = None) -> dict[str, Any]:
    """The audited view of an enterprise's profile: what a before -> after diff compares."""
    return {
        "name": ent.name,
        "credit_code": ent.credit_code,
        "town": town_name if town_name is not None else (ent.town.name if ent.town else None),
        "level": ent.level,
        "industry": ent.industry,
        "address": ent.address,
        "notes": ent.notes,
        "tags": sorted(t.name for t in ent.tags),
        "contacts": contact_dicts(ent.contacts),
    }


def find_by_code(code: str, exclude_id: Optional[int] = None) -> Optional[Enterprise]:
    stmt = select(Enterprise).where(Enterprise.credit_code == code)
    if exclude_id is not None:
        stmt = stmt.where(Enterprise.id != exclude_id)
    return db.session.scalar(stmt)


def _apply_profile(ent: Enterprise, data: EnterpriseData) -> None:
    ent.name = data.name
    ent.credit_code = data.credit_code
    ent.town_id = data.town_id
    ent.level = data.level
    ent.industry = data.industry or None
    ent.address = data.address or None
    ent.notes = data.notes or None
    if sorted(t.id for t in ent.tags) != sorted(t.id for t in data.tags):
        ent.tags = list(data.tags)
    set_contacts(ent, data.contacts)


def set_contacts(ent: Enterprise, wanted: list[ContactData]) -> None:
    """Make the contacts equal `wanted`: same-name rows are updated in place, others added or dropped."""
    if contact_dicts(ent.contacts) == [c.as_dict() for c in wanted]:
        return
    by_name: dict[str, list[Contact]] = {}
    for contact in ent.contacts:
        by_name.setdefault(contact.name, []).append(contact)
    keep: list[Contact] = []
    for data in wanted:
        same = by_name.get(data.name)
        contact = same.pop(0) if same else Contact(name=data.name)
        contact.title = data.title or None
        contact.mobile = data.mobile or None
        contact.email = data.email or None
        keep.append(contact)
    ent.contacts = keep  # delete-orphan removes the ones left out


def create_enterprise(data: EnterpriseData, added_on: date, added_reason: Optional[str] = None,
                      reason: Optional[str] = None) -> Enterprise:
    """A new enterprise, on the key list from `added_on`."""
    if find_by_code(data.credit_code) is not None:
        raise RecordError(_("该统一社会信用代码已登记"), "credit_code")
    ent = Enterprise()
    _apply_profile(ent, data)
    ent.list_periods.append(ListPeriod(added_on=added_on, added_reason=added_reason or None))
    db.session.add(ent)
    db.session.flush()
    changes = snapshot(ent)
    changes["added_on"] = added_on
    record("create", OBJECT_TYPE, ent.id, changes=changes, reason=reason or added_reason)
    return ent


def update_enterprise(ent: Enterprise, data: EnterpriseData, reason: Optional[str] = None) -> dict:
    """Apply `data`; returns the audited changes (empty when nothing changed)."""
    if data.credit_code != ent.credit_code and find_by_code(data.credit_code, ent.id) is not None:
        raise RecordError(_("该统一社会信用代码已登记"), "credit_code")
    before = snapshot(ent)
    _apply_profile(ent, data)
    db.session.flush()
    db.session.refresh(ent, ["town"])
    changes = diff(before, snapshot(ent))
    if changes:
        record("update", OBJECT_TYPE, ent.id, changes=changes, reason=reason)
    return changes


def remove_from_list(ent: Enterprise, on: date, reason: str, today: date,
                     end_assignments: bool = True) -> list[Assignment]:
    """Close the open period on `on` (the first day off the list); optionally end the liaisons too."""
    period = ent.open_period
    if period is None:
        raise RecordError(_("该企业当前不在重点企业清单中"), "on")
    if on < period.added_on:
        raise RecordError(_("移出日期不能早于列入日期（%(d)s）", d=period.added_on.isoformat()), "on")
    if on > today:
        raise RecordError(_("移出日期不能晚于今天"), "on")
    period.removed_on, period.removed_reason = on, reason
    ended: list[Assignment] = []
    if end_assignments:
        ended = [end_silently(a, on, reason) for a in ent.current_assignments(on)]
    db.session.flush()
    changes: dict[str, Any] = {"removed_on": on}
    if ended:
        changes["ended_liaisons"] = [a.liaison.name for a in ended]
    record("remove", OBJECT_TYPE, ent.id, changes=changes, reason=reason)
    return ended


def relist(ent: Enterprise, on: date, reason: str, today: date) -> ListPeriod:
    """Open a new period from `on`; the earlier periods stay as they were."""
    if ent.open_period is not None:
        raise RecordError(_("该企业已在重点企业清单中"), "on")
    latest = ent.latest_period
    if latest is not None and latest.removed_on is not None and on < latest.removed_on:
        raise RecordError(
            _("重新列入日期不能早于上次移出日期（%(d)s）", d=latest.removed_on.isoformat()), "on")
    if on > today:
        raise RecordError(_("列入日期不能晚于今天"), "on")
    period = ListPeriod(added_on=on, added_reason=reason)
    ent.list_periods.append(period)
    db.session.flush()
    record("relist", OBJECT_TYPE, ent.id, changes={"added_on": on}, reason=reason)
    return period
