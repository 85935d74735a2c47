"""Shared set-up of the schemathesis runs (test_fuzz_*.py): the document, the settings, the data.

The document is loaded once at collection from an app of its own (the document needs no data);
each operation's examples then run against the test app and its database, seeded per operation.
The operations are split over two test modules so `pytest -n 2 --dist loadfile` runs them on
both cores.
"""
from __future__ import annotations

import os
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config import TestingConfig
from crm import create_app
from crm.auth.roles import Role
from crm.db import db
from crm.extensions import limiter
from crm.requests.categories import ensure_default_categories
from crm.requests.intake import create_request
from crm.requests.workflow import transition
from tests import factories

MAX_EXAMPLES = 100 if os.environ.get("CI") == "true" else int(os.environ.get("API_FUZZ_EXAMPLES", 15))

#: Valid-looking data may still break a rule JSON Schema cannot express (a credit code's check
#: character, page together with cursor, an opaque cursor, a town code that does not exist),
#: so 422 counts as a correct answer to schema-valid input too.
#: Tokens are sent by the test (test_tokens covers authentication), so the generator leaves the
#: Authorization header alone instead of producing requests without it.
CONFIG = schemathesis.Config.from_str("""
[generation]
with-security-parameters = false

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]
""")

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", create_app(TestingConfig), config=CONFIG)


@pytest.fixture
def fuzz_world(app, users, town, department, make_token, today):
    """Enterprises, requests in several states, and write tokens of several roles: each example
    runs as one of them (what a token may do differs by role)."""
    today()  # Tuesday 24 November 2026
    limiter.enabled = False  # thousands of requests a minute; test_errors covers the limit itself
    ents = [factories.enterprise(town) for _ in range(3)]
    factories.assign(users[Role.LIAISON], ents[0])
    category = ensure_default_categories()[0]
    numbers = []
    for n, ent in enumerate(ents):
        req = create_request(enterprise=ent, source="visit", category=category, title=f"诉求{n}",
                             description="内容", actor=users[Role.LIAISON])
        if n:
            transition(req, "assign", users[Role.COMMISSION], lead_department=department)
        if n == 2:
            transition(req, "accept", users[Role.DEPARTMENT])
        numbers.append(req.number)
    db.session.commit()
    tokens = [make_token(users[role], "write") for role in
              (Role.COMMISSION, Role.TOWN, Role.LIAISON, Role.DEPARTMENT, Role.COMMISSION)]
    yield {"tokens": tokens, "numbers": numbers, "category_id": category.id,
           "today": today().isoformat()}
    limiter.enabled = True


def _pick(case, options: list):
    return options[zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % len(options)]


def _pass_semantic_rules(case, world) -> None:
    """Point schema-valid input at records that exist, so writes get past the rules JSON Schema
    cannot state: a credit code's check character, an existing town, department, category or
    request, the current ETag. Negative cases are left exactly as generated."""
    meta = getattr(case, "_meta", None)
    if meta is None or meta.generation.mode.is_negative:
        return
    if case.path_parameters and "tracking_number" in case.path_parameters:
        case.path_parameters["tracking_number"] = _pick(case, world["numbers"])
    if case.headers and "If-Match" in case.headers:
        case.headers["If-Match"] = "*"
    body = case.body
    if not isinstance(body, dict):
        return
    if isinstance(body.get("credit_code"), str):
        body["credit_code"] = factories.valid_code(zlib.crc32(body["credit_code"].encode()) % 10**9)
    if isinstance(body.get("town"), str):
        body["town"] = "CQ"
    if isinstance(body.get("lead_department"), str):
        body["lead_department"], body["cooperating"] = "RSJ", []
    if isinstance(body.get("category_id"), int):
        body["category_id"] = world["category_id"]
    if isinstance(body.get("visited_on"), str):
        body["visited_on"], body["liaison_ids"], body["policy_ids"] = world["today"], [], []
    for problem in body.get("problems") or []:
        if isinstance(problem, dict) and isinstance(problem.get("category_id"), int):
            problem["category_id"] = world["category_id"]


#: Hypothesis settings of both runs. function_scoped_fixture: the data is seeded once per
#: operation on purpose (examples share it); too_slow / filter_too_much: request bodies are big.
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much])


def run(case, app, world) -> None:
    token = _pick(case, world["tokens"])
    _pass_semantic_rules(case, world)
    case.call_and_validate(app=app, headers={"Authorization": f"Bearer {token}"})
