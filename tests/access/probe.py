"""Requesting every route as someone, and reading what came back as text (pages, JSON with its
Chinese unescaped, the cells of an Excel export), to look for what they may not see."""
from __future__ import annotations

import io
import itertools
import json

from openpyxl import load_workbook
from sqlalchemy import literal, select, union_all
from sqlalchemy import func

from crm.db import db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Tables every request may touch without being a write by the user (sign-ins, throttles).
VOLATILE_TABLES = {"login_attempts", "user_sessions", "security_events", "api_tokens"}
#: Routes that are everyone's own business (signing in and out, language, password, the
#: public form), not writes to district records.
SELF_SERVICE = {"auth.login", "auth.logout", "auth.set_language", "auth.settings", "auth.change_password",
                "notifications.read_all", "public.submit", "public.lookup", "public.rate", "public.track"}
SKIPPED = {"static", "bootstrap.static"}
#: Pages opened by a secret link rather than by who is signed in.
BEARER_LINKS = {"public.track"}


def text_of(response) -> str:
    kind = response.mimetype or ""
    if kind == XLSX:
        book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return "\n".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for v in row if v is not None)
    if kind == "application/json":
        try:
            return json.dumps(response.get_json(), ensure_ascii=False)
        except (ValueError, TypeError):
            pass
    return response.get_data(as_text=True)


def fingerprint() -> dict[str, int]:
    """Row count of every table a write would change, in one statement."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in VOLATILE_TABLES]
    stmt = union_all(*(select(literal(t.name).label("t"), func.count().label("n")).select_from(t) for t in tables))
    return dict(db.session.execute(stmt).all())


def _request_actions() -> list[str]:
    from crm.requests.actions import ONE_CLICK
    from crm.requests.forms import ACTION_FORMS

    return sorted(set(ACTION_FORMS) | set(ONE_CLICK))


def changes(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Tables whose row count moved since `before` (one statement)."""
    after = fingerprint()
    return {t: (n, after[t]) for t, n in before.items() if after[t] != n}


def post_and_watch(client, url: str, payload: dict):
    """POST, and what it changed: (response, {table: (before, after)})."""
    before = fingerprint()
    response = client.post(url, data=payload)
    db.session.rollback()
    return response, changes(before)


def arg_values(world, rule) -> list[dict]:
    """Values for a rule's arguments: every record of each kind, so in- and out-of-scope ones."""
    r, ids = world.records, world.ids
    assignments = world.ids["assignments"]
    choices = {
        "enterprise_id": [r[k].id for k in ("EA", "EB", "EX")],
        "request_id": [r[k].id for k in ("RA", "RB")],
        "visit_id": [r[k].id for k in ("VA", "VB", "VX")],
        "user_id": [world.users[k].id for k in ("liaison_a", "liaison_b", "commission")],
        "tracking_number": [r[k].extra["number"] for k in ("RA", "RB")],
        "credit_code": [r[k].markers[1] for k in ("EA", "EB", "EX")],
        "notice_id": [ids["notice_RB"]],
        "notification_id": [ids["notification_DA"]],
        "kind": ["towns"], "unit_id": [ids["town"]], "code": ["en"], "action": _request_actions(),
        "token": [world.tracking_tokens["RA"]],
        "tag_id": [1], "category_id": [ids["category"]], "override_id": [1], "policy_id": [1], "token_id": [1],
        "assignment_id": [None],
    }
    names = sorted(rule.arguments)
    combos = []
    for values in itertools.product(*(choices[n] for n in names)):
        combo = dict(zip(names, values))
        if "assignment_id" in combo:
            combo["assignment_id"] = assignments[combo.get("enterprise_id", r["EA"].id)]
        combos.append(combo)
    return combos


def records_named(world, endpoint: str, values: dict) -> list[tuple[str, int]]:
    """(kind, id) of the scoped records a URL points at."""
    out = []
    if "enterprise_id" in values:
        out.append(("enterprise", values["enterprise_id"]))
    if "request_id" in values:
        out.append(("request", values["request_id"]))
    if "visit_id" in values:
        out.append(("visit", values["visit_id"]))
    if "tracking_number" in values:
        out.append(("request", next(r.id for r in world.records.values()
                                    if r.extra.get("number") == values["tracking_number"])))
    if "credit_code" in values:
        out.append(("enterprise", next(r.id for r in world.records.values()
                                       if r.kind == "enterprise" and r.markers[1] == values["credit_code"])))
    if "notice_id" in values:
        out.append(("request", world.records["RB"].id))
    return out
