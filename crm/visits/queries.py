"""Reads the visit pages share: a liaison's enterprise cards, last visits, a visit's history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.audit import AuditEntry
from crm.db import db
from crm.enterprises.models import Assignment, Enterprise
from crm.visits.coverage import PairCoverage, Status, quarter_pairs, summarize_pairs, CoverageSummary
from crm.visits.models import Visit
from crm.visits.quarters import Quarter

#: Order of the liaison's cards: not yet visited first, then visited, then nothing owed.
_RANK = {Status.DUE: 0, Status.MISSED: 0, Status.VISITED: 1, Status.NOT_OWED: 2}


@dataclass(frozen=True)
class Card:
    """One enterprise on the liaison's home."""

    enterprise: Enterprise
    coverage: PairCoverage
    #: The enterprise's last visit by anyone, ever (not only this quarter).
    last_visit_on: Optional[date]
    #: Still assigned today (else the pair owes this quarter from an assignment that ended).
    assigned_now: bool

    @property
    def sort_key(self):
        days_left = self.coverage.days_left if self.coverage.days_left is not None else 10_000
        return (_RANK[self.coverage.status], days_left, self.enterprise.name)


def my_cards(liaison, today: date, search: str = "") -> tuple[Quarter, CoverageSummary, list[Card]]:
    """The liaison's enterprises this quarter, most urgent first, and the quarter's progress."""
    quarter = Quarter.of(today)
    pairs = quarter_pairs(quarter, today=today, liaison_ids=[liaison.id])
    now = set(db.session.scalars(select(Assignment.enterprise_id).where(
        Assignment.liaison_id == liaison.id, Assignment.active_on(today))))
    shown = [p for p in pairs if p.enterprise_id in now or p.owed]
    ids = [p.enterprise_id for p in shown]
    enterprises = {e.id: e for e in db.session.scalars(
        select(Enterprise).where(Enterprise.id.in_(ids)).options(selectinload(Enterprise.town)))} if ids else {}
    last = last_visits(ids)
    cards = [Card(enterprises[p.enterprise_id], p, last.get(p.enterprise_id), p.enterprise_id in now)
             for p in shown]
    needle = search.strip().lower()
    if needle:
        cards = [c for c in cards if needle in c.enterprise.name.lower()
                 or needle in c.enterprise.credit_code.lower()]
    return quarter, summarize_pairs(pairs), sorted(cards, key=lambda c: c.sort_key)


def last_visits(enterprise_ids: list[int]) -> dict[int, date]:
    """Enterprise id -> date of its latest visit (one grouped query on the (enterprise, day) index)."""
    if not enterprise_ids:
        return {}
    rows = db.session.execute(select(Visit.enterprise_id, func.max(Visit.visited_on))
                              .where(Visit.enterprise_id.in_(enterprise_ids))
                              .group_by(Visit.enterprise_id))
    return {enterprise_id: day for enterprise_id, day in rows}


def visit_history(visit: Visit) -> list[AuditEntry]:
    """The visit's audit rows, oldest first: created, then each edit with before -> after."""
    return list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "visit", AuditEntry.object_id == visit.id)
        .options(selectinload(AuditEntry.actor)).order_by(AuditEntry.at, AuditEntry.id)))


def with_details(stmt):
    """Eager loads for visit lists: no query per row whatever the page size."""
    from crm.visits.models import VisitParticipant

    return stmt.options(
        selectinload(Visit.enterprise).selectinload(Enterprise.town),
        selectinload(Visit.participants).selectinload(VisitParticipant.liaison),
        selectinload(Visit.policies),
        selectinload(Visit.author),
    )


def requests_by_visit(visit_ids: list[int], user) -> dict[int, list]:
    """Visit id -> the requests it raised that `user` may see (one query for a page of visits)."""
    if not visit_ids:
        return {}
    from crm.permissions.requests import scope_requests
    from crm.requests.models import Request

    found: dict[int, list] = {}
    stmt = scope_requests(select(Request).where(Request.visit_id.in_(visit_ids)), user).order_by(Request.id)
    for req in db.session.scalars(stmt):
        found.setdefault(req.visit_id, []).append(req)
    return found
