"""API fixtures: tokens for users, and a client that sends them as Bearer headers."""
from __future__ import annotations

import pytest

from crm.api.tokens import Scope, create_token
from crm.clock import business_today
from crm.db import db


class Api:
    """A test client that talks to /api/v1 with one token."""

    def __init__(self, client, secret: str | None, language: str | None = None):
        self.client, self.secret, self.language = client, secret, language

    def headers(self, extra=None) -> dict:
        out = {}
        if self.secret:
            out["Authorization"] = f"Bearer {self.secret}"
        if self.language:
            out["Accept-Language"] = self.language
        out.update(extra or {})
        return out

    def request(self, method: str, path: str, json=None, headers=None, **kw):
        return self.client.open("/api/v1" + path, method=method, json=json,
                                headers=self.headers(headers), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)


@pytest.fixture
def make_token(app):
    serial = iter(range(1, 10_000))

    def make(user, scope: Scope | str = Scope.READ, name: str | None = None, expires_on=None) -> str:
        name = name or f"测试{next(serial)}-{user.login}"
        _token, secret = create_token(name, user, Scope(scope),
                                      expires_on, today=business_today())
        db.session.commit()
        return secret

    return make


@pytest.fixture
def api_as(client, make_token):
    """api_as(user, scope="read") -> an Api client acting with a new token of that user."""
    def make(user, scope: Scope | str = Scope.READ, **kw) -> Api:
        return Api(client, make_token(user, scope, **kw))

    return make
