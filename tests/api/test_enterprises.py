"""/enterprises and /assignments: filters, pagination, detail, edits with audit and ETags."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Assignment, Contact, Enterprise, Tag
from crm.org.models import Town
from tests import factories


@pytest.fixture
def district(app, users, town, make_user, today):
    """Two towns, five enterprises: listed, removed, tagged, with and without liaisons."""
    today()
    other = Town(code="CX", name="长兴镇")
    db.session.add(other)
    tag = Tag(name="专精特新")
    db.session.add(tag)
    db.session.commit()
    liaison, second = users[Role.LIAISON], make_user(Role.LIAISON, login="liaison2", town=other)
    ents = {
        "marine": factories.enterprise(town, name="上海海洋装备有限公司", level="district"),
        "farm": factories.enterprise(town, name="崇明生态农业有限公司"),
        "gone": factories.enterprise(town, name="已迁出贸易有限公司", removed_on=date(2026, 6, 1)),
        "gap": factories.enterprise(other, name="长兴船舶配件有限公司"),
        "isle": factories.enterprise(other, name="长兴岛物流有限公司"),
    }
    ents["marine"].tags.append(tag)
    ents["marine"].contacts.append(Contact(name="王经理", mobile="13812345678", email="wang@example.cn"))
    db.session.commit()
    factories.assign(liaison, ents["marine"])
    factories.assign(liaison, ents["farm"], end_on=date(2026, 10, 1))  # ended: no longer theirs
    factories.assign(second, ents["isle"])
    return {"ents": ents, "other": other, "tag": tag, "second": second}


def _names(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["name"] for item in response.json["items"]}


def test_filters(api_as, users, district):
    api = api_as(users[Role.COMMISSION])
    ents = district["ents"]
    assert len(_names(api.get("/enterprises"))) == 5
    assert _names(api.get("/enterprises?q=长兴")) == {ents["gap"].name, ents["isle"].name}
    assert _names(api.get(f"/enterprises?q={ents['farm'].credit_code[-8:].lower()}")) == {ents["farm"].name}
    assert _names(api.get("/enterprises?q=王经理")) == {ents["marine"].name}
    assert _names(api.get("/enterprises?town=CX")) == {ents["gap"].name, ents["isle"].name}
    assert _names(api.get("/enterprises?town=NOPE")) == set()
    assert _names(api.get("/enterprises?level=district")) == {ents["marine"].name}
    assert _names(api.get("/enterprises?tag=专精特新")) == {ents["marine"].name}
    assert _names(api.get(f"/enterprises?liaison={users[Role.LIAISON].id}")) == {ents["marine"].name}
    assert _names(api.get("/enterprises?no_liaison=true")) == {ents["farm"].name, ents["gap"].name}
    assert _names(api.get("/enterprises?listed=false")) == {ents["gone"].name}
    assert len(_names(api.get("/enterprises?listed=true"))) == 4


def test_list_item_shape(api_as, users, district):
    items = api_as(users[Role.COMMISSION]).get("/enterprises?q=海洋").json["items"]
    (item,) = items
    assert item["town"] == {"id": district["ents"]["marine"].town_id, "code": "CQ", "name": "城桥镇"}
    assert item["tags"] == ["专精特新"] and item["listed"] is True and item["level"] == "district"
    assert [li["name"] for li in item["liaisons"]] == [users[Role.LIAISON].name]


def test_page_and_cursor_pagination_is_stable_and_capped(api_as, users, town, today):
    today()
    ids = sorted(factories.enterprise(town).id for _ in range(7))
    api = api_as(users[Role.COMMISSION])
    first = api.get("/enterprises?per_page=3").json
    assert [i["id"] for i in first["items"]] == ids[:3]
    assert first["meta"] == {"per_page": 3, "page": 1, "total": 7, "next_cursor": first["meta"]["next_cursor"]}
    second = api.get("/enterprises?per_page=3&page=2").json
    assert [i["id"] for i in second["items"]] == ids[3:6]
    seen, cursor = [], None
    while True:
        page = api.get("/enterprises?per_page=3" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [i["id"] for i in page["items"]]
        cursor = page["meta"]["next_cursor"]
        if not cursor:
            break
    assert seen == ids
    assert api.get("/enterprises?per_page=100").status_code == 200
    assert api.get("/enterprises?per_page=1000").status_code == 422
    assert api.get("/enterprises?page=2&cursor=" + first["meta"]["next_cursor"]).status_code == 422


def test_list_query_count_does_not_grow_with_page_size(api_as, users, town, today):
    from sqlalchemy import event

    today()
    for _ in range(12):
        ent = factories.enterprise(town)
        ent.contacts.append(Contact(name="联系人"))
        factories.assign(users[Role.LIAISON], ent)
    api = api_as(users[Role.COMMISSION])
    api.get("/enterprises?per_page=1")  # warm up: the token's last use is written once

    def count(per_page: int) -> int:
        statements = []
        listener = lambda *a, **k: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert api.get(f"/enterprises?per_page={per_page}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    assert count(2) == count(12)


def test_detail_and_by_code(api_as, users, district):
    marine = district["ents"]["marine"]
    api = api_as(users[Role.COMMISSION])
    detail = api.get(f"/enterprises/{marine.id}")
    assert detail.status_code == 200 and detail.headers["ETag"]
    body = detail.json
    assert body["contacts"] == [{"id": marine.contacts[0].id, "name": "王经理", "title": None,
                                 "mobile": "13812345678", "email": "wang@example.cn"}]
    assert body["contacts_masked"] is False
    assert body["list_periods"][0]["added_on"] == "2024-01-01"
    code = marine.credit_code
    sloppy = code[:6].lower() + " " + code[6:]  # typed in lower case with a space
    assert api.get(f"/enterprises/by-code/{sloppy}").json["id"] == marine.id
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    response = api.get(f"/enterprises/by-code/{wrong}")
    assert response.status_code == 422 and "校验位" in response.json["error"]["fields"]["credit_code"]
    assert api.get(f"/enterprises/by-code/{factories.valid_code()}").status_code == 404
    assert api.get("/enterprises/999999").status_code == 404
    assert api.get("/enterprises/99999999999999999999").status_code == 404


def test_create_records_audit_with_the_token_name(api_as, users, district):
    api = api_as(users[Role.COMMISSION], "write", name="一网通办")
    code = factories.valid_code()
    response = api.post("/enterprises", json={
        "name": "上海新能源科技有限公司", "credit_code": code.lower(), "town": "cx",
        "industry": "C", "tags": ["专精特新"], "listed_on": "2026-11-01",
        "contacts": [{"name": "李总", "title": "总经理", "mobile": "138 1234 5678"}],
    })
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"].endswith(f"/api/v1/enterprises/{body['id']}")
    assert body["credit_code"] == code and body["town"]["code"] == "CX"
    assert body["contacts"][0]["mobile"] == "13812345678" and body["tags"] == ["专精特新"]
    assert body["list_periods"][0]["added_on"] == "2026-11-01"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "enterprise"))
    assert audit.action == "create" and audit.actor_label == "api:一网通办"
    assert audit.actor_id == users[Role.COMMISSION].id


def test_patch_changes_only_given_fields_and_checks_if_match(api_as, users, district):
    marine = district["ents"]["marine"]
    api = api_as(users[Role.COMMISSION], "write", name="数据局")
    etag = api.get(f"/enterprises/{marine.id}").headers["ETag"]
    response = api.patch(f"/enterprises/{marine.id}", json={"address": "长兴镇潘园公路1号"},
                         headers={"If-Match": etag})
    assert response.status_code == 200, response.json
    assert response.json["address"] == "长兴镇潘园公路1号" and response.json["name"] == marine.name
    assert response.json["contacts"][0]["name"] == "王经理"  # untouched
    assert response.headers["ETag"] != etag
    stale = api.patch(f"/enterprises/{marine.id}", json={"address": "别处"}, headers={"If-Match": etag})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_write"
    db.session.expire_all()
    assert db.session.get(Enterprise, marine.id).address == "长兴镇潘园公路1号"
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).all()
    assert len(audit) == 1 and audit[0].actor_label == "api:数据局"
    assert audit[0].changes["address"] == [None, "长兴镇潘园公路1号"]


def test_who_may_edit(api_as, users, district):
    ents = district["ents"]
    town_api = api_as(users[Role.TOWN], "write")
    ok = town_api.patch(f"/enterprises/{ents['farm'].id}", json={"notes": "本镇企业"})
    assert ok.status_code == 200
    # Another town's enterprise is out of a town user's scope: it does not exist for them.
    assert town_api.patch(f"/enterprises/{ents['gap'].id}", json={"notes": "x"}).status_code == 404
    # Moving an own enterprise to another town, or creating one there, is forbidden.
    assert town_api.patch(f"/enterprises/{ents['farm'].id}", json={"town": "CX"}).status_code == 403
    body = {"name": "外镇企业有限公司", "credit_code": factories.valid_code(), "town": "CX"}
    assert town_api.post("/enterprises", json=body).status_code == 403
    liaison_api = api_as(users[Role.LIAISON], "write")
    assert liaison_api.patch(f"/enterprises/{ents['marine'].id}", json={"notes": "x"}).status_code == 403
    leader_api = api_as(users[Role.LEADER], "write")
    assert leader_api.post("/enterprises", json={**body, "town": "CQ"}).status_code == 403


def test_assignments_list_create_and_end(api_as, users, district):
    ents = district["ents"]
    api = api_as(users[Role.COMMISSION], "write", name="包保同步")
    listed = api.get(f"/assignments?enterprise_id={ents['farm'].id}").json["items"]
    assert [(a["liaison"]["name"], a["active"], a["end_on"]) for a in listed] == [
        (users[Role.LIAISON].name, False, "2026-10-01")]
    created = api.post("/assignments", json={"enterprise_id": ents["gap"].id,
                                             "liaison_id": district["second"].id,
                                             "start_on": "2026-11-24"})
    assert created.status_code == 201, created.json
    assignment_id = created.json["id"]
    assert created.json["active"] is True and created.json["role"] == "primary"
    assert ents["gap"].name not in _names(api.get("/enterprises?no_liaison=true"))
    again = api.post("/assignments", json={"enterprise_id": ents["gap"].id,
                                           "liaison_id": district["second"].id})
    assert again.status_code == 409
    early = api.patch(f"/assignments/{assignment_id}", json={"end_on": "2026-01-01"})
    assert early.status_code == 422 and "end_on" in early.json["error"]["fields"]
    ended = api.patch(f"/assignments/{assignment_id}", json={"end_on": "2026-12-01", "reason": "调岗"})
    assert ended.status_code == 200 and ended.json["end_on"] == "2026-12-01"
    assert ended.json["end_reason"] == "调岗"
    assert api.patch(f"/assignments/{assignment_id}", json={"end_on": "2026-12-02"}).status_code == 409
    assert api.patch(f"/assignments/{assignment_id}", json={"role": "assisting"}).status_code == 422
    labels = {e.actor_label for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action.in_(["assign", "unassign"])))}
    assert labels == {"api:包保同步"}
    assert db.session.get(Assignment, assignment_id).end_on == date(2026, 12, 1)


def test_assignment_rules(api_as, users, district):
    ents = district["ents"]
    api = api_as(users[Role.COMMISSION], "write")
    not_liaison = api.post("/assignments", json={"enterprise_id": ents["gap"].id,
                                                 "liaison_id": users[Role.LEADER].id})
    assert not_liaison.status_code == 422 and "liaison_id" in not_liaison.json["error"]["fields"]
    town_api = api_as(users[Role.TOWN], "write")
    # A town user reaches only their town's liaisons and enterprises.
    other_liaison = town_api.post("/assignments", json={"enterprise_id": ents["farm"].id,
                                                        "liaison_id": district["second"].id})
    assert other_liaison.status_code == 422
    assert town_api.post("/assignments", json={"enterprise_id": ents["gap"].id,
                                               "liaison_id": users[Role.LIAISON].id}).status_code == 404
    reader = api_as(users[Role.LIAISON], "write")
    assert reader.post("/assignments", json={"enterprise_id": ents["marine"].id,
                                             "liaison_id": users[Role.LIAISON].id,
                                             "role": "assisting"}).status_code == 403
