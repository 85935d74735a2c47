"""/reports: the same figures as the report pages (crm.reports builds both), for the data office.

Scope and period rules are the pages' own (crm.permissions.reports, crm.reports.periods): a
reader asking for more than they may see gets their own scope and a `note` saying so.
"""
from __future__ import annotations

from typing import Any, Optional

import pandas as pd

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.api.auth import READ_SCOPES, api_user, forbid_unless
from crm.api.errors import validation_error
from crm.api.routing import Reply, api_route
from crm.api.schema import Schema, Str
from crm.clock import business_today
from crm.db import db
from crm.org.models import Department, Town
from crm.permissions.reports import COVERAGE, REQUESTS, ReportScope, may_open, report_scope
from crm.reports import coverage_report, requests_report
from crm.reports.periods import PeriodError, period_from_args, quarter_from_args

_INT = {"type": "integer", "minimum": 0}
_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1, "description": "0-1；无分母时为 null"}
_DAYS = {"type": ["number", "null"], "minimum": 0}
_STR = {"type": "string"}


def _object(properties: dict) -> dict:
    return {"type": "object", "required": list(properties), "additionalProperties": False,
            "properties": properties}


def scope_schema() -> dict:
    return _object({"label": _STR, "town": {"type": ["string", "null"]},
                    "department": {"type": ["string", "null"]},
                    "own_only": {"type": "boolean", "description": "只含本人的包保企业（包保责任人）"}})


def _number(value: Any) -> Optional[float]:
    """A pandas cell as a JSON number; NaN and NA (nothing owed, nothing rated) become null."""
    return None if value is None or pd.isna(value) else float(value)


def maybe_int(value: Any) -> Optional[int]:
    return None if value is None or pd.isna(value) else int(value)


def _count(value: Any) -> int:
    return maybe_int(value) or 0


def unit_arg(model, code: Optional[str], field: str) -> dict:
    """The page's URL argument (an id) for a code given to the API; an unknown code is refused."""
    if not code:
        return {}
    found = db.session.scalar(select(model.id).where(model.code == code))
    if found is None:
        raise validation_error({field: str(_l("没有这个代码"))})
    return {field: str(found)}


def scope_body(scope: ReportScope) -> dict:
    town = db.session.get(Town, scope.town_id) if scope.town_id is not None else None
    dept = db.session.get(Department, scope.department_id) if scope.department_id is not None else None
    return {"label": scope.label, "town": town.code if town else None,
            "department": dept.code if dept else None, "own_only": scope.liaison_id is not None}


# --- coverage ----------------------------------------------------------------------------------

COVERAGE_QUERY = Schema(None, {
    "quarter": Str(40, description=_l("季度，如 2026Q4；默认本季度")),
    "town": Str(20, description=_l("乡镇/园区代码（全区角色可选）")),
})

_COVERAGE_FIGURES = {"listed": _INT, "no_liaison": _INT, "ent_visited": _INT, "ent_rate": _RATE,
                     "owed": _INT, "visited": _INT, "due": _INT, "missed": _INT, "rate": _RATE}


def coverage_schema() -> dict:
    return _object({
        "quarter": _STR, "today": {"type": "string", "format": "date"},
        "days_left": {"type": "integer"}, "is_over": {"type": "boolean"},
        "scope": scope_schema(), "note": {"type": ["string", "null"]},
        "figures": _object(_COVERAGE_FIGURES),
        "by_town": {"type": "array", "items": _object({"town": _STR, "name": _STR, **_COVERAGE_FIGURES})},
        "liaisons": {"type": "array", "items": _object({
            "liaison_id": {"type": "integer"}, "name": _STR, "owed": _INT, "visited": _INT, "due": _INT,
            "missed": _INT, "rate": _RATE, "rank": {"type": ["integer", "null"]}})},
        "no_liaison": {"type": "array", "items": _object({
            "enterprise_id": {"type": "integer"}, "name": _STR, "credit_code": _STR, "town": _STR})},
    })


def _figures(row: dict, names: dict) -> dict:
    return {k: (_number(row.get(k)) if v is _RATE else _count(row.get(k))) for k, v in names.items()}


@api_route("GET", "/reports/coverage", operation_id="coverageReport", tag="reports",
           summary=_l("季度走访覆盖率：与覆盖率报表页相同的数字"), scopes=READ_SCOPES, query=COVERAGE_QUERY,
           replies={200: Reply(_l("覆盖率"), coverage_schema)})
def coverage(query):
    user, today = api_user(), business_today()
    forbid_unless(may_open(user, COVERAGE))
    scope, note = report_scope(user, unit_arg(Town, query.get("town"), "town"), COVERAGE)
    try:
        quarter = quarter_from_args({"quarter": query["quarter"]} if query.get("quarter") else {}, today)
    except PeriodError as exc:
        raise validation_error({"quarter": str(exc)})
    report = coverage_report.build(quarter, scope, today)
    district = scope.liaison_id is None
    by_town = report.breakdown("town").to_dict("records") if district else []
    ranking = report.liaison_ranking().to_dict("records")
    gaps = report.named(report.enterprise_rows("no_liaison")).to_dict("records") if district else []
    return {
        "quarter": str(quarter), "today": today.isoformat(), "days_left": int(report.days_left),
        "is_over": bool(report.is_over), "scope": scope_body(scope), "note": note,
        "figures": _figures(report.headline(), _COVERAGE_FIGURES),
        "by_town": [{"town": report.town_codes.get(int(r["key"]), ""), "name": r["label"],
                     **_figures(r, _COVERAGE_FIGURES)} for r in by_town],
        "liaisons": [{"liaison_id": int(r["liaison_id"]), "name": r.get("liaison_name") or "",
                      "owed": _count(r["owed"]), "visited": _count(r["visited"]), "due": _count(r["due"]),
                      "missed": _count(r["missed"]), "rate": _number(r["rate"]),
                      "rank": maybe_int(r["rank"])} for r in ranking],
        "no_liaison": [{"enterprise_id": int(r["enterprise_id"]), "name": r["name"],
                        "credit_code": r["credit_code"], "town": r.get("town_name") or ""} for r in gaps],
    }


# --- requests ----------------------------------------------------------------------------------

REQUESTS_QUERY = Schema(None, {
    "period": Str(40, description=_l("2026-11（月）、2026Q4（季度）、2026（年）或 2026-10-01..2026-11-24；默认本季度")),
    "town": Str(20, description=_l("乡镇/园区代码")),
    "department": Str(20, description=_l("部门代码")),
})

_REQUEST_FIGURES = {"received": _INT, "closed": _INT, "on_site": _INT, "replied": _INT, "on_time": _INT,
                    "on_time_rate": _RATE, "resolved": _INT, "resolution_rate": _RATE, "rated": _INT,
                    "satisfied": _INT, "satisfaction_rate": _RATE, "open": _INT, "overdue": _INT,
                    "not_accepted": _INT}
_MEASURES = {"received": _INT, "replied": _INT, "on_time": _INT, "resolved": _INT, "rated": _INT,
             "satisfied": _INT, "extensions": _INT, "returns": _INT, "escalations": _INT, "urged": _INT,
             "median_days": _DAYS, "p90_days": _DAYS, "on_time_rate": _RATE, "resolution_rate": _RATE,
             "satisfaction_rate": _RATE}


def requests_schema() -> dict:
    unit_row = _object({"code": _STR, "name": _STR, **_MEASURES})
    count_row = _object({"key": _STR, "label": _STR, "count": _INT})
    return _object({
        "period": _STR, "label": _STR, "start": {"type": "string", "format": "date"},
        "last_day": {"type": "string", "format": "date"}, "today": {"type": "string", "format": "date"},
        "scope": scope_schema(), "note": {"type": ["string", "null"]},
        "figures": _object(_REQUEST_FIGURES),
        "by_department": {"type": "array", "items": unit_row},
        "by_town": {"type": "array", "items": unit_row},
        "by_source": {"type": "array", "items": count_row},
        "by_category": {"type": "array", "items": count_row},
    })


def _measure_figures(row: dict) -> dict:
    return {k: (_count(row.get(k)) if v is _INT else _number(row.get(k))) for k, v in _MEASURES.items()}


@api_route("GET", "/reports/requests", operation_id="requestsReport", tag="reports",
           summary=_l("诉求办理情况：与诉求报表页相同的数字"), scopes=READ_SCOPES, query=REQUESTS_QUERY,
           replies={200: Reply(_l("诉求报表"), requests_schema)})
def requests(query):
    user, today = api_user(), business_today()
    forbid_unless(may_open(user, REQUESTS))
    args = {**unit_arg(Town, query.get("town"), "town"), **unit_arg(Department, query.get("department"), "department")}
    scope, note = report_scope(user, args, REQUESTS)
    try:
        period = period_from_args({"period": query["period"]} if query.get("period") else {}, today)
    except PeriodError as exc:
        raise validation_error({"period": str(exc)})
    report = requests_report.build(period, scope, today)
    codes = {"department_id": dict(db.session.execute(select(Department.id, Department.code)).all()),
             "town_id": dict(db.session.execute(select(Town.id, Town.code)).all())}

    def units(by: str) -> list[dict]:
        return [{"code": codes[by].get(int(r["key"]), ""), "name": r["label"], **_measure_figures(r)}
                for r in report.measures(by).to_dict("records")]

    def counts(column: str) -> list[dict]:
        return [{"key": str(r["key"]), "label": str(r["label"]), "count": _count(r["count"])}
                for r in report.received_by(column).to_dict("records")]

    return {
        "period": period.key, "label": str(period.label), "start": period.start.isoformat(),
        "last_day": period.last_day.isoformat(), "today": today.isoformat(),
        "scope": scope_body(scope), "note": note,
        "figures": _figures(report.headline(), _REQUEST_FIGURES),
        "by_department": units("department_id"), "by_town": units("town_id"),
        "by_source": counts("source"), "by_category": counts("category_id"),
    }
