"""The requests report on hand-built requests run through the workflow: rates with known answers."""
from __future__ import annotations

import math
from datetime import date

import pytest

from crm.auth.roles import Role
from crm.permissions.reports import ReportScope
from crm.reports.periods import Period, parse_period
from crm.reports.requests_report import RowFilter, build

from .conftest import TODAY, all_links, figures_on, list_total

NOVEMBER = Period.of_month(2026, 11)


def test_headline_figures(requests_world):
    figures = build(NOVEMBER, ReportScope(), TODAY).headline()
    assert figures == {
        "received": 9, "closed": 2, "on_site": 1, "replied": 4, "on_time": 3, "on_time_rate": 0.75,
        "resolved": 3, "resolution_rate": 0.75, "rated": 3, "satisfied": 2, "satisfaction_rate": 2 / 3,
        "open": 5, "overdue": 1, "not_accepted": 1,
    }


def test_department_measures_with_extension_escalation_and_return(requests_world):
    hr, planning = requests_world["departments"]
    table = {r["label"]: r for r in build(NOVEMBER, ReportScope(), TODAY).measures("department_id").to_dict("records")}
    a = table[hr.name]
    assert (a["received"], a["replied"], a["on_time"], a["on_time_rate"]) == (5, 3, 3, 1.0)
    assert (a["resolved"], a["resolution_rate"]) == (2, pytest.approx(2 / 3))
    assert (a["extensions"], a["returns"], a["escalations"], a["urged"]) == (1, 1, 1, 0)
    assert (a["rated"], a["satisfied"], a["satisfaction_rate"]) == (2, 1, 0.5)
    assert a["median_days"] == 4 and a["p90_days"] == pytest.approx(6.4)  # reply days 4, 4, 7
    b = table[planning.name]
    assert (b["received"], b["replied"], b["on_time"], b["on_time_rate"]) == (4, 1, 0, 0.0)
    assert (b["urged"], b["rated"], b["median_days"]) == (1, 0, 8)
    assert (b["returns"], b["escalations"]) == (2, 1)  # the second return escalated
    assert math.isnan(b["satisfaction_rate"])  # nothing rated: no rate, not 0%


def test_on_time_counts_approved_extensions_and_excludes_escalated_time(requests_world):
    report = build(NOVEMBER, ReportScope(), TODAY)
    replies = report.rows("replied").set_index("number")
    r = requests_world["requests"]
    assert bool(replies.loc[r[2].number, "on_time"])   # due 11-09, extended to 11-12, replied 11-11
    assert bool(replies.loc[r[3].number, "on_time"])   # escalated before the deadline, replied after it
    assert replies.loc[r[3].number, "days_to_reply"] == 4
    assert not bool(replies.loc[r[4].number, "on_time"])
    assert len(report.rows("late")) == 1


def test_open_overdue_not_signed_and_age_buckets(requests_world):
    report = build(NOVEMBER, ReportScope(), TODAY)
    overdue = report.rows("overdue")
    assert list(overdue["number"]) == [requests_world["requests"][5].number]
    assert int(overdue["days_overdue"].iloc[0]) == 5
    assert list(report.rows("not_accepted")["number"]) == [requests_world["requests"][6].number]
    assert report.age_buckets() == [("age_0_5", 1), ("age_6_10", 1), ("age_11_20", 3), ("age_over_20", 0)]
    states = {r["key"]: r["count"] for r in report.open_by("state").to_dict("records")}
    assert states == {"submitted": 1, "assigned": 1, "in_progress": 1, "escalated": 1, "reviewing": 1}


def test_received_by_source_and_category(requests_world):
    report = build(NOVEMBER, ReportScope(), TODAY)
    assert {r["label"]: r["count"] for r in report.received_by("source").to_dict("records")} == {"走访": 8, "电话": 1}
    assert {r["label"]: r["count"] for r in report.received_by("category_id").to_dict("records")} == \
        {"政策咨询": 8, "融资": 1}


def test_town_measures(requests_world):
    cq, bao = requests_world["towns"]
    table = {r["label"]: r for r in build(NOVEMBER, ReportScope(), TODAY).measures("town_id").to_dict("records")}
    assert (table["城桥镇"]["received"], table["城桥镇"]["replied"], table["城桥镇"]["on_time"]) == (7, 3, 3)
    assert (table["城桥镇"]["rated"], table["城桥镇"]["satisfied"]) == (3, 2)  # the on-site answer's rating too
    assert (table["堡镇"]["received"], table["堡镇"]["replied"], table["堡镇"]["urged"]) == (2, 1, 1)


def test_another_period_counts_only_its_own_events(requests_world):
    october = build(Period.of_month(2026, 10), ReportScope(), TODAY).headline()
    assert (october["received"], october["replied"], october["on_time"]) == (1, 1, 1)
    year = build(Period.of_year(2026), ReportScope(), TODAY).headline()
    assert (year["received"], year["replied"]) == (10, 5)
    custom = build(parse_period("2026-11-01..2026-11-06", TODAY), ReportScope(), TODAY).headline()
    assert (custom["received"], custom["replied"]) == (5, 1)  # R1, R2, R3, R4, R9; replied: R1 only


def test_page_figures_equal_their_drilldowns(client, login_as, requests_world):
    login_as(requests_world["commission"])
    page = client.get("/reports/requests?period=2026-11").get_data(as_text=True)
    figures = figures_on(page)
    assert {k: figures[k] for k in ("received", "closed", "replied", "on_site", "open", "overdue", "not_accepted")} == \
        {"received": "9", "closed": "2", "replied": "4", "on_site": "1", "open": "5", "overdue": "1", "not_accepted": "1"}
    assert "75.0%" in page and "66.7%" in page
    links = all_links(page, "/reports/requests/list")
    assert len(links) > 30
    for href, value in links:
        listing = client.get(href)
        assert listing.status_code == 200, href
        assert list_total(listing.get_data(as_text=True)) == int(value), href
    assert "逾期 5 个工作日" in page


def test_department_user_sees_their_department_only(client, login_as, requests_world):
    hr, planning = requests_world["departments"]
    login_as(requests_world["planning"])
    page = client.get(f"/reports/requests?period=2026-11&department={hr.id}").get_data(as_text=True)
    assert "您只能查看本部门（区规划资源局）的报表" in page
    figures = figures_on(page)
    assert (figures["received"], figures["replied"], figures["overdue"], figures["not_accepted"]) == ("4", "1", "1", "0")
    body = page.split("</nav>", 1)[1]
    assert hr.name not in body
    for href, value in all_links(page, "/reports/requests/list"):
        listing = client.get(href).get_data(as_text=True)
        assert list_total(listing) == int(value), href


def test_town_user_sees_their_towns_requests(client, login_as, make_user, requests_world):
    cq, bao = requests_world["towns"]
    login_as(make_user(Role.TOWN, town=bao))
    page = client.get("/reports/requests?period=2026-11").get_data(as_text=True)
    figures = figures_on(page)
    assert (figures["received"], figures["replied"], figures["overdue"], figures["open"]) == ("2", "1", "1", "1")
    for href, value in all_links(page, "/reports/requests/list"):
        assert list_total(client.get(href).get_data(as_text=True)) == int(value), href


def test_liaison_cannot_open_the_requests_report(client, login_as, requests_world):
    login_as(requests_world["liaison"])
    assert client.get("/reports/requests").status_code == 403
    assert client.get("/reports/requests.xlsx").status_code == 403


def test_a_period_without_requests_says_so(client, login_as, requests_world):
    login_as(requests_world["commission"])
    page = client.get("/reports/requests?period=2025-03").get_data(as_text=True)
    assert "data-no-data" in page and "没有可统计的诉求数据" in page
    assert "按时答复率" not in page.split("data-no-data", 1)[1].split("当前办理情况", 1)[0]


@pytest.mark.parametrize("query,message", [
    ("period=2026-13", "没有 13 月"),
    ("period=soon", "无法识别的期间"),
    ("period=2027", "还没有开始"),
    ("period=2026-12", "还没有开始"),
    ("period=2026-11-20..2026-11-01", "开始日期 2026-11-20 晚于结束日期 2026-11-01"),
    ("start=2026-11-20&end=2026-11-01", "晚于结束日期"),
    ("period=2026-11-01..2026-12-31", "晚于今天"),
    ("period=2026-02-30..2026-03-01", "日期 2026-02-30 不存在"),
    ("start=2026-11-01", "同时填写开始日期和结束日期"),
])
def test_bad_periods_get_a_message_not_a_500(client, login_as, requests_world, query, message):
    login_as(requests_world["commission"])
    for path in ("/reports/requests", "/reports/requests/list", "/reports/requests.xlsx"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert message in response.get_data(as_text=True), path


def test_custom_period_from_the_date_inputs(client, login_as, requests_world):
    login_as(requests_world["commission"])
    page = client.get("/reports/requests?start=2026-11-01&end=2026-11-06").get_data(as_text=True)
    assert "2026-11-01 至 2026-11-06" in page
    assert figures_on(page)["received"] == "5"


def test_unknown_kind_and_bad_filters(client, login_as, requests_world):
    login_as(requests_world["commission"])
    assert client.get("/reports/requests/list?kind=bogus").status_code == 400
    page = client.get("/reports/requests/list?period=2026-11&kind=received&source=nope&category=x").get_data(as_text=True)
    assert list_total(page) == 9


def test_row_filter_cuts(requests_world):
    hr, planning = requests_world["departments"]
    report = build(NOVEMBER, ReportScope(), TODAY)
    assert report.count("replied", RowFilter(department=planning.id)) == 1
    assert report.count("open", RowFilter(state="submitted")) == 1


def test_workday_index_agrees_with_the_calendar(app):
    """The vectorised count is the calendar's own count, holidays and make-up days included."""
    import random
    from datetime import timedelta

    import pandas as pd

    from crm.calendar.store import working_days_between
    from crm.reports.workday_index import WorkdayIndex

    rng = random.Random(6)
    first = date(2025, 12, 20)
    starts = [first + timedelta(days=rng.randrange(330)) for _ in range(300)]
    ends = [s + timedelta(days=rng.randrange(-5, 60)) for s in starts]
    a, b = pd.Series(pd.to_datetime(starts)), pd.Series(pd.to_datetime(ends))
    index = WorkdayIndex.spanning([a, b], date(2026, 11, 24))
    got = index.between(a, b)
    assert list(got) == [working_days_between(s, e) for s, e in zip(starts, ends)]
    assert pd.isna(index.between(pd.Series([pd.NaT]), b.head(1)).iloc[0])


def test_print_views_have_no_navigation(client, login_as, requests_world):
    login_as(requests_world["commission"])
    for path in ("/reports/requests/print?period=2026-11", "/reports/trends/print?by=month"):
        page = client.get(path).get_data(as_text=True)
        assert "app-navbar" not in page and "print.css" in page and "<svg" in page, path
