"""What each role sees through the API is exactly what it sees on the pages."""
from __future__ import annotations

from datetime import date

import pytest

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Contact
from crm.org.models import Town
from crm.requests.categories import ensure_default_categories
from crm.requests.intake import create_request
from crm.requests.workflow import transition
from tests import factories


@pytest.fixture
def district(app, users, town, department, make_user, today):
    today()
    other = Town(code="CX", name="长兴镇")
    db.session.add(other)
    db.session.commit()
    ents = [
        factories.enterprise(town, name="城桥甲有限公司"),
        factories.enterprise(town, name="城桥乙有限公司", removed_on=date(2026, 3, 1)),
        factories.enterprise(other, name="长兴丙有限公司"),
        factories.enterprise(other, name="长兴丁有限公司"),
        factories.enterprise(other, name="长兴戊有限公司"),
    ]
    ents[2].contacts.append(Contact(name="赵主任", mobile="13900001111"))
    db.session.commit()
    factories.assign(users[Role.LIAISON], ents[0])
    factories.assign(users[Role.LIAISON], ents[2], role="assisting")
    factories.assign(users[Role.LIAISON], ents[3], end_on=date(2026, 9, 1))
    # A request on 长兴丙 assigned to the department puts that enterprise in its scope.
    category = ensure_default_categories()[0]
    req = create_request(enterprise=ents[2], source="visit", category=category, title="用工咨询",
                         description="招工补贴政策咨询", actor=users[Role.LIAISON])
    transition(req, "assign", users[Role.COMMISSION], lead_department=department)
    db.session.commit()
    return ents


def _page_names(client, ents) -> set[str]:
    page = client.get("/enterprises/?status=all&per_page=200").get_data(as_text=True)
    return {e.name for e in ents if e.name in page}


@pytest.mark.parametrize("role", list(Role))
def test_api_scope_equals_page_scope(client, users, district, login_as, api_as, role):
    user = users[role]
    login_as(user)
    api = api_as(user)
    listed = {item["name"] for item in api.get("/enterprises?per_page=100").json["items"]}
    assert listed == _page_names(client, district)
    for ent in district:
        page = client.get(f"/enterprises/{ent.id}").status_code
        assert api.get(f"/enterprises/{ent.id}").status_code == page, (role, ent.name)
        assert api.get(f"/enterprises/by-code/{ent.credit_code}").status_code == page


def test_scope_per_role_is_as_the_domain_says(users, district, api_as):
    def names(role):
        return {i["name"] for i in api_as(users[role]).get("/enterprises").json["items"]}

    everything = {e.name for e in district}
    assert names(Role.ADMIN) == names(Role.COMMISSION) == names(Role.LEADER) == everything
    assert names(Role.TOWN) == {"城桥甲有限公司", "城桥乙有限公司"}
    assert names(Role.LIAISON) == {"城桥甲有限公司", "长兴丙有限公司"}  # not the ended assignment
    assert names(Role.DEPARTMENT) == {"长兴丙有限公司"}


def test_department_sees_contacts_masked(users, district, api_as):
    ent = district[2]
    body = api_as(users[Role.DEPARTMENT]).get(f"/enterprises/{ent.id}").json
    assert body["contacts_masked"] is True and body["contacts"][0]["mobile"] == "139****1111"
    body = api_as(users[Role.LIAISON]).get(f"/enterprises/{ent.id}").json
    assert body["contacts_masked"] is False and body["contacts"][0]["mobile"] == "13900001111"


def test_assignments_follow_enterprise_scope(users, district, api_as):
    def enterprises_of(role):
        items = api_as(users[role]).get("/assignments").json["items"]
        return {a["enterprise"]["name"] for a in items}

    assert enterprises_of(Role.COMMISSION) == {"城桥甲有限公司", "长兴丙有限公司", "长兴丁有限公司"}
    assert enterprises_of(Role.TOWN) == {"城桥甲有限公司"}
    assert enterprises_of(Role.LIAISON) == {"城桥甲有限公司", "长兴丙有限公司"}
