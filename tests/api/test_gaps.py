"""Integration gaps: delist/relist, /me, /users and the coverage pairs, each as the pages have them."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Assignment
from crm.org.models import Town
from crm.visits.service import VisitInput, create_visit
from tests import factories

TODAY = date(2026, 11, 24)


@pytest.fixture
def listed(app, users, town, today):
    today(TODAY)
    ent = factories.enterprise(town, name="海洋装备有限公司")
    factories.assign(users[Role.LIAISON], ent)
    return ent


def test_delist_ends_assignments_shows_on_page_and_is_audited(api_as, users, listed, client, login_as):
    api = api_as(users[Role.COMMISSION], "write")
    r = api.post(f"/enterprises/{listed.id}/actions/delist", json={"reason": "迁出本区"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["listed"] is False and r.json["liaisons"] == []
    assert r.json["list_periods"][-1]["removed_on"] == TODAY.isoformat()
    assert r.json["list_periods"][-1]["removed_reason"] == "迁出本区"
    (a,) = db.session.scalars(select(Assignment).where(Assignment.enterprise_id == listed.id))
    assert a.end_on == TODAY
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "remove"))
    assert entry.object_id == listed.id and entry.reason == "迁出本区"
    assert entry.actor_label.startswith("api:")
    login_as(users[Role.COMMISSION])
    page = client.get(f"/enterprises/{listed.id}").get_data(as_text=True)
    assert "已移出清单" in page and "迁出本区" in page


def test_delist_keeping_assignments_then_relist(api_as, users, listed):
    api = api_as(users[Role.COMMISSION], "write")
    r = api.post(f"/enterprises/{listed.id}/actions/delist",
                 json={"reason": "暂停", "removed_on": "2026-11-20", "end_assignments": False})
    assert r.status_code == 200 and r.json["liaisons"] != []
    again = api.post(f"/enterprises/{listed.id}/actions/delist", json={"reason": "暂停"})
    assert again.status_code == 409 and again.json["error"]["message"] == "该企业当前不在重点企业清单中"
    early = api.post(f"/enterprises/{listed.id}/actions/relist", json={"reason": "恢复", "listed_on": "2026-11-01"})
    assert early.status_code == 422 and "不能早于上次移出日期" in early.json["error"]["fields"]["listed_on"]
    back = api.post(f"/enterprises/{listed.id}/actions/relist", json={"reason": "恢复"})
    assert back.status_code == 200 and back.json["listed"] is True and len(back.json["list_periods"]) == 2
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "relist")).reason == "恢复"
    twice = api.post(f"/enterprises/{listed.id}/actions/relist", json={"reason": "恢复"})
    assert twice.status_code == 409 and twice.json["error"]["message"] == "该企业已在重点企业清单中"


def test_delist_bad_input_and_access(api_as, users, listed, make_user):
    api = api_as(users[Role.COMMISSION], "write")
    missing = api.post(f"/enterprises/{listed.id}/actions/delist", json={})
    assert missing.status_code == 422 and missing.json["error"]["fields"] == {"reason": "必填"}
    future = api.post(f"/enterprises/{listed.id}/actions/delist", json={"reason": "x", "removed_on": "2026-11-25"})
    assert future.status_code == 422 and future.json["error"]["fields"]["removed_on"] == "移出日期不能晚于今天"
    assert listed.open_period is not None  # nothing changed
    read = api_as(users[Role.COMMISSION]).post(f"/enterprises/{listed.id}/actions/delist", json={"reason": "x"})
    assert read.status_code == 403
    leader = api_as(users[Role.LEADER], "write").post(f"/enterprises/{listed.id}/actions/delist", json={"reason": "x"})
    assert leader.status_code == 403
    other = make_user(Role.TOWN, town=Town(code="CX", name="长兴镇"))
    hidden = api_as(other, "write").post(f"/enterprises/{listed.id}/actions/delist", json={"reason": "x"})
    assert hidden.status_code == 404


def test_me_is_the_token_owner(api_as, users, town):
    body = api_as(users[Role.TOWN]).get("/me").json
    assert body["login"] == "towner" and body["roles"] == ["town"]
    assert body["town"] == {"id": town.id, "code": "CQ", "name": "城桥镇"} and body["department"] is None
    assert body["can"] == {"see_everything": False, "keep_list": True, "see_liaison_phones": False}
    assert body["token"]["scope"] == "read"


def test_users_are_scoped_and_phones_masked(api_as, users, town, make_user, listed):
    other = Town(code="CX", name="长兴镇")
    far = make_user(Role.LIAISON, login="far", town=other, mobile="13900001111")
    users[Role.LIAISON].mobile = "13800002222"
    make_user(Role.LIAISON, login="gone", town=town, active=False)
    db.session.commit()
    district = api_as(users[Role.COMMISSION]).get("/users").json
    assert [u["login"] for u in district["items"]] == ["liaison", "far"]
    assert district["items"][1]["mobile"] == "13900001111" and district["phones_masked"] is False
    towner = api_as(users[Role.TOWN], "write")
    mine = towner.get("/users").json
    assert [u["login"] for u in mine["items"]] == ["liaison"]
    # The one rule for officials' phones: a town coordinator reads its own town's liaisons in full.
    assert mine["items"][0]["mobile"] == "13800002222" and mine["phones_masked"] is True
    leader = api_as(users[Role.LEADER]).get("/users").json
    assert {u["login"]: u["mobile"] for u in leader["items"]}["far"] == "139****1111"
    # What the list offers is what POST /assignments accepts.
    ent = factories.enterprise(town)
    ok = towner.post("/assignments", json={"enterprise_id": ent.id, "liaison_id": users[Role.LIAISON].id})
    assert ok.status_code == 201
    refused = towner.post("/assignments", json={"enterprise_id": ent.id, "liaison_id": far.id})
    assert refused.status_code == 422


@pytest.fixture
def pairs_world(app, users, town, make_user, today):
    """Q4 2026 (running): one visited pair in 城桥镇, one due in each town. Q3 (over): one
    visited, one missed."""
    today(TODAY)
    other = Town(code="CX", name="长兴镇")
    db.session.add(other)
    db.session.commit()
    liaison, second = users[Role.LIAISON], make_user(Role.LIAISON, login="liaison2", name="二号", town=other)
    a = factories.enterprise(town, name="甲公司")
    b = factories.enterprise(town, name="乙公司")
    c = factories.enterprise(other, name="丙公司")
    for ent, who in ((a, liaison), (b, liaison), (c, second)):
        factories.assign(who, ent, start_on=date(2026, 1, 1))
    create_visit(a, VisitInput(visited_on=date(2026, 11, 2), findings="正常"), liaison, today=TODAY)
    create_visit(b, VisitInput(visited_on=date(2026, 8, 3), findings="正常"), liaison, today=TODAY)
    db.session.commit()
    return {"a": a, "b": b, "c": c, "second": second}


def _page_rows(html: str) -> list[tuple[str, str, str]]:
    """(enterprise, town, liaison) of each row of the drill-down table."""
    return [tuple(cells[:3]) for cells in
            (re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr data-row>(.*?)</tr>", html, re.S))]


@pytest.mark.parametrize("quarter,status,expected", [
    ("2026Q4", "owed", [("甲公司", "visited"), ("乙公司", "due"), ("丙公司", "due")]),
    ("2026Q4", "due", [("乙公司", "due"), ("丙公司", "due")]),
    ("2026Q3", "missed", [("甲公司", "missed"), ("丙公司", "missed")]),
    ("2026Q3", "visited", [("乙公司", "visited")]),
])
def test_pairs_equal_the_report_list(api_as, users, pairs_world, client, login_as, quarter, status, expected):
    body = api_as(users[Role.COMMISSION]).get(f"/reports/coverage/pairs?quarter={quarter}&status={status}").json
    assert sorted((p["enterprise"]["name"], p["status"]) for p in body["items"]) == sorted(expected)
    assert body["meta"]["total"] == len(expected) and body["phones_masked"] is False
    login_as(users[Role.COMMISSION])
    html = client.get(f"/reports/coverage/pairs?quarter={quarter}&status={status}").get_data(as_text=True)
    assert _page_rows(html) == [(p["enterprise"]["name"], p["town"]["name"], p["liaison"]["name"])
                                for p in body["items"]]


def test_pairs_are_scoped_per_role(api_as, users, pairs_world, make_user):
    town_body = api_as(users[Role.TOWN]).get("/reports/coverage/pairs?quarter=2026Q4&town=CX").json
    assert {p["enterprise"]["name"] for p in town_body["items"]} == {"甲公司", "乙公司"}
    assert town_body["scope"]["town"] == "CQ" and town_body["note"] and town_body["phones_masked"] is True
    own = api_as(pairs_world["second"]).get("/reports/coverage/pairs?quarter=2026Q4").json
    assert [p["enterprise"]["name"] for p in own["items"]] == ["丙公司"] and own["scope"]["own_only"]
    assert api_as(users[Role.DEPARTMENT]).get("/reports/coverage/pairs").status_code == 403


def test_pairs_bad_input_and_paging(api_as, users, pairs_world):
    api = api_as(users[Role.COMMISSION])
    bad = api.get("/reports/coverage/pairs?status=late")
    assert bad.status_code == 422 and "status" in bad.json["error"]["fields"]
    assert api.get("/reports/coverage/pairs?quarter=2026Q9").status_code == 422
    first = api.get("/reports/coverage/pairs?quarter=2026Q4&per_page=2").json
    rest = api.get(f"/reports/coverage/pairs?quarter=2026Q4&per_page=2&cursor={first['meta']['next_cursor']}").json
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["meta"]["next_cursor"] is None
    liaison = api.get(f"/reports/coverage/pairs?quarter=2026Q4&liaison={pairs_world['second'].id}").json
    assert [p["enterprise"]["name"] for p in liaison["items"]] == ["丙公司"]
