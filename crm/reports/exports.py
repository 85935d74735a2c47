"""The reports as Excel workbooks: the same frames and figures as the pages, Chinese headers."""
from __future__ import annotations

from urllib.parse import quote

import pandas as pd
from flask import Response
from flask_babel import gettext as _

from crm.reports.coverage_report import CoverageReport, status_label
from crm.reports.excel import Sheet, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "no-store"
    return response


def headline_items(figures: dict, days_left: int | None = None) -> list[tuple[str, object]]:
    items = [
        (_("重点企业"), figures["listed"]),
        (_("无包保人"), figures["no_liaison"]),
        (_("已走访企业"), figures["ent_visited"]),
        (_("企业覆盖率"), figures["ent_rate"]),
        (_("应走访"), figures["owed"]),
        (_("已走访"), figures["visited"]),
        (_("待走访"), figures["due"]),
        (_("未走访"), figures["missed"]),
        (_("走访覆盖率"), figures["rate"]),
    ]
    if days_left is not None:
        items.append((_("剩余天数"), days_left))
    return items


def coverage_workbook(report: CoverageReport, missed: CoverageReport, show_phone: bool) -> bytes:
    q = report.quarter
    meta = [(_("季度"), q.label), (_("范围"), report.scope.label), (_("统计日期"), report.today)]
    summary = headline_items(report.headline(), report.days_left)
    if missed is not report:
        summary.append((_("上季度未走访"), len(missed.pair_rows("missed"))))
    sheets: list[Sheet] = []
    if report.scope.liaison_id is None:
        for dimension, title, header in (("town", _("按乡镇"), _("乡镇/园区")), ("level", _("按级别"), _("级别")),
                                         ("industry", _("按行业"), _("行业")), ("tag", _("按标签"), _("标签"))):
            sheets.append(_breakdown_sheet(report, dimension, title, header))
        sheets.append(_ranking_sheet(report, show_phone))
        sheets.append(Sheet(_("无包保人企业"), _enterprise_table(report.named(report.enterprise_rows("no_liaison"))),
                            empty_note=_("没有无包保人的企业。")))
    if not report.is_over:
        sheets.append(Sheet(_("待走访"), _pair_table(report.named(report.pair_rows("due")), show_phone, days_left=True),
                            empty_note=_("本季度应走访的已全部走访。")))
    sheets.append(Sheet(_("%(quarter)s未走访", quarter=str(missed.quarter)),
                        _pair_table(missed.named(missed.pair_rows("missed")), show_phone),
                        empty_note=_("没有未走访的包保关系。")))
    if report.scope.liaison_id is not None:
        sheets.append(Sheet(_("我的包保企业"), _pair_table(report.named(report.pair_rows("owed")), False, status=True)))
    rates = [_("企业覆盖率"), _("走访覆盖率")]
    return workbook(_("走访覆盖率报表"), meta, summary, sheets, summary_name=_("汇总"),
                    item_header=_("指标"), value_header=_("数值"), percent_items=rates)


def _breakdown_sheet(report: CoverageReport, dimension: str, title: str, header: str) -> Sheet:
    table = report.breakdown(dimension)
    frame = pd.DataFrame({
        header: table["label"],
        _("重点企业"): table["listed"], _("无包保人"): table["no_liaison"],
        _("已走访企业"): table["ent_visited"], _("企业覆盖率"): table["ent_rate"],
        _("应走访"): table["owed"], _("已走访"): table["visited"], _("待走访"): table["due"],
        _("未走访"): table["missed"], _("走访覆盖率"): table["rate"],
    })
    return Sheet(title, frame, percent=[_("企业覆盖率"), _("走访覆盖率")], empty_note=_("没有数据。"))


def _ranking_sheet(report: CoverageReport, show_phone: bool) -> Sheet:
    table = report.liaison_ranking()
    columns = {_("排名"): table["rank"], _("包保人"): table["liaison_name"], _("所属乡镇"): table["town_name"]}
    if show_phone:
        columns[_("联系电话")] = table["liaison_mobile"]
    columns.update({_("应走访"): table["owed"], _("已走访"): table["visited"], _("待走访"): table["due"],
                    _("未走访"): table["missed"], _("走访覆盖率"): table["rate"]})
    return Sheet(_("包保人排名"), pd.DataFrame(columns), percent=[_("走访覆盖率")], empty_note=_("没有数据。"))


def _enterprise_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        _("企业名称"): rows["name"], _("统一社会信用代码"): rows["credit_code"],
        _("乡镇/园区"): rows["town_name"], _("级别"): rows["level"].map(_level),
        _("最近走访"): rows["last_visit_on"],
    })


def _pair_table(rows: pd.DataFrame, show_phone: bool, days_left: bool = False,
                status: bool = False) -> pd.DataFrame:
    columns = {_("企业名称"): rows["name"], _("统一社会信用代码"): rows["credit_code"],
               _("乡镇/园区"): rows["town_name"], _("包保人"): rows["liaison_name"]}
    if show_phone:
        columns[_("联系电话")] = rows["liaison_mobile"]
    if status:
        columns[_("状态")] = rows["status"].map(status_label)
    if days_left:
        columns[_("剩余天数")] = rows["days_left"]
    columns[_("最近走访")] = rows["last_visit_on"]
    return pd.DataFrame(columns)


def _level(value) -> str:
    from crm.enterprises.models import LEVEL_LABELS

    return str(LEVEL_LABELS.get(value, value or ""))


def measure_columns(table: pd.DataFrame, first_header: str, received_header: str) -> pd.DataFrame:
    """The per-department / per-town table with its Chinese headers (the page's columns)."""
    return pd.DataFrame({
        first_header: table["label"], received_header: table["received"],
        _("答复"): table["replied"], _("按时答复"): table["on_time"], _("按时答复率"): table["on_time_rate"],
        _("答复用时中位数（工作日）"): table["median_days"], _("答复用时90分位（工作日）"): table["p90_days"],
        _("获批延期"): table["extensions"], _("退回"): table["returns"], _("上报协调"): table["escalations"],
        _("被催办"): table["urged"], _("已解决"): table["resolved"], _("解决率"): table["resolution_rate"],
        _("评价数"): table["rated"], _("满意评价"): table["satisfied"], _("满意率"): table["satisfaction_rate"],
    })


MEASURE_RATES = ("按时答复率", "解决率", "满意率")


def request_items(figures: dict) -> list[tuple[str, object]]:
    return [
        (_("受理"), figures["received"]), (_("办结"), figures["closed"]), (_("现场答复"), figures["on_site"]),
        (_("部门答复"), figures["replied"]), (_("按时答复"), figures["on_time"]),
        (_("按时答复率"), figures["on_time_rate"]), (_("已解决"), figures["resolved"]),
        (_("解决率"), figures["resolution_rate"]), (_("评价数"), figures["rated"]),
        (_("满意评价"), figures["satisfied"]), (_("满意率"), figures["satisfaction_rate"]),
        (_("未办结（截至今天）"), figures["open"]), (_("已逾期（截至今天）"), figures["overdue"]),
        (_("未签收（截至今天）"), figures["not_accepted"]),
    ]


def requests_workbook(report) -> bytes:
    from crm.reports.requests_report import kind_label

    meta = [(_("期间"), report.period.label), (_("起止日期"), f"{report.period.start} ~ {report.period.last_day}"),
            (_("范围"), report.scope.label), (_("统计日期"), report.today)]
    rates = [_(name) for name in MEASURE_RATES]
    count_header = _("件数")
    sheets = [
        Sheet(_("按来源"), _keyed(report.received_by("source"), _("来源"), count_header), empty_note=_("本期没有受理诉求。")),
        Sheet(_("按类别"), _keyed(report.received_by("category_id"), _("类别"), count_header),
              empty_note=_("本期没有受理诉求。")),
        Sheet(_("未办结按状态"), _keyed(report.open_by("state"), _("状态"), count_header), empty_note=_("没有未办结诉求。")),
        Sheet(_("未办结按牵头部门"), _keyed(report.open_by("department_id"), _("牵头部门"), count_header),
              empty_note=_("没有未办结诉求。")),
        Sheet(_("未办结时长"), pd.DataFrame({_("已受理时长"): [kind_label(k) for k, _n in report.age_buckets()],
                                         count_header: [n for _k, n in report.age_buckets()]})),
        Sheet(_("部门统计"), measure_columns(report.measures("department_id"), _("部门"), _("收到（交办）")),
              percent=rates, empty_note=_("本期没有部门办理数据。")),
        Sheet(_("乡镇统计"), measure_columns(report.measures("town_id"), _("乡镇/园区"), _("受理")),
              percent=rates, empty_note=_("本期没有乡镇数据。")),
        Sheet(_("逾期诉求"), _request_table(report, report.rows("overdue"), overdue=True), empty_note=_("没有逾期诉求。")),
        Sheet(_("未签收诉求"), _request_table(report, report.rows("not_accepted")), empty_note=_("没有未签收诉求。")),
    ]
    return workbook(_("诉求办理报表"), meta, request_items(report.headline()), sheets, summary_name=_("汇总"),
                    item_header=_("指标"), value_header=_("数值"), percent_items=rates)


def _keyed(table: pd.DataFrame, label_header: str, count_header: str) -> pd.DataFrame:
    return pd.DataFrame({label_header: table["label"] if len(table) else [],
                         count_header: table["count"] if len(table) else []})


def _request_table(report, rows: pd.DataFrame, overdue: bool = False) -> pd.DataFrame:
    columns = {
        _("受理编号"): rows["number"], _("企业"): rows["enterprise_name"], _("标题"): rows["title"],
        _("类别"): rows["category_id"].map(report.categories),
        _("牵头部门"): rows["lead_department_id"].map(report.departments),
        _("受理日期"): rows["submitted_on"].dt.date, _("交办日期"): rows["assigned_on"].dt.date,
        _("办理时限"): rows["deadline"].dt.date,
    }
    if overdue:
        columns[_("逾期工作日")] = rows["days_overdue"]
    return pd.DataFrame(columns)
