"""What every report page shares: access, the pinned date, paging a frame, and number formats."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional

import pandas as pd
from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.clock import business_today
from crm.permissions.reports import COVERAGE, REQUESTS, TRENDS, may_open
from crm.reports import bp

PAGE_SIZE = 50


def require_report(report: str) -> None:
    """403 unless the logged-in user may open this kind of report (login is checked by the view)."""
    if not may_open(current_user, report):
        abort(403)


def today() -> date:
    return business_today()


@dataclass
class FramePage:
    """One page of a DataFrame, shaped like Flask-SQLAlchemy's Pagination for the pager macro."""

    rows: list[dict]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def frame_page(frame: pd.DataFrame, decorate=None) -> FramePage:
    """The requested page of the frame; `decorate` adds display columns to that page's rows only."""
    per_page = current_app.config.get("PAGE_SIZE", PAGE_SIZE)
    try:
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page = 1
    start = (page - 1) * per_page
    rows = frame.iloc[start:start + per_page]
    rows = records(decorate(rows) if decorate is not None else rows)
    return FramePage(rows, page, per_page, len(frame))


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None for missing values (NaN, NA, NaT), ready for a template."""
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def pct(value: Optional[float]) -> str:
    """0.857 -> 85.7%; no value (nothing owed, nothing rated) -> an em dash, never 0%."""
    value = _plain(value)
    return "—" if value is None else f"{value * 100:.1f}%"


@bp.app_template_filter("pct")
def pct_filter(value) -> str:
    return pct(value)


@bp.app_template_filter("figure")
def figure_filter(value) -> str:
    value = _plain(value)
    return "—" if value is None else f"{int(value):,}"


@dataclass(frozen=True)
class Tab:
    label: str
    href: str
    active: bool


@bp.context_processor
def report_tabs() -> dict:
    if not getattr(current_user, "is_authenticated", False):
        return {"report_tabs": []}
    endpoint = request.endpoint or ""
    tabs = [Tab(label, url_for(target), endpoint.startswith(target))
            for kind, target, label in ((COVERAGE, "reports.coverage", _("走访覆盖")),
                                        (REQUESTS, "reports.requests", _("诉求办理")),
                                        (TRENDS, "reports.trends", _("趋势")))
            if may_open(current_user, kind)]
    return {"report_tabs": tabs}


@bp.app_template_global("report_url")
def report_url(endpoint: str, *arg_dicts: dict, **args) -> str:
    """url_for with the report's base arguments (period, scope) merged with a cut's own."""
    merged: dict = {}
    for extra in arg_dicts:
        merged.update(extra or {})
    merged.update(args)
    return url_for(endpoint, **{k: v for k, v in merged.items() if v is not None})
