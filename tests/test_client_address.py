"""Behind the documented reverse proxy each client keeps its own address for every limit."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from config import TestingConfig, engine_options
from crm import create_app
from crm.auth.models import LoginAttempt
from crm.auth.roles import Role
from crm.db import db
from tests.conftest import PASSWORD


@pytest.fixture
def proxied(app, database_url):
    """An app configured for one trusted proxy (nginx -> gunicorn), on the test database."""
    proxied_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url,
                             SQLALCHEMY_ENGINE_OPTIONS=engine_options(database_url), PROXY_FIX_X_FOR=1)
    yield proxied_app
    with proxied_app.app_context():
        db.engine.dispose()


def _fail_logins(client, address: str, times: int) -> None:
    for i in range(times):
        client.post("/login", data={"login": f"guess{i}", "password": "nope-nope-nope"},
                    headers={"X-Forwarded-For": address})


def test_behind_one_proxy_each_client_has_its_own_login_throttle(proxied, make_user):
    make_user(Role.LIAISON, login="official")
    client = proxied.test_client()
    _fail_logins(client, "203.0.113.7", proxied.config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    login = {"login": "official", "password": PASSWORD}
    assert client.post("/login", data=login, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    # Another official behind the same proxy is not blocked by the guesser.
    assert client.post("/login", data=login, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 302
    assert set(db.session.scalars(select(LoginAttempt.address))) == {"203.0.113.7"}


def test_without_the_setting_forwarded_for_is_ignored(app, client, make_user):
    make_user(Role.LIAISON, login="official")
    _fail_logins(client, "203.0.113.7", app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
    # A client talking to the app directly cannot escape its throttle by inventing an address.
    response = client.post("/login", data={"login": "official", "password": PASSWORD},
                           headers={"X-Forwarded-For": "198.51.100.2"})
    assert response.status_code == 429
    assert set(db.session.scalars(select(LoginAttempt.address))) == {"127.0.0.1"}


@pytest.mark.parametrize("path, setting", [("/submit", "PUBLIC_SUBMIT_RATE_LIMIT"),
                                           ("/track", "PUBLIC_LOOKUP_RATE_LIMIT")])
def test_behind_one_proxy_public_limits_are_per_client(proxied, path, setting):
    proxied.config[setting] = "2 per hour"
    client = proxied.test_client()
    for _ in range(2):
        assert client.post(path, data={}, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 400
    assert client.post(path, data={}, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    # One enterprise using up its allowance leaves every other enterprise theirs.
    assert client.post(path, data={}, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 400
