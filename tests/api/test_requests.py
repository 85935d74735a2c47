"""/requests: register, read, every workflow action with the pages' role checks, stale writes,
synchronisation; /public/requests for forwarding channels."""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db, utcnow
from crm.org.models import Department
from crm.requests.categories import ensure_default_categories
from crm.requests.models import Request
from tests import factories

TUESDAY = date(2026, 11, 24)


@pytest.fixture
def world(app, users, town, department, make_user, today):
    today(TUESDAY)
    other = Department(code="GHZY", name="区规划资源局")
    db.session.add(other)
    categories = {c.name: c for c in ensure_default_categories()}
    db.session.commit()
    ent = factories.enterprise(town, name="上海某某海洋装备有限公司")
    factories.assign(users[Role.LIAISON], ent)
    return {"ent": ent, "categories": categories, "lead": department, "other": other,
            "other_handler": make_user(Role.DEPARTMENT, login="other_dept", department=other)}


@pytest.fixture
def roles(world, users, api_as):
    """A write API client per role (and one for the other department's handler)."""
    clients = {role: api_as(users[role], "write", name=f"系统-{role.value}") for role in Role}
    clients["other"] = api_as(world["other_handler"], "write", name="系统-other")
    return clients


def _register(api, world, **over) -> dict:
    body = {"credit_code": world["ent"].credit_code, "category_id": world["categories"]["政策咨询"].id,
            "title": "厂房消防验收咨询", "description": "想了解扩建厂房的消防验收流程。"}
    body.update(over)
    response = api.post("/requests", json=body)
    assert response.status_code == 201, response.json
    return response.json


class Flow:
    """Acts on one request, always sending the ETag last seen (as a careful client does)."""

    def __init__(self, number: str):
        self.number = number

    def act(self, api, action: str, status: int = 200, **body):
        etag = api.get(f"/requests/{self.number}").headers.get("ETag", '"none"')
        response = api.post(f"/requests/{self.number}/actions/{action}", json=body,
                            headers={"If-Match": etag})
        assert response.status_code == status, (action, response.json)
        return response.json


def test_register_with_audit_label_location_and_idempotency(roles, world, users):
    api = roles[Role.COMMISSION]
    body = {"credit_code": world["ent"].credit_code.lower(), "category_id": world["categories"]["融资"].id,
            "title": "贷款贴息", "description": "申请贴息。", "urgent": True}
    first = api.post("/requests", json=body, headers={"Idempotency-Key": "retry-0001-abcd"})
    assert first.status_code == 201, first.json
    again = api.post("/requests", json=body, headers={"Idempotency-Key": "retry-0001-abcd"})
    assert again.status_code == 201 and again.json["number"] == first.json["number"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(Request)) == 1
    req = first.json
    assert first.headers["Location"].endswith(f"/api/v1/requests/{req['number']}")
    assert req["state"] == "submitted" and req["source"] == "api" and req["urgent"] is True
    assert req["enterprise_id"] == world["ent"].id and req["events"][0]["action"] == "submit"
    assert "assign" in req["allowed_actions"]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "request"))
    assert audit.actor_label == "api:系统-commission" and audit.actor_id == users[Role.COMMISSION].id


def test_register_is_for_commission_and_towns(roles, world):
    body = {"credit_code": world["ent"].credit_code, "category_id": world["categories"]["政策咨询"].id,
            "title": "x", "description": "y"}
    assert roles[Role.LIAISON].post("/requests", json=body).status_code == 403
    assert roles[Role.LEADER].post("/requests", json=body).status_code == 403
    unknown = roles[Role.TOWN].post("/requests", json={**body, "credit_code": factories.valid_code()})
    assert unknown.status_code == 422 and "credit_code" in unknown.json["error"]["fields"]
    bad_category = roles[Role.COMMISSION].post("/requests", json={**body, "category_id": 99999})
    assert bad_category.status_code == 422 and "category_id" in bad_category.json["error"]["fields"]


def test_assign_accept_extend_reply_rate_review_close(roles, world, today):
    flow = Flow(_register(roles[Role.COMMISSION], world)["number"])
    # Only the commission (or the town) triages; the department cannot see it yet.
    flow.act(roles[Role.LIAISON], "assign", 403, lead_department="RSJ")
    assert roles[Role.DEPARTMENT].get(f"/requests/{flow.number}").status_code == 404
    body = flow.act(roles[Role.COMMISSION], "assign", lead_department="RSJ", cooperating=["GHZY"],
                    instructions="请五个工作日内答复")
    assert body["state"] == "assigned" and body["lead_department"]["code"] == "RSJ"
    assert [d["code"] for d in body["cooperating"]] == ["GHZY"] and body["deadline"]
    flow.act(roles["other"], "accept", 403)            # a cooperating unit does not sign for it
    flow.act(roles[Role.DEPARTMENT], "reply", 409, answer="x", outcome="resolved")  # not yet accepted
    assert flow.act(roles[Role.DEPARTMENT], "accept")["state"] == "in_progress"
    flow.act(roles["other"], "note", text="配合意见：已核查用地", kind="input")
    body = flow.act(roles[Role.DEPARTMENT], "request_extension", days=3, reason="需现场核查")
    assert body["extension"] == {"days": 3, "reason": "需现场核查", "status": "pending"}
    old_deadline = body["deadline"]
    body = flow.act(roles[Role.COMMISSION], "approve_extension", note="同意")
    assert body["extension"]["status"] == "approved" and body["deadline"] > old_deadline
    flow.act(roles[Role.DEPARTMENT], "reply", 422, answer="已办理")  # outcome missing
    body = flow.act(roles[Role.DEPARTMENT], "reply", answer="已办理，请按流程申报。", outcome="resolved")
    assert body["state"] == "replied" and body["on_time"] is True
    body = flow.act(roles[Role.LIAISON], "rate", rating="unsatisfied", comment="未解决实际问题")
    assert body["state"] == "reviewing"
    body = flow.act(roles[Role.COMMISSION], "close", explanation="经复核，答复符合政策。")
    assert body["state"] == "closed" and body["allowed_actions"] == []
    actions = [e["action"] for e in body["events"]]
    assert actions == ["submit", "assign", "accept", "note", "request_extension", "approve_extension",
                       "reply", "rate", "close"]
    labels = {e.actor_label for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "request"))}
    assert labels == {"api:系统-commission", "api:系统-department", "api:系统-other", "api:系统-liaison"}


def test_answer_on_site_reject_return_escalate_deny_urge(roles, world, today):
    on_site = Flow(_register(roles[Role.COMMISSION], world)["number"])
    assert on_site.act(roles[Role.LIAISON], "answer_on_site", answer="现场已答复")["state"] == "answered_on_site"
    assert on_site.act(roles[Role.LIAISON], "rate", rating="satisfied")["state"] == "closed"

    rejected = Flow(_register(roles[Role.COMMISSION], world)["number"])
    rejected.act(roles[Role.TOWN], "reject", 422)  # the reason is required
    assert rejected.act(roles[Role.TOWN], "reject", reason="不属于涉企诉求")["state"] == "rejected"
    rejected.act(roles[Role.COMMISSION], "assign", 409, lead_department="RSJ")

    disputed = Flow(_register(roles[Role.COMMISSION], world)["number"])
    disputed.act(roles[Role.COMMISSION], "assign", 422, lead_department="NOPE")
    disputed.act(roles[Role.COMMISSION], "assign", lead_department="RSJ")
    assert disputed.act(roles[Role.DEPARTMENT], "return", reason="不属于本单位职责")["state"] == "submitted"
    disputed.act(roles[Role.COMMISSION], "assign", lead_department="GHZY")
    disputed.act(roles["other"], "accept")
    disputed.act(roles["other"], "request_extension", days=2, reason="材料不全")
    assert disputed.act(roles[Role.COMMISSION], "deny_extension")["extension"]["status"] == "denied"
    assert disputed.act(roles["other"], "escalate", reasons="涉及多部门职责")["state"] == "escalated"
    body = disputed.act(roles[Role.COMMISSION], "reply", answer="区政府协调后答复", outcome="partly")
    assert body["state"] == "replied"

    late = Flow(_register(roles[Role.COMMISSION], world)["number"])
    late.act(roles[Role.COMMISSION], "assign", lead_department="RSJ", time_limit_days=1)
    late.act(roles[Role.COMMISSION], "urge", 409)  # not overdue yet
    today(date(2026, 12, 7))
    body = late.act(roles[Role.COMMISSION], "urge", instructions="请即办理")
    assert body["events"][-1]["action"] == "urge"
    late.act(roles[Role.LEADER], "note", 403, text="阅")


def test_stale_or_missing_if_match_changes_nothing(roles, world):
    api = roles[Role.COMMISSION]
    number = _register(api, world)["number"]
    etag = api.get(f"/requests/{number}").headers["ETag"]
    missing = api.post(f"/requests/{number}/actions/assign", json={"lead_department": "RSJ"})
    assert missing.status_code == 422 and "If-Match" in missing.json["error"]["fields"]
    roles[Role.TOWN].post(f"/requests/{number}/actions/note", json={"text": "已电话联系企业"},
                          headers={"If-Match": etag})
    stale = api.post(f"/requests/{number}/actions/assign", json={"lead_department": "RSJ"},
                     headers={"If-Match": etag})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_write"
    assert api.get(f"/requests/{number}").json["state"] == "submitted"


def test_changed_since_returns_only_what_changed(roles, world, today):
    api = roles[Role.COMMISSION]
    first = _register(api, world)["number"]
    second = _register(api, world)["number"]
    sync = api.get("/requests").json
    assert [r["number"] for r in sync["items"]] == [first, second]
    mark = (utcnow() + timedelta(milliseconds=1)).isoformat()
    time.sleep(0.002)
    Flow(second).act(api, "assign", lead_department="RSJ")
    changed = api.get("/requests", query_string={"changed_since": mark}).json
    assert [r["number"] for r in changed["items"]] == [second]
    assert changed["items"][0]["state"] == "assigned" and changed["as_of"]
    bad = api.get("/requests", query_string={"changed_since": "2026-11-24T08:00:00"})
    assert bad.status_code == 422 and "changed_since" in bad.json["error"]["fields"]


@pytest.mark.parametrize("role", list(Role))
def test_request_scope_equals_page_scope(client, users, roles, world, login_as, role):
    commission = roles[Role.COMMISSION]
    mine = Flow(_register(commission, world)["number"])
    mine.act(commission, "assign", lead_department="RSJ")
    theirs = Flow(_register(commission, world)["number"])
    theirs.act(commission, "assign", lead_department="GHZY")
    numbers = {mine.number, theirs.number}
    login_as(users[role])
    page = client.get("/requests/?per_page=200").get_data(as_text=True)
    api_numbers = {r["number"] for r in roles[role].get("/requests").json["items"]}
    assert api_numbers == {n for n in numbers if n in page}
    for number in numbers:
        req_id = db.session.scalar(select(Request.id).where(Request.number == number))
        page_status = client.get(f"/requests/{req_id}").status_code
        assert roles[role].get(f"/requests/{number}").status_code == page_status


def test_hotline_submits_follows_and_reads_the_reply(api_as, users, roles, world, app):
    hotline = api_as(users[Role.COMMISSION], "submit", name="12345热线")
    body = {"enterprise_name": "上海某某海洋装备有限公司", "credit_code": world["ent"].credit_code,
            "contact_name": "王经理", "mobile": "13812345678", "category_id": world["categories"]["人才用工"].id,
            "title": "招工难", "description": "希望协助招聘技术工人。"}
    first = hotline.post("/public/requests", json=body, headers={"Idempotency-Key": "12345-call-778899"})
    assert first.status_code == 201, first.json
    retry = hotline.post("/public/requests", json=body, headers={"Idempotency-Key": "12345-call-778899"})
    assert retry.json["tracking_number"] == first.json["tracking_number"]
    assert retry.json["tracking_url"] == first.json["tracking_url"]
    assert db.session.scalar(select(func.count()).select_from(Request)) == 1
    number, link = first.json["tracking_number"], first.json["tracking_url"]
    assert link.startswith(app.config["PUBLIC_BASE_URL"]) and "/track/" in link
    page = app.test_client().get(link[len(app.config["PUBLIC_BASE_URL"]):])
    assert page.status_code == 200 and number in page.get_data(as_text=True)
    req = db.session.scalar(select(Request))
    assert req.enterprise_id == world["ent"].id and req.source == "api"
    # The district handles it...
    flow = Flow(number)
    flow.act(roles[Role.COMMISSION], "assign", lead_department="RSJ")
    flow.act(roles[Role.DEPARTMENT], "accept")
    flow.act(roles[Role.DEPARTMENT], "reply", answer="已推送至区就业服务中心招聘会。", outcome="resolved")
    # ...and the hotline reads the reply, with unit names only.
    view = hotline.get(f"/public/requests/{number}").json
    assert view["state"] == "replied" and view["reply"] == "已推送至区就业服务中心招聘会。"
    assert view["replied_by"] == "区人社局" and view["tracking_url"] is None
    texts = " ".join(step["text"] for step in view["timeline"])
    assert "区人社局" in texts and users[Role.DEPARTMENT].name not in str(view)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "request.submit"))
    assert audit.actor_label == "api:12345热线" and audit.actor_id == users[Role.COMMISSION].id
    # A submit token reads nothing else, and another channel cannot follow this request.
    assert hotline.get("/enterprises").status_code == 403
    assert hotline.get(f"/requests/{number}").status_code == 403
    portal = api_as(users[Role.COMMISSION], "submit", name="一网通办")
    assert portal.get(f"/public/requests/{number}").status_code == 404
    assert roles[Role.COMMISSION].get("/request-categories").status_code == 200
    reader = api_as(users[Role.COMMISSION], "read", name="只读")
    assert reader.post("/public/requests", json=body).status_code == 403


def test_public_submission_is_validated(api_as, users, world):
    hotline = api_as(users[Role.COMMISSION], "submit", name="12345热线")
    response = hotline.post("/public/requests", json={
        "enterprise_name": "某公司", "credit_code": "123", "contact_name": "王", "mobile": "12345",
        "category_id": world["categories"]["其他"].id, "title": "t", "description": "d", "extra": 1})
    assert response.status_code == 422
    assert {"credit_code", "mobile", "extra"} <= set(response.json["error"]["fields"])
    assert db.session.scalar(select(func.count()).select_from(Request)) == 0
