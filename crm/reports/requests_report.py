"""The requests report for a period: intake, open and overdue requests, department and town measures.

Everything is read in five queries (requests, handling rounds, workflow events, urge notices,
names) and counted with pandas. Each figure is `len(rows(kind, ...))` or a group count of the
same frame, so a figure and its drill-down list cannot disagree. Clocks and on-time come from
the requests feature: the overdue and not-signed-for conditions of `crm.requests.deadlines`,
the `on_time` it stored with each reply (approved extensions count, escalated time does not),
and working days from the calendar module.

What is counted when (口径):
- received (受理): requests submitted in the period; a department "receives" a request when
  a handling round is assigned to it in the period;
- replies: the lead department's replies (答复) in the period, each with its on-time flag,
  outcome and working days from assignment to reply (to the escalation, when it was escalated);
  answers given on site (现场答复) are counted apart, they have no time limit;
- ratings: ratings given in the period, credited to the department whose reply was rated;
- extensions (approved), returns, escalations and urge notices: those of the period;
- open, overdue, not signed for and age: the state today, whatever the period.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import and_, literal, literal_column, select, union, union_all

from crm import data_cache, data_version
from crm.db import db
from crm.org.models import Department, Town
from crm.permissions.reports import ReportScope
from crm.reports.frames import read_frame
from crm.reports.periods import Period
from crm.reports.workday_index import WorkdayIndex
from crm.requests.deadlines import not_accepted_condition, overdue_condition
from crm.requests.models import (OPEN_STATES, Category, Outcome, Rating, Request, RequestAssignment,
                                 RequestEvent, RequestSource, RequestState, UrgeNotice)

SATISFIED = tuple(r.value for r in Rating if r.satisfied)
#: Age of open requests in working days since intake: (key, low, high) inclusive.
AGE_BUCKETS = (("age_0_5", 0, 5), ("age_6_10", 6, 10), ("age_11_20", 11, 20), ("age_over_20", 21, None))
OPEN = tuple(s.value for s in OPEN_STATES)

#: Drill-down kinds. Period kinds look at what happened in the period; the rest at today.
PERIOD_KINDS = ("received", "assigned", "replied", "on_time", "late", "resolved", "on_site", "rated",
                "satisfied", "extensions", "returns", "escalations", "urged", "closed")
SNAPSHOT_KINDS = ("open", "overdue", "not_accepted") + tuple(b[0] for b in AGE_BUCKETS)
KINDS = PERIOD_KINDS + SNAPSHOT_KINDS


def kind_label(kind: str) -> str:
    return {
        "received": _("受理诉求"), "assigned": _("交办（收到）"), "replied": _("部门答复"),
        "on_time": _("按时答复"), "late": _("超时答复"), "resolved": _("已解决"),
        "on_site": _("现场答复"), "rated": _("评价"), "satisfied": _("满意评价"),
        "extensions": _("获批延期"), "returns": _("退回"), "escalations": _("上报协调"),
        "urged": _("催办单"), "closed": _("已办结"), "open": _("未办结诉求"),
        "overdue": _("已逾期"), "not_accepted": _("未签收"),
        "age_0_5": _("已受理 0-5 个工作日"), "age_6_10": _("已受理 6-10 个工作日"),
        "age_11_20": _("已受理 11-20 个工作日"), "age_over_20": _("已受理超过 20 个工作日"),
    }[kind]


@dataclass(frozen=True)
class RowFilter:
    """A cut for drill-down lists and table cells; None is "any"."""

    department: Optional[int] = None
    town: Optional[int] = None
    source: Optional[str] = None
    category: Optional[int] = None
    state: Optional[str] = None

    def args(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class RequestsReport:
    period: Period
    today: date
    scope: ReportScope
    requests: pd.DataFrame
    rounds: pd.DataFrame
    events: pd.DataFrame
    urges: pd.DataFrame
    departments: dict[int, str] = field(default_factory=dict)
    towns: dict[int, str] = field(default_factory=dict)
    categories: dict[int, str] = field(default_factory=dict)
    _bases: dict = field(default_factory=dict, repr=False)

    @property
    def until(self) -> date:
        return self.period.until(self.today)

    @property
    def has_data(self) -> bool:
        """Anything received or done in the period (open requests alone are not period data)."""
        return any(len(self.rows(kind)) for kind in ("received", "assigned", "replied", "on_site", "rated",
                                                     "closed", "urged"))

    # --- rows behind every figure -------------------------------------------------------------

    def rows(self, kind: str, filters: RowFilter = RowFilter()) -> pd.DataFrame:
        """The rows behind a figure, newest first; columns of the request plus `on` (the date counted)."""
        frame = self._cut(kind, filters)
        order = ["days_overdue", "on"] if kind == "overdue" else ["on"]
        return frame.sort_values(order + ["number"], ascending=[False] * len(order) + [True], kind="stable")

    def count(self, kind: str, filters: RowFilter = RowFilter()) -> int:
        return len(self._cut(kind, filters))

    def _cut(self, kind: str, filters: RowFilter) -> pd.DataFrame:
        frame = self._cached_base(kind)
        if self.scope.department_id is not None and "department_id" in frame:
            frame = frame[frame["department_id"] == self.scope.department_id]
        if filters.department is not None:
            frame = frame[frame["department_id"] == filters.department]
        if filters.town is not None:
            frame = frame[frame["town_id"] == filters.town]
        if filters.source is not None:
            frame = frame[frame["source"] == filters.source]
        if filters.category is not None:
            frame = frame[frame["category_id"] == filters.category]
        if filters.state is not None:
            frame = frame[frame["state"] == filters.state]
        return frame

    def _cached_base(self, kind: str) -> pd.DataFrame:
        # Figures, tables and lists ask for the same kinds many times per page.
        key = (kind, self.period)
        if key not in self._bases:
            self._bases[key] = self._base(kind)
        return self._bases[key]

    def _base(self, kind: str) -> pd.DataFrame:
        r = self.requests
        start, until = pd.Timestamp(self.period.start), pd.Timestamp(self.until)
        in_period = lambda column: (column >= start) & (column < until)  # noqa: E731
        if kind == "received":
            return r[in_period(r["submitted_on"])].assign(on=lambda f: f["submitted_on"])
        if kind == "closed":
            return r[(r["state"] == RequestState.CLOSED.value) & in_period(r["closed_on"])].assign(
                on=lambda f: f["closed_on"])
        if kind in SNAPSHOT_KINDS:
            open_now = r[r["state"].isin(OPEN)].assign(on=lambda f: f["submitted_on"])
            if kind == "open":
                return open_now
            if kind in ("overdue", "not_accepted"):
                return open_now[open_now[kind]]
            low, high = next((lo, hi) for key, lo, hi in AGE_BUCKETS if key == kind)
            age = open_now["age"]
            return open_now[(age >= low) & ((age <= high) if high is not None else True)]
        if kind in ("assigned", "returns", "escalations"):
            return self._round_rows(kind, in_period)
        if kind == "urged":
            u = self.urges[in_period(self.urges["on"])]
            return u.merge(self.requests, on="request_id", how="inner", suffixes=("", "_req"))
        e = self.events[in_period(self.events["on"])]
        if kind in ("replied", "on_time", "late", "resolved"):
            e = e[e["action"] == "reply"]
            if kind == "on_time":
                e = e[e["on_time"] == True]  # noqa: E712 (a nullable column)
            elif kind == "late":
                e = e[e["on_time"] == False]  # noqa: E712
            elif kind == "resolved":
                e = e[e["outcome"] == Outcome.RESOLVED.value]
        elif kind == "on_site":
            e = e[e["action"] == "answer_on_site"]
        elif kind in ("rated", "satisfied"):
            e = e[e["action"] == "rate"]
            if kind == "satisfied":
                e = e[e["rating"].isin(SATISFIED)]
        elif kind == "extensions":
            e = e[e["action"] == "approve_extension"]
        else:
            raise KeyError(kind)
        return e.merge(self.requests, on="request_id", how="inner", suffixes=("", "_req"))

    def _round_rows(self, kind: str, in_period) -> pd.DataFrame:
        rd = self.rounds
        if kind == "assigned":
            rd = rd[in_period(rd["assigned_on"])].assign(on=lambda f: f["assigned_on"])
        elif kind == "returns":
            rd = rd[(rd["end_reason"] == "returned") & in_period(rd["ended_on"])].assign(on=lambda f: f["ended_on"])
        else:  # escalations: a round escalated, or a second return that escalated (rule 6)
            second_returns = self.events[(self.events["action"] == "return")
                                         & (self.events["to_state"] == RequestState.ESCALATED.value)]
            keys = pd.MultiIndex.from_arrays([second_returns["request_id"], second_returns["on"]])
            pairs = pd.MultiIndex.from_arrays([rd["request_id"], rd["ended_on"]])
            by_return = pd.Series(pairs.isin(keys), index=rd.index)
            escalated = (rd["end_reason"] == "escalated") | ((rd["end_reason"] == "returned") & by_return)
            rd = rd[escalated & in_period(rd["ended_on"])].assign(on=lambda f: f["ended_on"])
        return rd.merge(self.requests, on="request_id", how="inner", suffixes=("", "_req"))

    # --- figures ------------------------------------------------------------------------------

    @property
    def intake_kind(self) -> str:
        """What "received" means for the scope: intake, or for a department what was assigned to it."""
        return "assigned" if self.scope.department_id is not None else "received"

    def headline(self) -> dict:
        replied, on_time = self.count("replied"), self.count("on_time")
        rated = self.count("rated")
        return {
            "received": self.count(self.intake_kind), "closed": self.count("closed"),
            "on_site": self.count("on_site"), "replied": replied, "on_time": on_time,
            "on_time_rate": on_time / replied if replied else None,
            "resolved": self.count("resolved"),
            "resolution_rate": self.count("resolved") / replied if replied else None,
            "rated": rated, "satisfied": self.count("satisfied"),
            "satisfaction_rate": self.count("satisfied") / rated if rated else None,
            "open": self.count("open"), "overdue": self.count("overdue"),
            "not_accepted": self.count("not_accepted"),
        }

    def received_by(self, column: str) -> pd.DataFrame:
        """Requests received in the period per source or category: key, label, count."""
        rows = self.rows(self.intake_kind)
        counts = rows.groupby(column).size().rename("count").reset_index().rename(columns={column: "key"})
        labels = {"source": lambda k: RequestSource(k).label,
                  "category_id": lambda k: self.categories.get(k, "")}[column]
        counts["label"] = counts["key"].map(labels)
        return counts.sort_values(["count", "label"], ascending=[False, True], kind="stable").reset_index(drop=True)

    def open_by(self, column: str) -> pd.DataFrame:
        """Open requests today per state or lead department: key, label, count."""
        rows = self.rows("open")
        counts = (rows.groupby(rows[column].fillna(-1) if column == "department_id" else rows[column])
                  .size().rename("count").reset_index().rename(columns={column: "key"}))
        if column == "state":
            order = {s: i for i, s in enumerate(OPEN)}
            counts["label"] = counts["key"].map(lambda k: RequestState(k).label)
            return counts.sort_values("key", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
        counts["key"] = counts["key"].astype(int)
        counts["label"] = counts["key"].map(lambda k: self.departments.get(k, _("未交办")))
        return counts.sort_values(["count", "label"], ascending=[False, True], kind="stable").reset_index(drop=True)

    def age_buckets(self) -> list[tuple[str, int]]:
        return [(key, self.count(key)) for key, _lo, _hi in AGE_BUCKETS]

    def measures(self, by: str) -> pd.DataFrame:
        """Per department (by="department_id") or town (by="town_id"): counts, rates, reply times.

        A department "receives" the rounds assigned to it; a town the requests of its enterprises.
        """
        counts = {}
        received_kind = "assigned" if by == "department_id" else "received"
        for name, kind in (("received", received_kind), ("replied", "replied"), ("on_time", "on_time"),
                           ("resolved", "resolved"), ("rated", "rated"), ("satisfied", "satisfied"),
                           ("extensions", "extensions"), ("returns", "returns"),
                           ("escalations", "escalations"), ("urged", "urged")):
            # Group counts and quantiles need no order: the unsorted cut (rows() sorts).
            rows = self._cut(kind, RowFilter())
            counts[name] = rows.groupby(by).size() if len(rows) else pd.Series(dtype=int)
        table = pd.DataFrame(counts).fillna(0).astype(int)
        replies = self._cut("replied", RowFilter())
        if len(replies):
            days = replies.groupby(by)["days_to_reply"]
            table["median_days"] = days.median()
            table["p90_days"] = days.quantile(0.9)
        else:
            table["median_days"] = np.nan
            table["p90_days"] = np.nan
        table["on_time_rate"] = _rate(table["on_time"], table["replied"])
        table["resolution_rate"] = _rate(table["resolved"], table["replied"])
        table["satisfaction_rate"] = _rate(table["satisfied"], table["rated"])
        table.index.name = "key"
        table = table.reset_index()
        table = table[table["key"].notna()]
        table["key"] = table["key"].astype(int)
        names = self.departments if by == "department_id" else self.towns
        table["label"] = table["key"].map(names).fillna("")
        return table.sort_values("label", kind="stable").reset_index(drop=True)

    def worst_departments(self, n: int = 5) -> pd.DataFrame:
        """The n departments with the lowest on-time rate among those that replied in the period."""
        table = self.measures("department_id")
        table = table[table["replied"] > 0]
        return table.sort_values(["on_time_rate", "replied", "label"], ascending=[True, False, True],
                                 kind="stable").head(n).reset_index(drop=True)


# --- loading --------------------------------------------------------------------------------

_REQUEST_COLUMNS = ["request_id", "number", "title", "enterprise_id", "enterprise_name", "town_id", "source",
                    "category_id", "urgent", "state", "submitted_on", "lead_department_id", "assigned_on",
                    "accept_due_on", "deadline", "closed_on", "overdue", "not_accepted"]


#: The workflow events a figure counts (returns only to tell a second return that escalated).
_COUNTED_ACTIONS = ("reply", "answer_on_site", "rate", "approve_extension", "return")


def build(period: Period, scope: ReportScope, today: date) -> RequestsReport:
    """The report, kept per process under the requests stamp (crm.data_version.REQUESTS) until a
    write to the requests, their history, the names or the calendar; treat it as read-only."""
    return data_cache.remember_under(data_version.REQUESTS, "requests_report", (period, scope, today),
                                     lambda: _build(period, scope, today))


def _build(period: Period, scope: ReportScope, today: date) -> RequestsReport:
    until = period.until(today)
    in_scope = _scope_condition(scope)
    involved = _involved(period.start, until)
    requests = read_frame(select(
        Request.id, Request.number, Request.title, Request.enterprise_id, Request.enterprise_name,
        Request.town_id, Request.source, Request.category_id, Request.urgent, Request.state,
        Request.submitted_on, Request.lead_department_id, Request.assigned_on, Request.accept_due_on,
        Request.deadline, Request.closed_on,
        overdue_condition(today).label("overdue"), not_accepted_condition(today).label("not_accepted"),
    ).where(in_scope, Request.submitted_on <= today, Request.id.in_(involved)), _REQUEST_COLUMNS)
    for column in ("overdue", "not_accepted", "urgent"):
        requests[column] = requests[column].fillna(False).astype(bool)
    rounds = read_frame(select(
        RequestAssignment.id, RequestAssignment.request_id, RequestAssignment.lead_department_id,
        RequestAssignment.assigned_on, RequestAssignment.ended_on, RequestAssignment.end_reason,
    ).join(Request, Request.id == RequestAssignment.request_id).where(
        in_scope, RequestAssignment.assigned_on < until, RequestAssignment.request_id.in_(involved)),
        ["round_id", "request_id", "department_id", "assigned_on", "ended_on", "end_reason"])
    # The three facts of `data` a figure needs, read by the database rather than parsing every JSON.
    events = read_frame(select(
        RequestEvent.id, RequestEvent.request_id, RequestEvent.on, RequestEvent.action, RequestEvent.to_state,
        RequestEvent.actor_department_id, RequestEvent.data["on_time"].as_boolean(),
        RequestEvent.data["outcome"].as_string(), RequestEvent.data["rating"].as_string(),
    ).join(Request, Request.id == RequestEvent.request_id).where(
        in_scope, RequestEvent.on < until, RequestEvent.action.in_(_COUNTED_ACTIONS),
        RequestEvent.request_id.in_(involved),
    ), ["event_id", "request_id", "on", "action", "to_state", "actor_department_id", "on_time", "outcome",
        "rating"])
    urges = read_frame(select(UrgeNotice.request_id, UrgeNotice.department_id, UrgeNotice.issued_on)
                       .join(Request, Request.id == UrgeNotice.request_id)
                       .where(in_scope, UrgeNotice.issued_on >= period.start, UrgeNotice.issued_on < until),
                       ["request_id", "department_id", "on"])
    requests["department_id"] = requests["lead_department_id"].astype("Int64")
    # Keys keep one dtype even when a frame is empty (merges refuse int64 against object).
    requests = requests.astype({"request_id": "int64"})
    rounds = rounds.astype({"round_id": "int64", "request_id": "int64", "department_id": "int64"})
    events = events.astype({"event_id": "int64", "request_id": "int64"})
    urges = urges.astype({"request_id": "int64", "department_id": "int64"})
    _dates(requests, "submitted_on", "assigned_on", "accept_due_on", "deadline", "closed_on")
    _dates(rounds, "assigned_on", "ended_on")
    _dates(events, "on")
    _dates(urges, "on")

    index = WorkdayIndex.spanning([requests["submitted_on"], requests["deadline"], rounds["assigned_on"]], today)
    today_col = pd.Series(pd.Timestamp(today), index=requests.index)
    requests["age"] = index.between(requests["submitted_on"], today_col)
    overdue_days = index.between(requests["deadline"], today_col)
    requests["days_overdue"] = overdue_days.where(requests["overdue"], pd.NA)
    events = _attribute(events, rounds, index)

    return RequestsReport(
        period=period, today=today, scope=scope, requests=requests, rounds=rounds, events=events, urges=urges,
        **_names(),
    )


def _names() -> dict[str, dict[int, str]]:
    """Department, town and category names, id -> name, in one statement; departments and towns
    in code order (the order of the page's pick lists)."""
    kind = literal_column("kind")
    rows = db.session.execute(union_all(
        select(literal("departments").label("kind"), Department.id, Department.name, Department.code.label("code")),
        select(literal("towns"), Town.id, Town.name, Town.code),
        select(literal("categories"), Category.id, Category.name, Category.name),
    ).order_by(kind, literal_column("code"))).all()
    names: dict[str, dict[int, str]] = {"departments": {}, "towns": {}, "categories": {}}
    for group, key, name, _code in rows:
        names[group][key] = name
    return names


def _involved(start: date, until: date):
    """Ids of the requests a figure of the period can count or attribute: open today, or with
    something counted in the period (intake, closing, a round assigned or ended, a counted
    event, an urge notice). Every figure joins its rows to these requests, so leaving out the
    others changes no figure; their earlier rounds and events are still read for attribution."""
    def during(column):
        return and_(column >= start, column < until)

    return union(
        select(Request.id).where(Request.state.in_(OPEN)),
        select(Request.id).where(during(Request.submitted_on)),
        select(Request.id).where(during(Request.closed_on)),
        select(RequestAssignment.request_id).where(during(RequestAssignment.assigned_on)),
        select(RequestAssignment.request_id).where(during(RequestAssignment.ended_on)),
        select(RequestEvent.request_id).where(during(RequestEvent.on), RequestEvent.action.in_(_COUNTED_ACTIONS)),
        select(UrgeNotice.request_id).where(during(UrgeNotice.issued_on)),
    )


def _scope_condition(scope: ReportScope):
    conditions = []
    if scope.town_id is not None:
        conditions.append(Request.town_id == scope.town_id)
    if scope.department_id is not None:
        # Requests the department ever led; each measure then keeps the department's own rows.
        conditions.append(Request.id.in_(select(RequestAssignment.request_id).where(
            RequestAssignment.lead_department_id == scope.department_id)))
    if scope.liaison_id is not None:
        conditions.append(Request.id.is_(None))  # liaisons have no requests report
    from sqlalchemy import and_, true

    return and_(true(), *conditions)


def _attribute(events: pd.DataFrame, rounds: pd.DataFrame, index: WorkdayIndex) -> pd.DataFrame:
    """Give each event the department it counts for, and replies their on-time flag and duration.

    A reply counts for the replying unit (the lead, or the commission replying itself after an
    escalation) and takes the time of the round it ended — up to the escalation when the
    round was escalated, since the department's clock stopped then. A rating counts for the
    unit whose answer it rates; an approved extension for the round's lead.
    """
    if events.empty:
        return events.drop(columns=["actor_department_id"]).assign(
            on_time=pd.Series(dtype="boolean"), outcome=pd.Series(dtype=object), rating=pd.Series(dtype=object),
            department_id=pd.Series(dtype="Int64"), days_to_reply=pd.Series(dtype="Float64"))
    events = events.assign(on_time=events["on_time"].astype("boolean"))
    ordered_rounds = rounds.sort_values(["assigned_on", "round_id"], kind="stable")
    events = events.sort_values(["on", "event_id"], kind="stable")
    current = pd.merge_asof(
        events[["event_id", "request_id", "on"]],
        ordered_rounds[["request_id", "department_id", "assigned_on", "ended_on"]].assign(
            at=ordered_rounds["assigned_on"]),
        left_on="on", right_on="at", by="request_id", direction="backward",
    )
    current.index = pd.Index(current["event_id"].to_numpy())
    events.index = pd.Index(events["event_id"].to_numpy())
    round_dept = current["department_id"].reindex(events.index)
    # Only replies, approved extensions and (below) ratings count for a department.
    is_reply = events["action"] == "reply"
    # Both sides as nullable floats: with one reply, pandas would otherwise infer object dtype
    # for the replier's department and refuse to write it into a float column.
    round_dept = round_dept.astype("Float64")
    replier = pd.to_numeric(events["actor_department_id"], errors="coerce").astype("Float64")
    events["department_id"] = round_dept.where(events["action"] == "approve_extension").mask(
        is_reply, replier.fillna(round_dept))
    stop = current["ended_on"].reindex(events.index)
    stop = stop.where(stop.notna() & (stop < events["on"]), events["on"])
    events["days_to_reply"] = index.between(current["assigned_on"].reindex(events.index), stop).where(is_reply)
    events["days_to_reply"] = events["days_to_reply"].astype("Float64")

    # Ratings: the department of the latest answer (reply or on-site) before them.
    answers = events[events["action"].isin(["reply", "answer_on_site"])]
    answers = answers.assign(answer_dept=answers["department_id"].where(answers["action"] == "reply"))
    rates = events[events["action"] == "rate"]
    if len(rates):
        rated = pd.merge_asof(rates[["event_id", "request_id"]].sort_values("event_id"),
                              answers[["event_id", "request_id", "answer_dept"]].sort_values("event_id"),
                              on="event_id", by="request_id", direction="backward")
        rated.index = pd.Index(rated["event_id"].to_numpy())
        events.loc[rates.index, "department_id"] = rated["answer_dept"].reindex(rates.index)
    events = events.reset_index(drop=True)
    events["department_id"] = events["department_id"].astype("Int64")
    return events.drop(columns=["actor_department_id"])


def _dates(frame: pd.DataFrame, *columns: str) -> None:
    """Dates as datetime64 (NaT when missing), so period comparisons work on whole columns."""
    for column in columns:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")


def _rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator.astype(float) / denominator.where(denominator > 0).astype(float)
