"""Login, logout, throttling, deactivation and the first-login password change."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from crm.auth.models import LoginAttempt, User, UserSession
from crm.auth.roles import Role
from crm.db import db, utcnow
from tests.conftest import PASSWORD


def test_login_page_is_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "企业服务包管理系统" in page
    assert "登录名" in page and "密码" in page


def test_wrong_password_gives_one_generic_message_and_keeps_the_login(client, make_user):
    make_user(Role.LIAISON, login="zhangsan")
    wrong = client.post("/login", data={"login": "zhangsan", "password": "wrong-password"})
    unknown = client.post("/login", data={"login": "nobody", "password": "wrong-password"})
    for response, login in ((wrong, "zhangsan"), (unknown, "nobody")):
        page = response.get_data(as_text=True)
        assert "登录名或密码错误" in page
        assert f'value="{login}"' in page
    # No account enumeration: the two answers differ only by the typed login.
    assert wrong.status_code == unknown.status_code == 200


@pytest.mark.parametrize("role, home", [
    (Role.LIAISON, "/visits/mine"),
    (Role.DEPARTMENT, "/requests/inbox"),
    (Role.COMMISSION, "/dashboard"),
    (Role.TOWN, "/dashboard"),
    (Role.LEADER, "/dashboard"),
    (Role.ADMIN, "/admin/users"),
])
def test_each_role_lands_on_its_home(client, users, login_as, role, home):
    login_as(users[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200


def test_login_is_case_insensitive_on_the_login_name(client, make_user):
    make_user(Role.LIAISON, login="WangWu")
    response = client.post("/login", data={"login": "wangwu", "password": PASSWORD})
    assert response.status_code == 302


def test_throttle_per_account_after_five_failures(client, make_user):
    make_user(Role.LIAISON, login="lisi")
    for _ in range(5):
        client.post("/login", data={"login": "lisi", "password": "nope-nope-nope"})
    blocked = client.post("/login", data={"login": "lisi", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "登录失败次数过多" in blocked.get_data(as_text=True)
    assert "分钟后再试" in blocked.get_data(as_text=True)


def test_throttle_lifts_when_failures_leave_the_window(client, make_user):
    make_user(Role.LIAISON, login="lisi")
    for _ in range(5):
        client.post("/login", data={"login": "lisi", "password": "nope-nope-nope"})
    db.session.execute(update(LoginAttempt).values(at=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert client.post("/login", data={"login": "lisi", "password": PASSWORD}).status_code == 302


def test_throttle_per_address_across_accounts(app, client, make_user):
    make_user(Role.LIAISON, login="victim")
    for i in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        client.post("/login", data={"login": f"guess{i}", "password": "nope-nope-nope"})
    assert client.post("/login", data={"login": "victim", "password": PASSWORD}).status_code == 429


def test_successful_login_clears_the_account_failures(client, make_user):
    make_user(Role.LIAISON, login="lisi")
    for _ in range(4):
        client.post("/login", data={"login": "lisi", "password": "nope-nope-nope"})
    assert client.post("/login", data={"login": "lisi", "password": PASSWORD}).status_code == 302
    assert db.session.scalar(select(LoginAttempt).where(LoginAttempt.login == "lisi")) is None


def test_deactivated_user_cannot_log_in_and_open_session_ends(client, make_user, login_as, app):
    user = make_user(Role.LIAISON, login="leaving")
    login_as(user)
    assert client.get("/visits/mine").status_code == 200
    from crm.auth.accounts import update_user
    update_user(user, active=False)
    db.session.commit()
    response = client.get("/visits/mine")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    again = client.post("/login", data={"login": "leaving", "password": PASSWORD})
    assert "登录名或密码错误" in again.get_data(as_text=True)


def test_logout_needs_post_and_ends_the_session(client, users, login_as):
    login_as(users[Role.LIAISON])
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/visits/mine").status_code == 302


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, make_user):
    make_user(Role.LIAISON, login="shared")
    browser, phone = app.test_client(), app.test_client()
    for c in (browser, phone):
        c.post("/login", data={"login": "shared", "password": PASSWORD})
    copied = browser.get_cookie("session").value
    assert browser.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/visits/mine")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # Logging out on one device leaves the same user's other devices logged in.
    assert phone.get("/visits/mine").status_code == 200
    ended, live = db.session.scalars(select(UserSession).order_by(UserSession.id)).all()
    assert ended.ended_at is not None and live.ended_at is None


def test_session_last_seen_is_written_at_most_once_a_minute(client, users, login_as):
    login_as(users[Role.LIAISON])
    row = db.session.scalar(select(UserSession))
    recent, old = utcnow() - timedelta(seconds=30), utcnow() - timedelta(minutes=2)
    db.session.execute(update(UserSession).values(last_seen_at=recent))
    db.session.commit()
    client.get("/visits/mine")
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).last_seen_at == recent
    db.session.execute(update(UserSession).values(last_seen_at=old))
    db.session.commit()
    client.get("/visits/mine")
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).last_seen_at > recent


def test_nothing_a_logged_in_user_sees_is_kept_in_the_browser_cache(client, users, login_as, today):
    today()
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login_as(users[Role.COMMISSION])
    for path in ("/dashboard", "/enterprises/", "/enterprises/export.xlsx", "/notifications/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    # Static assets hold nothing personal: they stay cacheable.
    with client.get("/static/css/app.css") as asset:
        assert asset.status_code == 200 and "no-store" not in asset.headers.get("Cache-Control", "")


def test_one_time_password_must_be_changed_first(client, app):
    from crm.auth.accounts import create_user
    user, otp = create_user("newbie", "新人", {Role.LIAISON})
    db.session.commit()
    assert otp and len(otp) >= 10
    response = client.post("/login", data={"login": "newbie", "password": otp})
    assert response.headers["Location"] == "/account/password"
    assert client.get("/visits/mine").headers["Location"] == "/account/password"
    short = client.post("/account/password", data={"current": otp, "new": "short", "confirm": "short"})
    assert "密码至少需要 10 个字符" in short.get_data(as_text=True)
    done = client.post("/account/password", data={"current": otp, "new": "a-much-longer-one",
                                                   "confirm": "a-much-longer-one"})
    assert done.status_code == 302
    assert client.get("/visits/mine").status_code == 200
    assert db.session.get(User, user.id).must_change_password is False


def test_password_change_ends_other_sessions(app, make_user):
    make_user(Role.LIAISON, login="twodevices")
    phone, desktop = app.test_client(), app.test_client()
    for c in (phone, desktop):
        c.post("/login", data={"login": "twodevices", "password": PASSWORD})
    desktop.post("/account/password", data={"current": PASSWORD, "new": "brand-new-secret",
                                             "confirm": "brand-new-secret"})
    assert desktop.get("/visits/mine").status_code == 200
    assert phone.get("/visits/mine").status_code == 302


def test_open_redirect_is_refused(client, users):
    response = client.post("/login?next=//evil.example/x",
                           data={"login": users[Role.LIAISON].login, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_passwords_are_hashed_with_scrypt(users):
    assert users[Role.ADMIN].password_hash.startswith("scrypt:")


def _age_session(**times) -> None:
    db.session.execute(update(UserSession).values(**times))
    db.session.commit()


def test_a_session_idle_longer_than_the_setting_ends_on_the_server(client, users, login_as, today):
    today()
    login_as(users[Role.LIAISON])
    _age_session(last_seen_at=utcnow() - timedelta(minutes=29))
    assert client.get("/visits/mine").status_code == 200  # 29 idle minutes: still in
    _age_session(last_seen_at=utcnow() - timedelta(minutes=31))
    response = client.get("/visits/mine")
    assert response.status_code == 302 and "/login" in response.location
    assert "长时间未操作（超过 30 分钟），已自动退出" in client.get(response.location).get_data(as_text=True)
    assert db.session.scalar(select(UserSession.ended_at)) is not None
    # Ended for good: a fresh request with the same cookie does not revive it.
    assert client.get("/visits/mine").status_code == 302


def test_a_session_older_than_the_absolute_lifetime_ends_even_when_busy(client, users, login_as, app, today):
    today()
    login_as(users[Role.COMMISSION])
    _age_session(created_at=utcnow() - timedelta(hours=11, minutes=50), last_seen_at=utcnow())
    assert client.get("/dashboard").status_code == 200
    _age_session(created_at=utcnow() - timedelta(hours=12, minutes=1), last_seen_at=utcnow())
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location
    assert "登录已超过 12 小时" in client.get(response.location).get_data(as_text=True)


def test_session_limits_are_settings(client, users, login_as, app, today):
    today()
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        login_as(users[Role.LIAISON])
        _age_session(last_seen_at=utcnow() - timedelta(minutes=6))
        assert client.get("/visits/mine").status_code == 302
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30
