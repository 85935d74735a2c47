"""Who sees which visit: district roles all, a town its own, a liaison theirs, a department only
visits that raised a request assigned to it."""
from datetime import date

import pytest
from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db
from crm.org.models import Department, Town
from crm.permissions import scope_visits
from crm.visits.models import Visit
from tests.factories import assign, enterprise
from tests.visits.helpers import visit


@pytest.fixture
def district(world, make_user, department):
    other_town = Town(code="BZ", name="堡镇")
    db.session.add(other_town)
    db.session.commit()
    far = enterprise(other_town, name="堡镇企业有限公司")
    outsider = make_user(Role.LIAISON, login="outsider", name="钱外")
    assign(outsider, far, start_on=date(2025, 1, 1))
    d = {
        "mine": visit(world.ent, world.liaison, date(2026, 11, 2)),
        "colleague": visit(world.stranger, world.colleague, date(2026, 11, 3)),
        "joint": visit(world.stranger, [world.colleague, world.liaison], date(2026, 11, 4)),
        "far": visit(far, outsider, date(2026, 11, 5)),
    }
    from crm.requests.intake import create_request
    req = create_request(enterprise=far, source="visit", category=world.categories["其他"],
                         title="需要部门协调", description="需要部门协调", actor=outsider,
                         visit_id=d["far"].id)
    req.lead_department_id = department.id  # as if assigned to this department
    db.session.commit()
    d["town"] = make_user(Role.TOWN, login="bz", town=other_town)
    d["dept"] = make_user(Role.DEPARTMENT, login="rsj", department=department)
    other_dept = Department(code="KW", name="区科委")
    db.session.add(other_dept)
    db.session.commit()
    d["other_dept"] = make_user(Role.DEPARTMENT, login="kw", department=other_dept)
    return d


def seen(user, world):
    return {v.id for v in db.session.scalars(scope_visits(select(Visit), user, world.today))}


def test_district_roles_see_every_visit(world, district, users):
    everything = {v.id for v in district.values() if isinstance(v, Visit)}
    for role in (Role.ADMIN, Role.COMMISSION, Role.LEADER):
        assert seen(users[role], world) == everything


def test_a_liaison_sees_their_visits_and_their_enterprises(world, district):
    ids = {k: v.id for k, v in district.items() if isinstance(v, Visit)}
    # Own visit, and the joint visit they took part in; not the colleague's visit elsewhere.
    assert seen(world.liaison, world) == {ids["mine"], ids["joint"]}
    # The colleague is assigned to both enterprises: sees all three visits there.
    assert seen(world.colleague, world) == {ids["mine"], ids["colleague"], ids["joint"]}


def test_a_town_user_sees_their_towns_visits(world, district, make_user):
    assert seen(district["town"], world) == {district["far"].id}
    here = make_user(Role.TOWN, login="cq", town=world.town)
    assert district["far"].id not in seen(here, world)


def test_a_department_sees_only_visits_that_raised_its_requests(world, district):
    assert seen(district["dept"], world) == {district["far"].id}
    assert seen(district["other_dept"], world) == set()


def test_out_of_scope_visits_answer_not_found(client, world, district, login_as):
    login_as(world.liaison)
    assert client.get(f"/visits/{district['mine'].id}").status_code == 200
    assert client.get(f"/visits/{district['far'].id}").status_code == 404
    assert client.get(f"/visits/{district['far'].id}/edit").status_code == 404
    page = client.get("/visits/").get_data(as_text=True)
    assert world.ent.name in page and "堡镇企业有限公司" not in page
    client.post("/logout")
    login_as(district["dept"])
    page = client.get(f"/visits/{district['far'].id}").get_data(as_text=True)
    assert "需要部门协调" in page


def test_the_visit_list_does_not_grow_queries_with_the_page_size(client, world, login_as):
    from tests.visits.helpers import count_statements
    for day in range(1, 13):
        visit(world.ent, [world.liaison, world.colleague], date(2026, 11, day))
    login_as(world.commission)

    def queries(per_page):
        with count_statements() as statements:
            assert client.get(f"/visits/?per_page={per_page}").status_code == 200
        return len(statements)

    assert queries(3) == queries(12)
