"""Excel workbooks hold the page's numbers; charts are self-contained SVG; exports are audited."""
from __future__ import annotations

import io
import re
from datetime import datetime

import pandas as pd
from sqlalchemy import select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.reports import charts
from crm.reports.excel import display_width

from .conftest import figures_on

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_book(response) -> dict[str, pd.DataFrame]:
    assert response.status_code == 200
    assert response.mimetype == XLSX
    return pd.read_excel(io.BytesIO(response.data), sheet_name=None, engine="calamine", header=None)


def summary(book: dict[str, pd.DataFrame]) -> dict[str, object]:
    sheet = book["汇总"]
    start = sheet.index[sheet[0] == "指标"][0]
    return dict(zip(sheet[0][start + 1:], sheet[1][start + 1:]))


def headed(book, name) -> pd.DataFrame:
    sheet = book[name]
    header_row = 2 if sheet.shape[0] > 1 and sheet.iloc[1].isna().all() else 0
    frame = sheet.iloc[header_row + 1:].reset_index(drop=True)
    frame.columns = sheet.iloc[header_row]
    return frame


def test_coverage_workbook_has_the_page_numbers(client, login_as, make_user, coverage_world):
    login_as(make_user(Role.COMMISSION))
    page = client.get("/reports/coverage?quarter=2026Q4").get_data(as_text=True)
    figures = figures_on(page)
    book = read_book(client.get("/reports/coverage.xlsx?quarter=2026Q4"))
    numbers = summary(book)
    for label, name in (("重点企业", "listed"), ("无包保人", "no_liaison"), ("已走访企业", "ent_visited"),
                        ("应走访", "owed"), ("已走访", "visited"), ("待走访", "due"), ("剩余天数", "days_left")):
        assert int(numbers[label]) == int(figures[name]), label
    assert round(float(numbers["走访覆盖率"]) * 100, 1) == 37.5
    assert int(numbers["上季度未走访"]) == 5
    assert {"按乡镇", "按级别", "按行业", "按标签", "包保人排名", "无包保人企业", "待走访", "2026Q3未走访"} <= set(book)
    towns = headed(book, "按乡镇").set_index("乡镇/园区")
    assert int(towns.loc["堡镇", "重点企业"]) == 5 and int(towns.loc["城桥镇", "已走访"]) == 3
    due = headed(book, "待走访")
    assert len(due) == 5 and "联系电话" in due.columns
    missed = headed(book, "2026Q3未走访")
    assert len(missed) == 5


def test_workbook_dates_are_dates_and_columns_have_widths(client, login_as, make_user, coverage_world):
    login_as(make_user(Role.COMMISSION))
    response = client.get("/reports/coverage.xlsx?quarter=2026Q3")
    sheets = pd.read_excel(io.BytesIO(response.data), sheet_name=None, engine="calamine")
    visited = sheets["汇总"]
    assert visited is not None
    # openpyxl reads the column widths xlsxwriter set and the number formats of date cells.
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.data))
    ranking = book["包保人排名"]
    assert ranking.column_dimensions["B"].width >= display_width("包保人") + 2
    stats = book["汇总"]
    assert stats["B4"].is_date  # 统计日期


def test_exports_are_audited_and_scoped(client, login_as, make_user, coverage_world):
    cq, bao = coverage_world["towns"]
    user = login_as(make_user(Role.TOWN, town=cq))
    book = read_book(client.get(f"/reports/coverage.xlsx?quarter=2026Q4&town={bao.id}"))
    assert int(summary(book)["重点企业"]) == 3
    assert "堡镇" not in " ".join(str(v) for frame in book.values() for v in frame.to_numpy().ravel())
    # The coordinator's own town's liaisons, with the numbers they may call.
    assert set(headed(book, "待走访")["联系电话"]) == {"13800000002"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.actor_id == user.id and entry.object_type == "report"
    assert entry.changes["report"] == "coverage" and entry.changes["period"] == "2026Q4"
    assert entry.changes["scope"] == "城桥镇"


def test_liaison_card_export(client, login_as, coverage_world):
    l1, l2, l3 = coverage_world["liaisons"]
    login_as(l3)
    book = read_book(client.get("/reports/coverage.xlsx?quarter=2026Q4"))
    assert int(summary(book)["应走访"]) == 4
    assert len(headed(book, "我的包保企业")) == 4
    assert "按乡镇" not in book


def test_requests_workbook_has_the_page_numbers(client, login_as, requests_world):
    login_as(requests_world["commission"])
    page = client.get("/reports/requests?period=2026-11").get_data(as_text=True)
    figures = figures_on(page)
    book = read_book(client.get("/reports/requests.xlsx?period=2026-11"))
    numbers = summary(book)
    assert int(numbers["受理"]) == int(figures["received"]) == 9
    assert int(numbers["部门答复"]) == int(figures["replied"]) == 4
    assert float(numbers["按时答复率"]) == 0.75 and "75.0%" in page
    assert round(float(numbers["满意率"]) * 100, 1) == 66.7
    assert int(numbers["已逾期（截至今天）"]) == int(figures["overdue"]) == 1
    departments = headed(book, "部门统计").set_index("部门")
    assert int(departments.loc["区人社局", "答复"]) == 3 and float(departments.loc["区人社局", "按时答复率"]) == 1.0
    assert float(departments.loc["区人社局", "答复用时中位数（工作日）"]) == 4
    overdue = headed(book, "逾期诉求")
    assert len(overdue) == 1 and int(overdue["逾期工作日"].iloc[0]) == 5
    assert isinstance(overdue["办理时限"].iloc[0], datetime)  # a real date, not text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.changes == {"report": "requests", "period": "2026-11", "scope": "全区", "format": "xlsx"}


def test_trends_workbook_and_page(client, login_as, requests_world):
    login_as(requests_world["commission"])
    page = client.get("/reports/trends?by=month").get_data(as_text=True)
    assert "<svg" in page and "2026-11" in page
    book = read_book(client.get("/reports/trends.xlsx?by=month"))
    trend = headed(book, "趋势")
    assert len(trend) == 12
    last = trend.iloc[-1]
    assert int(last["受理"]) == 9 and float(last["按时答复率"]) == 0.75
    quarters = client.get("/reports/trends").get_data(as_text=True)
    assert "走访覆盖率" in quarters and "2026Q4" in quarters


def test_charts_have_no_external_reference_and_escape_labels(client, login_as, make_user, coverage_world):
    login_as(make_user(Role.COMMISSION))
    pages = [client.get(p).get_data(as_text=True) for p in
             ("/reports/coverage?quarter=2026Q4", "/reports/coverage/print?quarter=2026Q4", "/reports/trends", "/")]
    for page in pages:
        for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
            without_ns = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
            assert "http" not in without_ns and "<script" not in without_ns and "style=" not in without_ns
            assert "href=\"//" not in without_ns
    assert "城桥镇" in re.search(r"<svg class=\"report-chart.*?</svg>", pages[0], flags=re.S).group(0)
    chart = charts.bar_chart("<标题>", [charts.Bar("<b>镇</b>", 50.0)])
    assert "<b>" not in chart and "&lt;b&gt;镇" in chart
    line = charts.line_chart("趋势", ["2026Q3", "2026Q4"], [charts.Series("满意率", [None, 80.0])])
    assert "无数据" not in line and "80.0%" in line
