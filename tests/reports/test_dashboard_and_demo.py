"""The home dashboard, and every report figure against its drill-down on the demo district."""
from __future__ import annotations

import re

import pytest

from crm.auth.roles import Role

from .conftest import all_links, figures_on, list_total, tile_hrefs

DEMO_TODAY = "2026-11-24"


def test_dashboard_links_lead_to_lists_of_the_same_size(client, login_as, make_user, coverage_world):
    login_as(make_user(Role.COMMISSION))
    page = client.get("/dashboard").get_data(as_text=True)
    figures = figures_on(page)
    assert (figures["no_liaison"], figures["visited"], figures["due"]) == ("1", "3", "5")
    assert "37.5%" in page and "堡镇" in page and "城桥镇" in page
    links = all_links(page, "/reports/")
    assert len(links) >= 8
    for href, value in links:
        assert list_total(client.get(href).get_data(as_text=True)) == int(value), href


def test_dashboard_lists_the_five_worst_departments(client, login_as, requests_world):
    login_as(requests_world["commission"])
    page = client.get("/dashboard").get_data(as_text=True)
    worst = re.search(r'data-table="worst_departments".*?</table>', page, flags=re.S).group(0)
    assert worst.index("区规划资源局") < worst.index("区人社局")  # 0% before 100%
    assert figures_on(page)["overdue"] == "1" and figures_on(page)["not_accepted"] == "1"
    for href, value in all_links(page, "/reports/requests/list"):
        assert list_total(client.get(href).get_data(as_text=True)) == int(value), href


def test_town_dashboard_shows_the_town_and_its_liaisons(client, login_as, make_user, coverage_world):
    cq, bao = coverage_world["towns"]
    login_as(make_user(Role.TOWN, town=bao))
    page = client.get("/dashboard").get_data(as_text=True)
    assert "worst_liaisons" in page and "王三" in page and "城桥" not in page.split("</nav>", 1)[1]
    assert figures_on(page)["due"] == "4"


def test_report_nav_and_index_per_role(client, login_as, make_user, coverage_world, department):
    login_as(make_user(Role.LEADER))
    assert "报表" in client.get("/dashboard").get_data(as_text=True)
    assert client.get("/reports/").headers["Location"].endswith("/reports/coverage")
    client.post("/logout")
    login_as(make_user(Role.DEPARTMENT, department=department))
    assert client.get("/reports/").headers["Location"].endswith("/reports/requests")


@pytest.fixture(scope="module")
def demo_pages():
    """Filled in by the demo test (the app fixture is function-scoped)."""
    return {}


def test_demo_district_figures_equal_drilldowns(app, client, login_as):
    from sqlalchemy import select

    from crm.auth.models import User
    from crm.db import db

    result = app.test_cli_runner().invoke(args=["crm", "demo", "--today", DEMO_TODAY])
    assert result.exit_code == 0, result.output
    app.config["CRM_TODAY"] = DEMO_TODAY
    commission = db.session.scalar(select(User).where(User.login == "commission1"))
    login_as(commission, password="demo-2026-pass")
    checked = 0
    for path in ("/reports/coverage", "/reports/coverage?quarter=2026Q3", "/reports/requests?period=2026Q4",
                 "/reports/requests?period=2026", "/dashboard"):
        page = client.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        figures = figures_on(text)
        if "coverage" in path:
            assert int(figures["owed"]) > 0 and int(figures["listed"]) > 0
        links = all_links(text, "/reports/")
        tiles = [(h, v) for h, v in links if h in tile_hrefs(text)]
        # Every tile, and a spread of the table cells (each list request recomputes its report).
        sample = tiles + links[::max(len(links) // 12, 1)]
        for href, value in sample:
            listing = client.get(href)
            assert listing.status_code == 200, href
            assert list_total(listing.get_data(as_text=True)) == int(value), href
            checked += 1
    assert checked > 40
    xlsx = client.get("/reports/coverage.xlsx")
    assert xlsx.status_code == 200 and len(xlsx.data) > 5000
