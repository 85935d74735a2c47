"""Who sees which enterprise on the list, the detail page and the export; who may change it."""
import io
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import true

import crm.permissions.enterprises as rules
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Contact
from tests.factories import assign, enterprise


@pytest.fixture
def world(users, town, other_town):
    mine = enterprise(town, name="本镇企业")
    mine.contacts.append(Contact(name="陈静", mobile="13812345678"))
    theirs = enterprise(other_town, name="外镇企业")
    theirs.contacts.append(Contact(name="李强", mobile="13912345678"))
    ended = enterprise(other_town, name="已解除企业")
    db.session.commit()
    assign(users[Role.LIAISON], theirs)
    assign(users[Role.LIAISON], ended, end_on=date(2025, 1, 1))
    return {"本镇企业": mine, "外镇企业": theirs, "已解除企业": ended}


ALL = {"本镇企业", "外镇企业", "已解除企业"}
SEES = {
    Role.ADMIN: ALL, Role.COMMISSION: ALL, Role.LEADER: ALL,
    Role.TOWN: {"本镇企业"},
    Role.LIAISON: {"外镇企业"},       # assigned today; the ended assignment no longer counts
    Role.DEPARTMENT: set(),          # no request names any of them
}


def on_page(html):
    return {name for name in ALL if name in html}


@pytest.mark.parametrize("role", list(SEES))
def test_list_export_and_detail_follow_the_scope(client, users, login_as, world, role):
    login_as(users[role])
    assert on_page(client.get("/enterprises/?status=all").get_data(as_text=True)) == SEES[role]
    exported = pd.read_excel(io.BytesIO(client.get("/enterprises/export.xlsx?status=all").data), dtype=str, engine="calamine")
    assert set(exported["企业名称"]) == SEES[role]
    for name, ent in world.items():
        status = client.get(f"/enterprises/{ent.id}").status_code
        assert status == (200 if name in SEES[role] else 404), (role, name)


def test_liaison_sees_full_contacts_of_their_enterprise(client, users, login_as, world):
    login_as(users[Role.LIAISON])
    html = client.get(f"/enterprises/{world['外镇企业'].id}").get_data(as_text=True)
    assert "13912345678" in html and "部分隐藏" not in html


def test_department_sees_requested_enterprises_with_masked_phones(client, users, login_as, world, monkeypatch):
    monkeypatch.setattr(rules, "_department_condition", lambda department_id: true())
    login_as(users[Role.DEPARTMENT])
    html = client.get(f"/enterprises/{world['本镇企业'].id}").get_data(as_text=True)
    assert "138****5678" in html and "13812345678" not in html and "部分隐藏" in html
    assert "编辑" not in html.split("<main")[1]


EDIT_PAGES = ["/enterprises/{id}/edit", "/enterprises/{id}/liaisons", "/enterprises/{id}/listing"]


@pytest.mark.parametrize("role, target, status", [
    (Role.COMMISSION, "外镇企业", 200), (Role.ADMIN, "本镇企业", 200),
    (Role.TOWN, "本镇企业", 200), (Role.TOWN, "外镇企业", 404),
    (Role.LEADER, "本镇企业", 403), (Role.LIAISON, "外镇企业", 403), (Role.DEPARTMENT, "本镇企业", 403),
])
def test_who_may_change_an_enterprise(client, users, login_as, world, role, target, status):
    login_as(users[role])
    for page in EDIT_PAGES:
        assert client.get(page.format(id=world[target].id)).status_code == status, page
    creating = client.get("/enterprises/new").status_code
    assert creating == (200 if role in (Role.COMMISSION, Role.ADMIN, Role.TOWN) else 403)


def test_tag_vocabulary_is_for_admins_only(client, users, login_as):
    login_as(users[Role.COMMISSION])
    assert client.get("/enterprises/tags").status_code == 403
