"""The whole access matrix: every route of the web app and the API, as every principal, on
records in and out of their scope found from a two-town district built by hand.

- No answer is a 5xx.
- A record out of scope answers 404 (or 403 where the role has no such page at all; the sign-in
  page for anonymous) and no answer, page, JSON or Excel export, contains the name, code,
  request text, internal note, visit findings or full contact phone of anything out of scope.
- A POST by the leader or anonymously, and a POST on an out-of-scope record, changes nothing.
- The enterprise's tracking page shows no internal note, official's name or phone.
"""
from __future__ import annotations

import pytest

from crm.db import db
from tests.access import probe
from tests.access.world import PRINCIPALS, build
from tests.conftest import PASSWORD

#: Generic form data: enough for many forms to be accepted, so a refused write is a refusal.
PAYLOAD = {
    "name": "矩阵写入企业", "title": "矩阵写入", "text": "矩阵写入", "note": "矩阵写入", "reason": "矩阵写入",
    "explanation": "矩阵写入", "instructions": "矩阵写入", "description": "矩阵写入", "findings": "矩阵写入",
    "comment": "矩阵写入", "reply": "矩阵写入", "outcome": "resolved", "rating": "satisfied",
    "end_on": "2026-11-24", "start_on": "2026-11-24", "visited_on": "2026-11-24", "day": "2026-12-05",
    "added_on": "2026-11-24", "removed_on": "2026-11-24", "mode": "onsite", "kind": "note",
    "time_limit_days": "5", "days": "3", "level": "district", "industry": "制造业", "address": "矩阵路1号",
    "code": "MX", "login": "matrix_user", "role": "liaison", "roles": "liaison", "scope": "write",
    "language": "zh", "active": "y", "confirm": "y",
}


@pytest.fixture
def world(app, make_user, today):
    today()
    return build(make_user)


def _payload(world) -> dict:
    """PAYLOAD, also under each request step's prefix (the step forms are prefixed: note-text)."""
    from crm.requests.forms import ACTION_FORMS

    prefixed = {f"{action}-{key}": value for action in ACTION_FORMS for key, value in PAYLOAD.items()}
    return prefixed | PAYLOAD | {
        "liaison_id": world.users["liaison_a"].id, "liaison": world.users["liaison_a"].id,
        "lead_department": world.ids["department"], "department": world.ids["department"],
        "category": world.ids["category"], "town": world.ids["town"],
        "credit_code": world.records["EA"].markers[1], "ids": world.records["EA"].id,
        "request_ids": world.records["RA"].id,
    }


def _web_rules(app, method: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in probe.SKIPPED or rule.rule.startswith("/api/") or method not in rule.methods:
            continue
        yield rule


def _client_for(app, world, principal):
    client = app.test_client()
    if principal != "anonymous":
        response = client.post("/login", data={"login": world.users[principal].login, "password": PASSWORD})
        assert response.status_code == 302, principal
    return client


def _refused(principal: str, status: int, location: str = "") -> bool:
    if principal == "anonymous":
        return status in (401, 403, 404) or (status == 302 and "/login" in location)
    return status in (403, 404)


def _leaks(world, principal, text: str) -> list[str]:
    return [m for m in world.markers_hidden_from(principal) if m in text]


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_page_shows_nothing_out_of_scope(app, world, principal, record_property):
    client = _client_for(app, world, principal)
    adapter = app.url_map.bind("localhost")
    problems, count = [], 0
    for rule in _web_rules(app, "GET"):
        for values in probe.arg_values(world, rule):
            url = adapter.build(rule.endpoint, values)
            response = client.get(url)
            count += 1
            where = f"{principal} GET {url} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: server error")
                continue
            hidden = [(k, i) for k, i in probe.records_named(world, rule.endpoint, values)
                      if not world.visible(principal, k, i)]
            if hidden and not _refused(principal, response.status_code, response.location or ""):
                problems.append(f"{where}: out-of-scope {hidden} not refused")
            if rule.endpoint in probe.BEARER_LINKS:
                continue  # the tracking link is the enterprise's own key: whoever holds it sees its request
            leaked = _leaks(world, principal, probe.text_of(response))
            if leaked:
                problems.append(f"{where}: shows {leaked}")
    record_property("access_matrix", count)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("principal", ["leader", "anonymous"])
def test_the_leader_and_anonymous_write_nothing(app, world, principal, record_property):
    client = _client_for(app, world, principal)
    adapter = app.url_map.bind("localhost")
    payload = _payload(world)
    problems, count = [], 0
    for rule in _web_rules(app, "POST"):
        if rule.endpoint in probe.SELF_SERVICE or rule.endpoint == "notifications.open_one":
            continue
        for values in probe.arg_values(world, rule):
            response, changed = probe.post_and_watch(client, adapter.build(rule.endpoint, values), payload)
            count += 1
            # The leader may be shown a refusal in several ways (403, 400 with the reason, back to
            # the page with a message); what matters is that nothing was written.
            refused = principal == "leader" or _refused(principal, response.status_code, response.location or "")
            if response.status_code >= 500 or changed or not refused:
                problems.append(f"{principal} POST {response.request.path} -> {response.status_code}, "
                                f"changed {changed}")
    record_property("access_matrix", count)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("principal", [p for p in PRINCIPALS if p not in ("admin", "commission", "leader", "anonymous")])
def test_no_write_on_a_record_out_of_scope(app, world, principal, record_property):
    client = _client_for(app, world, principal)
    adapter = app.url_map.bind("localhost")
    payload = _payload(world)
    problems, count = [], 0
    for rule in _web_rules(app, "POST"):
        for values in probe.arg_values(world, rule):
            hidden = [(k, i) for k, i in probe.records_named(world, rule.endpoint, values)
                      if not world.visible(principal, k, i)]
            if not hidden:
                continue
            response, changed = probe.post_and_watch(client, adapter.build(rule.endpoint, values), payload)
            count += 1
            if changed or not _refused(principal, response.status_code):
                problems.append(f"{principal} POST {response.request.path} -> {response.status_code}, "
                                f"changed {changed}")
    # Someone else's notification is out of scope too.
    if principal != "dept_a":
        response = client.post(f"/notifications/{world.ids['notification_DA']}/open")
        count += 1
        if response.status_code != 404:
            problems.append(f"{principal} opened dept_a's notification -> {response.status_code}")
    record_property("access_matrix", count)
    assert not problems, "\n".join(problems)


def test_the_generic_payload_does_write_when_allowed(app, world):
    """Guard for the tests above: the same payload, posted by someone allowed, writes."""
    client = _client_for(app, world, "commission")
    before = probe.fingerprint()
    response = client.post(f"/requests/{world.records['RA'].id}/act/note", data=_payload(world))
    assert response.status_code in (200, 302)
    assert probe.fingerprint() != before


def test_the_tracking_page_shows_no_internal_note_nor_official(app, world):
    client = app.test_client()
    page = client.get(f"/track/{world.tracking_tokens['RA']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "诉求RA厂房审批" in text  # the enterprise sees its own request
    secrets = ["内部备注RA不得外传", "内部备注RB不得外传", "诉求RB厂房审批"]
    for name, mobile in world.officials.values():
        secrets.append(name)
        if mobile:
            secrets.append(mobile)
    assert [s for s in secrets if s in text] == []
