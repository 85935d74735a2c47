"""/reports: the district data office pulls the same figures the report pages show."""
from __future__ import annotations

import re
from datetime import date

import pytest

from crm.auth.roles import Role
from crm.db import db
from crm.org.models import Town
from crm.requests.categories import ensure_default_categories
from crm.requests.intake import create_request
from crm.requests.workflow import transition
from crm.visits.service import VisitInput, create_visit
from tests import factories

TODAY = date(2026, 11, 24)


@pytest.fixture
def district(app, users, town, department, make_user, today):
    """Two towns, a coverage gap, one visited and one due pair, requests replied and open."""
    today(TODAY)
    other = Town(code="CX", name="长兴镇")
    db.session.add(other)
    db.session.commit()
    liaison, second = users[Role.LIAISON], make_user(Role.LIAISON, login="liaison2", town=other)
    visited = factories.enterprise(town, name="已走访企业有限公司")
    due = factories.enterprise(other, name="待走访企业有限公司")
    factories.enterprise(other, name="无包保人企业有限公司")
    factories.assign(liaison, visited, start_on=date(2026, 1, 1))
    factories.assign(second, due, start_on=date(2026, 1, 1))
    create_visit(visited, VisitInput(visited_on=date(2026, 11, 2), findings="正常经营"), liaison, today=TODAY)
    category = ensure_default_categories()[0]
    for n in range(3):
        req = create_request(enterprise=visited, source="visit", category=category, title=f"诉求{n}",
                             description="内容", actor=liaison, submitted_on=date(2026, 11, 2))
        if n:
            transition(req, "assign", users[Role.COMMISSION], today=date(2026, 11, 3), lead_department=department)
            transition(req, "accept", users[Role.DEPARTMENT], today=date(2026, 11, 3))
        if n == 2:
            transition(req, "reply", users[Role.DEPARTMENT], today=date(2026, 11, 5), answer="已答复",
                       outcome="resolved")
    db.session.commit()
    return {"other": other}


def _tiles(page: str) -> dict:
    """The figures a report page shows: data-figure="name" data-value="3" (or data-rate="0.5")."""
    found = {}
    for name, kind, value in re.findall(r'data-figure="(\w+)" data-(value|rate)="([^"]*)"', page):
        if kind == "rate":
            found[name] = float(value) if value not in ("", "None") else None
        else:
            found[name] = int(value)
    return found


def _same_figures(api_figures: dict, page: str) -> None:
    tiles = _tiles(page)
    assert tiles, "no figures on the page"
    for name, value in tiles.items():
        if name in api_figures:
            assert api_figures[name] == pytest.approx(value), name


@pytest.mark.parametrize("role", [Role.COMMISSION, Role.LEADER, Role.TOWN, Role.LIAISON])
def test_coverage_equals_the_report_page(client, login_as, users, district, api_as, role):
    login_as(users[role])
    page = client.get("/reports/coverage?quarter=2026Q4")
    assert page.status_code == 200
    body = api_as(users[role]).get("/reports/coverage?quarter=2026Q4").json
    _same_figures(body["figures"], page.get_data(as_text=True))
    if role in (Role.COMMISSION, Role.LEADER):
        assert body["figures"]["listed"] == 3 and body["figures"]["no_liaison"] == 1
        assert body["figures"]["owed"] == 2 and body["figures"]["visited"] == 1
        assert body["figures"]["rate"] == 0.5 and body["scope"]["label"] == "全区"
        assert [t["town"] for t in body["by_town"]] == ["CQ", "CX"]
        assert [e["name"] for e in body["no_liaison"]] == ["无包保人企业有限公司"]
    if role is Role.TOWN:
        assert body["scope"]["town"] == "CQ" and body["figures"]["listed"] == 1
    if role is Role.LIAISON:
        assert body["scope"]["own_only"] is True and body["by_town"] == []
        assert [(li["name"], li["visited"]) for li in body["liaisons"]] == [(users[Role.LIAISON].name, 1)]


def test_coverage_town_and_quarter_choices(api_as, users, district):
    commission = api_as(users[Role.COMMISSION])
    body = commission.get("/reports/coverage?quarter=2026Q4&town=CX").json
    assert body["scope"]["town"] == "CX" and body["figures"]["listed"] == 2
    assert commission.get("/reports/coverage").json["quarter"] == "2026Q4"  # the current quarter
    assert commission.get("/reports/coverage?quarter=2027Q1").status_code == 422  # not begun
    assert commission.get("/reports/coverage?quarter=2026-11").status_code == 422  # not a quarter
    assert commission.get("/reports/coverage?town=NOPE").status_code == 422
    town_user = api_as(users[Role.TOWN]).get("/reports/coverage?town=CX").json
    assert town_user["scope"]["town"] == "CQ" and town_user["note"]  # their own town, and why


def test_requests_report_equals_the_report_page(client, login_as, users, district, api_as):
    login_as(users[Role.COMMISSION])
    page = client.get("/reports/requests?period=2026-11")
    assert page.status_code == 200
    body = api_as(users[Role.COMMISSION]).get("/reports/requests?period=2026-11").json
    _same_figures(body["figures"], page.get_data(as_text=True))
    assert body["figures"]["received"] == 3 and body["figures"]["replied"] == 1
    assert body["figures"]["on_time_rate"] == 1.0 and body["figures"]["open"] == 2
    (dept,) = body["by_department"]
    assert dept["code"] == "RSJ" and dept["received"] == 2 and dept["replied"] == 1
    assert body["period"] == "2026-11" and body["last_day"] == "2026-11-30"


def test_report_access_and_bad_periods(api_as, users, district):
    assert api_as(users[Role.DEPARTMENT]).get("/reports/coverage").status_code == 403
    assert api_as(users[Role.LIAISON]).get("/reports/requests").status_code == 403
    dept = api_as(users[Role.DEPARTMENT]).get("/reports/requests?period=2026").json
    assert dept["scope"]["department"] == "RSJ"
    bad = api_as(users[Role.COMMISSION]).get("/reports/requests?period=soon")
    assert bad.status_code == 422 and "period" in bad.json["error"]["fields"]
