"""The requests report pages: the period's figures, their drill-down lists, Excel and print."""
from __future__ import annotations

from typing import NamedTuple

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm import audit
from crm.db import db
from crm.org.models import Department, Town
from crm.permissions.reports import REQUESTS, report_scope
from crm.reports import bp, charts
from crm.reports.exports import requests_workbook, xlsx_response
from crm.reports.pages import frame_page, records, require_report, today
from crm.reports.periods import MONTH, QUARTER, YEAR, Period, PeriodError, period_from_args, recent
from crm.reports.requests_report import AGE_BUCKETS, KINDS, SNAPSHOT_KINDS, RowFilter, build, kind_label
from crm.requests.models import Rating, RequestSource, RequestState

class _Choice(NamedTuple):
    id: int
    name: str


#: Rows of the overdue and not-signed-for lists shown on the report page itself.
LIST_PREVIEW = 10


def selector_context(period: Period | None, scope, message=None, error=None, report=None) -> dict:
    """The period and scope pickers; with a built report, its names (in code order) fill them."""
    day = today()
    if report is not None:
        towns = [_Choice(k, v) for k, v in report.towns.items()]
        departments = [_Choice(k, v) for k, v in report.departments.items()]
    else:
        towns = db.session.execute(select(Town.id, Town.name).order_by(Town.code)).all() if scope.can_choose else []
        departments = db.session.execute(select(Department.id, Department.name).order_by(Department.code)).all() \
            if scope.can_choose else []
    return {
        "period": period, "scope": scope, "scope_message": message, "error": error, "today": day,
        "base_args": {"period": period.key, **scope.args()} if period else scope.args(),
        "period_options": [(_("月"), recent(MONTH, day, 12)[::-1]), (_("季度"), recent(QUARTER, day, 8)[::-1]),
                           (_("年"), recent(YEAR, day, 3)[::-1])],
        "towns": towns if scope.can_choose else [], "departments": departments if scope.can_choose else [],
        "age_labels": {key: kind_label(key) for key, _lo, _hi in AGE_BUCKETS},
        "state_labels": {s.value: s.label for s in RequestState},
        "rating_labels": {r.value: r.label for r in Rating},
    }


def _load():
    require_report(REQUESTS)
    scope, message = report_scope(current_user, request.args, REQUESTS)
    period = period_from_args(request.args, today(), default=MONTH)
    return period, scope, message


@bp.route("/requests")
@login_required
def requests():
    return _requests_page(printing=False)


@bp.route("/requests/print")
@login_required
def requests_print():
    return _requests_page(printing=True)


def _requests_page(printing: bool):
    require_report(REQUESTS)
    try:
        period, scope, message = _load()
    except PeriodError as exc:
        scope, message = report_scope(current_user, request.args, REQUESTS)
        return render_template("reports/requests.html", printing=printing,
                               **selector_context(None, scope, message, str(exc))), 400
    report = build(period, scope, today())
    context = selector_context(period, scope, message, report=report)
    departments = report.measures("department_id")
    context.update(
        report=report, printing=printing, figures=report.headline(),
        back_url=url_for("reports.requests", **context["base_args"]),
        by_source=records(report.received_by("source")), by_category=records(report.received_by("category_id")),
        open_by_state=records(report.open_by("state")), open_by_department=records(report.open_by("department_id")),
        ages=report.age_buckets(), departments_table=records(departments),
        towns_table=records(report.measures("town_id")),
        overdue=records(report.rows("overdue").head(LIST_PREVIEW)),
        not_accepted=records(report.rows("not_accepted").head(LIST_PREVIEW)),
        department_chart=charts.bar_chart(
            _("各部门按时答复率"),
            [charts.Bar(r["label"], None if r["replied"] == 0 else r["on_time_rate"] * 100,
                        f"{r['on_time_rate'] * 100:.1f}%（{r['on_time']}/{r['replied']}）" if r["replied"] else "")
             for r in departments.to_dict("records")]) if len(departments) else None,
    )
    return render_template("reports/requests.html", **context)


@bp.route("/requests/list")
@login_required
def requests_list():
    """The requests behind a figure: ?kind=... plus the cut (department, town, source, category, state)."""
    require_report(REQUESTS)
    kind = request.args.get("kind", "received")
    try:
        period, scope, message = _load()
        if kind not in KINDS:
            raise PeriodError(_("未知的统计口径“%(kind)s”。", kind=kind[:20]))
    except PeriodError as exc:
        scope, message = report_scope(current_user, request.args, REQUESTS)
        return render_template("reports/requests_list.html", printing=False,
                               **selector_context(None, scope, message, str(exc))), 400
    report = build(period, scope, today())
    filters = row_filter(request.args, scope)
    frame = report.rows(kind, filters)
    context = selector_context(period, scope, message, report=report)
    context.update(kind=kind, kind_text=kind_label(kind), page=frame_page(frame), report=report, printing=False,
                   filter_labels=_filter_labels(report, filters), snapshot=kind in SNAPSHOT_KINDS)
    return render_template("reports/requests_list.html", **context)


def row_filter(args, scope) -> RowFilter:
    """The cut in the URL; town and department are the scope (already limited to the user's rights)."""
    def number(name):
        try:
            return int(args[name]) if args.get(name) else None
        except ValueError:
            return None

    source = args.get("source") if args.get("source") in {s.value for s in RequestSource} else None
    state = args.get("state") if args.get("state") in {s.value for s in RequestState} else None
    return RowFilter(department=scope.department_id, town=scope.town_id, source=source,
                     category=number("category"), state=state)


def _filter_labels(report, filters: RowFilter) -> list[str]:
    labels = []
    if filters.source:
        labels.append(RequestSource(filters.source).label)
    if filters.category is not None:
        labels.append(report.categories.get(filters.category, _("未知类别")))
    if filters.state:
        labels.append(RequestState(filters.state).label)
    return labels


@bp.route("/requests.xlsx")
@login_required
def requests_export():
    require_report(REQUESTS)
    try:
        period, scope, _message = _load()
    except PeriodError as exc:
        scope, message = report_scope(current_user, request.args, REQUESTS)
        return render_template("reports/requests.html", printing=False,
                               **selector_context(None, scope, message, str(exc))), 400
    report = build(period, scope, today())
    content = requests_workbook(report)
    audit.record("export", "report", None, changes={
        "report": "requests", "period": period.key, "scope": scope.label, "format": "xlsx"})
    db.session.commit()
    return xlsx_response(content, f"requests-{period.key}.xlsx")

