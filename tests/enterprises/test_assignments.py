"""Liaison assignments: assign, end, reassign (never overwrite), bulk assign from a filtered list."""
from datetime import date

import pytest
from sqlalchemy import select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.assignments import AssignmentError, assign as assign_service
from crm.enterprises.models import Assignment
from tests.factories import assign, enterprise


@pytest.fixture
def wang(make_user, town):
    return make_user(Role.LIAISON, login="wang", name="王伟", town=town)


def audit(ent, action):
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "enterprise", AuditEntry.object_id == ent.id,
        AuditEntry.action == action)).all()


def rows(ent):
    return db.session.scalars(select(Assignment).where(Assignment.enterprise_id == ent.id)
                              .order_by(Assignment.id)).all()


def test_reassign_ends_one_period_and_starts_another(client, users, login_as, town, wang):
    ent = enterprise(town)
    first = assign(users[Role.LIAISON], ent, start_on=date(2024, 1, 1))
    login_as(users[Role.COMMISSION])
    response = client.post(f"/enterprises/{ent.id}/liaisons/{first.id}/reassign", data={
        f"re-{first.id}-liaison_id": wang.id, f"re-{first.id}-on": "2026-10-01",
        f"re-{first.id}-reason": "工作调整"})
    assert response.status_code == 302
    old, new = rows(ent)
    assert (old.liaison_id, old.start_on, old.end_on, old.end_reason) == (
        users[Role.LIAISON].id, date(2024, 1, 1), date(2026, 10, 1), "工作调整")
    assert (new.liaison_id, new.role, new.start_on, new.end_on) == (wang.id, "primary", date(2026, 10, 1), None)
    [entry] = audit(ent, "reassign")
    assert entry.changes["liaison"] == [users[Role.LIAISON].name, "王伟"] and entry.reason == "工作调整"
    detail = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    assert "更换包保人" in detail and "2026-10-01" in detail


def test_add_and_end_an_assignment(client, users, login_as, town, wang):
    ent = enterprise(town)
    login_as(users[Role.COMMISSION])
    page = client.get(f"/enterprises/{ent.id}/liaisons").get_data(as_text=True)
    assert "王伟" in page and "该企业目前没有包保责任人" in page
    added = client.post(f"/enterprises/{ent.id}/liaisons", data={
        "liaison_id": wang.id, "role": "assisting", "start_on": "2026-11-02"})
    assert added.status_code == 302
    [a] = rows(ent)
    early = client.post(f"/enterprises/{ent.id}/liaisons/{a.id}/end", data={
        f"end-{a.id}-end_on": "2026-01-01", f"end-{a.id}-reason": "调岗"})
    assert early.status_code == 422 and "解除日期不能早于开始日期（2026-11-02）" in early.get_data(as_text=True)
    ok = client.post(f"/enterprises/{ent.id}/liaisons/{a.id}/end", data={
        f"end-{a.id}-end_on": "2026-11-24", f"end-{a.id}-reason": "调岗"})
    assert ok.status_code == 302
    db.session.refresh(a)
    assert a.end_on == date(2026, 11, 24) and a.end_reason == "调岗"
    assert [e.action for e in audit(ent, "assign") + audit(ent, "unassign")] == ["assign", "unassign"]


def test_a_second_primary_or_the_same_liaison_twice_is_refused(client, users, login_as, town, wang):
    ent = enterprise(town)
    assign(users[Role.LIAISON], ent)
    login_as(users[Role.COMMISSION])
    twice = client.post(f"/enterprises/{ent.id}/liaisons", data={
        "liaison_id": users[Role.LIAISON].id, "role": "assisting", "start_on": "2026-11-24"})
    assert "已是该企业的包保责任人" in twice.get_data(as_text=True)
    second = client.post(f"/enterprises/{ent.id}/liaisons", data={
        "liaison_id": wang.id, "role": "primary", "start_on": "2026-11-24"})
    assert second.status_code == 422 and "已有主要包保责任人" in second.get_data(as_text=True)
    assert len(rows(ent)) == 1


def test_town_user_may_only_pick_liaisons_of_their_town(client, users, login_as, town, other_town, make_user):
    stranger = make_user(Role.LIAISON, name="外镇包保人", town=other_town)
    ent = enterprise(town)
    login_as(users[Role.TOWN])
    page = client.get(f"/enterprises/{ent.id}/liaisons").get_data(as_text=True)
    assert "外镇包保人" not in page
    response = client.post(f"/enterprises/{ent.id}/liaisons", data={
        "liaison_id": stranger.id, "role": "primary", "start_on": "2026-11-24"})
    assert response.status_code == 422 and rows(ent) == []


def test_bulk_assign_every_enterprise_without_a_liaison(client, users, login_as, town, wang):
    gaps = [enterprise(town, name=f"无人负责{i}有限公司") for i in range(3)]
    covered = enterprise(town, name="已有人负责有限公司")
    assign(users[Role.LIAISON], covered)
    login_as(users[Role.COMMISSION])
    page = client.get("/enterprises/bulk-assign?all=1&no_liaison=1").get_data(as_text=True)
    assert "无人负责0有限公司" in page and "已有人负责有限公司" not in page
    response = client.post("/enterprises/bulk-assign", data={
        "all": "1", "no_liaison": "1", "liaison_id": wang.id, "role": "primary",
        "start_on": "2026-11-24", "mode": "add"})
    assert response.status_code == 302
    assert "no_liaison=1" in response.headers["Location"]
    assert all([a.liaison_id for a in rows(ent)] == [wang.id] for ent in gaps)
    assert len(rows(covered)) == 1
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已为 3 家企业指派包保责任人 王伟" in follow and "没有符合条件的企业" in follow


def test_bulk_replace_hands_picked_enterprises_over(client, users, login_as, town, wang):
    picked = [enterprise(town) for _ in range(2)]
    untouched = enterprise(town)
    for ent in picked + [untouched]:
        assign(users[Role.LIAISON], ent)
    login_as(users[Role.COMMISSION])
    response = client.post("/enterprises/bulk-assign", data={
        "ids": ",".join(str(e.id) for e in picked), "liaison_id": wang.id, "role": "primary",
        "start_on": "2026-11-24", "mode": "replace", "reason": "片区调整"})
    assert response.status_code == 302
    for ent in picked:
        old, new = rows(ent)
        assert old.end_on == date(2026, 11, 24) and new.liaison_id == wang.id
        assert audit(ent, "reassign")[0].changes["ended_liaisons"] == [users[Role.LIAISON].name]
    assert [a.end_on for a in rows(untouched)] == [None]


def test_bulk_add_refuses_everything_when_one_enterprise_conflicts(client, users, login_as, town, wang):
    free = enterprise(town, name="空缺企业")
    taken = enterprise(town, name="已有主要包保人企业")
    assign(users[Role.LIAISON], taken)
    login_as(users[Role.COMMISSION])
    response = client.post("/enterprises/bulk-assign", data={
        "ids": f"{free.id},{taken.id}", "liaison_id": wang.id, "role": "primary",
        "start_on": "2026-11-24", "mode": "add"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "1 家企业无法指派，未做任何修改" in html and "已有主要包保人企业" in html
    assert rows(free) == []


def test_bulk_assign_ignores_enterprises_outside_the_users_town(client, users, login_as, town, other_town):
    mine, theirs = enterprise(town), enterprise(other_town)
    login_as(users[Role.TOWN])
    client.post("/enterprises/bulk-assign", data={
        "ids": f"{mine.id},{theirs.id}", "liaison_id": users[Role.LIAISON].id, "role": "primary",
        "start_on": "2026-11-24", "mode": "add"})
    assert len(rows(mine)) == 1 and rows(theirs) == []


def test_service_refuses_a_reassignment_dated_before_the_start(app, users, town, wang):
    from crm.enterprises.assignments import reassign

    ent = enterprise(town)
    a = assign(users[Role.LIAISON], ent, start_on=date(2026, 6, 1))
    with pytest.raises(AssignmentError, match="不能早于"):
        reassign(a, wang, date(2026, 5, 1))
    with pytest.raises(AssignmentError, match="已是该企业的包保责任人"):
        assign_service(ent, users[Role.LIAISON], "assisting", date(2026, 7, 1))


def test_ending_an_assignment_twice_says_so(client, users, login_as, town):
    ent = enterprise(town)
    a = assign(users[Role.LIAISON], ent, end_on=date(2026, 1, 1))
    login_as(users[Role.COMMISSION])
    response = client.post(f"/enterprises/{ent.id}/liaisons/{a.id}/end", data={
        f"end-{a.id}-end_on": "2026-11-24", f"end-{a.id}-reason": "再次解除"}, follow_redirects=True)
    assert "包保关系已于 2026-01-01 解除" in response.get_data(as_text=True)
    db.session.refresh(a)
    assert a.end_on == date(2026, 1, 1)
