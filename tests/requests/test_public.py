"""The enterprise's public pages: submit, double submit, bad input, rate limit, tracking secrecy."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db, utcnow
from crm.notifications.models import Notification
from crm.requests.models import Request, TrackingLink, TrackingLookupFailure
from crm.requests.workflow import transition
from tests.factories import valid_code

from .conftest import TUESDAY

GOOD_MOBILE = "13912345678"


@pytest.fixture
def form(client, world, today):
    """The submit page's fields, as a browser would post them after loading the page."""
    today(TUESDAY)

    def fields(**changes):
        page = client.get("/submit").get_data(as_text=True)
        token = re.search(r'name="form_token"[^>]*value="([^"]+)"', page) or \
            re.search(r'value="([^"]+)"[^>]*name="form_token"', page)
        data = {
            "enterprise_name": "上海某某海洋装备有限公司", "credit_code": world["enterprise"].credit_code,
            "contact_name": "王经理", "mobile": GOOD_MOBILE, "email": "wang@example.com",
            "category": world["categories"]["人才用工"].id, "title": "招工难",
            "description": "希望了解稳岗补贴和技能培训补贴的申请条件。", "website": "",
            "form_token": token.group(1),
        }
        data.update(changes)
        return data

    return fields


def _link(page: str) -> str:
    return re.search(r'id="tracking-link" value="([^"]+)"', page).group(1)


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Request))


def test_submit_gives_a_number_and_a_secret_link(client, form, world):
    response = client.post("/submit", data=form())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "提交成功。受理编号 2026-000001。" in page
    link = _link(page)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits, base64url
    req = db.session.scalar(select(Request))
    assert (req.source, req.enterprise_id, req.town_id) == ("public", world["enterprise"].id, world["town"].id)
    assert req.contact_mobile == GOOD_MOBILE and req.state == "submitted"
    # Only a hash is stored.
    assert token not in (req.tracking_token_hash or "") and len(req.tracking_token_hash) == 64
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


def test_an_unlisted_enterprise_is_still_handled(client, form):
    client.post("/submit", data=form(enterprise_name="外区某科技有限公司", credit_code=valid_code(4242)))
    req = db.session.scalar(select(Request))
    assert req.enterprise_id is None and req.enterprise_name == "外区某科技有限公司"


def test_double_submit_creates_one_request_and_shows_the_same_link(client, form):
    data = form()
    first = client.post("/submit", data=data).get_data(as_text=True)
    second = client.post("/submit", data=data).get_data(as_text=True)
    assert _count() == 1
    assert _link(first) == _link(second)
    assert "受理编号 2026-000001" in second
    # A fresh form (new token) is a new request.
    client.post("/submit", data=form(title="第二件事"))
    assert _count() == 2


@pytest.mark.parametrize("changes,message", [
    ({"credit_code": "91310000MA1FL0000X"}, "校验"),
    ({"credit_code": ""}, "请填写统一社会信用代码。"),
    ({"mobile": "1391234567"}, "请填写 11 位手机号码。"),
    ({"mobile": "23912345678"}, "请填写 11 位手机号码。"),
    ({"email": "not-an-email"}, "邮箱格式不正确。"),
    ({"category": ""}, "请选择诉求类别。"),
    ({"category": "99999"}, "请选择诉求类别。"),
    ({"title": ""}, "请填写诉求标题。"),
    ({"description": "字" * 2001}, "诉求内容不能超过 2000 个字。"),
    ({"enterprise_name": ""}, "请填写企业名称。"),
    ({"contact_name": ""}, "请填写联系人。"),
    ({"form_token": "x"}, "表单已失效，请刷新页面后重试。"),
])
def test_bad_input_is_refused_next_to_the_field_and_nothing_saved(client, form, changes, message):
    data = form(**changes)
    response = client.post("/submit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    kept = [v for k, v in data.items() if k in ("contact_name", "title", "enterprise_name") and k not in changes]
    assert all(v in page for v in kept)  # what was typed is kept
    assert _count() == 0


def test_mobile_with_spaces_and_country_code_is_accepted(client, form):
    client.post("/submit", data=form(mobile="+86 139-1234-5678"))
    assert db.session.scalar(select(Request.contact_mobile)) == GOOD_MOBILE


def test_the_honeypot_saves_nothing(client, form):
    response = client.post("/submit", data=form(website="http://spam.example"))
    assert response.status_code == 400 and _count() == 0


def test_rate_limit_per_address(client, form, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_SUBMIT_RATE_LIMIT", "3 per hour")
    for i in range(3):
        assert client.post("/submit", data=form(title=f"第{i}件")).status_code == 200
    response = client.post("/submit", data=form(title="第4件"))
    assert response.status_code == 429
    assert _count() == 3
    assert client.get("/submit").status_code == 200  # reading the form is not limited


def test_request_size_limit(client, form):
    response = client.post("/submit", data=form(description="字" * 40000))
    assert response.status_code == 413 and _count() == 0


def test_csrf_is_checked_when_enabled(client, form, app):
    app.config["WTF_CSRF_ENABLED"] = True
    data = form()
    response = client.post("/submit", data=data)
    assert response.status_code == 400 and _count() == 0
    page = client.get("/submit").get_data(as_text=True)
    data["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data["form_token"] = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/submit", data=data).status_code == 200 and _count() == 1


def test_submit_needs_no_login_and_shows_no_staff_navigation(client, form):
    page = client.get("/submit").get_data(as_text=True)
    assert "企业诉求提交" in page and "退出" not in page and 'name="robots" content="noindex' in page
    assert "还可输入" in page or "最多 2000 字" in page


# --- the tracking page -------------------------------------------------------------------------

@pytest.fixture
def submitted(client, form):
    page = client.post("/submit", data=form()).get_data(as_text=True)
    return db.session.scalar(select(Request)), _link(page).split("localhost", 1)[1]


def test_tracking_page_shows_public_events_only(client, world, submitted, make_user):
    req, path = submitted
    lead = world["users"][Role.DEPARTMENT]
    lead.name, lead.mobile = "赵处长", "13700007777"
    c = world["users"][Role.COMMISSION]
    transition(req, "assign", c, today=TUESDAY, lead_department=world["lead"], instructions="内部督办意见：盯紧")
    transition(req, "accept", lead, today=TUESDAY)
    transition(req, "note", lead, today=TUESDAY, text="内部备注：企业负责人很难沟通", kind="note")
    transition(req, "urge", c, today=date(2026, 12, 9), instructions="内部催办要求")
    transition(req, "reply", lead, today=date(2026, 12, 9), answer="已为企业对接稳岗补贴申报。", outcome="resolved")
    db.session.commit()
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for visible in ("已提交", "已受理，交办至 区人社局", "区人社局 已签收，正在办理", "区人社局 已答复",
                    "已为企业对接稳岗补贴申报。", "评价", "非常满意", "非常不满意", "已答复"):
        assert visible in page, visible
    for secret in ("赵处长", "13700007777", "内部备注", "内部督办意见", "内部催办要求", "催办〔",
                   c.name, world["users"][Role.LIAISON].name):
        assert secret not in page, secret
    assert 'name="robots" content="noindex' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_enterprise_rates_through_its_link(client, world, submitted):
    req, path = submitted
    lead = world["users"][Role.DEPARTMENT]
    transition(req, "assign", world["users"][Role.COMMISSION], today=TUESDAY, lead_department=world["lead"])
    transition(req, "accept", lead, today=TUESDAY)
    transition(req, "reply", lead, today=TUESDAY, answer="已解决", outcome="resolved")
    db.session.commit()
    response = client.post(path + "/rate", data={"rate-comment": "没选评价"})
    assert response.status_code == 400 and "请选择评价。" in response.get_data(as_text=True)
    response = client.post(path + "/rate", data={"rate-rating": "satisfied", "rate-comment": "很及时"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "感谢您的评价！" in page and "企业评价：满意" in page and "已办结" in page
    assert db.session.get(Request, req.id).state == "closed"
    # Rating twice is refused politely.
    response = client.post(path + "/rate", data={"rate-rating": "unsatisfied"}, follow_redirects=True)
    assert "不能评价" in response.get_data(as_text=True)
    assert db.session.get(Request, req.id).rating == "satisfied"


@pytest.mark.parametrize("bad", ["x", "A" * 43, "A" * 200])
def test_wrong_tokens_get_the_same_neutral_page(client, submitted, bad):
    req, path = submitted
    unknown = client.get(f"/track/{bad}")
    assert unknown.status_code == 404
    assert "未找到该诉求" in unknown.get_data(as_text=True) and req.number not in unknown.get_data(as_text=True)
    assert client.post(f"/track/{bad}/rate", data={"rate-rating": "satisfied"}).status_code == 404


def _lookup(client, req, world, last4, address="127.0.0.1"):
    return client.post("/track", data={"number": req.number, "credit_code": world["enterprise"].credit_code,
                                       "mobile_last4": last4}, environ_base={"REMOTE_ADDR": address})


def test_lost_link_lookup_gives_a_new_link_and_keeps_the_old(client, submitted, world):
    req, old_path = submitted
    response = _lookup(client, req, world, "0000")
    assert response.status_code == 400 and "未找到匹配的诉求" in response.get_data(as_text=True)
    response = _lookup(client, req, world, GOOD_MOBILE[-4:])
    assert response.status_code == 302
    new_path = response.headers["Location"]
    assert new_path != old_path and new_path.startswith("/track/")
    assert "已生成新的查询链接" in client.get(new_path).get_data(as_text=True)
    # Whoever answered the questions, the enterprise's own link keeps working, and says what happened.
    old_page = client.get(old_path)
    assert old_page.status_code == 200
    assert "已补发新的查询链接，原有链接仍然有效；如非本单位操作，请联系区经委" in old_page.get_data(as_text=True)


def test_recovery_is_told_to_the_enterprise_by_email_and_audited(client, submitted, world):
    req, _path = submitted
    assert _lookup(client, req, world, GOOD_MOBILE[-4:]).status_code == 302
    mail = db.session.scalar(select(Notification).where(Notification.kind == "link_reissued"))
    assert (mail.channel, mail.address) == ("email", "wang@example.com")
    assert req.number in mail.subject and "原有的链接仍然有效" in mail.body
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "request.link_reissued",
                                                      AuditEntry.object_id == req.id)) is not None


def test_forty_addresses_get_five_tries_at_one_number(client, submitted, world):
    req, old_path = submitted
    answers = [_lookup(client, req, world, f"{i:04d}", address=f"10.0.0.{i}") for i in range(1, 41)]
    assert [r.status_code for r in answers[:4]] == [400] * 4
    assert all(r.status_code == 429 for r in answers[4:])
    locked = answers[-1].get_data(as_text=True)
    assert "查询失败次数过多，该受理编号已暂时锁定，请联系区经委。" in locked
    assert f'value="{req.number}"' in locked  # what was typed is kept
    # Locked means locked: even the right answer gives no link, and nothing was replaced.
    right = _lookup(client, req, world, GOOD_MOBILE[-4:], address="10.0.1.1")
    assert right.status_code == 429 and "Location" not in right.headers
    assert db.session.scalar(select(func.count()).select_from(TrackingLink)) == 0
    assert client.get(old_path).status_code == 200


def test_lookup_lock_names_the_commission_phone_and_lifts_after_a_day(client, submitted, world, app,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "COMMISSION_PHONE", "021-69690000")
    req, _path = submitted
    for i in range(5):
        _lookup(client, req, world, "0000", address=f"10.0.0.{i}")
    response = _lookup(client, req, world, GOOD_MOBILE[-4:], address="10.0.1.1")
    assert "请致电区经委（021-69690000）" in response.get_data(as_text=True)
    db.session.execute(update(TrackingLookupFailure).values(at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    assert _lookup(client, req, world, GOOD_MOBILE[-4:], address="10.0.1.1").status_code == 302


def test_lost_link_lookup_is_rate_limited(client, submitted, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_LOOKUP_RATE_LIMIT", "2 per hour")
    req, _path = submitted
    data = {"number": req.number, "credit_code": world["enterprise"].credit_code, "mobile_last4": "0000"}
    assert client.post("/track", data=data).status_code == 400
    assert client.post("/track", data=data).status_code == 400
    assert client.post("/track", data=data).status_code == 429
