"""The coverage report pages: the quarter's figures, its drill-down lists, Excel and print."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm import audit
from crm.db import db
from crm.org.models import Town
from crm.permissions.reports import COVERAGE, REQUESTS, may_open, report_scope
from crm.reports import bp, charts
from crm.reports.coverage_report import (ENTERPRISE_STATUSES, PAIR_STATUSES, Filters, build,
                                         missed_pairs_report, status_label)
from crm.reports.exports import coverage_workbook, xlsx_response
from crm.reports.pages import frame_page, records, require_report, today
from crm.reports.periods import PeriodError, quarter_from_args, recent_quarters
from crm.visits.quarters import Quarter

#: Rows of each gap list shown on the report page itself; the link shows all.
GAP_PREVIEW = 10
#: Rows of the liaison ranking on the page; the Excel export has every liaison.
RANK_PREVIEW = 50


@bp.route("/")
@login_required
def index():
    """Each reader's natural report: coverage for the district and towns, the card for a liaison."""
    if may_open(current_user, COVERAGE):
        return redirect(url_for("reports.coverage"))
    if may_open(current_user, REQUESTS):
        return redirect(url_for("reports.requests"))
    return redirect(url_for("main.home"))


@bp.route("/coverage")
@login_required
def coverage():
    return _coverage_page(printing=False)


@bp.route("/coverage/print")
@login_required
def coverage_print():
    return _coverage_page(printing=True)


def _selector_context(quarter: Quarter | None, scope, message=None, error=None) -> dict:
    return {
        "quarter": quarter, "scope": scope, "scope_message": message, "error": error,
        "quarters": recent_quarters(today(), 12)[::-1], "today": today(),
        "base_args": {"quarter": str(quarter), **scope.args()} if quarter else scope.args(),
        "towns": _towns() if scope.can_choose else [],
    }


def _towns():
    return db.session.execute(select(Town.id, Town.name).order_by(Town.code)).all()


def _coverage_page(printing: bool):
    require_report(COVERAGE)
    scope, message = report_scope(current_user, request.args, COVERAGE)
    try:
        quarter = quarter_from_args(request.args, today())
    except PeriodError as exc:
        return render_template("reports/coverage.html", printing=printing,
                               **_selector_context(None, scope, message, str(exc))), 400
    report = build(quarter, scope, today())
    context = _selector_context(quarter, scope, message)
    context.update(report=report, printing=printing, figures=report.headline(), rank_preview=RANK_PREVIEW,
                   back_url=url_for("reports.coverage", **context["base_args"]))
    if scope.liaison_id is not None:
        context["pairs"] = records(report.named(report.pair_rows("owed")))
        return render_template("reports/coverage_card.html", **context)
    by_town = report.breakdown("town")
    ranking = report.liaison_ranking()
    context.update(
        by_town=records(by_town), by_level=records(report.breakdown("level")),
        by_industry=records(report.breakdown("industry")), by_tag=records(report.breakdown("tag")),
        ranking=records(ranking.head(RANK_PREVIEW)), ranking_total=len(ranking),
        no_liaison=records(report.named(report.enterprise_rows("no_liaison").head(GAP_PREVIEW))),
        due=records(report.named(report.pair_rows("due").head(GAP_PREVIEW))),
        show_phone=scope.phones.any,
        town_chart=_town_chart(by_town, context["base_args"], scope.can_choose),
    )
    missed_report = missed_pairs_report(report)
    context.update(missed_quarter=missed_report.quarter, missed_count=len(missed_report.pair_rows("missed")),
                   missed=records(missed_report.named(missed_report.pair_rows("missed").head(GAP_PREVIEW))))
    return render_template("reports/coverage.html", **context)


def _town_chart(by_town, base_args: dict, linked: bool):
    """Pair coverage per town as bars; each bar opens the town's pairs when the user may choose towns."""
    bars = []
    for row in by_town.to_dict("records"):
        owed = row["owed"]
        rate = row["rate"] * 100 if owed else None
        text = f"{rate:.1f}%（{row['visited']}/{owed}）" if owed else ""
        href = url_for("reports.coverage_pairs", status="owed", **{**base_args, "town": row["key"]}) if linked else ""
        bars.append(charts.Bar(row["label"], rate, text, href))
    return charts.bar_chart(_("各乡镇/园区走访覆盖率"), bars)


@bp.route("/coverage/liaisons")
@login_required
def coverage_liaisons():
    """The whole liaison ranking, a page at a time (the report page shows the first ones)."""
    require_report(COVERAGE)
    scope, message = report_scope(current_user, request.args, COVERAGE)
    try:
        quarter = quarter_from_args(request.args, today())
    except PeriodError as exc:
        return render_template("reports/coverage_liaisons.html", printing=False,
                               **_selector_context(None, scope, message, str(exc))), 400
    report = build(quarter, scope, today(), with_enterprises=False)
    context = _selector_context(quarter, scope, message)
    context.update(page=frame_page(report.liaison_ranking()), show_phone=scope.phones.any,
                   printing=False)
    return render_template("reports/coverage_liaisons.html", **context)


@bp.route("/coverage/enterprises")
@login_required
def coverage_enterprises():
    """The enterprises behind an enterprise figure: ?status=all|visited|due|missed|no_liaison."""
    return _drilldown("enterprises", ENTERPRISE_STATUSES, "all")


@bp.route("/coverage/pairs")
@login_required
def coverage_pairs():
    """The pairs behind a pair figure: ?status=owed|visited|due|missed (&liaison=)."""
    return _drilldown("pairs", PAIR_STATUSES, "owed")


def _drilldown(kind: str, statuses, default: str):
    require_report(COVERAGE)
    scope, message = report_scope(current_user, request.args, COVERAGE)
    status = request.args.get("status", default)
    try:
        quarter = quarter_from_args(request.args, today())
        if status not in statuses:
            raise PeriodError(_("未知的统计口径“%(status)s”。", status=status[:20]))
    except PeriodError as exc:
        return render_template("reports/coverage_list.html", kind=kind, printing=False,
                               **_selector_context(None, scope, message, str(exc))), 400
    if kind == "enterprises" and scope.liaison_id is not None:
        kind = "pairs"  # a liaison's card lists pairs only
        status = "owed" if status == "all" else status if status in PAIR_STATUSES else "owed"
    report = build(quarter, scope, today())
    filters = Filters.from_args(request.args)
    frame = report.enterprise_rows(status, filters) if kind == "enterprises" else report.pair_rows(status, filters)
    context = _selector_context(quarter, scope, message)
    context.update(kind=kind, status=status, status_text=status_label(status), filters=filters,
                   filter_labels=_filter_labels(report, filters), page=frame_page(frame, report.named),
                   show_phone=scope.phones.any, report=report, printing=False)
    return render_template("reports/coverage_list.html", **context)


def _filter_labels(report, filters: Filters) -> list[str]:
    labels = []
    if filters.level is not None:
        labels.append(report.key_label("level", filters.level))
    if filters.industry is not None:
        labels.append(report.key_label("industry", filters.industry))
    if filters.tag is not None:
        labels.append(report.key_label("tag", filters.tag) or _("未知标签"))
    if filters.liaison is not None:
        names = report.liaisons.loc[report.liaisons["liaison_id"] == filters.liaison, "liaison_name"]
        labels.append(names.iloc[0] if len(names) else _("未知包保人"))
    return labels


@bp.route("/coverage.xlsx")
@login_required
def coverage_export():
    require_report(COVERAGE)
    scope, _message = report_scope(current_user, request.args, COVERAGE)
    try:
        quarter = quarter_from_args(request.args, today())
    except PeriodError as exc:
        return render_template("reports/coverage.html", printing=False,
                               **_selector_context(None, scope, None, str(exc))), 400
    report = build(quarter, scope, today())
    content = coverage_workbook(report, missed_pairs_report(report), show_phone=scope.phones.any)
    audit.record("export", "report", None, changes={
        "report": "coverage", "period": str(quarter), "scope": scope.label, "format": "xlsx"})
    db.session.commit()
    return xlsx_response(content, f"coverage-{quarter}.xlsx")

