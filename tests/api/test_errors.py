"""One error shape for every 4xx/5xx under /api/, the right status for each kind of bad input,
and nothing changed by a refused request."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Enterprise
from tests import factories


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def writer(api_as, users, today):
    today()
    return api_as(users[Role.COMMISSION], "write")


def _body(town_, **over):
    body = {"name": "上海测试海洋装备有限公司", "credit_code": factories.valid_code(), "town": town_.code}
    body.update(over)
    return body


def test_unknown_api_path_and_method(writer):
    assert_error(writer.get("/nowhere"), 404, "not_found")
    response = writer.request("DELETE", "/enterprises")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_bad_json_is_400_and_changes_nothing(writer, town):
    for raw in (b"{", b"[1, 2", b"\xff\xfe", b"", b'{"name": NaN}'):
        response = writer.request("POST", "/enterprises", data=raw,
                                  headers={"Content-Type": "application/json"})
        assert_error(response, 400, "bad_json")
    assert _count(Enterprise) == 0


def test_non_json_media_type_is_415(writer, town):
    response = writer.request("POST", "/enterprises", data="name=x",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(response, 415)


def test_huge_body_is_413(writer, town, app):
    body = _body(town, notes="很" * 200_000)
    assert_error(writer.post("/enterprises", json=body), 413, "payload_too_large")
    assert _count(Enterprise) == 0


@pytest.mark.parametrize("change, field", [
    ({"colour": "red"}, "colour"),                           # unknown field
    ({"name": 42}, "name"),                                  # wrong type
    ({"name": "长" * 201}, "name"),                          # over-long
    ({"name": "   "}, "name"),                               # blank
    ({"name": "bad\x00name"}, "name"),                       # control character
    ({"listed_on": "2026-02-30"}, "listed_on"),              # impossible date
    ({"listed_on": "24/11/2026"}, "listed_on"),              # not ISO
    ({"level": "city"}, "level"),                            # not one of the choices
    ({"tags": "专精特新"}, "tags"),                           # not a list
    ({"contacts": [{"name": "王经理", "mobile": "12"}]}, "contacts.0.mobile"),
    ({"credit_code": "91310151000000001X"}, "credit_code"),  # wrong check character
    ({"credit_code": "9131015100000000I1"}, "credit_code"),  # a letter codes never use
    ({"town": "NOWHERE"}, "town"),                           # unknown town
])
def test_invalid_fields_are_422_with_the_field_named(writer, town, change, field):
    error = assert_error(writer.post("/enterprises", json=_body(town, **change)), 422, "validation_failed")
    assert field in error["fields"], error
    assert _count(Enterprise) == 0 and _count(AuditEntry) == 1  # only the token's creation


def test_missing_required_fields_are_each_named(writer):
    error = assert_error(writer.post("/enterprises", json={}), 422)
    assert {"name", "credit_code", "town"} <= set(error["fields"])


def test_body_must_be_an_object(writer):
    assert_error(writer.post("/enterprises", json=[1, 2]), 422)


def test_unknown_and_malformed_query_parameters_are_422(writer):
    assert "colour" in assert_error(writer.get("/enterprises?colour=red"), 422)["fields"]
    assert "per_page" in assert_error(writer.get("/enterprises?per_page=101"), 422)["fields"]
    assert "page" in assert_error(writer.get("/enterprises?page=abc"), 422)["fields"]
    assert "listed" in assert_error(writer.get("/enterprises?listed=maybe"), 422)["fields"]
    assert "cursor" in assert_error(writer.get("/enterprises?cursor=%%%"), 422)["fields"]


def test_read_token_cannot_write(api_as, users, town, today):
    today()
    reader = api_as(users[Role.COMMISSION], "read")
    assert_error(reader.post("/enterprises", json=_body(town)), 403, "insufficient_scope")
    assert _count(Enterprise) == 0


def test_duplicate_credit_code_is_409(writer, town):
    code = factories.valid_code()
    assert writer.post("/enterprises", json=_body(town, credit_code=code)).status_code == 201
    error = assert_error(writer.post("/enterprises", json=_body(town, credit_code=code)), 409)
    assert "credit_code" in error["fields"]
    assert _count(Enterprise) == 1


def test_rate_limit_answers_429_with_retry_after(app, writer, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    writer.get("/enterprises")
    writer.get("/enterprises")
    response = writer.get("/enterprises")
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) > 0


def test_rate_limit_is_per_token_whatever_the_header_spelling(app, client, users, make_token, today,
                                                              monkeypatch):
    today()
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    secret = make_token(users[Role.COMMISSION], "read")
    for header in (f"Bearer {secret}", f"bearer   {secret}", f"BEARER\t{secret}"):
        assert client.get("/api/v1/enterprises", headers={"Authorization": header}).status_code == 200
    response = client.get("/api/v1/enterprises", headers={"Authorization": f"  Bearer  {secret}"})
    assert_error(response, 429, "rate_limited")
    # Another token of the same user keeps its own allowance.
    other = make_token(users[Role.COMMISSION], "read")
    assert client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {other}"}).status_code == 200


def test_guessed_tokens_count_against_the_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
    for guess in ("crm_guess1", "crm_guess2"):
        assert_error(client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {guess}"}), 401)
    response = client.get("/api/v1/enterprises", headers={"Authorization": "Bearer crm_guess3"})
    assert_error(response, 429, "rate_limited")


def test_unexpected_failure_is_a_500_in_the_same_shape(app, writer, monkeypatch):
    from crm.api import enterprises

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(enterprises, "paginate", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = writer.get("/enterprises")
    error = assert_error(response, 500, "internal_error")
    assert "secret internals" not in response.get_data(as_text=True)


def test_messages_follow_accept_language(writer):
    writer.secret = None
    chinese = writer.get("/enterprises")
    assert chinese.headers["Content-Language"] == "zh-CN"
    assert "令牌" in chinese.json["error"]["message"]
    english = writer.get("/enterprises", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.headers["Content-Language"] == "en"
    assert_error(english, 401, "unauthorized")


def test_page_errors_are_still_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
