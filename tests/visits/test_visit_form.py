"""Logging a visit on the form: the common case, problems becoming requests, idempotency, bad input."""
from datetime import date

from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.db import db
from crm.requests.models import Request
from crm.visits.models import Visit, VisitParticipant
from tests.visits.conftest import visit_form


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def post(client, world, ent=None, **overrides):
    ent = ent or world.ent
    return client.post(f"/visits/new?enterprise_id={ent.id}", data=visit_form(world, **overrides))


def test_the_form_opens_with_today_on_site_and_a_retry_key(client, world, login_as):
    login_as(world.liaison)
    page = client.get(f"/visits/new?enterprise_id={world.ent.id}").get_data(as_text=True)
    assert "登记走访" in page and world.ent.name in page
    assert 'value="2026-11-24"' in page and 'max="2026-11-24"' in page
    assert '<input checked class="btn-check" id="mode-0" name="mode" type="radio" value="onsite">' in page
    assert 'name="idempotency_key" type="hidden" value="' in page
    # Policies matching the enterprise's tags, and those for everyone, are offered as chips.
    assert "专精特新企业奖励政策" in page and "稳岗补贴" in page
    # The colleague assigned to the same enterprise is one tap away.
    assert "李娜" in page


def test_a_visit_with_one_problem_answered_on_site_and_one_left_open(client, world, login_as):
    login_as(world.liaison)
    response = post(client, world, **{
        "policies": str(world.policy.id),
        "problems-1-title": "厂区道路积水需要协调",
        "problems-1-category_id": str(world.categories["水电气网"].id),
        "problems-1-description": "雨天积水影响货车进出。",
    })
    assert response.status_code == 302
    visit = db.session.scalar(select(Visit))
    assert response.headers["Location"].endswith(f"/visits/{visit.id}/saved")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已保存走访记录，生成诉求 2 件（1 件现场答复）" in page
    requests = db.session.scalars(select(Request).order_by(Request.id)).all()
    assert [(r.title, r.state, r.visit_id, r.source) for r in requests] == [
        ("咨询研发费用加计扣除", "answered_on_site", visit.id, "visit"),
        ("厂区道路积水需要协调", "submitted", visit.id, "visit"),
    ]
    assert requests[0].reply == "已现场讲解政策口径。"
    assert requests[0].description == "咨询研发费用加计扣除"  # a title alone is the description too
    for r in requests:
        assert f"/requests/{r.id}" in page
    assert (visit.visited_on, visit.mode, visit.author_id) == (world.today, "onsite", world.liaison.id)
    assert [p.liaison_id for p in visit.participants] == [world.liaison.id]
    assert [p.title for p in visit.policies] == ["专精特新企业奖励政策"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "visit"))
    assert (entry.action, entry.actor_id, entry.object_id) == ("create", world.liaison.id, visit.id)


def test_a_double_tap_or_a_retry_creates_one_visit(client, world, login_as):
    login_as(world.liaison)
    first = post(client, world, idempotency_key="same-key")
    second = post(client, world, idempotency_key="same-key")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Visit) == 1 and count(Request) == 1
    # A new form gets a new key, and a new visit.
    post(client, world, idempotency_key="another-key")
    assert count(Visit) == 2


def test_a_future_date_is_refused_next_to_the_field_and_everything_typed_is_kept(client, world, login_as):
    login_as(world.liaison)
    response = post(client, world, visited_on="2026-11-25", other_topics="讲解了人才政策")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "走访日期不能晚于今天（2026-11-24）" in page
    for typed in ("生产经营正常，订单饱满。", "咨询研发费用加计扣除", "已现场讲解政策口径。", "张总（总经理）",
                  "讲解了人才政策", 'value="2026-11-25"', 'value="key-1"'):
        assert typed in page
    assert count(Visit) == 0 and count(Request) == 0


def test_an_empty_visit_is_refused(client, world, login_as):
    login_as(world.liaison)
    response = post(client, world, findings="", **{
        "problems-0-title": "", "problems-0-category_id": None, "problems-0-answered_on_site": None,
        "problems-0-answer": ""})
    assert "请填写走访情况，或选择宣传政策，或登记企业诉求。" in response.get_data(as_text=True)
    assert count(Visit) == 0
    # A policy alone is enough.
    response = post(client, world, findings="", policies=str(world.general.id), **{
        "problems-0-title": "", "problems-0-category_id": None, "problems-0-answered_on_site": None,
        "problems-0-answer": ""})
    assert response.status_code == 302


def test_over_long_text_is_refused_next_to_the_field(client, world, login_as):
    login_as(world.liaison)
    text = "很长" * 1001  # 2002 characters
    response = post(client, world, findings=text)
    page = response.get_data(as_text=True)
    assert "最多 2000 个字。" in page
    assert text in page
    assert count(Visit) == 0


def test_nothing_is_saved_when_one_problem_is_refused(client, world, login_as):
    login_as(world.liaison)
    response = post(client, world, **{
        "problems-1-title": "第二个问题",
        "problems-1-category_id": "999999",  # a category that does not exist (deleted meanwhile)
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "请选择诉求类别。" in page
    assert count(Visit) == 0 and count(Request) == 0 and count(VisitParticipant) == 0


def test_a_problem_needs_a_title_a_category_and_an_answer_when_answered(client, world, login_as):
    login_as(world.liaison)
    page = post(client, world, **{"problems-0-title": "", "problems-0-category_id": None,
                                  "problems-0-answer": ""}).get_data(as_text=True)
    assert "请填写诉求标题。" in page and "请选择诉求类别。" in page
    assert "已勾选现场答复，请填写答复内容。" in page
    assert count(Visit) == 0


def test_a_problem_row_is_added_without_script_and_nothing_is_saved(client, world, login_as):
    login_as(world.liaison)
    page = post(client, world, add_problem="1").get_data(as_text=True)
    assert 'name="problems-1-title"' in page and "咨询研发费用加计扣除" in page
    assert count(Visit) == 0


def test_a_joint_visit_is_one_record_for_every_liaison(client, world, login_as, make_user):
    from crm.auth.roles import Role
    guest = make_user(Role.LIAISON, login="zhaoqiang", name="赵强")
    login_as(world.liaison)
    response = post(client, world, liaisons=str(world.colleague.id), other_liaisons="ZhaoQiang")
    assert response.status_code == 302
    visit = db.session.scalar(select(Visit))
    assert {p.liaison_id for p in visit.participants} == {world.liaison.id, world.colleague.id, guest.id}
    assert {p.visited_on for p in visit.participants} == {world.today}
    page = post(client, world, idempotency_key="k2", other_liaisons="nobody").get_data(as_text=True)
    assert "找不到这些包保责任人：nobody" in page


def test_a_liaison_logs_visits_only_for_their_own_enterprises(client, world, login_as):
    login_as(world.liaison)
    assert client.get(f"/visits/new?enterprise_id={world.stranger.id}").status_code == 404
    assert post(client, world, ent=world.stranger).status_code == 404
    # Nor for a day they were not assigned yet.
    from tests.factories import assign, enterprise
    late = enterprise(world.town, name="新包保企业有限公司")
    assign(world.liaison, late, start_on=date(2026, 11, 1))
    page = post(client, world, ent=late, visited_on="2026-10-30").get_data(as_text=True)
    assert "您在 2026-10-30 不是该企业的包保责任人" in page
    assert post(client, world, ent=late, visited_on="2026-11-02").status_code == 302


def test_visits_before_the_previous_quarter_are_for_the_commission(client, world, login_as):
    login_as(world.liaison)
    page = post(client, world, visited_on="2026-06-30").get_data(as_text=True)
    assert "2026-07-01 之前的走访须由区经委补录" in page
    assert post(client, world, visited_on="2026-07-01").status_code == 302
    client.post("/logout")
    login_as(world.commission)
    response = post(client, world, idempotency_key="k-old", visited_on="2026-06-30",
                    liaisons=str(world.liaison.id))
    assert response.status_code == 302
    old = db.session.scalar(select(Visit).where(Visit.visited_on == date(2026, 6, 30)))
    assert [p.liaison_id for p in old.participants] == [world.liaison.id]
    assert old.author_id == world.commission.id


def test_a_commission_user_must_name_the_liaisons(client, world, login_as):
    login_as(world.commission)
    page = post(client, world).get_data(as_text=True)
    assert "请至少选择一名参加走访的包保责任人。" in page


def test_departments_and_leaders_cannot_log_visits(client, world, login_as, users):
    from crm.auth.roles import Role
    for role in (Role.DEPARTMENT, Role.LEADER, Role.TOWN):
        login_as(users[role])
        assert client.get(f"/visits/new?enterprise_id={world.ent.id}").status_code == 403
        client.post("/logout")


def test_the_session_check_tells_the_script_where_to_log_in(client, world, login_as):
    response = client.get("/visits/session?next=/visits/new%3Fenterprise_id%3D5")
    assert response.status_code == 401
    assert response.json["login"] == "/login?next=/visits/new?enterprise_id%3D5"
    login_as(world.liaison)
    response = client.get("/visits/session")
    assert response.json["ok"] is True and response.json["csrf_token"]
