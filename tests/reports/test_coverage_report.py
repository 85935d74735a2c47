"""The coverage report on a hand-built district: figures with known answers, drill-downs, scopes."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from crm.auth.roles import Role
from crm.permissions.reports import ReportScope
from crm.reports.coverage_report import Filters, build
from crm.visits.quarters import Quarter

from .conftest import TODAY, all_links, figures_on, list_total

Q4, Q3 = Quarter(2026, 4), Quarter(2026, 3)


def test_current_quarter_headline_figures(coverage_world):
    figures = build(Q4, ReportScope(), TODAY).headline()
    assert figures == {
        "listed": 8, "no_liaison": 1, "ent_visited": 2, "ent_rate": 2 / 8,
        "owed": 8, "visited": 3, "due": 5, "missed": 0, "rate": 3 / 8,
    }


def test_past_quarter_applies_the_30_day_rule(coverage_world):
    report = build(Q3, ReportScope(), TODAY)
    assert report.headline() == {
        "listed": 7, "no_liaison": 2, "ent_visited": 1, "ent_rate": 1 / 7,
        "owed": 6, "visited": 1, "due": 0, "missed": 5, "rate": 1 / 6,
    }
    ents = coverage_world["enterprises"]
    owed = set(report.pair_rows("owed")["enterprise_id"])
    assert ents[6].id in owed            # assigned 30 days of the quarter: owes
    assert ents[7].id not in owed        # 29 days: owes nothing ...
    assert ents[7].id in set(report.enterprise_rows("no_liaison")["enterprise_id"])  # ... so it is a gap
    assert ents[8].id in set(report.enterprise_rows("visited")["enterprise_id"])     # listed 30 days
    assert ents[10].id not in set(report.enterprises["enterprise_id"])              # listed 29 days


def test_an_enterprise_delisted_before_the_quarter_is_in_no_figure(coverage_world):
    """Its liaison's assignment was never ended: the pair still owes nothing (not listed)."""
    from datetime import date

    from tests.factories import assign, enterprise

    l1, l2, l3 = coverage_world["liaisons"]
    gone = enterprise(coverage_world["towns"][1], name="已移出企业有限公司", removed_on=date(2025, 6, 1))
    assign(l3, gone)
    report = build(Q4, ReportScope(), TODAY)
    assert gone.id not in set(report.pairs["enterprise_id"]) | set(report.enterprises["enterprise_id"])
    assert report.headline()["owed"] == 8


def test_joint_visit_counts_for_each_assigned_liaison_only(coverage_world):
    l1, l2, l3 = coverage_world["liaisons"]
    ranking = build(Q4, ReportScope(), TODAY).liaison_ranking()
    rows = {r["liaison_name"]: r for r in ranking.to_dict("records")}
    assert (rows["张一"]["owed"], rows["张一"]["visited"], rows["张一"]["rank"]) == (2, 2, 1)
    assert (rows["李二"]["owed"], rows["李二"]["visited"], rows["李二"]["rank"]) == (2, 1, 2)
    # 王三 took part in a visit to E3, which is not theirs: no credit, and E3 stays due for 李二.
    assert (rows["王三"]["owed"], rows["王三"]["visited"], rows["王三"]["rank"]) == (4, 0, 3)
    assert list(ranking["liaison_name"]) == ["张一", "李二", "王三"]


def test_breakdowns_by_town_level_industry_and_tag(coverage_world):
    report = build(Q4, ReportScope(), TODAY)
    town = {r["label"]: r for r in report.breakdown("town").to_dict("records")}
    assert {k: town["城桥镇"][k] for k in ("listed", "no_liaison", "ent_visited", "owed", "visited", "due")} == \
        {"listed": 3, "no_liaison": 0, "ent_visited": 2, "owed": 4, "visited": 3, "due": 1}
    assert {k: town["堡镇"][k] for k in ("listed", "no_liaison", "ent_visited", "owed", "visited", "due")} == \
        {"listed": 5, "no_liaison": 1, "ent_visited": 0, "owed": 4, "visited": 0, "due": 4}
    level = {r["key"]: (r["listed"], r["owed"], r["visited"]) for r in report.breakdown("level").to_dict("records")}
    assert level == {"district": (2, 2, 1), "town": (6, 6, 2)}
    industry = {r["label"]: r["listed"] for r in report.breakdown("industry").to_dict("records")}
    assert industry == {"C 制造业": 2, "I 信息传输、软件和信息技术服务业": 3, "未填写": 3}
    tag = report.breakdown("tag").to_dict("records")
    assert [(r["label"], r["listed"], r["ent_visited"]) for r in tag] == [("专精特新", 1, 1)]


def test_gap_lists_sorted_by_days_left_and_filters(coverage_world):
    report = build(Q4, ReportScope(), TODAY)
    due = report.pair_rows("due")
    assert len(due) == 5 and set(due["days_left"]) == {37}
    l3 = coverage_world["liaisons"][2]
    assert len(report.pair_rows("due", Filters(liaison=l3.id))) == 4
    assert len(report.pair_rows("owed", Filters(level="district"))) == 2
    assert list(report.named(report.enterprise_rows("no_liaison"))["name"]) == ["堡镇九号有限公司"]


def test_a_quarter_without_data_says_so(coverage_world, client, login_as, make_user):
    login_as(make_user(Role.COMMISSION))
    page = client.get("/reports/coverage?quarter=2020Q1").get_data(as_text=True)
    assert "data-no-data" in page and "没有可统计的走访覆盖数据" in page
    assert figures_on(page) == {}


@pytest.fixture
def commission(make_user, login_as, coverage_world):
    return login_as(make_user(Role.COMMISSION, mobile="13900000000"))


def test_page_shows_the_figures_and_each_equals_its_drilldown(client, commission):
    page = client.get("/reports/coverage?quarter=2026Q4").get_data(as_text=True)
    figures = figures_on(page)
    assert {k: figures[k] for k in ("listed", "no_liaison", "ent_visited", "owed", "visited", "due", "days_left")} == \
        {"listed": "8", "no_liaison": "1", "ent_visited": "2", "owed": "8", "visited": "3", "due": "5", "days_left": "37"}
    assert "37.5%" in page  # 3 / 8
    links = all_links(page, "/reports/coverage/")
    assert len(links) > 20
    for href, value in links:
        listing = client.get(href)
        assert listing.status_code == 200, href
        assert list_total(listing.get_data(as_text=True)) == int(value), href


def test_missed_pairs_of_last_quarter_are_listed_with_phones_for_the_commission(client, commission):
    page = client.get("/reports/coverage?quarter=2026Q4").get_data(as_text=True)
    assert "2026年第三季度未走访" in page
    links = [(h, v) for h, v in all_links(page, "/reports/coverage/pairs") if "quarter=2026Q3" in h]
    assert links and links[0][1] == "5"
    listing = client.get(links[0][0]).get_data(as_text=True)
    assert list_total(listing) == 5 and "13800000001" in listing


def test_town_user_sees_their_town_only(client, login_as, make_user, coverage_world):
    cq, bao = coverage_world["towns"]
    login_as(make_user(Role.TOWN, town=cq))
    page = client.get(f"/reports/coverage?quarter=2026Q4&town={bao.id}").get_data(as_text=True)
    assert "您只能查看本乡镇（城桥镇）的报表" in page
    assert {k: v for k, v in figures_on(page).items() if k in ("listed", "owed", "visited")} == \
        {"listed": "3", "owed": "4", "visited": "3"}
    assert "堡镇" not in page.split("</nav>", 1)[1]
    # A coordinator calls the liaisons of their own town (crm.permissions.liaisons).
    assert "13800000001" in page and "13800000003" not in page
    for href, value in all_links(page, "/reports/coverage/"):
        listing = client.get(href).get_data(as_text=True)
        assert list_total(listing) == int(value)
        assert "堡镇" not in listing.split("</nav>", 1)[1]


def test_liaison_sees_their_own_card_only(client, login_as, coverage_world):
    l1, l2, l3 = coverage_world["liaisons"]
    login_as(l2)
    page = client.get("/reports/coverage?quarter=2026Q4").get_data(as_text=True)
    assert "我的走访覆盖" in page
    assert {k: figures_on(page)[k] for k in ("owed", "visited", "due")} == {"owed": "2", "visited": "1", "due": "1"}
    assert "城桥二号有限公司" in page and "城桥三号有限公司" in page
    assert "城桥一号有限公司" not in page and "堡镇" not in page
    # A drill-down never widens: other people's pairs do not appear, whatever the URL says.
    listing = client.get(f"/reports/coverage/pairs?quarter=2026Q4&status=owed&liaison={l1.id}").get_data(as_text=True)
    assert list_total(listing) == 0
    listing = client.get("/reports/coverage/enterprises?quarter=2026Q4&status=no_liaison").get_data(as_text=True)
    assert "堡镇九号有限公司" not in listing


def test_department_users_cannot_open_the_coverage_report(client, login_as, make_user, department, coverage_world):
    login_as(make_user(Role.DEPARTMENT, department=department))
    assert client.get("/reports/coverage").status_code == 403


@pytest.mark.parametrize("bad,message", [
    ("2026Q9", "无法识别的期间"),
    ("abc", "无法识别的期间"),
    ("2027Q1", "还没有开始"),
    ("2026-11", "按季度统计"),
    ("1999Q4", "太早"),
])
def test_bad_quarters_get_a_message_not_a_500(client, commission, bad, message):
    response = client.get(f"/reports/coverage?quarter={bad}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert client.get(f"/reports/coverage/pairs?quarter={bad}").status_code == 400
    assert client.get(f"/reports/coverage.xlsx?quarter={bad}").status_code == 400


def test_unknown_status_in_a_drilldown_is_a_message(client, commission):
    response = client.get("/reports/coverage/pairs?quarter=2026Q4&status=nonsense")
    assert response.status_code == 400 and "未知的统计口径" in response.get_data(as_text=True)


def test_print_view_has_no_navigation(client, commission):
    page = client.get("/reports/coverage/print?quarter=2026Q4").get_data(as_text=True)
    assert "app-navbar" not in page and "print.css" in page and "<svg" in page
    assert "走访覆盖率报表" in page


def test_links_keep_period_and_scope_in_the_url(client, commission, coverage_world):
    cq, bao = coverage_world["towns"]
    page = client.get(f"/reports/coverage?quarter=2026Q3&town={bao.id}").get_data(as_text=True)
    for href, _value in all_links(page, "/reports/coverage/"):
        query = parse_qs(urlparse(href).query)
        assert query["town"] == [str(bao.id)]
        assert query["quarter"] in (["2026Q3"], ["2026Q2"])


def test_the_whole_liaison_ranking_pages_and_its_links_agree(client, commission):
    page = client.get("/reports/coverage/liaisons?quarter=2026Q4").get_data(as_text=True)
    assert list_total(page) == 3
    assert page.index("张一") < page.index("李二") < page.index("王三")
    for href, value in all_links(page, "/reports/coverage/pairs"):
        assert list_total(client.get(href).get_data(as_text=True)) == int(value), href
