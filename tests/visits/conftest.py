"""A small district for the visit pages: a liaison with three enterprises, a colleague, the
request categories and a few policies; today pinned to Tuesday 24 November 2026."""
from datetime import date

import pytest

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Tag
from crm.requests.categories import ensure_default_categories
from crm.visits.models import Policy
from tests.factories import assign, enterprise

TODAY = date(2026, 11, 24)


class World:
    pass


@pytest.fixture
def world(app, today, town, make_user):
    today(TODAY)
    w = World()
    w.today = TODAY
    w.town = town
    w.liaison = make_user(Role.LIAISON, login="wangwei", name="王伟", town=town)
    w.colleague = make_user(Role.LIAISON, login="lina", name="李娜", town=town)
    w.commission = make_user(Role.COMMISSION, login="jingwei", name="经委张")
    tag = Tag(name="专精特新")
    db.session.add(tag)
    w.ent = enterprise(town, name="上海海联海洋装备有限公司", tags=[tag])
    w.other = enterprise(town, name="崇明绿华农业科技有限公司")
    w.stranger = enterprise(town, name="无关企业有限公司")
    assign(w.liaison, w.ent, start_on=date(2025, 1, 1))
    assign(w.colleague, w.ent, start_on=date(2025, 1, 1), role="assisting")
    assign(w.liaison, w.other, start_on=date(2025, 1, 1))
    assign(w.colleague, w.stranger, start_on=date(2025, 1, 1))
    w.categories = {c.name: c for c in ensure_default_categories()}
    w.policy = Policy(title="专精特新企业奖励政策", tags=[tag])
    w.general = Policy(title="稳岗补贴")
    db.session.add_all([w.policy, w.general])
    db.session.commit()
    return w


def visit_form(world, **overrides):
    """The common case as a phone submits it: today, on site, one problem answered on site."""
    data = {
        "idempotency_key": overrides.pop("idempotency_key", "key-1"),
        "visited_on": TODAY.isoformat(),
        "mode": "onsite",
        "people_met": "张总（总经理）",
        "findings": "生产经营正常，订单饱满。",
        "problems-0-title": "咨询研发费用加计扣除",
        "problems-0-category_id": str(world.categories["政策咨询"].id),
        "problems-0-description": "",
        "problems-0-answered_on_site": "y",
        "problems-0-answer": "已现场讲解政策口径。",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
