"""The permission module's enterprise filter, role by role."""
from datetime import date

import pytest
from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Enterprise
from crm.org.models import Town
from crm.permissions import can_edit_enterprise, scope_enterprises, sees_everything
from tests.factories import assign, enterprise


@pytest.fixture
def world(app, users, town, make_user):
    other_town = Town(code="BZ", name="堡镇")
    db.session.add(other_town)
    db.session.commit()
    mine = enterprise(town, name="本镇企业")
    theirs = enterprise(other_town, name="外镇企业")
    ended = enterprise(other_town, name="已解除企业")
    assign(users[Role.LIAISON], mine)
    assign(users[Role.LIAISON], ended, start_on=date(2024, 1, 1), end_on=date(2025, 1, 1))
    return {"mine": mine, "theirs": theirs, "ended": ended, "other_town": other_town}


def visible(user, today=date(2026, 11, 24)):
    return set(db.session.scalars(scope_enterprises(select(Enterprise.name), user, today)))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMMISSION, Role.LEADER])
def test_district_roles_see_everything(world, users, role):
    assert visible(users[role]) == {"本镇企业", "外镇企业", "已解除企业"}
    assert sees_everything(users[role])


def test_town_user_sees_only_their_town(world, users):
    assert visible(users[Role.TOWN]) == {"本镇企业"}


def test_liaison_sees_only_active_assignments(world, users):
    assert visible(users[Role.LIAISON]) == {"本镇企业"}
    # Before the assignment ended, the liaison saw that enterprise too.
    assert visible(users[Role.LIAISON], today=date(2024, 6, 1)) == {"本镇企业", "已解除企业"}


def test_department_user_sees_nothing_without_requests(world, users):
    assert visible(users[Role.DEPARTMENT]) == set()


def test_roles_add_up_for_a_town_coordinator_who_is_also_a_liaison(world, make_user, town):
    both = make_user(Role.TOWN, Role.LIAISON, town=world["other_town"])
    assign(both, world["mine"])
    assert visible(both) == {"本镇企业", "外镇企业", "已解除企业"}


def test_user_without_roles_sees_nothing(world, users):
    users[Role.LIAISON].role_rows = []
    db.session.commit()
    assert visible(users[Role.LIAISON]) == set()


def test_only_commission_admin_and_own_town_may_edit(world, users):
    assert can_edit_enterprise(users[Role.COMMISSION], world["theirs"])
    assert can_edit_enterprise(users[Role.TOWN], world["mine"])
    assert not can_edit_enterprise(users[Role.TOWN], world["theirs"])
    assert not can_edit_enterprise(users[Role.LEADER], world["mine"])
    assert not can_edit_enterprise(users[Role.LIAISON], world["mine"])


@pytest.mark.parametrize("role, path, status", [
    (Role.LIAISON, "/admin/users", 403),
    (Role.DEPARTMENT, "/admin/towns", 403),
    (Role.LEADER, "/admin/import", 403),
    (Role.LIAISON, "/requests/board", 403),
    (Role.DEPARTMENT, "/visits/mine", 403),
    (Role.ADMIN, "/admin/users", 200),
])
def test_pages_refuse_roles_they_are_not_for(client, users, login_as, role, path, status):
    login_as(users[role])
    response = client.get(path)
    assert response.status_code == status
    if status == 403:
        assert "无权访问" in response.get_data(as_text=True)
