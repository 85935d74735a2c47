"""The inbox, the board, the detail page, the assign dialog, urge notices and categories, as users see them."""
from datetime import date

import pytest
from sqlalchemy import event, select

from crm.auth.roles import Role
from crm.db import db
from crm.requests.models import Request, UrgeNotice
from crm.requests.workflow import transition

from .conftest import TUESDAY


@pytest.fixture
def pinned(today):
    return today(date(2026, 11, 24))


def test_assign_dialog_is_prefilled_from_the_category(client, login_as, world, new_request, pinned):
    req = new_request(category="政策咨询")
    login_as(world["users"][Role.COMMISSION])
    page = client.get(f"/requests/{req.id}/assign").get_data(as_text=True)
    assert "政策咨询 · 5 个工作日 → 2026-12-01" in page
    assert 'value="5"' in page
    preview = client.get("/requests/deadline?days=20").get_json()
    assert preview == {"deadline": "2026-12-22", "provisional": False, "days": 20}
    assert client.get("/requests/deadline?days=30").get_json()["provisional"] is True
    assert client.get("/requests/deadline?days=abc").status_code == 400


def test_assign_through_the_dialog(client, login_as, world, new_request, pinned):
    req = new_request()
    login_as(world["users"][Role.COMMISSION])
    response = client.post(f"/requests/{req.id}/assign", data={
        "lead_department": world["lead"].id, "cooperating": [world["other"].id],
        "time_limit_days": 5, "instructions": "请尽快联系企业"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已交办 2026-000001。" in page
    assert "交办至 区人社局，配合单位：区规划资源局（5 个工作日，2026-12-01 前）" in page
    assert "2026-12-01，剩 5 个工作日" in page


def test_assign_dialog_errors_next_to_the_fields(client, login_as, world, new_request, pinned):
    req = new_request()
    login_as(world["users"][Role.COMMISSION])
    response = client.post(f"/requests/{req.id}/assign", data={
        "lead_department": "", "time_limit_days": "0", "instructions": "保留我输入的内容"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请选择牵头单位。" in page and "办理时限应为 1 至 120 个工作日。" in page
    assert "保留我输入的内容" in page
    response = client.post(f"/requests/{req.id}/assign", data={
        "lead_department": world["lead"].id, "cooperating": [world["lead"].id], "time_limit_days": 5})
    assert response.status_code == 400 and "牵头单位不能同时是配合单位。" in response.get_data(as_text=True)
    assert db.session.get(Request, req.id).state == "submitted"


def test_department_inbox_tabs_and_one_click_sign_for(client, login_as, world, assigned_request, pinned):
    fresh = assigned_request()
    late = assigned_request(on=date(2026, 11, 10))
    transition(late, "accept", world["users"][Role.DEPARTMENT], today=date(2026, 11, 10))
    soon = assigned_request(on=date(2026, 11, 19))
    transition(soon, "accept", world["users"][Role.DEPARTMENT], today=date(2026, 11, 19))
    db.session.commit()
    login_as(world["users"][Role.DEPARTMENT])
    page = client.get("/requests/inbox").get_data(as_text=True)
    assert "待签收 (1)" in page and "办理中 (2)" in page and "即将到期 (1)" in page and "已逾期 (1)" in page
    assert fresh.number in page and late.number not in page
    overdue = client.get("/requests/inbox?tab=overdue").get_data(as_text=True)
    assert late.number in overdue and "2026-11-17，逾期 5 个工作日" in overdue
    assert "已逾期" in overdue
    soon_page = client.get("/requests/inbox?tab=due_soon").get_data(as_text=True)
    assert soon.number in soon_page and "2026-11-26，剩 2 个工作日" in soon_page and "即将到期" in soon_page
    response = client.post(f"/requests/{fresh.id}/act/accept", data={"next": "/requests/inbox"})
    assert response.status_code == 302 and response.headers["Location"] == "/requests/inbox"
    assert db.session.get(Request, fresh.id).state == "in_progress"
    assert "暂无待办诉求" in client.get("/requests/inbox").get_data(as_text=True)


def test_reply_form_on_the_detail_page(client, login_as, world, assigned_request, pinned):
    req = assigned_request()
    transition(req, "accept", world["users"][Role.DEPARTMENT], today=TUESDAY)
    db.session.commit()
    login_as(world["users"][Role.DEPARTMENT])
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'id="act-reply"' in page and "未能解决（已说明）" in page
    response = client.post(f"/requests/{req.id}/act/reply", data={"reply-answer": "答复内容保留"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请选择办理结果。" in page and "答复内容保留" in page
    response = client.post(f"/requests/{req.id}/act/reply", data={
        "reply-answer": "已协调落实用工补贴", "reply-outcome": "resolved"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已答复。" in page and "已协调落实用工补贴" in page and "按时答复" in page


def test_refused_steps_say_why(client, login_as, world, assigned_request, pinned):
    req = assigned_request(on=date(2026, 11, 10))
    login_as(world["users"][Role.DEPARTMENT])
    response = client.post(f"/requests/{req.id}/act/return", data={"return-reason": "不归我们管"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "不能退回" in page and "不归我们管" in page
    # A step the user may not take: 403 with the reason, nothing changed.
    response = client.post(f"/requests/{req.id}/act/urge", data={"urge-instructions": "x"})
    assert response.status_code == 403 and "您无权" in response.get_data(as_text=True)
    assert db.session.get(Request, req.id).state == "assigned"


def test_detail_shows_the_full_timeline(client, login_as, world, assigned_request, pinned):
    req = assigned_request()
    lead = world["users"][Role.DEPARTMENT]
    transition(req, "accept", lead, today=TUESDAY)
    transition(req, "note", lead, today=TUESDAY, text="已电话联系企业负责人", kind="note")
    db.session.commit()
    login_as(world["users"][Role.COMMISSION])
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    for text in ("登记诉求", "交办至 区人社局", "签收", "已电话联系企业负责人", "待受理 → 已交办", "已交办 → 办理中"):
        assert text in page


def test_out_of_scope_requests_are_not_found(client, login_as, world, assigned_request, actors, pinned):
    req = assigned_request()
    for who in ("other_dept", "other_town", "other_liaison"):
        client.post("/logout")
        login_as(actors[who])
        assert client.get(f"/requests/{req.id}").status_code == 404
        assert client.post(f"/requests/{req.id}/act/note", data={"note-text": "x"}).status_code == 404


def test_department_sees_masked_phone(client, login_as, world, assigned_request, pinned):
    req = assigned_request(contact_name="张经理", contact_mobile="13812345678")
    login_as(world["users"][Role.DEPARTMENT])
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page
    client.post("/logout")
    login_as(world["users"][Role.TOWN])
    assert "13812345678" in client.get(f"/requests/{req.id}").get_data(as_text=True)


def test_board_sections_filters_and_bulk_urge(client, login_as, world, assigned_request, new_request, pinned):
    new_request(title="待分办的诉求")
    late = [assigned_request(on=date(2026, 11, 10), title=f"逾期诉求{i}") for i in range(3)]
    login_as(world["users"][Role.COMMISSION])
    page = client.get("/requests/board").get_data(as_text=True)
    assert "待分办的诉求" in page and "逾期诉求0" not in page
    assert "/assign?next=" in page and "act-answer_on_site" in page and "act-reject" in page
    page = client.get("/requests/board?section=overdue").get_data(as_text=True)
    assert all(r.title in page for r in late) and "批量催办" in page
    filtered = client.get(f"/requests/board?section=all&q=逾期诉求1&category={world['categories']['政策咨询'].id}"
                          f"&from=2026-11-01&to=2026-11-30&source=visit&town={world['town'].id}"
                          f"&department={world['lead'].id}&state=assigned").get_data(as_text=True)
    assert "逾期诉求1" in filtered and "逾期诉求0" not in filtered and "待分办的诉求" not in filtered
    response = client.post("/requests/urge", data={"ids": [late[0].id, late[1].id],
                                                   "next": "/requests/board?section=overdue"},
                           follow_redirects=True)
    assert "已出具催办单 2 份。" in response.get_data(as_text=True)
    response = client.post("/requests/urge", data={"ids": [late[0].id]}, follow_redirects=True)
    assert "该诉求今天已催办。" in response.get_data(as_text=True)
    notice = db.session.scalar(select(UrgeNotice).order_by(UrgeNotice.id))
    page = client.get(f"/requests/urge/{notice.id}").get_data(as_text=True)
    for text in ("督办事项催办单", "催办〔2026〕0001号", late[0].number, "区人社局", "2026年11月10日",
                 "2026年11月17日", "已逾期 5 个工作日", "督办要求", "签发日期：2026年11月24日"):
        assert text in page


@pytest.mark.parametrize("role,status", [(Role.DEPARTMENT, 403), (Role.LIAISON, 403), (Role.LEADER, 403)])
def test_bulk_urge_is_for_the_commission(client, login_as, users, role, status):
    login_as(users[role])
    assert client.post("/requests/urge", data={"ids": ["1"]}).status_code == status


def test_town_sees_only_its_requests_on_the_board(client, login_as, world, actors, new_request, pinned):
    new_request(title="本镇诉求")
    login_as(actors["other_town"])
    assert "本镇诉求" not in client.get("/requests/board").get_data(as_text=True)


def test_lists_paginate_with_a_fixed_number_of_queries(client, login_as, world, assigned_request, pinned):
    login_as(world["users"][Role.COMMISSION])

    def queries_for(url):
        count = {"n": 0}
        db.session.expire_all()  # the same start every time: nothing cached from the test's own work

        def counter(*args):
            count["n"] += 1

        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        return count["n"]

    for i in range(3):
        assigned_request(title=f"诉求{i}")
    few = queries_for("/requests/board?section=all")
    client.post("/logout")
    login_as(world["users"][Role.DEPARTMENT])
    few_inbox = queries_for("/requests/inbox")
    for i in range(12):
        assigned_request(title=f"更多诉求{i}")
    assert queries_for("/requests/inbox") == few_inbox
    client.post("/logout")
    login_as(world["users"][Role.COMMISSION])
    assert queries_for("/requests/board?section=all") == few
    page = client.get("/requests/board?section=all&per_page=5").get_data(as_text=True)
    assert "第 1 / 3 页，共 15 条" in page


def test_categories_admin(client, login_as, users, world):
    login_as(users[Role.COMMISSION])
    page = client.get("/requests/categories").get_data(as_text=True)
    assert "政策咨询" in page and "用地规划" in page
    cat = world["categories"]["政策咨询"]
    client.post(f"/requests/categories/{cat.id}", data={
        f"c{cat.id}-name": "政策咨询", f"c{cat.id}-time_limit_days": "3", f"c{cat.id}-position": "1",
        f"c{cat.id}-active": "y"})
    assert db.session.get(type(cat), cat.id).time_limit_days == 3
    response = client.post("/requests/categories", data={"new-name": "其他", "new-time_limit_days": "7"})
    assert response.status_code == 400 and "已有同名类别。" in response.get_data(as_text=True)
    client.post("/logout")
    login_as(users[Role.DEPARTMENT])
    assert client.get("/requests/categories").status_code == 403


def test_phone_intake_by_the_commission(client, login_as, world, pinned):
    login_as(world["users"][Role.COMMISSION])
    cat = world["categories"]["法律服务"]
    response = client.post("/requests/new", data={
        "credit_code": world["enterprise"].credit_code, "category": cat.id, "title": "合同纠纷咨询",
        "description": "供应商违约", "contact_name": "李女士", "contact_mobile": "13900001111"},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已登记诉求 2026-000001。" in page and "上海某某海洋装备有限公司" in page and "电话" in page
    response = client.post("/requests/new", data={"credit_code": "91310000XXXXXXXX", "category": cat.id,
                                                  "title": "x", "description": "y"})
    assert response.status_code == 400


def test_requests_index_for_a_liaison(client, login_as, world, new_request, pinned):
    new_request(title="我的企业的诉求")
    login_as(world["users"][Role.LIAISON])
    assert "我的企业的诉求" in client.get("/requests/").get_data(as_text=True)
