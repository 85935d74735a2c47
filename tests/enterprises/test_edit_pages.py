"""Creating, editing, removing and re-listing an enterprise through its forms; every change audited."""
from datetime import date

from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Enterprise, ListPeriod
from tests.factories import assign, enterprise

CODE = "91350100M000100Y43"


def form(town, **overrides):
    data = {
        "name": "上海明珠海洋装备有限公司", "credit_code": "９１３５０１００ｍ０００１００ｙ４３",
        "town_id": town.id, "level": "district", "industry": "C", "address": "上海市崇明区八一路1号",
        "notes": "", "added_on": "2026-11-01", "added_reason": "2026年度清单",
        "contacts-0-name": "陈静", "contacts-0-title": "总经理", "contacts-0-mobile": "138 1234 5678",
        "contacts-0-email": "", "contacts-1-name": "", "contacts-1-title": "", "contacts-1-mobile": "",
        "contacts-1-email": "",
    }
    data.update(overrides)
    return data


def history(ent_id):
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == "enterprise", AuditEntry.object_id == ent_id).order_by(AuditEntry.id)).all()


def test_commission_creates_an_enterprise_listed_from_the_chosen_day(client, users, login_as, town, tags):
    login_as(users[Role.COMMISSION])
    assert "列入清单日期" in client.get("/enterprises/new").get_data(as_text=True)
    response = client.post("/enterprises/new", data=form(town, tags=[tags["专精特新"].id]))
    assert response.status_code == 302
    ent = db.session.scalar(select(Enterprise))
    assert ent.credit_code == CODE and ent.level == "district" and [t.name for t in ent.tags] == ["专精特新"]
    assert [(c.name, c.mobile) for c in ent.contacts] == [("陈静", "13812345678")]
    assert ent.list_periods[0].added_on == date(2026, 11, 1)
    [created] = history(ent.id)
    assert created.action == "create" and created.actor_id == users[Role.COMMISSION].id
    assert created.changes["credit_code"] == CODE
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "上海明珠海洋装备有限公司" in page and "新建" in page and "2026年度清单" in page


def test_form_errors_name_the_field_and_keep_what_was_typed(client, users, login_as, town):
    login_as(users[Role.COMMISSION])
    response = client.post("/enterprises/new", data=form(
        town, name="", credit_code="91350100M000100Y44", added_on="2026-13-01",
        **{"contacts-0-mobile": "12345", "contacts-1-title": "财务"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写企业名称" in html
    assert "第18位应为“3”" in html and 'value="91350100M000100Y44"' in html
    assert "电话号码“12345”格式不正确" in html
    assert "请填写联系人姓名" in html  # a contact row with a title but no name
    assert "日期格式不正确，应为 2026-01-05" in html
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_a_duplicate_code_links_to_the_existing_enterprise(client, users, login_as, town):
    existing = enterprise(town, name="已登记企业", credit_code=CODE)
    login_as(users[Role.COMMISSION])
    html = client.post("/enterprises/new", data=form(town)).get_data(as_text=True)
    assert "该代码已登记为“已登记企业”" in html
    assert f'/enterprises/{existing.id}"' in html
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 1


def test_the_database_refuses_a_duplicate_code_too(app, town):
    import pytest
    from sqlalchemy.exc import IntegrityError

    enterprise(town, credit_code=CODE)
    db.session.add(Enterprise(name="重复", credit_code=CODE, town_id=town.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_edit_records_before_and_after(client, users, login_as, town, other_town, tags):
    ent = enterprise(town, name="旧名称有限公司", industry="C")
    login_as(users[Role.COMMISSION])
    page = client.get(f"/enterprises/{ent.id}/edit").get_data(as_text=True)
    assert 'value="旧名称有限公司"' in page
    response = client.post(f"/enterprises/{ent.id}/edit", data=form(
        other_town, name="新名称有限公司", credit_code=ent.credit_code, industry="I",
        tags=[tags["小巨人"].id], reason="企业更名"))
    assert response.status_code == 302
    [update] = [e for e in history(ent.id) if e.action == "update"]
    assert update.changes["name"] == ["旧名称有限公司", "新名称有限公司"]
    assert update.changes["town"] == ["城桥镇", "堡镇"]
    assert update.changes["industry"] == ["C", "I"]
    assert update.changes["tags"] == [[], ["小巨人"]]
    assert update.reason == "企业更名"
    detail = client.get(f"/enterprises/{ent.id}").get_data(as_text=True)
    assert "旧名称有限公司" in detail and "→" in detail and "企业更名" in detail


def test_saving_an_unchanged_form_records_nothing(client, users, login_as, town):
    ent = enterprise(town, name="不变有限公司", level="town", address="地址")
    login_as(users[Role.COMMISSION])
    client.post(f"/enterprises/{ent.id}/edit", data=form(
        town, name="不变有限公司", credit_code=ent.credit_code, level="town", industry="",
        address="地址", **{"contacts-0-name": "", "contacts-0-title": "", "contacts-0-mobile": ""}))
    assert [e.action for e in history(ent.id)] == []


def test_remove_from_list_keeps_the_record_and_ends_liaisons(client, users, login_as, town):
    ent = enterprise(town, listed_on=date(2024, 1, 1))
    assign(users[Role.LIAISON], ent)
    login_as(users[Role.COMMISSION])
    response = client.post(f"/enterprises/{ent.id}/listing", data={
        "on": "2026-11-20", "reason": "迁出本区", "end_assignments": "y"})
    assert response.status_code == 302
    db.session.refresh(ent)
    assert ent.list_periods[0].removed_on == date(2026, 11, 20)
    assert ent.assignments[0].end_on == date(2026, 11, 20)
    [removed] = [e for e in history(ent.id) if e.action == "remove"]
    assert removed.reason == "迁出本区"
    assert db.session.get(Enterprise, ent.id) is not None  # never deleted


def test_relisting_opens_a_new_period_and_checks_dates(client, users, login_as, town):
    ent = enterprise(town, listed_on=date(2024, 1, 1), removed_on=date(2025, 1, 1))
    login_as(users[Role.COMMISSION])
    early = client.post(f"/enterprises/{ent.id}/listing", data={"on": "2024-06-01", "reason": "重新认定"})
    assert early.status_code == 422
    assert "不能早于上次移出日期（2025-01-01）" in early.get_data(as_text=True)
    missing = client.post(f"/enterprises/{ent.id}/listing", data={"on": "2026-11-01", "reason": ""})
    assert "请填写列入原因" in missing.get_data(as_text=True)
    ok = client.post(f"/enterprises/{ent.id}/listing", data={"on": "2026-11-01", "reason": "重新认定"})
    assert ok.status_code == 302
    periods = db.session.scalars(select(ListPeriod).where(ListPeriod.enterprise_id == ent.id)
                                 .order_by(ListPeriod.added_on)).all()
    assert [(p.added_on, p.removed_on) for p in periods] == [
        (date(2024, 1, 1), date(2025, 1, 1)), (date(2026, 11, 1), None)]


def test_town_user_creates_only_in_their_town(client, users, login_as, town, other_town):
    login_as(users[Role.TOWN])
    page = client.get("/enterprises/new").get_data(as_text=True)
    assert "城桥镇" in page and "堡镇" not in page
    response = client.post("/enterprises/new", data=form(other_town))
    assert response.status_code == 422 and "Not a valid choice" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
