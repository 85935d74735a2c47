"""The trends page: lines over the last 8 quarters or 12 months, a table of the same numbers, Excel."""
from __future__ import annotations

import pandas as pd
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm import audit
from crm.db import db
from crm.permissions.reports import TRENDS, report_scope
from crm.reports import bp, charts
from crm.reports.excel import Sheet, workbook
from crm.reports.exports import xlsx_response
from crm.reports.pages import require_report, today
from crm.reports.periods import MONTH, QUARTER
from crm.reports.trends import trend


def _kind() -> str:
    return MONTH if request.args.get("by") == "month" else QUARTER


@bp.route("/trends")
@login_required
def trends():
    return _trends_page(printing=False)


@bp.route("/trends/print")
@login_required
def trends_print():
    return _trends_page(printing=True)


def _trends_page(printing: bool):
    require_report(TRENDS)
    scope, message = report_scope(current_user, request.args, TRENDS)
    kind = _kind()
    points = trend(kind, scope, today())
    labels = [p.period.key for p in points]
    rates = [charts.Series(_("按时答复率"), [_pct(p.on_time_rate) for p in points]),
             charts.Series(_("满意率"), [_pct(p.satisfaction_rate) for p in points])]
    if kind == QUARTER and scope.department_id is None:
        rates.insert(0, charts.Series(_("走访覆盖率"), [_pct(p.coverage_rate) for p in points]))
    base_args = {"by": kind, **scope.args()}
    return render_template(
        "reports/trends.html", printing=printing, points=points, kind=kind, scope=scope, scope_message=message,
        base_args=base_args, today=today(), error=None, back_url=url_for("reports.trends", **base_args),
        show_coverage=kind == QUARTER and scope.department_id is None,
        intake_kind="assigned" if scope.department_id is not None else "received",
        rate_chart=charts.line_chart(_("走访覆盖率、按时答复率和满意率"), labels, rates, max_value=100),
        count_chart=charts.line_chart(_("受理诉求件数"), labels,
                                      [charts.Series(_("受理"), [p.received for p in points])], unit=""),
    )


def _pct(value):
    return None if value is None else value * 100


@bp.route("/trends.xlsx")
@login_required
def trends_export():
    require_report(TRENDS)
    scope, _message = report_scope(current_user, request.args, TRENDS)
    kind = _kind()
    points = trend(kind, scope, today())
    columns = {_("期间"): [p.period.label for p in points],
               _("开始日期"): [p.period.start for p in points], _("结束日期"): [p.period.last_day for p in points]}
    if kind == QUARTER and scope.department_id is None:
        columns[_("应走访")] = [p.owed for p in points]
        columns[_("走访覆盖率")] = [p.coverage_rate for p in points]
    columns.update({_("受理"): [p.received for p in points], _("部门答复"): [p.replied for p in points],
                    _("按时答复率"): [p.on_time_rate for p in points], _("评价数"): [p.rated for p in points],
                    _("满意率"): [p.satisfaction_rate for p in points]})
    rates = [_("走访覆盖率"), _("按时答复率"), _("满意率")]
    meta = [(_("范围"), scope.label), (_("统计日期"), today())]
    summary = [(_("期间数"), len(points))]
    content = workbook(_("趋势"), meta, summary, [Sheet(_("趋势"), pd.DataFrame(columns), percent=rates)],
                       summary_name=_("汇总"), item_header=_("指标"), value_header=_("数值"))
    audit.record("export", "report", None, changes={"report": "trends", "period": kind, "scope": scope.label,
                                                    "format": "xlsx"})
    db.session.commit()
    return xlsx_response(content, f"trends-{kind}.xlsx")
