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

The set-based functions compute a whole quarter in two SQL statements, whatever the number
of pairs: the assignment rows overlapping the quarter, each with its counting visits (one seek
on the covering index visit_participants (liaison_id, enterprise_id, visited_on)), and the
list periods overlapping it, as day numbers. The interval arithmetic (each row's overlap with
its enterprise's period) runs in numpy; the few pairs with several assignment rows, or whose
enterprise was relisted within the quarter, are recounted exactly (unions of intervals in
Python) with two more statements. Filters by town, liaison and enterprise narrow every
statement, so the liaison home, the enterprise page, reports and the API share the code.
`quarter_pairs` and `enterprise_coverage` return one object per pair or enterprise, for pages
showing a few; `coverage_columns` applies the same rules to numpy columns, for reports that
count tens of thousands of pairs, and keeps its result per process until the engine's tables
change (crm.data_cache). bench/coverage_bench.py measures it at 50,000 enterprises and
1,000,000 visits.
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
from sqlalchemy import Date, and_, exists, func, literal, or_, select
from sqlalchemy.sql import Select

from crm import data_cache
from crm.clock import business_today
from crm.db import db
from crm.enterprises.models import Assignment, Enterprise, ListPeriod
from crm.visits.day_count import day_number, greatest, least
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

    Two SQL statements; two more only when some pair has several assignment rows or its
    enterprise several list periods in the quarter (then only for those pairs). Filters
    combine with AND; None means no filter. Sorted by (liaison_id, enterprise_id).
    """
    rules = _Rules(as_quarter(quarter), today or business_today(), min_days())
    facts = _pair_facts(rules, _Filters(town_ids, liaison_ids, enterprise_ids))
    pair = rules.pair
    with _no_gc():
        return list(map(pair, facts.liaison_id.tolist(), facts.enterprise_id.tolist(), facts.days.tolist(),
                        facts.last_assigned.tolist(), facts.visits.tolist(), facts.last_visit.tolist()))


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
    Pairs: liaison_id, enterprise_id, days, owed, visited (at least one counting visit: the
    number of visits is not counted, which saves a third of the SQL), last_visit_on, status,
    days_left.
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
    pairs the objects cost more than the SQL. Reports, exports and trends use this; pages
    showing a few rows use the functions above. Enterprises need liaison_ids to be None (an
    enterprise's coverage depends on all its liaisons).

    The result is kept per process while the engine's tables stay unchanged (crm.data_cache):
    its arrays are read-only.
    """
    if with_enterprises and liaison_ids is not None:
        raise ValueError("enterprise coverage concerns all of an enterprise's liaisons")
    rules = _Rules(as_quarter(quarter), today or business_today(), min_days())
    filters = _Filters(town_ids, liaison_ids, None)

    def compute() -> CoverageColumns:
        listing = _listing(rules, filters)  # read once: the pairs' days and the enterprises' come from it
        pairs = _pair_columns(rules, filters, listing)
        enterprises = _enterprise_columns(rules, listing, pairs) if with_enterprises else None
        return CoverageColumns(pairs, enterprises)

    key = (rules.today, rules.threshold, _key(town_ids), _key(liaison_ids), with_enterprises)
    return data_cache.remember("coverage_columns", key, compute, quarter=rules.q)


def _key(ids: Optional[Collection[int]]) -> Optional[tuple[int, ...]]:
    return None if ids is None else tuple(sorted(set(ids)))


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

def _pair_columns(rules: _Rules, filters: _Filters, listing: _Listing) -> dict[str, np.ndarray]:
    """Rule 5 for every pair, as quarter_pairs decides it, on numpy arrays."""
    facts = _pair_facts(rules, filters, listing, count_visits=False)
    n = len(facts.liaison_id)
    owed = facts.days >= rules.threshold
    visited = owed & (facts.visits > 0)
    unvisited = owed & (facts.visits == 0)
    status = np.full(n, Status.NOT_OWED.value, dtype=object)
    status[visited] = Status.VISITED.value
    status[unvisited] = Status.MISSED.value if rules.over else Status.DUE.value
    due = unvisited if not rules.over else np.zeros(n, dtype=bool)
    days_left = np.where(due, np.maximum(facts.last_assigned - rules.reference, 0), -1)
    return {"liaison_id": facts.liaison_id, "enterprise_id": facts.enterprise_id, "days": facts.days,
            "owed": owed, "visited": facts.visits > 0, "last_visit_on": _dates(rules, facts.last_visit),
            "status": status, "days_left": days_left, "_last_visit": facts.last_visit}


def _enterprise_columns(rules: _Rules, listing: _Listing,
                        pairs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rule 6 for every listed enterprise, as enterprise_coverage decides it, on numpy arrays."""
    enterprise_id, listed_days = listing.enterprise_id, listing.days
    m = len(enterprise_id)
    # Each pair's enterprise as a position in enterprise_id (pairs of unlisted enterprises dropped).
    position, known = _positions(enterprise_id, pairs["enterprise_id"])
    owed, visits = pairs["owed"] & known, pairs["visited"] & known
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


def _positions(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `ids` sits in `sorted_ids`, and whether it is there at all (where it is not,
    the position is a valid index whose values the caller must ignore)."""
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=np.int64), np.zeros(len(ids), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return at, sorted_ids[at] == ids


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


class _PairFacts(NamedTuple):
    """What rule 5 decides from, per pair, sorted by (liaison_id, enterprise_id): days assigned
    while listed, last assigned day, counting visits and last visit (day numbers, 0 = none)."""

    liaison_id: np.ndarray
    enterprise_id: np.ndarray
    days: np.ndarray
    last_assigned: np.ndarray
    visits: np.ndarray
    last_visit: np.ndarray


class _Listing(NamedTuple):
    """The quarter's list periods per enterprise, by enterprise id: days listed (their union),
    and for enterprises with one period (periods == 1) that period cut to the quarter."""

    enterprise_id: np.ndarray
    days: np.ndarray
    periods: np.ndarray
    start: np.ndarray
    end: np.ndarray


def _column(rows: list[tuple], i: int) -> np.ndarray:
    """Field i of every row as an int64 array (streamed: no intermediate list)."""
    return np.fromiter(map(itemgetter(i), rows), np.int64, len(rows))


def _listing(rules: _Rules, filters: _Filters) -> _Listing:
    """One statement: the list periods overlapping the quarter, counted per enterprise in numpy.
    Enterprises with several periods (rare: delisted and relisted) have their union counted."""
    rows = _rows(_listing_rows(rules.q, filters))
    enterprise_id = _column(rows, 0)
    order = np.argsort(enterprise_id, kind="stable")
    enterprise_id = enterprise_id[order]
    start = np.maximum(_column(rows, 1)[order], rules.first)
    end = np.minimum(_column(rows, 2)[order], rules.end)
    ids, first, periods = np.unique(enterprise_id, return_index=True, return_counts=True)
    days = np.maximum(end[first] - start[first], 0)
    for i in np.flatnonzero(periods > 1).tolist():
        at = slice(first[i], first[i] + periods[i])
        days[i] = sum(e - s for s, e in _union(zip(start[at].tolist(), end[at].tolist())))
    return _Listing(ids, days, periods, start[first], end[first])


def _pair_facts(rules: _Rules, filters: _Filters, listing: Optional[_Listing] = None,
                count_visits: bool = True) -> _PairFacts:
    """Every pair with an assignment row overlapping the quarter.

    Two statements: assignment rows (each with its counting visits, one index seek per row)
    and list periods; the overlap of each pair's row with its enterprise's period is numpy
    arithmetic. Pairs with several rows, or whose enterprise has several periods, are few:
    _exact_pairs recounts them with two more statements. Without `count_visits`, `visits` is
    1 for a pair with a counting visit (or its count, for those recounted), 0 otherwise.
    """
    rows = _rows(_assignment_rows(rules.q, filters, count_visits))
    liaison_id, enterprise_id = _column(rows, 0), _column(rows, 1)
    a_start = np.maximum(_column(rows, 2), rules.first)
    a_end = np.minimum(_column(rows, 3), rules.end)
    # No counting visit: NULL (visits 0, no last visit, stored as day 0).
    visits, last_visit = np.divmod(np.fromiter((r[4] or 0 for r in rows), np.int64, len(rows)), _PACK)
    if not count_visits:
        visits = (last_visit > 0).astype(np.int64)
    _keys, first, rows_per_pair = np.unique((liaison_id << 32) | enterprise_id, return_index=True,
                                           return_counts=True)
    liaison_id, enterprise_id = liaison_id[first], enterprise_id[first]
    a_start, a_end, visits, last_visit = a_start[first], a_end[first], visits[first], last_visit[first]

    if listing is None:
        listing = _listing(rules, filters)
    days, relisted = np.zeros(len(first), dtype=np.int64), np.zeros(len(first), dtype=bool)
    if len(listing.enterprise_id):
        at, listed = _positions(listing.enterprise_id, enterprise_id)
        overlap = np.minimum(a_end, listing.end[at]) - np.maximum(a_start, listing.start[at])
        days = np.where(listed, np.maximum(overlap, 0), 0)
        relisted = listed & (listing.periods[at] > 1)
    last_assigned = a_end - 1

    several = np.flatnonzero((rows_per_pair > 1) | relisted)
    if len(several):
        pairs = list(zip(liaison_id[several].tolist(), enterprise_id[several].tolist()))
        exact = _exact_pairs(rules, pairs)
        for i, key in zip(several.tolist(), pairs):
            days[i], last_assigned[i], visits[i], last_visit[i] = exact[key]
    return _PairFacts(liaison_id, enterprise_id, days, last_assigned, visits, last_visit)


def _exact_pairs(rules: _Rules, keys: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """Pairs with several assignment rows (or list periods): the union of their days, and each
    visit counted once however many of their rows it falls in. Two statements for them all.
    Each pair's (days, last assigned day, visits, last visit day or 0)."""
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
        exact[key] = (days, spans[-1][1] - 1, n, last or 0)
    return exact


def _listed_days(rules: _Rules, filters: _Filters) -> dict[int, int]:
    """enterprise id -> days of the quarter it was listed, for every enterprise listed on one
    of them, by id. Several periods may overlap: their union is counted."""
    listing = _listing(rules, filters)
    return dict(zip(listing.enterprise_id.tolist(), listing.days.tolist()))


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

    def on_listing(self, column) -> list:
        """List periods of the enterprises in scope: those of the liaisons' enterprises only when
        the liaisons are the filter (a liaison's page reads a dozen periods, not the district's)."""
        conditions = self.on_enterprise(column)
        if self.liaison_ids is not None:
            conditions.append(column.in_(select(Assignment.enterprise_id).where(
                Assignment.liaison_id.in_(list(self.liaison_ids)))))
        return conditions


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


def _assignment_rows(q: Quarter, filters: _Filters, count_visits: bool = True) -> Select:
    """Per assignment row overlapping the quarter: (liaison, enterprise, start day, end day (the
    quarter's end when open), counting visits * _PACK + last visit day (the day alone without
    count_visits)).

    Each row counts the visits of its liaison to its enterprise on days it is in force with one
    seek on the covering index visit_participants (liaison_id, enterprise_id, visited_on).
    Exact for a pair with one row; _exact_pairs recounts the others. No join and no GROUP BY:
    the database only seeks, and the overlap with list periods is numpy's.
    """
    a_start, a_end = _clipped(Assignment.start_on, Assignment.end_on, q)
    vp = VisitParticipant.__table__.c
    in_force = [vp.liaison_id == Assignment.liaison_id, vp.enterprise_id == Assignment.enterprise_id,
                vp.visited_on >= a_start, vp.visited_on < a_end]
    # A scalar subquery returns one value: both figures packed into one integer (NULL: none).
    # Without the count, the seek reads only the last entry in range (max() on an index).
    last = day_number(func.max(vp.visited_on))
    packed = select(func.count() * _PACK + last if count_visits else last).where(*in_force).scalar_subquery()
    return (select(Assignment.liaison_id, Assignment.enterprise_id, day_number(Assignment.start_on),
                   day_number(func.coalesce(Assignment.end_on, literal(q.end, Date()))), packed)
            .where(*_assignments_in(q), *filters.on_liaison(Assignment.liaison_id),
                   *filters.on_enterprise(Assignment.enterprise_id)))


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


def _listing_rows(q: Quarter, filters: _Filters) -> Select:
    """(enterprise, added, removed or the quarter's end) as day numbers, per list period
    overlapping the quarter."""
    return (select(ListPeriod.enterprise_id, day_number(ListPeriod.added_on),
                   day_number(func.coalesce(ListPeriod.removed_on, literal(q.end, Date()))))
            .where(*_listed_in(q), *filters.on_listing(ListPeriod.enterprise_id)))
