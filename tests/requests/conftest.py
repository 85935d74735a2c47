"""A small district for request tests: categories, departments, an enterprise with its liaison."""
from __future__ import annotations

from datetime import date

import pytest

from crm.auth.roles import Role
from crm.db import db
from crm.org.models import Department
from crm.requests.categories import ensure_default_categories
from crm.requests.intake import create_request
from crm.requests.models import RequestSource
from crm.requests.workflow import transition
from tests.factories import assign, enterprise

#: Tuesday 24 November 2026, a working day; most tests start here.
MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)


@pytest.fixture
def categories(app):
    cats = {c.name: c for c in ensure_default_categories()}
    db.session.commit()
    return cats


@pytest.fixture
def world(app, users, town, department, categories, make_user):
    """Everything a request needs, plus a second department and its handler."""
    other = Department(code="GHZY", name="区规划资源局")
    db.session.add(other)
    db.session.commit()
    ent = enterprise(town, name="上海某某海洋装备有限公司")
    assign(users[Role.LIAISON], ent)
    return {
        "users": users, "town": town, "lead": department, "other": other, "enterprise": ent,
        "other_handler": make_user(Role.DEPARTMENT, login="other_dept", department=other),
        "categories": categories,
    }


@pytest.fixture
def new_request(world):
    """Make a request in state 待受理 (submitted on Tuesday 24 November 2026 by default)."""

    def make(category="政策咨询", on=TUESDAY, **kw):
        req = create_request(
            enterprise=kw.pop("enterprise", world["enterprise"]), source=kw.pop("source", RequestSource.VISIT),
            category=world["categories"][category], title=kw.pop("title", "厂房消防验收咨询"),
            description=kw.pop("description", "想了解扩建厂房的消防验收流程。"),
            actor=kw.pop("actor", world["users"][Role.LIAISON]), submitted_on=on, **kw)
        db.session.commit()
        return req

    return make


@pytest.fixture
def assigned_request(world, new_request):
    """A request the commission assigned to 区人社局 on `on` (default Tuesday 24 November 2026)."""

    def make(on=TUESDAY, days=None, category="政策咨询", **kw):
        req = new_request(category=category, on=on, **kw)
        transition(req, "assign", world["users"][Role.COMMISSION], today=on,
                   lead_department=world["lead"], time_limit_days=days)
        db.session.commit()
        return req

    return make


@pytest.fixture
def actors(world, make_user):
    """Every kind of person a guard must tell apart, by a short name."""
    users = world["users"]
    from crm.org.models import Town

    far = Town(code="BZ", name="堡镇")
    db.session.add(far)
    db.session.commit()
    return {
        "admin": users[Role.ADMIN], "commission": users[Role.COMMISSION], "town": users[Role.TOWN],
        "other_town": make_user(Role.TOWN, login="far_town", town=far),
        "lead": users[Role.DEPARTMENT], "other_dept": world["other_handler"],
        "liaison": users[Role.LIAISON], "other_liaison": make_user(Role.LIAISON, login="far_liaison"),
        "leader": users[Role.LEADER],
    }


def cooperate(req, department):
    """Add a cooperating department to the current round."""
    req.cooperators.append(department)
    db.session.commit()
