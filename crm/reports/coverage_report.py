"""The quarterly coverage report: headline figures, breakdowns and gap lists.

Every status comes from the coverage engine (`crm.visits.coverage`); this module only puts
its pairs and enterprises into pandas frames, joins the enterprise attributes read in one
query, and counts. Headline figures, breakdown cells and drill-down lists are all cuts of
the same two frames with the same filter function, so a figure always equals the number of
rows behind its link.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping, Optional

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select

from crm import data_cache
from crm.auth.models import User
from crm.db import db
from crm.enterprises.industries import INDUSTRY_SECTIONS
from crm.enterprises.models import LEVEL_LABELS, Assignment, Enterprise, Tag, enterprise_tags
from crm.org.models import Town
from crm.permissions.reports import ReportScope
from crm.reports.frames import read_frame
from crm.visits.coverage import Status, coverage_columns
from crm.visits.quarters import Quarter

#: Pair statuses a drill-down can ask for; "owed" is all three.
PAIR_STATUSES = ("owed", Status.VISITED.value, Status.DUE.value, Status.MISSED.value)
#: Enterprise statuses a drill-down can ask for; "all" is every enterprise that owes coverage.
ENTERPRISE_STATUSES = ("all", Status.VISITED.value, Status.DUE.value, Status.MISSED.value,
                       Status.NO_LIAISON.value)
#: Breakdown dimensions and the enterprise column each groups by.
DIMENSIONS = {"town": "town_id", "level": "level", "industry": "industry", "tag": "tag_id"}

#: The industry key of enterprises whose industry was not filled in (URL: industry=-).
NO_INDUSTRY = "-"
_ENT_ATTRS = ["enterprise_id", "town_id", "level", "industry"]


def status_label(status: str) -> str:
    return {
        "owed": _("应走访"), "all": _("重点企业"),
        Status.VISITED.value: _("已走访"), Status.DUE.value: _("待走访"),
        Status.MISSED.value: _("未走访"), Status.NO_LIAISON.value: _("无包保人"),
        Status.NOT_OWED.value: _("本季度不考核"),
    }[status]


@dataclass(frozen=True)
class Filters:
    """A cut of the report from the URL (drill-down links); values are strings as in the URL."""

    level: Optional[str] = None
    industry: Optional[str] = None
    tag: Optional[int] = None
    liaison: Optional[int] = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "Filters":
        level = args.get("level") if args.get("level") in LEVEL_LABELS else None
        known = args.get("industry") in INDUSTRY_SECTIONS or args.get("industry") == NO_INDUSTRY
        industry = args.get("industry") if known else None
        return cls(level=level, industry=industry, tag=_int(args.get("tag")), liaison=_int(args.get("liaison")))

    def args(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class CoverageReport:
    quarter: Quarter
    today: date
    scope: ReportScope
    #: One row per pair that owes a visit this quarter (status visited/due/missed).
    pairs: pd.DataFrame
    #: One row per enterprise listed long enough to owe coverage (status != not_owed).
    enterprises: pd.DataFrame
    towns: dict[int, str] = field(default_factory=dict)
    liaisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    tag_names: dict[int, str] = field(default_factory=dict)
    town_codes: dict[int, str] = field(default_factory=dict)
    _tags: Optional[pd.DataFrame] = field(default=None, repr=False)

    @property
    def tags(self) -> pd.DataFrame:
        """enterprise_id -> tag_id, read when a tag breakdown or filter first asks for it."""
        if self._tags is None:
            self._tags = data_cache.remember("enterprise_tags", (), lambda: read_frame(
                select(enterprise_tags.c.enterprise_id, enterprise_tags.c.tag_id), ["enterprise_id", "tag_id"]))
        return self._tags

    def named(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows with the enterprise name and credit code, read for these rows only.

        Counting needs neither; a page shows 10 or 50 rows, so names are fetched for those.
        """
        ids = sorted(set(frame["enterprise_id"].tolist()))
        stmt = select(Enterprise.id, Enterprise.name, Enterprise.credit_code)
        if len(ids) <= 1000:
            stmt = stmt.where(Enterprise.id.in_(ids))
        elif self.scope.town_id is not None:
            stmt = stmt.where(Enterprise.town_id == self.scope.town_id)
        names = read_frame(stmt, ["enterprise_id", "name", "credit_code"])
        return frame.merge(names, on="enterprise_id", how="left")

    @property
    def has_data(self) -> bool:
        return not (self.pairs.empty and self.enterprises.empty)

    @property
    def days_left(self) -> int:
        return self.quarter.days_left(self.today)

    @property
    def is_over(self) -> bool:
        return self.quarter.is_over(self.today)

    # --- cuts -------------------------------------------------------------------------------

    def enterprise_rows(self, status: str = "all", filters: Filters = Filters()) -> pd.DataFrame:
        frame = self._filter(self.enterprises, filters)
        if status != "all":
            frame = frame[frame["status"] == status]
        return frame.sort_values(["town_order", "enterprise_id"], kind="stable")

    def pair_rows(self, status: str = "owed", filters: Filters = Filters()) -> pd.DataFrame:
        frame = self._filter(self.pairs, filters)
        if filters.liaison is not None:
            frame = frame[frame["liaison_id"] == filters.liaison]
        if status != "owed":
            frame = frame[frame["status"] == status]
        # Least time left first (rule for the "not yet visited" list), then town, liaison, enterprise.
        return frame.sort_values(["days_left", "town_order", "liaison_order", "enterprise_id"],
                                 kind="stable", na_position="last")

    def _filter(self, frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
        if filters.level is not None:
            frame = frame[frame["level"] == filters.level]
        if filters.industry is not None:
            frame = frame[frame["industry"] == filters.industry]
        if filters.tag is not None:
            tagged = self.tags.loc[self.tags["tag_id"] == filters.tag, "enterprise_id"]
            frame = frame[frame["enterprise_id"].isin(tagged)]
        return frame

    # --- figures ----------------------------------------------------------------------------

    def headline(self) -> dict:
        return figures(self.enterprises, self.pairs)

    def breakdown(self, dimension: str) -> pd.DataFrame:
        """Figures per town, level, industry or tag: one row per value, in a stable order."""
        column = DIMENSIONS[dimension]
        ents, pairs = self.enterprises, self.pairs
        if dimension == "tag":
            # One row per (row, tag) of the enterprise; only the columns counted are carried.
            ents = ents[["enterprise_id", *_flag_columns(_ENTERPRISE_FLAGS)]].merge(self.tags, on="enterprise_id")
            pairs = pairs[["enterprise_id", *_flag_columns(_PAIR_FLAGS)]].merge(self.tags, on="enterprise_id")
        e = _counts(ents, column, "listed", _ENTERPRISE_FLAGS)
        p = _counts(pairs, column, "owed", _PAIR_FLAGS)
        table = e.join(p, how="outer").fillna(0).astype(int)
        table["ent_rate"] = _rate(table["ent_visited"], table["listed"])
        table["rate"] = _rate(table["visited"], table["owed"])
        table.index.name = "key"
        table = table.reset_index()
        table["label"] = table["key"].map(lambda k: self.key_label(dimension, k))
        # Towns in their official order (by code), as everywhere else; other dimensions by name.
        order = table["key"].map(self.town_codes) if dimension == "town" else table["label"]
        return table.assign(_order=order).sort_values(["_order", "label"], kind="stable") \
            .drop(columns="_order").reset_index(drop=True)

    def liaison_ranking(self) -> pd.DataFrame:
        """Per liaison: owed, visited, due, missed and rate; best rate first, then most owed."""
        p = _counts(self.pairs, "liaison_id", "owed", _PAIR_FLAGS)
        p["rate"] = _rate(p["visited"], p["owed"])
        p.index.name = "liaison_id"
        table = p.reset_index().merge(self.liaisons, on="liaison_id", how="left")
        table["town_name"] = table["liaison_town_id"].map(self.towns).fillna("")
        table = table.sort_values(["rate", "owed", "liaison_name", "liaison_id"],
                                  ascending=[False, False, True, True], kind="stable").reset_index(drop=True)
        table["rank"] = table["rate"].rank(method="min", ascending=False).astype("Int64")
        return table

    def key_label(self, dimension: str, key) -> str:
        if dimension == "town":
            return self.towns.get(key, "")
        if dimension == "level":
            return str(LEVEL_LABELS.get(key, key))
        if dimension == "industry":
            return f"{key} {INDUSTRY_SECTIONS[key]}" if key in INDUSTRY_SECTIONS else _("未填写")
        return self.tag_names.get(key, "")


def figures(enterprises: pd.DataFrame, pairs: pd.DataFrame) -> dict:
    """The headline figures of a cut; rates are None when nothing was owed."""
    e = enterprises["status"].value_counts()
    p = pairs["status"].value_counts()
    listed, ent_visited = len(enterprises), int(e.get(Status.VISITED.value, 0))
    owed, visited = len(pairs), int(p.get(Status.VISITED.value, 0))
    return {
        "listed": listed,
        "no_liaison": int(e.get(Status.NO_LIAISON.value, 0)),
        "ent_visited": ent_visited,
        "ent_rate": ent_visited / listed if listed else None,
        "owed": owed,
        "visited": visited,
        "due": int(p.get(Status.DUE.value, 0)),
        "missed": int(p.get(Status.MISSED.value, 0)),
        "rate": visited / owed if owed else None,
    }


def build(quarter: Quarter, scope: ReportScope, today: date, with_enterprises: bool = True,
          pair_status: Optional[str] = None) -> CoverageReport:
    """Run the coverage engine for the scope and load what the report shows about it.

    Without `with_enterprises` only the pairs are computed; with `pair_status`, only the
    pairs of that status are kept (enough for a list of missed pairs, at a tenth of the work).
    """
    town_ids = [scope.town_id] if scope.town_id is not None else None
    liaison_ids = [scope.liaison_id] if scope.liaison_id is not None else None
    # A liaison's card is about their own pairs only.
    columns = coverage_columns(quarter, today=today, town_ids=town_ids, liaison_ids=liaison_ids,
                               with_enterprises=with_enterprises and liaison_ids is None)
    pair_frame = _engine_frame(columns.pairs, ["liaison_id", "enterprise_id", "owed", "status", "days_left", "last_visit_on"])
    pair_frame = pair_frame[pair_frame["owed"].astype(bool)].drop(columns=["owed"])
    if pair_status is not None:
        pair_frame = pair_frame[pair_frame["status"] == pair_status]
    ent_frame = _engine_frame(columns.enterprises, ["enterprise_id", "status", "days_left", "last_visit_on"])
    ent_frame = ent_frame[ent_frame["status"] != Status.NOT_OWED.value]

    town_rows = db.session.execute(select(Town.id, Town.name, Town.code)).all()
    towns = {row.id: row.name for row in town_rows}
    codes = {row.id: row.code for row in town_rows}
    # Shared with other requests (crm.data_cache): columns are added to a copy.
    attributes = data_cache.remember("enterprise_attributes", (scope.town_id, scope.liaison_id),
                                     lambda: _enterprise_attributes(scope)).copy()
    attributes["town_name"] = attributes["town_id"].map(towns).fillna("")
    # Integer sort keys: towns in their official order, liaisons by name.
    town_order = {town_id: i for i, town_id in enumerate(sorted(codes, key=codes.get))}
    attributes["town_order"] = attributes["town_id"].map(town_order).fillna(len(town_order)).astype(int)
    attributes["industry"] = attributes["industry"].fillna(NO_INDUSTRY)
    liaisons = _liaisons(scope)
    pair_frame = (pair_frame.merge(attributes, on="enterprise_id", how="left")
                  .merge(liaisons, on="liaison_id", how="left"))
    ent_frame = ent_frame.merge(attributes, on="enterprise_id", how="left")
    tag_names = dict(db.session.execute(select(Tag.id, Tag.name)).all())
    return CoverageReport(quarter, today, scope, pair_frame.reset_index(drop=True), ent_frame.reset_index(drop=True),
                          towns, liaisons, tag_names, codes)


def missed_pairs_report(report: CoverageReport) -> CoverageReport:
    """Where the missed pairs shown with `report` come from: its own quarter once it is over,
    otherwise last quarter's (上季度未走访), built for those pairs only."""
    if report.is_over:
        return report
    return build(report.quarter.previous, report.scope, report.today, with_enterprises=False,
                 pair_status=Status.MISSED.value)


def _engine_frame(columns: Optional[dict], names: list[str]) -> pd.DataFrame:
    """The engine's columns (`coverage_columns`) as a frame: plain string statuses, nullable
    day counts. None (enterprises not computed) gives an empty frame."""
    if columns is None or not len(columns[names[0]]):
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in names}).astype({"days_left": "Int64"})
        _flag(frame)
        return frame
    data = {}
    for name in names:
        if name == "days_left":
            values = columns[name]
            data[name] = pd.arrays.IntegerArray(values.astype(np.int64), values < 0)
        else:
            data[name] = columns[name]
    frame = pd.DataFrame(data)
    _flag(frame)
    return frame


def _flag(frame: pd.DataFrame) -> None:
    """One boolean column per status (is_visited ...), compared once instead of per breakdown."""
    values = frame["status"].to_numpy()
    for status in Status:
        frame[f"is_{status.value}"] = values == status.value


def _enterprise_attributes(scope: ReportScope) -> pd.DataFrame:
    stmt = select(Enterprise.id, Enterprise.town_id, Enterprise.level, Enterprise.industry)
    if scope.town_id is not None:
        stmt = stmt.where(Enterprise.town_id == scope.town_id)
    if scope.liaison_id is not None:
        stmt = stmt.where(Enterprise.id.in_(
            select(Assignment.enterprise_id).where(Assignment.liaison_id == scope.liaison_id)))
    return read_frame(stmt, _ENT_ATTRS)


def _liaisons(scope: ReportScope) -> pd.DataFrame:
    stmt = select(User.id, User.name, User.mobile, User.town_id).where(
        User.id.in_(select(Assignment.liaison_id)))
    if scope.liaison_id is not None:
        stmt = stmt.where(User.id == scope.liaison_id)
    frame = read_frame(stmt, ["liaison_id", "liaison_name", "liaison_mobile", "liaison_town_id"])
    # Rule 11: each number as the report's reader may read it (crm.permissions.liaisons).
    frame["liaison_mobile"] = [scope.phones.shown(None if pd.isna(town) else int(town), mobile)
                               for town, mobile in zip(frame["liaison_town_id"], frame["liaison_mobile"])]
    frame["liaison_order"] = frame["liaison_name"].rank(method="dense").fillna(0).astype(int)
    return frame


_PAIR_FLAGS = {"visited": Status.VISITED.value, "due": Status.DUE.value, "missed": Status.MISSED.value}
_ENTERPRISE_FLAGS = {"no_liaison": Status.NO_LIAISON.value, "ent_visited": Status.VISITED.value}


def _flag_columns(flags: dict[str, str]) -> list[str]:
    return [f"is_{status}" for status in flags.values()]


def _counts(frame: pd.DataFrame, by: str, total: str, flags: dict[str, str]) -> pd.DataFrame:
    """Per value of `by`: the number of rows (`total`) and of rows with each flagged status.
    Rows whose `by` is missing are not counted (as groupby would drop them)."""
    codes, keys = pd.factorize(frame[by])
    counted = codes >= 0
    codes, n = codes[counted], len(keys)
    out = pd.DataFrame({total: np.bincount(codes, minlength=n)}, index=pd.Index(keys, name=by))
    for name, status in flags.items():
        out[name] = np.bincount(codes[frame[f"is_{status}"].to_numpy()[counted]], minlength=n)
    return out


def _rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as floats; NaN (shown as "—") where nothing was owed."""
    return numerator.astype(float) / denominator.where(denominator > 0).astype(float)


def _int(raw) -> Optional[int]:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None
