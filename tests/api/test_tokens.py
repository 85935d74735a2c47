"""API tokens: created by an admin (page or CLI), shown once, stored hashed, used, expired, revoked."""
from __future__ import annotations

import hashlib
import re
from datetime import date

from sqlalchemy import select

from crm.api.tokens import ApiToken
from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from tests import factories
from tests.api.conftest import Api


def _create_on_page(client, **fields) -> tuple[str, str]:
    data = {"name": "12345热线", "owner": "commission", "scope": "write", "expires_on": ""}
    data.update(fields)
    response = client.post("/admin/api-tokens/new", data=data)
    page = response.get_data(as_text=True)
    match = re.search(r'data-testid="api-token">([^<]+)<', page)
    return (match.group(1) if match else ""), page


def test_admin_creates_a_token_that_is_shown_once_and_stored_hashed(client, users, login_as, today):
    today()
    login_as(users[Role.ADMIN])
    secret, page = _create_on_page(client)
    assert secret.startswith("crm_") and "只显示这一次" in page
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(row.__dict__)  # only the digest and a short hint are stored
    listing = client.get("/admin/api-tokens/").get_data(as_text=True)
    assert "12345热线" in listing and secret not in listing and row.token_hint in listing
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "api_token"))
    assert audit.action == "create" and audit.actor_id == users[Role.ADMIN].id
    assert secret not in str(audit.changes)


def test_token_page_is_for_admins_only(client, users, login_as):
    login_as(users[Role.COMMISSION])
    assert client.get("/admin/api-tokens/").status_code == 403


def test_token_form_reports_mistakes_next_to_the_field(client, users, login_as, today):
    today()
    login_as(users[Role.ADMIN])
    _secret, page = _create_on_page(client, owner="nobody")
    assert "没有登录名为“nobody”的用户" in page
    _secret, page = _create_on_page(client, expires_on="2026-11-24")
    assert "失效日期应晚于今天" in page
    assert db.session.scalar(select(ApiToken)) is None


def test_a_token_acts_as_its_owner_and_records_last_use(client, users, town, make_token, today):
    today()
    factories.enterprise(town)
    secret = make_token(users[Role.LEADER], name="数据局")
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is None
    response = Api(client, secret).get("/enterprises")
    assert response.status_code == 200 and response.json["meta"]["total"] == 1
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_expired_token_is_refused(client, users, make_token, today):
    today(date(2026, 11, 24))
    secret = make_token(users[Role.COMMISSION], expires_on=date(2026, 12, 1))
    assert Api(client, secret).get("/enterprises").status_code == 200
    today(date(2026, 12, 1))  # the expiry date is the first day it no longer works
    response = Api(client, secret).get("/enterprises")
    assert response.status_code == 401 and response.json["error"]["code"] == "token_expired"


def test_revoked_token_is_refused_at_once(client, users, login_as, make_token, today):
    today()
    secret = make_token(users[Role.COMMISSION], name="一网通办")
    assert Api(client, secret).get("/enterprises").status_code == 200
    login_as(users[Role.ADMIN])
    token = db.session.scalar(select(ApiToken))
    client.post(f"/admin/api-tokens/{token.id}/revoke")
    response = Api(client, secret).get("/enterprises")
    assert response.status_code == 401 and response.json["error"]["code"] == "token_revoked"
    assert "已吊销" in client.get("/admin/api-tokens/").get_data(as_text=True)


def test_token_of_a_deactivated_owner_is_refused(client, users, make_token, today):
    today()
    owner = users[Role.COMMISSION]
    secret = make_token(owner)
    owner.active = False
    db.session.commit()
    assert Api(client, secret).get("/enterprises").status_code == 401


def test_session_cookie_never_authenticates_the_api(client, users, login_as, today):
    today()
    login_as(users[Role.ADMIN])
    assert client.get("/admin/api-tokens/").status_code == 200  # the session works on pages
    response = client.get("/api/v1/enterprises")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["code"] == "unauthorized"


def test_wrong_or_malformed_credentials_are_refused(client, users, make_token, today):
    today()
    secret = make_token(users[Role.COMMISSION])
    for header in (f"Basic {secret}", "Bearer", "Bearer crm_guess", f"Bearer {secret}x", secret):
        response = client.get("/api/v1/enterprises", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_cli_creates_a_token_and_prints_it_once(app, users, today):
    today()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "api-token", "create", "移动端", "--user", "liaison",
                                 "--scope", "write", "--expires", "2027-06-30"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("crm_") and len(secret.splitlines()) == 1
    token = db.session.scalar(select(ApiToken))
    assert (token.name, token.owner.login, token.scope) == ("移动端", "liaison", "write")
    assert token.expires_on == date(2027, 6, 30)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "api_token"))
    assert audit.actor_label == "cli"
    listing = runner.invoke(args=["crm", "api-token", "list"])
    assert "移动端" in listing.output and secret not in listing.output
    assert runner.invoke(args=["crm", "api-token", "revoke", "移动端"]).exit_code == 0
    db.session.refresh(token)
    assert token.revoked


def test_cli_refuses_unknown_user_and_duplicate_name(app, users, today):
    today()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["crm", "api-token", "create", "x", "--user", "ghost"]).exit_code != 0
    assert runner.invoke(args=["crm", "api-token", "create", "x", "--user", "admin"]).exit_code == 0
    again = runner.invoke(args=["crm", "api-token", "create", "X", "--user", "admin"])
    assert again.exit_code != 0 and "已被使用" in again.output


def test_csrf_guards_the_token_pages_but_the_api_needs_none(app, client, users, login_as, make_token, today):
    today()
    login_as(users[Role.ADMIN])
    app.config["WTF_CSRF_ENABLED"] = True
    forged = client.post("/admin/api-tokens/new", data={"name": "x", "owner": "admin", "scope": "read"})
    assert forged.status_code == 400 and "页面已过期" in forged.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None
    api = Api(client, make_token(users[Role.COMMISSION], "write"))
    response = api.post("/enterprises", json={})
    assert response.status_code == 422  # validated, not refused as a forged form
