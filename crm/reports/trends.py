"""Trends over the last 8 quarters or 12 months: coverage, on-time, satisfaction, requests received.

Coverage is quarterly by rule, so it is computed per quarter by the coverage engine (and left
out of the monthly view). The request measures load the whole span once and count each
period as a cut of the same frames, with the definitions of the requests report.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Optional

from crm.permissions.reports import ReportScope
from crm.reports import requests_report
from crm.reports.periods import CUSTOM, MONTH, QUARTER, Period, recent
from crm.visits.coverage import Status, coverage_columns

SPANS = {QUARTER: 8, MONTH: 12}


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    received: int
    replied: int
    on_time_rate: Optional[float]
    rated: int
    satisfaction_rate: Optional[float]
    #: None in the monthly view and for department scopes (coverage is per quarter and per liaison).
    coverage_rate: Optional[float] = None
    owed: int = 0


def trend(kind: str, scope: ReportScope, today: date) -> list[TrendPoint]:
    periods = recent(kind, today, SPANS[kind])
    span = Period(CUSTOM, periods[0].start, periods[-1].end)
    whole = requests_report.build(span, scope, today)
    with_coverage = kind == QUARTER and scope.department_id is None
    points = []
    for period in periods:
        cut = replace(whole, period=period)
        figures = cut.headline()
        coverage = owed = None
        if with_coverage:
            pairs = coverage_columns(period.quarter, today=today, with_enterprises=False,
                                     town_ids=[scope.town_id] if scope.town_id is not None else None).pairs
            owed = int(pairs["owed"].sum())
            visited = int((pairs["status"] == Status.VISITED.value).sum())
            coverage = visited / owed if owed else None
        points.append(TrendPoint(period, figures["received"], figures["replied"], figures["on_time_rate"],
                                 figures["rated"], figures["satisfaction_rate"], coverage, owed or 0))
    return points
