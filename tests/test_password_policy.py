"""Password expiry and history (settings, off by default) and dormant accounts (等保 2.0)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from crm.audit import AuditEntry
from crm.auth.models import User
from crm.auth.roles import Role
from crm.db import db, utcnow
from crm.requests.tick import run_tick
from tests.conftest import PASSWORD


@pytest.fixture
def settings(app):
    saved = {k: app.config[k] for k in ("PASSWORD_MAX_AGE_DAYS", "PASSWORD_HISTORY", "ACCOUNT_INACTIVE_DEACTIVATE")}
    yield app.config
    app.config.update(saved)


def _change(client, current, new):
    return client.post("/account/password", data={"current": current, "new": new, "confirm": new})


def test_a_password_from_the_history_is_refused_next_to_the_field(client, users, login_as, settings):
    settings["PASSWORD_HISTORY"] = 3
    login_as(users[Role.LIAISON])
    first, second = "first-password-1", "second-password-2"
    assert _change(client, PASSWORD, first).status_code == 302
    assert _change(client, first, second).status_code == 302
    page = _change(client, second, first)
    assert page.status_code == 200
    assert "不能使用最近 3 次用过的密码" in page.get_data(as_text=True)
    assert _change(client, second, "third-password-3").status_code == 302


def test_without_the_setting_an_earlier_password_may_come_back(client, users, login_as):
    login_as(users[Role.LIAISON])
    assert _change(client, PASSWORD, "first-password-1").status_code == 302
    assert _change(client, "first-password-1", PASSWORD).status_code == 302


def test_an_expired_password_must_be_changed_at_login(client, users, settings):
    settings["PASSWORD_MAX_AGE_DAYS"] = 90
    user = users[Role.COMMISSION]
    db.session.execute(update(User).where(User.id == user.id).values(password_changed_at=utcnow() - timedelta(days=91)))
    db.session.commit()
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"
    assert "密码已超过 90 天未修改" in client.get("/account/password").get_data(as_text=True)
    assert client.get("/dashboard").headers["Location"] == "/account/password"
    assert _change(client, PASSWORD, "a-fresh-password-9").status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_a_password_younger_than_the_limit_or_with_the_setting_off_is_left_alone(client, users, settings):
    user = users[Role.COMMISSION]
    db.session.execute(update(User).where(User.id == user.id).values(password_changed_at=utcnow() - timedelta(days=400)))
    db.session.commit()
    assert client.post("/login", data={"login": user.login, "password": PASSWORD}).headers["Location"] == "/"
    client.post("/logout")
    settings["PASSWORD_MAX_AGE_DAYS"] = 500
    assert client.post("/login", data={"login": user.login, "password": PASSWORD}).headers["Location"] == "/"


@pytest.fixture
def dormant(users, make_user):
    old = utcnow() - timedelta(days=100)
    never = make_user(Role.LIAISON, login="never_logged_in", created_at=old)
    stale = make_user(Role.DEPARTMENT, login="stale", department=users[Role.DEPARTMENT].department, last_login_at=old)
    fresh = make_user(Role.LIAISON, login="fresh", last_login_at=utcnow() - timedelta(days=3))
    for user in users.values():  # the fixtures' users logged in recently
        user.last_login_at = utcnow()
    db.session.commit()
    return {"never": never, "stale": stale, "fresh": fresh}


def test_dormant_accounts_are_listed_then_deactivated_with_a_trace(app, dormant):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["crm", "accounts", "inactive", "--days", "90"])
    assert listed.exit_code == 0
    logins = [line.split("\t")[0] for line in listed.output.splitlines() if "\t" in line]
    assert logins == ["never_logged_in", "stale"]
    assert all(u.active for u in dormant.values())
    done = runner.invoke(args=["crm", "accounts", "inactive", "--days", "90", "--deactivate"])
    assert "已停用 2 个" in done.output
    db.session.expire_all()
    stopped = db.session.scalars(select(User.login).where(User.active.is_(False)).order_by(User.login))
    assert list(stopped) == ["never_logged_in", "stale"]
    reasons = db.session.scalars(select(AuditEntry.reason).where(AuditEntry.object_id == dormant["stale"].id)).all()
    assert any("超过 90 天未登录" in (r or "") for r in reasons)


def test_the_scheduled_job_deactivates_dormant_accounts_only_when_the_district_says_so(app, dormant, settings, today):
    run_tick(today(), deliver=False)
    db.session.expire_all()
    assert db.session.get(User, dormant["stale"].id).active
    settings["ACCOUNT_INACTIVE_DEACTIVATE"] = True
    run_tick(today(), deliver=False)
    db.session.expire_all()
    assert not db.session.get(User, dormant["stale"].id).active
    assert db.session.get(User, dormant["fresh"].id).active
