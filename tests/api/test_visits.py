"""/visits: a mobile client logs visits idempotently, with the phone form's rules; edits need the
current ETag; each role sees the visits it sees on the pages."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.requests.categories import ensure_default_categories
from crm.requests.models import Request
from crm.visits.models import Policy, Visit
from tests import factories

TODAY = date(2026, 11, 24)


@pytest.fixture
def world(app, users, town, make_user, today):
    today(TODAY)
    colleague = make_user(Role.LIAISON, login="lina", name="李娜", town=town)
    ent = factories.enterprise(town, name="上海海联海洋装备有限公司")
    stranger = factories.enterprise(town, name="无关企业有限公司")
    factories.assign(users[Role.LIAISON], ent, start_on=date(2025, 1, 1))
    factories.assign(colleague, ent, start_on=date(2025, 1, 1), role="assisting")
    factories.assign(colleague, stranger, start_on=date(2025, 1, 1))
    categories = {c.name: c for c in ensure_default_categories()}
    policy = Policy(title="稳岗补贴")
    db.session.add(policy)
    db.session.commit()
    return {"ent": ent, "stranger": stranger, "colleague": colleague, "categories": categories,
            "policy": policy}


@pytest.fixture
def mobile(api_as, users, world):
    return api_as(users[Role.LIAISON], "write", name="政务微信")


def _visit(world, **over) -> dict:
    body = {
        "enterprise_id": world["ent"].id, "visited_on": "2026-11-24", "mode": "onsite",
        "liaison_ids": [world["colleague"].id], "people_met": "张总（总经理）",
        "policy_ids": [world["policy"].id], "findings": "生产经营正常，订单饱满。",
        "problems": [
            {"title": "咨询研发费用加计扣除", "category_id": world["categories"]["政策咨询"].id,
             "answered_on_site": True, "answer": "已现场讲解政策口径。"},
            {"title": "招工难", "category_id": world["categories"]["人才用工"].id,
             "description": "缺技术工人 20 名"},
        ],
    }
    body.update(over)
    return body


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_mobile_client_logs_a_visit_idempotently(mobile, world, users):
    key = {"Idempotency-Key": "0b6f1c9e-visit-0001"}
    first = mobile.post("/visits", json=_visit(world), headers=key)
    assert first.status_code == 201, first.json
    retry = mobile.post("/visits", json=_visit(world), headers=key)
    assert retry.status_code == 201 and retry.json["id"] == first.json["id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert _count(Visit) == 1 and _count(Request) == 2
    visit = first.json
    assert first.headers["Location"].endswith(f"/api/v1/visits/{visit['id']}")
    assert {li["name"] for li in visit["liaisons"]} == {users[Role.LIAISON].name, "李娜"}
    assert [r["state"] for r in visit["requests"]] == ["answered_on_site", "submitted"]
    assert visit["policies"] == [{"id": world["policy"].id, "title": "稳岗补贴"}]
    labels = {e.actor_label for e in db.session.scalars(select(AuditEntry))
              if e.object_type in ("visit", "request")}
    assert labels == {"api:政务微信"}
    # A different key is a different visit (the same liaison may visit twice).
    other = mobile.post("/visits", json=_visit(world, problems=[]), headers={"Idempotency-Key": "second-visit-0002"})
    assert other.status_code == 201 and other.json["id"] != visit["id"]


def test_same_key_from_another_client_is_not_a_replay(mobile, world, users, api_as):
    key = {"Idempotency-Key": "shared-key-12345"}
    assert mobile.post("/visits", json=_visit(world, problems=[]), headers=key).status_code == 201
    other = api_as(users[Role.LIAISON], "write", name="另一个客户端")
    second = other.post("/visits", json=_visit(world, problems=[]), headers=key)
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert _count(Visit) == 2


@pytest.mark.parametrize("change, field", [
    ({"visited_on": "2026-11-25"}, "visited_on"),                       # in the future
    ({"visited_on": "2025-12-31"}, "visited_on"),                       # before the previous quarter
    ({"findings": None, "policy_ids": [], "problems": []}, "findings"),  # an empty visit
    ({"findings": "长" * 2001}, "findings"),                             # over-long
    ({"policy_ids": [99999]}, "policy_ids"),                            # no such policy
    ({"liaison_ids": [1, 99999]}, "liaison_ids"),                       # not a liaison
    ({"mode": "letter"}, "mode"),
    ({"problems": [{"title": "x", "category_id": 1, "answered_on_site": True}]}, "problems.0.answer"),
    ({"problems": [{"title": "x"}]}, "problems.0.category_id"),
    ({"weather": "晴"}, "weather"),
])
def test_the_form_rules_apply(mobile, world, change, field):
    response = mobile.post("/visits", json=_visit(world, **change))
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"], response.json
    assert _count(Visit) == 0 and _count(Request) == 0


def test_only_loggers_and_only_for_their_enterprises(api_as, users, world, mobile):
    assert mobile.post("/visits", json=_visit(world, enterprise_id=world["stranger"].id)).status_code == 404
    for role in (Role.TOWN, Role.LEADER, Role.DEPARTMENT):
        assert api_as(users[role], "write").post("/visits", json=_visit(world)).status_code == 403
    reader = api_as(users[Role.LIAISON], "read")
    assert reader.post("/visits", json=_visit(world)).status_code == 403
    commission = api_as(users[Role.COMMISSION], "write")
    assert commission.post("/visits", json=_visit(world, liaison_ids=[users[Role.LIAISON].id],
                                                  problems=[])).status_code == 201


def test_edit_needs_the_current_etag_and_the_edit_window(mobile, world, users, api_as, today):
    visit = mobile.post("/visits", json=_visit(world, problems=[])).json
    # Logged on the pinned day (the edit window counts from when it was logged, a real clock).
    db.session.get(Visit, visit["id"]).created_at = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
    db.session.commit()
    path = f"/visits/{visit['id']}"
    etag = mobile.get(path).headers["ETag"]
    missing = mobile.patch(path, json={"findings": "补充：计划扩产"})
    assert missing.status_code == 422 and "If-Match" in missing.json["error"]["fields"]
    changed = mobile.patch(path, json={"findings": "补充：计划扩产"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.json["findings"] == "补充：计划扩产"
    assert changed.json["people_met"] == "张总（总经理）"  # untouched
    stale = mobile.patch(path, json={"findings": "旧版本上的修改"}, headers={"If-Match": etag})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_write"
    assert mobile.get(path).json["findings"] == "补充：计划扩产"
    edits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "edit")).all()
    assert len(edits) == 1 and edits[0].actor_label == "api:政务微信"
    today(date(2026, 12, 9))  # more than 7 days later: only the commission edits
    etag = mobile.get(path).headers["ETag"]
    assert mobile.patch(path, json={"findings": "x"}, headers={"If-Match": etag}).status_code == 403
    commission = api_as(users[Role.COMMISSION], "write")
    assert commission.patch(path, json={"mode": "phone"}, headers={"If-Match": etag}).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_visit_scope_equals_page_scope(client, login_as, users, world, api_as, role):
    liaison = api_as(users[Role.LIAISON], "write")
    own = liaison.post("/visits", json=_visit(world)).json
    colleague = api_as(world["colleague"], "write")
    other = colleague.post("/visits", json=_visit(world, enterprise_id=world["stranger"].id,
                                                  liaison_ids=[], problems=[])).json
    login_as(users[role])
    api = api_as(users[role])
    listed = {v["id"] for v in api.get("/visits").json["items"]}
    for visit in (own, other):
        page = client.get(f"/visits/{visit['id']}").status_code
        assert api.get(f"/visits/{visit['id']}").status_code == page, (role, visit["id"])
        assert (visit["id"] in listed) == (page == 200)


def test_list_filters(mobile, world):
    mobile.post("/visits", json=_visit(world, problems=[], visited_on="2026-09-30"))
    mobile.post("/visits", json=_visit(world, problems=[]))
    assert len(mobile.get("/visits?quarter=2026Q4").json["items"]) == 1
    assert len(mobile.get("/visits?quarter=2026Q3").json["items"]) == 1
    assert len(mobile.get("/visits?visited_from=2026-10-01").json["items"]) == 1
    assert mobile.get("/visits?quarter=2026Q5").status_code == 422
    assert len(mobile.get(f"/visits?liaison_id={world['colleague'].id}").json["items"]) == 2
