"""/reports/coverage/pairs: the (liaison, enterprise) pairs behind a coverage figure, the same rows
in the same order as the report page's drill-down list (crm.reports.coverage_report builds both)."""
from __future__ import annotations

from typing import Any, Optional

import pandas as pd
from flask_babel import lazy_gettext as _l

from crm.api.auth import READ_SCOPES, api_user, forbid_unless
from crm.api.components import component
from crm.api.errors import validation_error
from crm.api.pagination import PAGE_FIELDS, page_meta_schema, paginate_computed
from crm.api.reports import maybe_int, scope_body, scope_schema, unit_arg
from crm.api.routing import Reply, api_route
from crm.api.schema import Choice, Int, Schema, Str
from crm.clock import business_today
from crm.org.models import Town
from crm.permissions.liaisons import liaison_phones
from crm.permissions.reports import COVERAGE, may_open, report_scope
from crm.reports import coverage_report
from crm.reports.periods import PeriodError, quarter_from_args
from crm.visits.coverage import Status

QUERY = Schema(None, {
    "quarter": Str(40, description=_l("季度，如 2026Q4；默认本季度")),
    "status": Choice(coverage_report.PAIR_STATUSES, default="owed",
                     description=_l("owed 应走访（默认，含以下三种），visited 已走访，due 待走访，missed 未走访")),
    "town": Str(20, description=_l("乡镇/园区代码（全区角色可选）")),
    "liaison": Int(description=_l("只列这位包保责任人（用户编号）的包保关系")),
    **PAGE_FIELDS,
})

_STR = {"type": "string"}
_PAIR_STATUS = {"type": "string", "enum": [Status.VISITED.value, Status.DUE.value, Status.MISSED.value]}


def _object(properties: dict) -> dict:
    return {"type": "object", "required": list(properties), "additionalProperties": False,
            "properties": properties}


def pair_schema() -> dict:
    return _object({
        "liaison": _object({"id": {"type": "integer"}, "name": _STR,
                            "mobile": {"type": ["string", "null"],
                                       "description": str(_l("无权查看时部分隐藏"))}}),
        "enterprise": _object({"id": {"type": "integer"}, "name": _STR, "credit_code": _STR}),
        "town": _object({"code": _STR, "name": _STR}),
        "status": _PAIR_STATUS,
        "days_left": {"type": ["integer", "null"], "description": str(_l("待走访时本季度剩余天数"))},
        "last_visit_on": {"type": ["string", "null"], "format": "date"},
    })


def _page_schema() -> dict:
    return _object({
        "quarter": _STR, "status": {"type": "string", "enum": list(coverage_report.PAIR_STATUSES)},
        "today": {"type": "string", "format": "date"}, "scope": scope_schema(),
        "note": {"type": ["string", "null"]},
        "phones_masked": {"type": "boolean", "description": str(_l("为 true 时包保责任人电话已部分隐藏"))},
        "items": {"type": "array", "items": component("CoveragePair", pair_schema)},
        "meta": component("PageMeta", page_meta_schema),
    })


def _text(value: Any) -> Optional[str]:
    return None if value is None or pd.isna(value) else str(value)


def _date(value: Any) -> Optional[str]:
    if value is None or pd.isna(value):
        return None
    return (value.date() if isinstance(value, pd.Timestamp) else value).isoformat()


def _present(row: dict, town_codes: dict) -> dict:
    mobile = _text(row.get("liaison_mobile"))
    town_id = maybe_int(row.get("town_id"))
    return {
        "liaison": {"id": int(row["liaison_id"]), "name": _text(row.get("liaison_name")) or "",
                    "mobile": mobile or None},
        "enterprise": {"id": int(row["enterprise_id"]), "name": _text(row.get("name")) or "",
                       "credit_code": _text(row.get("credit_code")) or ""},
        "town": {"code": town_codes.get(town_id, "") if town_id is not None else "",
                 "name": _text(row.get("town_name")) or ""},
        "status": row["status"],
        "days_left": maybe_int(row.get("days_left")),
        "last_visit_on": _date(row.get("last_visit_on")),
    }


@api_route("GET", "/reports/coverage/pairs", operation_id="coveragePairs", tag="reports",
           summary=_l("覆盖率报表的包保关系明细：与报表页“应走访/已走访/待走访/未走访”列表相同的行和顺序"),
           description=_l("乡镇用户只看到本乡镇，包保责任人只看到本人的包保关系；待走访的剩余天数少的在前。"),
           scopes=READ_SCOPES, query=QUERY, replies={200: Reply(_l("一页包保关系"), lambda: component(
               "CoveragePairPage", _page_schema))})
def coverage_pairs(query):
    user, today = api_user(), business_today()
    forbid_unless(may_open(user, COVERAGE))
    scope, note = report_scope(user, unit_arg(Town, query.get("town"), "town"), COVERAGE)
    try:
        quarter = quarter_from_args({"quarter": query["quarter"]} if query.get("quarter") else {}, today)
    except PeriodError as exc:
        raise validation_error({"quarter": str(exc)})
    # The page's own report and cut (views._drilldown); only the pairs are needed here.
    report = coverage_report.build(quarter, scope, today, with_enterprises=False)
    frame = report.pair_rows(query["status"], coverage_report.Filters(liaison=query.get("liaison")))
    # The report's frame already holds each number as this reader may read it (rule 11).
    masked = not liaison_phones(user).everyone

    def rows(start: int, stop: int) -> list[dict]:
        named = report.named(frame.iloc[start:stop])
        return [_present(r, report.town_codes) for r in named.to_dict("records")]

    page = paginate_computed(len(frame), query, rows)
    return {"quarter": str(quarter), "status": query["status"], "today": today.isoformat(),
            "scope": scope_body(scope), "note": note, "phones_masked": masked,
            "items": page.items, "meta": page.meta}
