"""On a 390x844 phone: the demo liaison logs a visit with two problems, and nothing typed is lost
when the login expires while typing. Screenshots go to test-artifacts/."""
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.auth.models import User
from crm.db import db
from crm.demo.context import DEMO_PASSWORD
from crm.requests.models import Request
from crm.visits.models import Visit
from crm.visits.queries import my_cards

TODAY = date(2026, 11, 24)


@pytest.fixture
def demo(app, today):
    today(TODAY)
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: the form carries its token
    result = app.test_cli_runner().invoke(args=["crm", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    login = next(line.split()[1] for line in result.stdout.splitlines() if line.startswith("liaison "))
    return db.session.scalar(select(User).where(User.login == login))


def log_in(phone, server, login):
    phone.get_by_label("登录名").fill(login)
    phone.get_by_label("密码").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="登录").tap()


class Taps:
    """Counts the taps a liaison makes (typing is not counted)."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator):
        self.count += 1
        locator.tap()


def fits_the_phone(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_demo_liaison_logs_an_on_site_visit_with_two_problems(app, live_server, phone, screenshot, demo):
    _quarter, summary, cards = my_cards(demo, TODAY)
    urgent = cards[0]
    assert urgent.coverage.days_left == min(c.coverage.days_left for c in cards if c.coverage.days_left is not None)

    phone.goto(f"{live_server}/")
    log_in(phone, live_server, demo.login)
    phone.wait_for_url(f"{live_server}/visits/mine")
    assert f"已走访 {summary.visited} / 应走访 {summary.owed}" in phone.locator("main").inner_text()
    first = phone.locator(".enterprise-card").first
    assert urgent.enterprise.name in first.inner_text()
    assert f"待走访 · 剩余 {urgent.coverage.days_left} 天" in first.inner_text()
    fits_the_phone(phone)
    for button in phone.locator(".card-action").all()[:5]:
        assert button.bounding_box()["height"] >= 44
    screenshot(phone, "home")

    tap = Taps()
    tap(first.get_by_role("link", name="登记走访"))
    phone.wait_for_url(f"**/visits/new?enterprise_id={urgent.enterprise.id}")
    assert phone.get_by_label("走访日期").input_value() == TODAY.isoformat()
    assert phone.locator("#mode-0").is_checked()  # 上门
    for toggle in phone.locator(".mode-toggle").all():
        assert toggle.bounding_box()["height"] >= 44
    fits_the_phone(phone)

    phone.get_by_label("走访情况").fill("企业生产经营正常，新生产线下月调试。")
    rows = phone.locator("[data-problem-row]")
    rows.nth(0).locator("input[type=text]").fill("咨询研发费用加计扣除口径")
    tap(rows.nth(0).get_by_text("政策咨询", exact=True))
    tap(rows.nth(0).get_by_text("现场已答复"))
    rows.nth(0).get_by_label("答复内容").fill("已现场讲解 2026 年政策口径，企业表示清楚。")
    tap(phone.get_by_role("button", name="＋ 添加诉求"))
    rows.nth(1).locator("input[type=text]").fill("厂区门口道路雨天积水")
    tap(rows.nth(1).get_by_text("水电气网", exact=True))
    rows.nth(1).get_by_label("具体描述（选填）").fill("影响货车进出，请协调修缮。")
    fits_the_phone(phone)
    screenshot(phone, "form")
    tap(phone.get_by_role("button", name="保存", exact=True))

    phone.wait_for_url("**/saved")
    assert "已保存走访记录，生成诉求 2 件（1 件现场答复）" in phone.locator("#saved-message").inner_text()
    assert tap.count <= 6
    screenshot(phone, "saved")
    visit = db.session.scalar(select(Visit).order_by(Visit.id.desc()))
    assert (visit.enterprise_id, visit.mode, visit.visited_on) == (urgent.enterprise.id, "onsite", TODAY)
    states = dict(db.session.execute(select(Request.title, Request.state).where(Request.visit_id == visit.id)).all())
    assert states == {"咨询研发费用加计扣除口径": "answered_on_site", "厂区门口道路雨天积水": "submitted"}

    phone.get_by_role("link", name="查看企业").tap()
    phone.wait_for_url(f"**/enterprises/{urgent.enterprise.id}")
    timeline = phone.locator("#visits")
    text = timeline.inner_text()
    assert "2026-11-24" in text and "企业生产经营正常" in text
    assert "咨询研发费用加计扣除口径" in text and "现场答复" in text
    assert "厂区门口道路雨天积水" in text and "待受理" in text
    timeline.scroll_into_view_if_needed()
    screenshot(phone, "enterprise")

    phone.goto(f"{live_server}/visits/mine")
    assert f"已走访 {summary.visited + 1} / 应走访 {summary.owed}" in phone.locator("main").inner_text()


def test_nothing_typed_is_lost_when_the_login_expires(app, live_server, phone, screenshot, demo):
    _quarter, _summary, cards = my_cards(demo, TODAY)
    ent = cards[1].enterprise
    phone.goto(f"{live_server}/login")
    log_in(phone, live_server, demo.login)
    phone.wait_for_url(f"{live_server}/visits/mine")
    phone.goto(f"{live_server}/visits/new?enterprise_id={ent.id}")
    phone.get_by_text("电话", exact=True).tap()
    phone.get_by_label("走访情况").fill("电话了解企业近况：订单下滑两成。")
    row = phone.locator("[data-problem-row]").first
    row.locator("input[type=text]").fill("申请流动资金贷款贴息")
    row.get_by_text("融资", exact=True).tap()

    phone.context.clear_cookies()  # the session ends while the liaison is typing
    phone.get_by_role("button", name="保存", exact=True).tap()
    phone.wait_for_url("**/login?next=**")
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.enterprise_id == ent.id,
                                                                         Visit.visited_on == TODAY)) == 0
    log_in(phone, live_server, demo.login)
    phone.wait_for_url(f"**/visits/new?enterprise_id={ent.id}")
    assert phone.locator("#draft-restored").is_visible()
    assert phone.get_by_label("走访情况").input_value() == "电话了解企业近况：订单下滑两成。"
    assert phone.locator("#mode-2").is_checked()
    row = phone.locator("[data-problem-row]").first
    assert row.locator("input[type=text]").input_value() == "申请流动资金贷款贴息"
    screenshot(phone, "restored")

    phone.get_by_role("button", name="保存", exact=True).dblclick()  # an impatient double tap
    phone.wait_for_url("**/saved")
    assert "生成诉求 1 件（0 件现场答复）" in phone.locator("#saved-message").inner_text()
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.enterprise_id == ent.id,
                                                                         Visit.visited_on == TODAY)) == 1
    key = f"crm.visit-draft.{demo.id}.enterprise-{ent.id}"
    assert phone.evaluate(f"window.localStorage.getItem('{key}')") is None
