"""The liaison's home, the liaison page, the enterprise page's timeline and the policy list."""
import re
from datetime import date

from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db
from crm.org.models import Town
from crm.visits.models import Policy
from tests.factories import assign, enterprise
from tests.visits.helpers import visit


def card_names(page: str) -> list[str]:
    return re.findall(r'<h2 class="h6 mb-1 enterprise-name">\s*(?:<a [^>]*>)?([^<]+)', page)


def test_the_home_shows_the_quarter_and_the_most_urgent_enterprise_first(client, world, login_as):
    # A handover on 10 December: that enterprise has the fewest days left.
    leaving = enterprise(world.town, name="移交中企业有限公司")
    assign(world.liaison, leaving, start_on=date(2025, 1, 1), end_on=date(2026, 12, 11))
    visit(world.other, world.liaison, date(2026, 10, 9))
    login_as(world.liaison)
    page = client.get("/visits/mine").get_data(as_text=True)
    assert "2026年第四季度" in page
    assert "已走访 1 / 应走访 3" in page and "剩余 37 天" in page
    assert '<progress class="coverage-bar" max="3" value="1"' in page
    assert card_names(page) == ["移交中企业有限公司", "上海海联海洋装备有限公司", "崇明绿华农业科技有限公司"]
    assert "待走访 · 剩余 16 天" in page
    assert "已走访 10-09" in page and "上次走访 2026-10-09" in page
    assert f'href="/enterprises/{world.ent.id}"' in page
    assert f'href="/visits/new?enterprise_id={world.ent.id}"' in page
    # The search box narrows the list (also without script).
    page = client.get("/visits/mine?q=绿华").get_data(as_text=True)
    assert card_names(page) == ["崇明绿华农业科技有限公司"]


def test_the_home_says_so_when_everything_is_visited(client, world, login_as):
    for ent in (world.ent, world.other):
        visit(ent, world.liaison, date(2026, 11, 2))
    login_as(world.liaison)
    assert "本季度您的企业已全部走访 ✓" in client.get("/visits/mine").get_data(as_text=True)


def test_a_visit_logged_on_the_form_moves_the_quarter_bar(client, world, login_as):
    from tests.visits.conftest import visit_form
    login_as(world.liaison)
    assert "已走访 0 / 应走访 2" in client.get("/visits/mine").get_data(as_text=True)
    client.post(f"/visits/new?enterprise_id={world.ent.id}", data=visit_form(world))
    assert "已走访 1 / 应走访 2" in client.get("/visits/mine").get_data(as_text=True)


def test_the_liaison_page_shows_coverage_per_quarter(client, world, login_as):
    visit(world.ent, [world.liaison, world.colleague], date(2026, 8, 3))
    visit(world.other, world.liaison, date(2026, 11, 3))
    login_as(world.commission)
    page = client.get(f"/visits/liaisons/{world.liaison.id}").get_data(as_text=True)
    assert "王伟" in page and "2026年第四季度" in page
    assert "上海海联海洋装备有限公司" in page and "待走访 · 剩余 37 天" in page
    page = client.get(f"/visits/liaisons/{world.liaison.id}?quarter=2026Q3").get_data(as_text=True)
    assert "已走访 08-03" in page and "未走访" in page  # 绿华 was not visited in Q3
    listing = client.get("/visits/liaisons").get_data(as_text=True)
    assert "王伟" in listing and "李娜" in listing


def test_town_users_see_only_their_towns_liaisons(client, world, login_as, make_user):
    elsewhere = Town(code="BZ", name="堡镇")
    db.session.add(elsewhere)
    db.session.commit()
    coordinator = make_user(Role.TOWN, login="bz", town=elsewhere)
    login_as(coordinator)
    assert client.get(f"/visits/liaisons/{world.liaison.id}").status_code == 404
    assert "王伟" not in client.get("/visits/liaisons").get_data(as_text=True)
    client.post("/logout")
    login_as(world.liaison)
    assert client.get(f"/visits/liaisons/{world.liaison.id}").status_code == 403


def test_the_enterprise_page_shows_the_timeline_and_the_quarter(client, world, login_as):
    from tests.visits.conftest import visit_form
    login_as(world.liaison)
    client.post(f"/visits/new?enterprise_id={world.ent.id}", data=visit_form(world, **{
        "problems-1-title": "厂区道路积水", "problems-1-category_id": str(world.categories["其他"].id)}))
    page = client.get(f"/enterprises/{world.ent.id}").get_data(as_text=True)
    assert "走访记录" in page and "2026-11-24" in page and "王伟" in page
    assert "生产经营正常，订单饱满。" in page
    assert "咨询研发费用加计扣除" in page and "现场答复" in page
    assert "厂区道路积水" in page and "待受理" in page
    assert "2026年第四季度" in page and "已走访 11-24" in page


def test_policies_are_managed_by_the_commission_and_matched_by_tag(client, world, login_as, users):
    from crm.enterprises.models import Tag
    tag = db.session.scalar(select(Tag))
    login_as(world.commission)
    response = client.post("/visits/policies", data={"title": "高新技术企业认定辅导", "tags": [str(tag.id)],
                                                     "active": "y"})
    assert response.status_code == 302
    policy = db.session.scalar(select(Policy).where(Policy.title == "高新技术企业认定辅导"))
    assert [t.name for t in policy.tags] == ["专精特新"]
    assert "已有同名政策" in client.post("/visits/policies", data={"title": "稳岗补贴"}).get_data(as_text=True)
    client.post(f"/visits/policies/{world.general.id}", data={"title": "稳岗补贴"})  # unticked: retired
    db.session.refresh(world.general)
    assert world.general.active is False
    client.post("/logout")
    login_as(world.liaison)
    page = client.get(f"/visits/new?enterprise_id={world.other.id}").get_data(as_text=True)
    # 绿华 has no tags: the tagged policies sit under 更多政策, the retired one is gone.
    assert "更多政策（2）" in page and "稳岗补贴" not in page
    assert client.get("/visits/policies").status_code == 403
