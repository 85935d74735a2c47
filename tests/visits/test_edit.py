"""Editing a visit: the author for 7 days, then only the commission; every change recorded and shown."""
from datetime import date, datetime, timezone

from sqlalchemy import select

from crm.db import db
from crm.visits.coverage import Status, pair_status
from crm.visits.models import Visit
from tests.visits.conftest import visit_form


def logged_visit(client, world, login_as):
    login_as(world.liaison)
    response = client.post(f"/visits/new?enterprise_id={world.ent.id}", data=visit_form(world))
    assert response.status_code == 302
    return db.session.scalar(select(Visit))


def edit_form(visit, **changes):
    data = {"visited_on": visit.visited_on.isoformat(), "mode": visit.mode,
            "people_met": visit.people_met or "", "findings": visit.findings or "",
            "other_topics": "", "problems-0-title": ""}
    data.update(changes)
    return data


def set_created(visit, day: date):
    visit.created_at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=timezone.utc)
    db.session.commit()


def test_the_author_edits_and_the_change_is_recorded_and_shown(client, world, login_as):
    visit = logged_visit(client, world, login_as)
    response = client.post(f"/visits/{visit.id}/edit", data=edit_form(
        visit, findings="订单饱满，计划扩产。", mode="video", visited_on="2026-11-20"))
    assert response.status_code == 302
    db.session.refresh(visit)
    assert (visit.findings, visit.mode, visit.visited_on) == ("订单饱满，计划扩产。", "video", date(2026, 11, 20))
    # The copies the coverage engine reads moved with the visit.
    assert [p.visited_on for p in visit.participants] == [date(2026, 11, 20)]
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "修改记录" in page
    assert "走访情况：生产经营正常，订单饱满。 → 订单饱满，计划扩产。" in page
    assert "走访方式：上门 → 视频" in page
    assert "走访日期：2026-11-24 → 2026-11-20" in page


def test_editing_can_add_a_problem_and_keeps_the_earlier_ones(client, world, login_as):
    from crm.requests.models import Request
    visit = logged_visit(client, world, login_as)
    response = client.post(f"/visits/{visit.id}/edit", data=edit_form(visit, **{
        "problems-0-title": "补充：用工招聘困难",
        "problems-0-category_id": str(world.categories["人才用工"].id)}))
    assert response.status_code == 302
    titles = db.session.scalars(select(Request.title).where(Request.visit_id == visit.id).order_by(Request.id)).all()
    assert titles == ["咨询研发费用加计扣除", "补充：用工招聘困难"]


def test_after_seven_days_only_the_commission_may_edit(client, world, login_as):
    visit = logged_visit(client, world, login_as)
    set_created(visit, date(2026, 11, 17))  # 7 days ago: still the author's
    assert client.get(f"/visits/{visit.id}/edit").status_code == 200
    set_created(visit, date(2026, 11, 16))  # 8 days ago
    assert client.get(f"/visits/{visit.id}/edit").status_code == 403
    assert client.post(f"/visits/{visit.id}/edit", data=edit_form(visit, findings="x")).status_code == 403
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "如需修改，请联系区经委" in page and f"/visits/{visit.id}/edit" not in page
    client.post("/logout")
    login_as(world.commission)
    response = client.post(f"/visits/{visit.id}/edit", data=edit_form(visit, findings="经委补正：订单下降。"))
    assert response.status_code == 302
    db.session.refresh(visit)
    assert visit.findings == "经委补正：订单下降。"
    # The liaison who logged it is still a participant when the commission edits.
    assert [p.liaison_id for p in visit.participants] == [world.liaison.id]


def test_someone_else_cannot_edit(client, world, login_as):
    visit = logged_visit(client, world, login_as)
    client.post("/logout")
    login_as(world.colleague)  # sees the visit (assigned to the enterprise) but did not log it
    assert client.get(f"/visits/{visit.id}").status_code == 200
    assert client.get(f"/visits/{visit.id}/edit").status_code == 403


def test_an_edit_that_moves_the_date_moves_the_coverage(client, world, login_as):
    from crm.enterprises.models import Assignment
    visit = logged_visit(client, world, login_as)
    a = db.session.scalar(select(Assignment).where(Assignment.liaison_id == world.liaison.id,
                                                   Assignment.enterprise_id == world.ent.id))
    assert pair_status(a, "2026Q4", today=world.today).status is Status.VISITED
    client.post(f"/visits/{visit.id}/edit", data=edit_form(visit, visited_on="2026-09-30"))
    assert pair_status(a, "2026Q4", today=world.today).status is Status.DUE
    assert pair_status(a, "2026Q3", today=world.today).status is Status.VISITED


def test_an_edit_keeps_the_rules_of_a_new_visit(client, world, login_as):
    visit = logged_visit(client, world, login_as)
    page = client.post(f"/visits/{visit.id}/edit", data=edit_form(visit, visited_on="2026-12-01")).get_data(as_text=True)
    assert "走访日期不能晚于今天" in page
    db.session.refresh(visit)
    assert visit.visited_on == world.today
