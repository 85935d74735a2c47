"""The access matrix through the API: every operation, with a token of every scope for every
principal (and none), on records in and out of scope: out of scope is 404, lists and records
show nothing out of scope, and a read token, the leader or an out-of-scope record writes nothing.
"""
from __future__ import annotations

import pytest

from crm.api.tokens import Scope
from crm.db import db
from tests.access import probe
from tests.access.test_matrix import _leaks, world  # noqa: F401  (the fixture)
from tests.access.world import PRINCIPALS, token_for

API_PRINCIPALS = [p for p in PRINCIPALS if p not in ("anonymous",)]


def _api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint not in ("api.docs", "api.openapi_json"):
            yield rule


@pytest.mark.parametrize("principal", API_PRINCIPALS + ["anonymous"])
def test_the_api_reads_and_writes_only_in_scope(app, world, principal, record_property):
    client = app.test_client()
    adapter = app.url_map.bind("localhost")
    tokens = ({} if principal == "anonymous" else
              {scope: token_for(world.users[principal], scope) for scope in (Scope.READ, Scope.WRITE, Scope.SUBMIT)})
    problems, count = [], 0
    for rule in _api_rules(app):
        for values in probe.arg_values(world, rule):
            url = adapter.build(rule.endpoint, values)
            hidden = [(k, i) for k, i in probe.records_named(world, rule.endpoint, values)
                      if not world.visible(principal, k, i)]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for scope in (tokens or {None: None}):
                    headers = {"Authorization": f"Bearer {tokens[scope]}"} if scope else {}
                    before = probe.fingerprint() if method != "GET" else None
                    response = client.open(url, method=method, headers=headers,
                                           json={} if method != "GET" else None)
                    db.session.rollback()
                    count += 1
                    where = f"{principal}/{getattr(scope, 'value', None)} {method} {url} -> {response.status_code}"
                    if response.status_code >= 500:
                        problems.append(f"{where}: server error")
                    if scope is None and response.status_code != 401 and "public" not in rule.rule:
                        problems.append(f"{where}: no token, not 401")
                    if hidden and response.status_code not in (401, 403, 404):
                        problems.append(f"{where}: out-of-scope {hidden} not refused")
                    if method == "GET":
                        leaked = _leaks(world, principal, probe.text_of(response))
                        if leaked:
                            problems.append(f"{where}: shows {leaked}")
                    else:
                        changed = probe.changes(before)
                        refused_role = principal == "leader" or scope in (Scope.READ, None)
                        if changed and (hidden or refused_role):
                            problems.append(f"{where}: changed {changed}")
    record_property("access_matrix", count)
    assert not problems, "\n".join(problems)
