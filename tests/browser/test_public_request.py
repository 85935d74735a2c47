"""On a 390x844 phone an enterprise submits a request at /submit, and after the department
replies (driven here through the workflow), rates the answer through its tracking link."""
from datetime import date

from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db
from crm.requests.categories import ensure_default_categories
from crm.requests.models import Request
from crm.requests.workflow import transition
from tests.factories import enterprise


def test_enterprise_submits_follows_and_rates_on_a_phone(app, live_server, phone, screenshot, users, town,
                                                         department, today):
    today(date(2026, 11, 24))
    ensure_default_categories()
    ent = enterprise(town, name="上海瀛通海洋装备有限公司")
    db.session.commit()

    phone.goto(f"{live_server}/submit")
    assert phone.locator("h1").inner_text() == "企业诉求提交"
    phone.get_by_label("企业名称", exact=True).fill(ent.name)
    phone.get_by_label("统一社会信用代码").fill(ent.credit_code.lower())
    phone.get_by_label("联系人").fill("王经理")
    phone.get_by_label("手机号码").fill("139 1234 5678")
    phone.get_by_label("邮箱（选填）").fill("wang@example.com")
    phone.get_by_label("诉求类别").select_option(label="人才用工")
    phone.get_by_label("诉求标题").fill("技术工人招聘难")
    phone.get_by_label("诉求内容").fill("扩产后需要招聘 30 名焊工，希望了解招聘补贴和培训支持。")
    assert "还可输入" in phone.locator("#description-left").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "submit-form")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_selector("#tracking-link")
    assert "提交成功。受理编号 2026-000001。" in phone.locator("h1").inner_text()
    link = phone.locator("#tracking-link").input_value()
    assert link.startswith(f"{live_server}/track/")
    screenshot(phone, "submitted")

    # The district handles it: the commission assigns, the department signs for it and replies.
    db.session.expire_all()
    req = db.session.scalar(select(Request))
    assert (req.enterprise_id, req.contact_mobile) == (ent.id, "13912345678")
    transition(req, "assign", users[Role.COMMISSION], today=date(2026, 11, 24), lead_department=department)
    transition(req, "accept", users[Role.DEPARTMENT], today=date(2026, 11, 25))
    transition(req, "reply", users[Role.DEPARTMENT], today=date(2026, 11, 27), outcome="resolved",
               answer="已为企业对接区就业促进中心，专场招聘会定于 12 月 5 日举行，培训补贴申报指南已发送。")
    db.session.commit()

    phone.goto(link)
    assert phone.locator("#public-state").inner_text() == "已答复"
    timeline = phone.locator("#public-timeline").inner_text()
    for step in ("已提交", "已受理，交办至 区人社局", "区人社局 已签收，正在办理", "区人社局 已答复"):
        assert step in timeline
    assert users[Role.DEPARTMENT].name not in phone.content()
    assert "专场招聘会定于 12 月 5 日举行" in phone.locator("#public-reply").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "replied")
    phone.get_by_label("满意", exact=True).check()
    phone.get_by_label("意见").fill("响应很快，谢谢！")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_selector("text=感谢您的评价！")
    assert phone.locator("#public-state").inner_text() == "已办结"
    assert "企业评价：满意" in phone.locator("#public-timeline").inner_text()
    screenshot(phone, "rated")

    db.session.expire_all()
    req = db.session.scalar(select(Request))
    assert (req.state, req.rating, req.rated_via, req.rating_comment) == ("closed", "satisfied", "link",
                                                                          "响应很快，谢谢！")
