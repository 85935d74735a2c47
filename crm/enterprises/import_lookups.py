"""What an import row may refer to, loaded once per file: towns, tags, liaisons, known enterprises.

Known enterprises are read as plain rows, not ORM objects: checking a 10,000-row re-import
(or exporting the whole list) then costs a handful of queries and no unit-of-work
bookkeeping. Only the enterprises that really change are loaded as objects, when applied.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Optional

from sqlalchemy import select

from crm.auth.models import User, UserRole
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises import workbook as wb
from crm.enterprises.models import Assignment, Contact, Enterprise, ListPeriod, Tag, enterprise_tags
from crm.org.models import Town
from crm.permissions import can_edit_enterprise, scope_users_liaisons

CHUNK = 1000


@dataclass(frozen=True)
class PeriodFacts:
    added_on: date
    removed_on: Optional[date]


@dataclass(frozen=True)
class AssignmentFacts:
    liaison_id: int
    role: str
    start_on: date
    end_on: Optional[date]


@dataclass
class Known:
    """An enterprise already in the database, as plain values (the ORM twin: models.Enterprise)."""

    id: int
    credit_code: str
    name: str
    town_id: int
    town_name: str
    level: str
    industry: Optional[str]
    address: Optional[str]
    tag_ids: set[int] = field(default_factory=set)
    tag_names: list[str] = field(default_factory=list)
    contacts: list[dict[str, str]] = field(default_factory=list)
    list_periods: list[PeriodFacts] = field(default_factory=list)
    assignments: list[AssignmentFacts] = field(default_factory=list)

    @property
    def open_period(self) -> Optional[PeriodFacts]:
        return next((p for p in self.list_periods if p.removed_on is None), None)

    @property
    def latest_period(self) -> Optional[PeriodFacts]:
        return self.list_periods[-1] if self.list_periods else None

    def current_assignments(self, on: date) -> list[AssignmentFacts]:
        return [a for a in self.assignments if a.end_on is None or a.end_on > on]


class Lookups:
    """Everything a row may refer to, loaded once (no query per row)."""

    def __init__(self, codes: Iterable[str], user, today: date):
        self.user, self.today = user, today
        self.towns: dict[str, Town] = {}
        for town in db.session.scalars(select(Town)):
            self.towns[town.name] = self.towns[town.code] = self.towns[town.code.upper()] = town
        self.tags = {t.name: t for t in db.session.scalars(select(Tag))}
        self.industries = wb.industry_names()
        liaisons = db.session.scalars(
            select(User).join(UserRole).where(User.active, UserRole.role == Role.LIAISON.value)
        ).unique().all()
        self.users: dict[int, User] = {u.id: u for u in liaisons}
        self.by_login = {u.login.lower(): u for u in liaisons}
        self.by_name: dict[str, list[User]] = {}
        for u in liaisons:
            self.by_name.setdefault(u.name, []).append(u)
        if user is None:
            self.assignable: Optional[set[int]] = None  # the command line may assign anyone
        else:
            self.assignable = set(db.session.scalars(scope_users_liaisons(select(User.id), user)))
        self.existing = _load_known(sorted(set(codes)))
        self._load_assigned_users()

    def _load_assigned_users(self) -> None:
        """Users assigned today who are no longer active liaisons are still recognised by name."""
        missing = {a.liaison_id for k in self.existing.values() for a in k.assignments} - set(self.users)
        for i in range(0, len(missing), CHUNK):
            ids = sorted(missing)[i:i + CHUNK]
            self.users.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(ids))))

    def may_edit(self, known: Known) -> bool:
        return self.user is None or can_edit_enterprise(self.user, known)

    def may_use_town(self, town: Town) -> bool:
        return self.user is None or can_edit_enterprise(self.user, town_id=town.id)


def _load_known(codes: list[str]) -> dict[str, Known]:
    found: dict[str, Known] = {}
    for i in range(0, len(codes), CHUNK):
        known = load_known(Enterprise.credit_code.in_(codes[i:i + CHUNK]))
        found.update((k.credit_code, k) for k in known.values())
    return found


def load_known(condition) -> dict[int, Known]:
    """Id -> Known for the enterprises matching `condition` (keep it to about CHUNK of them)."""
    rows = db.session.execute(
        select(Enterprise.id, Enterprise.credit_code, Enterprise.name, Enterprise.town_id, Town.name,
               Enterprise.level, Enterprise.industry, Enterprise.address)
        .join(Town, Town.id == Enterprise.town_id).where(condition)
    ).all()
    by_id = {row[0]: Known(*row) for row in rows}
    if by_id:
        _fill(by_id)
    return by_id


def _fill(by_id: dict[int, Known]) -> None:
    ids = list(by_id)
    for ent_id, tag_id, name in db.session.execute(
            select(enterprise_tags.c.enterprise_id, Tag.id, Tag.name)
            .join(Tag, Tag.id == enterprise_tags.c.tag_id)
            .where(enterprise_tags.c.enterprise_id.in_(ids)).order_by(Tag.name)):
        by_id[ent_id].tag_ids.add(tag_id)
        by_id[ent_id].tag_names.append(name)
    for ent_id, name, title, mobile, email in db.session.execute(
            select(Contact.enterprise_id, Contact.name, Contact.title, Contact.mobile, Contact.email)
            .where(Contact.enterprise_id.in_(ids)).order_by(Contact.id)):
        by_id[ent_id].contacts.append(
            {"name": name, "title": title or "", "mobile": mobile or "", "email": email or ""})
    for ent_id, added_on, removed_on in db.session.execute(
            select(ListPeriod.enterprise_id, ListPeriod.added_on, ListPeriod.removed_on)
            .where(ListPeriod.enterprise_id.in_(ids)).order_by(ListPeriod.added_on, ListPeriod.id)):
        by_id[ent_id].list_periods.append(PeriodFacts(added_on, removed_on))
    for ent_id, *facts in db.session.execute(
            select(Assignment.enterprise_id, Assignment.liaison_id, Assignment.role,
                   Assignment.start_on, Assignment.end_on)
            .where(Assignment.enterprise_id.in_(ids)).order_by(Assignment.start_on, Assignment.id)):
        by_id[ent_id].assignments.append(AssignmentFacts(*facts))
