"""The quarterly coverage engine: which (liaison, enterprise) pairs owe a visit, and who paid it.

Rule 2 of DOMAIN.md, "包保责任人每季度至少到每个包保企业开展1次以上服务", made exact. Every page,
report, export and API figure about coverage comes from this module.

Rules
-----
1. Quarters are calendar quarters (Q1 = 1 Jan-31 Mar, ... Q4 = 1 Oct-31 Dec).
2. A (liaison, enterprise) pair **owes one visit** for a quarter when, on at least
   ``COVERAGE_MIN_DAYS`` days of the quarter (setting, default 30), the liaison is assigned to the
   enterprise **and** the enterprise is on the key list on the same day. Days are counted per
   pair, not per assignment row: a liaison reassigned away and back counts the union of their
   rows; assignments ``[start_on, end_on)`` and list periods ``[added_on, removed_on)`` are
   half-open. So a liaison assigned in the last weeks of a quarter starts owing the next
   quarter; one whose assignment ended after 30 or more days of the quarter still owes it; an
   enterprise delisted after fewer than 30 days owes nothing.
3. An open-ended assignment (or listing) counts as active until the quarter's last day. For
   the current quarter this looks ahead: a pair assigned today with no end date owes the
   quarter if today's date leaves at least 30 such days.
4. A visit **counts** for every liaison taking part in it who is assigned to the enterprise on
   the visit date (listed or not), whatever the mode (上门, 视频, 电话, 座谈). One joint visit
   counts once for each of its liaisons. A participant who is not assigned that day gets no
   credit.
5. A pair's **status** for a quarter:
   ``visited`` (已走访) when it has a counting visit in the quarter;
   otherwise, when it owes one, ``due`` (待走访) while the quarter is not over — with
   ``days_left``, the calendar days from today to the pair's last assigned day in the quarter —
   and ``missed`` (未走访) once the quarter is over;
   ``not_owed`` when it owes nothing (a visit is still recorded in ``visits``).
6. **Enterprise coverage** for a quarter concerns enterprises listed on at least
   ``COVERAGE_MIN_DAYS`` days of it: ``visited`` when at least one of its liaisons paid a
   counting visit; else ``due``/``missed`` when at least one pair owes a visit; else
   ``no_liaison`` (无包保人) — listed, but no liaison was responsible long enough to owe a visit:
   a gap of its own kind. Enterprises listed on fewer days are ``not_owed``.

The set-based functions compute a whole quarter in three SQL statements, whatever the number
of pairs: the database scans and joins (one GROUP BY, on a key it reads in order) and returns
day numbers; the interval arithmetic (unions of assignment rows and list periods, their
overlap) runs in Python on integers. Filters by town, liaison and enterprise narrow every
statement, so the liaison home, the enterprise page, reports and the API share the code.
`coverage_columns` applies the same rules to numpy columns (one array per field instead of one
object per pair), for reports that count tens of thousands of pairs.
The visit lookup rides on the covering index visit_participants (liaison_id, enterprise_id,
visited_on); bench/coverage_bench.py measures it at 50,000 enterprises and 1,000,000 visits.
"""
from __future__ import annotations

import enum
import gc
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import NamedTuple, Optional, Union

import numpy as np
from flask import current_app
from sqlalchemy import Date, and_, case, exists, func, literal, or_, select
from sqlalchemy.sql import Select

from crm.clock import business_today
from crm.db import db
from crm.enterprises.models import Assignment, Enterprise, ListPeriod
from crm.visits.day_count import day_number, days_between, greatest, least
from crm.visits.models import VisitParticipant
from crm.visits.quarters import Quarter

DEFAULT_MIN_DAYS = 30
#: Day numbers stay below this until the year 27,000: visits * _PACK + day packs two figures.
_PACK = 10_000_000


class Status(str, enum.Enum):
    VISITED = "visited"        # 已走访
    DUE = "due"                # 待走访 (剩余 N 天)
    MISSED = "missed"          # 未走访 (quarter over)
    NOT_OWED = "not_owed"      # 本季度不考核
    NO_LIAISON = "no_liaison"  # 无包保人 (enterprises only)


class PairCoverage(NamedTuple):
    """The coverage of one (liaison, enterprise) pair in one quarter."""

    liaison_id: int
    enterprise_id: int
    quarter: Quarter
    #: Days of the quarter on which the pair was assigned while the enterprise was listed.
    days: int
    owed: bool
    #: Counting visits in the quarter (rule 4).
    visits: int
    last_visit_on: Optional[date]
    #: The pair's last assigned day within the quarter.
    last_assigned_on: Optional[date]
    status: Status
    #: For `due`: calendar days from today to last_assigned_on; otherwise None.
    days_left: Optional[int]

    @property
    def visited(self) -> bool:
        return self.visits > 0


class EnterpriseCoverage(NamedTuple):
    """An enterprise's coverage in one quarter: visited by at least one of its liaisons?"""

    enterprise_id: int
    quarter: Quarter
    #: Days of the quarter the enterprise was on the key list.
    listed_days: int
    #: Liaisons owing it a visit this quarter.
    owing_liaison_ids: tuple[int, ...]
    #: Liaisons whose visits counted this quarter.
    visited_by: tuple[int, ...]
    last_visit_on: Optional[date]
    status: Status
    #: For `due`: the most days left among the pairs owing it a visit.
    days_left: Optional[int]


@dataclass(frozen=True)
class CoverageSummary:
    """Counts for a progress bar or a report tile."""

    owed: int
    visited: int
    due: int
    missed: int
    no_liaison: int = 0

    @property
    def rate(self) -> Optional[float]:
        """visited / owed, or None when nothing was owed."""
        return self.visited / self.owed if self.owed else None


QuarterLike = Union[Quarter, str]


def min_days() -> int:
    """The COVERAGE_MIN_DAYS setting (rule 2)."""
    return int(current_app.config.get("COVERAGE_MIN_DAYS", DEFAULT_MIN_DAYS))


def as_quarter(quarter: QuarterLike) -> Quarter:
    return quarter if isinstance(quarter, Quarter) else Quarter.parse(quarter)


# --- the public API -------------------------------------------------------------------------

def pair_status(assignment: Assignment, quarter: QuarterLike, *, today: Optional[date] = None) -> PairCoverage:
    """The coverage in `quarter` of the assignment's (liaison, enterprise) pair, all its rows counted."""
    q = as_quarter(quarter)
    found = quarter_pairs(q, today=today, liaison_ids=[assignment.liaison_id],
                          enterprise_ids=[assignment.enterprise_id])
    if found:
        return found[0]
    return PairCoverage(assignment.liaison_id, assignment.enterprise_id, q, 0, False, 0, None,
                        None, Status.NOT_OWED, None)


def quarter_pairs(
    quarter: QuarterLike,
    *,
    today: Optional[date] = None,
    town_ids: Optional[Collection[int]] = None,
    liaison_ids: Optional[Collection[int]] = None,
    enterprise_ids: Optional[Collection[int]] = None,
) -> list[PairCoverage]:
    """Every pair with an assignment row overlapping `quarter` (owed or not).

    One SQL statement; two more only when some pair has several assignment rows or its
    enterprise several list periods in the quarter (then only for those pairs). Filters
    combine with AND; None means no filter. Sorted by (liaison_id, enterprise_id).
    """
    rules = _Rules(as_quarter(quarter), today or business_today(), min_days())
    filters = _Filters(town_ids, liaison_ids, enterprise_ids)
    rows = _rows(_pair_totals(rules.q, filters))
    result, several = [], []
    pair = rules.pair
    with _no_gc():
        for liaison_id, enterprise_id, days, last_end, count, packed in rows:
            if count > 1:
                several.append((liaison_id, enterprise_id))
            visits, last_visit = divmod(packed, _PACK) if packed is not None else (0, None)
            result.append(pair(liaison_id, enterprise_id, days, last_end - 1, visits, last_visit))
    if several:
        exact = _exact_pairs(rules, several)
        result = [exact.get((p.liaison_id, p.enterprise_id), p) for p in result]
    return result


def enterprise_coverage(
    quarter: QuarterLike,
    *,
    today: Optional[date] = None,
    town_ids: Optional[Collection[int]] = None,
    enterprise_ids: Optional[Collection[int]] = None,
    pairs: Optional[Iterable[PairCoverage]] = None,
) -> list[EnterpriseCoverage]:
    """Every enterprise listed on at least one day of `quarter`, with its coverage status.

    Pass `pairs` (from quarter_pairs with the same quarter, today and filters) to reuse them;
    otherwise this runs quarter_pairs itself. One more SQL statement (two when an enterprise
    has several list periods in the quarter). Sorted by enterprise id.
    """
    rules = _Rules(as_quarter(quarter), today or business_today(), min_days())
    if pairs is None:
        pairs = quarter_pairs(rules.q, today=rules.today, town_ids=town_ids, enterprise_ids=enterprise_ids)
    listed = _listed_days(rules, _Filters(town_ids, None, enterprise_ids))
    with _no_gc():
        by_enterprise: dict[int, list[PairCoverage]] = {}
        for pair in pairs:
            found = by_enterprise.get(pair.enterprise_id)
            if found is None:
                by_enterprise[pair.enterprise_id] = [pair]
            else:
                found.append(pair)
        enterprise, pairs_of = rules.enterprise, by_enterprise.get
        return [enterprise(enterprise_id, days, pairs_of(enterprise_id, ()))
                for enterprise_id, days in listed.items()]


class CoverageColumns(NamedTuple):
    """quarter_pairs and enterprise_coverage as columns, for code that counts them.

    Each is a dict of equal-length numpy arrays, in the order (and with the values) of the
    corresponding function's results: ``status`` holds the Status values as plain strings,
    ``days_left`` is -1 where the object's is None, ``last_visit_on`` holds dates or None.
    Pairs: liaison_id, enterprise_id, days, owed, visits, last_visit_on, status, days_left.
    Enterprises (None unless asked for): enterprise_id, listed_days, status, days_left,
    last_visit_on. Keys starting with ``_`` are the engine's own.
    """

    pairs: dict[str, np.ndarray]
    enterprises: Optional[dict[str, np.ndarray]]


def coverage_columns(
    quarter: QuarterLike,
    *,
    today: Optional[date] = None,
    town_ids: Optional[Collection[int]] = None,
    liaison_ids: Optional[Collection[int]] = None,
    with_enterprises: bool = True,
) -> CoverageColumns:
    """The same rules as quarter_pairs and enterprise_coverage (same SQL), applied to whole
    columns at once instead of one object per pair and enterprise: at the district's 60,000
    pairs the objects cost more than the SQL. Reports and exports use this; pages showing a
    few rows use the functions above. Enterprises need liaison_ids to be None (an enterprise's
    coverage depends on all its liaisons).
    """
    rules = _Rules(as_quarter(quarter), today or business_today(), min_days())
    pairs = _pair_columns(rules, _Filters(town_ids, liaison_ids, None))
    enterprises = None
    if with_enterprises:
        if liaison_ids is not None:
            raise ValueError("enterprise coverage concerns all of an enterprise's liaisons")
        enterprises = _enterprise_columns(rules, _listed_days(rules, _Filters(town_ids, None, None)), pairs)
    return CoverageColumns(pairs, enterprises)


def summarize_pairs(pairs: Iterable[PairCoverage]) -> CoverageSummary:
    """owed / visited / due / missed among the pairs that owe a visit."""
    counts = dict.fromkeys(Status, 0)
    for pair in pairs:
        if pair.owed:
            counts[pair.status] += 1
    return CoverageSummary(owed=counts[Status.VISITED] + counts[Status.DUE] + counts[Status.MISSED],
                           visited=counts[Status.VISITED], due=counts[Status.DUE],
                           missed=counts[Status.MISSED])


def summarize_enterprises(rows: Iterable[EnterpriseCoverage]) -> CoverageSummary:
    """Enterprise coverage counts; `owed` counts every enterprise subject to coverage,
    those without a liaison included (they lower the rate)."""
    counts = dict.fromkeys(Status, 0)
    for row in rows:
        counts[row.status] += 1
    owed = counts[Status.VISITED] + counts[Status.DUE] + counts[Status.MISSED] + counts[Status.NO_LIAISON]
    return CoverageSummary(owed=owed, visited=counts[Status.VISITED], due=counts[Status.DUE],
                           missed=counts[Status.MISSED], no_liaison=counts[Status.NO_LIAISON])


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while one result per pair or enterprise is built.

    Those results hold no reference cycles, but allocating 100,000 of them triggers collections
    that traverse every object already built: about a third of the engine's Python time at
    the district's size (bench/reports_bench.py).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- status rules (5 and 6) -----------------------------------------------------------------

class _Rules:
    """The quarter, today and the threshold, with what every status needs precomputed."""

    def __init__(self, q: Quarter, today: date, threshold: int) -> None:
        self.q, self.today, self.threshold = q, today, threshold
        self.first, self.end = q.first_day.toordinal(), q.end.toordinal()
        self.over = q.is_over(today)
        # Days left are counted from today, or from the eve of a quarter not yet begun.
        self.reference = max(today.toordinal(), self.first - 1)
        self._dates: dict[int, date] = {}

    def day(self, ordinal: int) -> date:
        found = self._dates.get(ordinal)
        if found is None:
            found = self._dates[ordinal] = date.fromordinal(ordinal)
        return found

    def clip(self, start: int, end: Optional[int]) -> tuple[int, int]:
        """[start, end) cut to the quarter; an open end runs to the quarter's end (rule 3)."""
        return (start if start > self.first else self.first,
                end if end is not None and end < self.end else self.end)

    def pair(self, liaison_id: int, enterprise_id: int, days: int, last_assigned: int,
             visits: int, last_visit: Optional[int]) -> PairCoverage:
        owed = days >= self.threshold
        days_left = None
        if not owed:
            status = Status.NOT_OWED
        elif visits:
            status = Status.VISITED
        elif self.over:
            status = Status.MISSED
        else:
            status = Status.DUE
            days_left = max(last_assigned - self.reference, 0)
        day = self._dates.get
        return PairCoverage(liaison_id, enterprise_id, self.q, days, owed, visits,
                            (day(last_visit) or self.day(last_visit)) if last_visit else None,
                            day(last_assigned) or self.day(last_assigned), status, days_left)

    def enterprise(self, enterprise_id: int, listed_days: int,
                   pairs: Iterable[PairCoverage]) -> EnterpriseCoverage:
        owing, visited_by, last_visit, days_left = [], [], None, None
        for p in pairs:
            if p.owed:
                owing.append(p.liaison_id)
                if p.days_left is not None and (days_left is None or p.days_left > days_left):
                    days_left = p.days_left
            if p.visits:
                visited_by.append(p.liaison_id)
                if last_visit is None or p.last_visit_on > last_visit:
                    last_visit = p.last_visit_on
        if listed_days < self.threshold:
            status = Status.NOT_OWED
        elif visited_by:
            status = Status.VISITED
        elif not owing:
            status = Status.NO_LIAISON
        elif self.over:
            status = Status.MISSED
        else:
            status = Status.DUE
        return EnterpriseCoverage(enterprise_id, self.q, listed_days, tuple(owing), tuple(visited_by),
                                  last_visit, status, days_left if status is Status.DUE else None)


# --- the same rules on columns (coverage_columns) -------------------------------------------

def _pair_columns(rules: _Rules, filters: _Filters) -> dict[str, np.ndarray]:
    """Rule 5 for every pair, as quarter_pairs decides it, on numpy arrays."""
    rows = _rows(_pair_totals(rules.q, filters))
    n = len(rows)

    def column(i: int) -> np.ndarray:  # streamed: no intermediate tuple per column
        return np.fromiter(map(itemgetter(i), rows), np.int64, n)

    liaison_id, enterprise_id, days, count = column(0), column(1), column(2), column(4)
    last_assigned = column(3) - 1
    # No counting visit: NULL (visits 0, no last visit, stored as day 0).
    visits, last_visit = np.divmod(np.fromiter((r[5] or 0 for r in rows), np.int64, n), _PACK)
    several = np.flatnonzero(count > 1)
    if len(several):
        keys = list(zip(liaison_id[several].tolist(), enterprise_id[several].tolist()))
        exact = _exact_pairs(rules, keys)
        for i, key in zip(several.tolist(), keys):
            p = exact[key]
            days[i], visits[i] = p.days, p.visits
            last_assigned[i] = p.last_assigned_on.toordinal()
            last_visit[i] = p.last_visit_on.toordinal() if p.last_visit_on else 0
    owed = days >= rules.threshold
    visited = owed & (visits > 0)
    unvisited = owed & (visits == 0)
    status = np.full(n, Status.NOT_OWED.value, dtype=object)
    status[visited] = Status.VISITED.value
    status[unvisited] = Status.MISSED.value if rules.over else Status.DUE.value
    due = unvisited if not rules.over else np.zeros(n, dtype=bool)
    days_left = np.where(due, np.maximum(last_assigned - rules.reference, 0), -1)
    return {"liaison_id": liaison_id, "enterprise_id": enterprise_id, "days": days, "owed": owed,
            "visits": visits, "last_visit_on": _dates(rules, last_visit), "status": status,
            "days_left": days_left, "_last_visit": last_visit}


def _enterprise_columns(rules: _Rules, listed: dict[int, int],
                        pairs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rule 6 for every listed enterprise, as enterprise_coverage decides it, on numpy arrays."""
    m = len(listed)
    enterprise_id = np.fromiter(listed.keys(), np.int64, m)
    listed_days = np.fromiter(listed.values(), np.int64, m)
    order = np.argsort(enterprise_id, kind="stable")
    # Each pair's enterprise as a position in enterprise_id (pairs of unlisted enterprises dropped).
    at = np.searchsorted(enterprise_id, pairs["enterprise_id"], sorter=order) if m else \
        np.zeros(len(pairs["enterprise_id"]), dtype=np.int64)
    at = np.minimum(at, max(m - 1, 0))
    position = order[at] if m else at
    known = (enterprise_id[position] == pairs["enterprise_id"]) if m else np.zeros(len(at), dtype=bool)
    owed, visits = pairs["owed"] & known, (pairs["visits"] > 0) & known
    owing = np.bincount(position[owed], minlength=m)
    visited_by = np.bincount(position[visits], minlength=m)
    last_visit = np.zeros(m, dtype=np.int64)
    np.maximum.at(last_visit, position[visits], pairs["_last_visit"][visits])
    due_pairs = owed & (pairs["days_left"] >= 0)
    days_left = np.full(m, -1, dtype=np.int64)
    np.maximum.at(days_left, position[due_pairs], pairs["days_left"][due_pairs])
    status = np.full(m, (Status.MISSED if rules.over else Status.DUE).value, dtype=object)
    status[owing == 0] = Status.NO_LIAISON.value
    status[visited_by > 0] = Status.VISITED.value
    status[listed_days < rules.threshold] = Status.NOT_OWED.value
    days_left = np.where(status == Status.DUE.value, days_left, -1)
    return {"enterprise_id": enterprise_id, "listed_days": listed_days, "status": status,
            "days_left": days_left, "last_visit_on": _dates(rules, last_visit)}


def _dates(rules: _Rules, day_numbers: np.ndarray) -> np.ndarray:
    """Day numbers as dates (object array), 0 as None; each distinct day converted once."""
    distinct, inverse = np.unique(day_numbers, return_inverse=True)
    values = np.array([rules.day(d) if d else None for d in distinct.tolist()] + [None], dtype=object)[:-1]
    return values[inverse.reshape(-1)] if len(day_numbers) else np.empty(0, dtype=object)


# --- interval arithmetic on day numbers, for pairs with several rows -------------------------

def _union(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open intervals merged into sorted, disjoint ones."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _overlap_days(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Days in both of two sorted lists of disjoint intervals."""
    days = i = j = 0
    while i < len(a) and j < len(b):
        days += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return days


def _exact_pairs(rules: _Rules, keys: list[tuple[int, int]]) -> dict[tuple[int, int], PairCoverage]:
    """Pairs with several assignment rows (or list periods): the union of their days, and each
    visit counted once however many of their rows it falls in. Two statements for them all."""
    wanted = set(keys)
    assigned: dict[tuple[int, int], set] = {}
    listed: dict[tuple[int, int], set] = {}
    for liaison_id, enterprise_id, start, stop, added, removed in _rows(_pair_rows(rules.q, keys)):
        key = (liaison_id, enterprise_id)
        if key not in wanted:
            continue
        assigned.setdefault(key, set()).add(rules.clip(start, stop))
        if added is not None:
            listed.setdefault(key, set()).add(rules.clip(added, removed))
    visits = {(r[0], r[1]): (r[2], r[3]) for r in _rows(_exact_visits(rules.q, keys))}
    exact = {}
    for key in keys:
        spans = _union(assigned[key])
        days = _overlap_days(spans, _union(listed.get(key, ())))
        n, last = visits.get(key, (0, None))
        exact[key] = rules.pair(key[0], key[1], days, spans[-1][1] - 1, n, last)
    return exact


def _listed_days(rules: _Rules, filters: _Filters) -> dict[int, int]:
    """enterprise id -> days of the quarter it was listed, for every enterprise listed on one
    of them, by id. Several periods may overlap: their union is counted."""
    listed, relisted = {}, []
    for enterprise_id, days, periods in _rows(_listing_totals(rules.q, filters)):
        listed[enterprise_id] = days
        if periods > 1:
            relisted.append(enterprise_id)
    if relisted:
        spans: dict[int, list[tuple[int, int]]] = {}
        for enterprise_id, added, removed in _rows(_listing_rows(rules.q, relisted)):
            spans.setdefault(enterprise_id, []).append(rules.clip(added, removed))
        for enterprise_id, periods in spans.items():
            listed[enterprise_id] = sum(e - s for s, e in _union(periods))
    return listed


# --- SQL ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Filters:
    town_ids: Optional[Collection[int]]
    liaison_ids: Optional[Collection[int]]
    enterprise_ids: Optional[Collection[int]]

    def on_enterprise(self, column) -> list:
        conditions = []
        if self.enterprise_ids is not None:
            conditions.append(column.in_(list(self.enterprise_ids)))
        if self.town_ids is not None:
            conditions.append(column.in_(
                select(Enterprise.id).where(Enterprise.town_id.in_(list(self.town_ids)))))
        return conditions

    def on_liaison(self, column) -> list:
        return [column.in_(list(self.liaison_ids))] if self.liaison_ids is not None else []


def _rows(stmt: Select) -> list[tuple]:
    """Plain tuples straight from the DBAPI cursor. These statements return integers only (no
    type processing to skip), up to one row per pair of the district, and building SQLAlchemy
    Row objects for them would cost about as much as running the query."""
    result = db.session.connection().execute(stmt)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _clipped(start, end, q: Quarter):
    """SQL for [start, end) cut to the quarter; an open end runs to the quarter's end."""
    first, stop = literal(q.first_day, Date()), literal(q.end, Date())
    return greatest(start, first), least(func.coalesce(end, stop), stop)


def _assignments_in(q: Quarter) -> list:
    return [Assignment.start_on < q.end,
            or_(Assignment.end_on.is_(None), Assignment.end_on > q.first_day)]


def _listed_in(q: Quarter) -> list:
    return [ListPeriod.added_on < q.end,
            or_(ListPeriod.removed_on.is_(None), ListPeriod.removed_on > q.first_day)]


def _listing_join(q: Quarter):
    return and_(ListPeriod.enterprise_id == Assignment.enterprise_id, *_listed_in(q))


def _pair_totals(q: Quarter, filters: _Filters) -> Select:
    """Per pair: (liaison, enterprise, days assigned while listed, day after its last assigned
    day, rows joined, counting visits * _PACK + last visit day).

    Assignment rows overlapping the quarter, each joined to its enterprise's list periods
    overlapping the quarter, summed per pair. Each row counts the visits of its liaison to its
    enterprise on days it is in force with one seek on the covering index
    visit_participants (liaison_id, enterprise_id, visited_on). Exact when `rows` is 1;
    otherwise _exact_pairs recounts.
    """
    a_start, a_end = _clipped(Assignment.start_on, Assignment.end_on, q)
    l_start, l_end = _clipped(ListPeriod.added_on, ListPeriod.removed_on, q)
    # No list period joined: 0 days. Spelled out because GREATEST/LEAST skip NULLs on
    # PostgreSQL (the clipped listing would become the whole quarter) but not on SQLite.
    overlap = case(
        (ListPeriod.enterprise_id.is_(None), literal(0)),
        else_=greatest(days_between(greatest(a_start, l_start), least(a_end, l_end)), literal(0)),
    )
    vp = VisitParticipant.__table__.c
    in_force = [vp.liaison_id == Assignment.liaison_id, vp.enterprise_id == Assignment.enterprise_id,
                vp.visited_on >= a_start, vp.visited_on < a_end]
    # One seek per row yields both figures, packed into one integer because a scalar subquery
    # returns a single value: visits * _PACK + last visit day (null when there is none).
    packed = select(func.count() * _PACK + day_number(func.max(vp.visited_on))).where(*in_force).scalar_subquery()
    return (select(Assignment.liaison_id, Assignment.enterprise_id,
                   func.coalesce(func.sum(overlap), 0),
                   day_number(func.max(a_end)),
                   func.count(),
                   # Several rows (then recounted) or one: max() just takes the row's value.
                   func.max(packed))
            .outerjoin(ListPeriod, _listing_join(q))
            .where(*_assignments_in(q), *filters.on_liaison(Assignment.liaison_id),
                   *filters.on_enterprise(Assignment.enterprise_id))
            .group_by(Assignment.liaison_id, Assignment.enterprise_id)
            .order_by(Assignment.liaison_id, Assignment.enterprise_id))


def _pair_rows(q: Quarter, keys: list[tuple[int, int]]) -> Select:
    """(liaison, enterprise, start, end, added, removed) as day numbers, for the pairs' rows
    (narrowed by liaison and enterprise; the caller drops other combinations)."""
    return (select(Assignment.liaison_id, Assignment.enterprise_id,
                   day_number(Assignment.start_on), day_number(Assignment.end_on),
                   day_number(ListPeriod.added_on), day_number(ListPeriod.removed_on))
            .outerjoin(ListPeriod, _listing_join(q))
            .where(*_assignments_in(q),
                   Assignment.liaison_id.in_(sorted({k[0] for k in keys})),
                   Assignment.enterprise_id.in_(sorted({k[1] for k in keys}))))


def _exact_visits(q: Quarter, keys: list[tuple[int, int]]) -> Select:
    """(liaison, enterprise, visits, last day), each visit counted once, rule 4 applied per visit."""
    vp = VisitParticipant.__table__.c
    assigned_that_day = exists().where(
        Assignment.liaison_id == vp.liaison_id, Assignment.enterprise_id == vp.enterprise_id,
        Assignment.start_on <= vp.visited_on,
        or_(Assignment.end_on.is_(None), Assignment.end_on > vp.visited_on))
    return (select(vp.liaison_id, vp.enterprise_id, func.count(), day_number(func.max(vp.visited_on)))
            .where(vp.visited_on >= q.first_day, vp.visited_on < q.end, assigned_that_day,
                   vp.liaison_id.in_(sorted({k[0] for k in keys})),
                   vp.enterprise_id.in_(sorted({k[1] for k in keys})))
            .group_by(vp.liaison_id, vp.enterprise_id))


def _listing_totals(q: Quarter, filters: _Filters) -> Select:
    """Per enterprise listed in the quarter: (enterprise, days listed, periods)."""
    start, end = _clipped(ListPeriod.added_on, ListPeriod.removed_on, q)
    return (select(ListPeriod.enterprise_id, func.sum(days_between(start, end)), func.count())
            .where(*_listed_in(q), *filters.on_enterprise(ListPeriod.enterprise_id))
            .group_by(ListPeriod.enterprise_id)
            .order_by(ListPeriod.enterprise_id))


def _listing_rows(q: Quarter, enterprise_ids: list[int]) -> Select:
    """(enterprise, added, removed) as day numbers, for the enterprises' list periods in the quarter."""
    return (select(ListPeriod.enterprise_id, day_number(ListPeriod.added_on),
                   day_number(ListPeriod.removed_on))
            .where(*_listed_in(q), ListPeriod.enterprise_id.in_(enterprise_ids)))
