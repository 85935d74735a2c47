"""Access leaks that must not come back (issue 16), role by role, on pages, exports and the API.

1. A page about another principal (a liaison) lists and counts only what its reader may see.
2. A field a role sees masked (an enterprise contact's phone) is no search key for that role.
3. Officials' phones: in full for the commission and admins, and for a town coordinator the
   liaisons of their own town; masked for everybody else (crm.permissions.liaisons).
"""
from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from crm.api.tokens import Scope, create_token
from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Contact
from crm.org.models import Department, Town
from crm.requests.categories import ensure_default_categories
from crm.requests.intake import create_request
from crm.requests.models import RequestSource
from crm.requests.workflow import transition
from tests.factories import assign, enterprise
from tests.visits.helpers import visit

TODAY = date(2026, 11, 24)  # 2026Q4; the liaisons were assigned in 2024


@pytest.fixture
def district(app, today, town, make_user):
    """城桥镇 (A) and 堡镇 (B). Liaison 周包保 belongs to A and serves 城桥甲 (A, visited in
    Q4) and 堡镇乙 (B, not visited); 吴协助 belongs to B and assists at 城桥甲."""
    today(TODAY)
    other = Town(code="BZ", name="堡镇")
    db.session.add(other)
    db.session.commit()
    liaison = make_user(Role.LIAISON, login="zhou", name="周包保", town=town, mobile="13912345678")
    helper = make_user(Role.LIAISON, login="wu", name="吴协助", town=other, mobile="13900000002")
    mine = enterprise(town, name="城桥甲有限公司")
    theirs = enterprise(other, name="堡镇乙有限公司")
    assign(liaison, mine)
    assign(liaison, theirs)
    assign(helper, mine, role="assisting")
    visit(mine, liaison, date(2026, 10, 20))
    return {"A": town, "B": other, "liaison": liaison, "helper": helper, "mine": mine, "theirs": theirs}


def _viewer(make_user, district, kind: str):
    a, b = district["A"], district["B"]
    return {
        "admin": lambda: make_user(Role.ADMIN),
        "commission": lambda: make_user(Role.COMMISSION),
        "leader": lambda: make_user(Role.LEADER),
        "town A": lambda: make_user(Role.TOWN, town=a),
        "town A + liaison": lambda: make_user(Role.TOWN, Role.LIAISON, town=a),
        "town B": lambda: make_user(Role.TOWN, town=b),
    }[kind]()


def _row_counts(row_html: str) -> list[int]:
    """owed, visited, due, missed of a table row."""
    return [int(n.replace(",", "")) for n in re.findall(r'<td class="text-end">([\d,]+)</td>', row_html)][:4]


def _history_row(page: str, quarter_label: str) -> list[int]:
    row = next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if quarter_label in r)
    return _row_counts(row)


# viewer -> (enterprises listed, Q4 owed/visited/due/missed, Q3 ..., phone shown, list row)
LIAISON_PAGE = {
    "admin": ({"城桥甲有限公司", "堡镇乙有限公司"}, [2, 1, 1, 0], [2, 0, 0, 2], "13912345678"),
    "commission": ({"城桥甲有限公司", "堡镇乙有限公司"}, [2, 1, 1, 0], [2, 0, 0, 2], "13912345678"),
    "leader": ({"城桥甲有限公司", "堡镇乙有限公司"}, [2, 1, 1, 0], [2, 0, 0, 2], "139****5678"),
    "town A": ({"城桥甲有限公司"}, [1, 1, 0, 0], [1, 0, 0, 1], "13912345678"),
    "town A + liaison": ({"城桥甲有限公司"}, [1, 1, 0, 0], [1, 0, 0, 1], "13912345678"),
}


@pytest.mark.parametrize("kind", sorted(LIAISON_PAGE))
def test_a_liaison_page_lists_and_counts_only_what_its_reader_may_see(client, login_as, make_user,
                                                                       district, kind):
    login_as(_viewer(make_user, district, kind))
    names, q4, q3, phone = LIAISON_PAGE[kind]
    page = client.get(f"/visits/liaisons/{district['liaison'].id}").get_data(as_text=True)
    shown = {n for n in ("城桥甲有限公司", "堡镇乙有限公司") if n in page}
    assert shown == names
    assert _history_row(page, "2026年第四季度") == q4
    assert _history_row(page, "2026年第三季度") == q3
    assert phone in page
    if "*" in phone:
        assert "13912345678" not in page
    listing = client.get("/visits/liaisons").get_data(as_text=True)
    row = next(r for r in re.findall(r"<tr>.*?</tr>", listing, re.S) if "周包保" in r)
    assert _row_counts(row) == q4


def test_the_other_towns_coordinator_does_not_reach_the_liaison_at_all(client, login_as, make_user, district):
    login_as(_viewer(make_user, district, "town B"))
    assert client.get(f"/visits/liaisons/{district['liaison'].id}").status_code == 404
    listing = client.get("/visits/liaisons").get_data(as_text=True)
    assert "周包保" not in listing and "城桥甲有限公司" not in listing
    # Their own liaison's page lists nothing of town A (吴协助 serves only 城桥甲).
    page = client.get(f"/visits/liaisons/{district['helper'].id}").get_data(as_text=True)
    assert "城桥甲有限公司" not in page and _history_row(page, "2026年第四季度") == [0, 0, 0, 0]


# viewer -> the numbers the coverage report shows and must not show (周包保 is of A, 吴协助 of B)
REPORT_PHONES = {
    "commission": ({"13912345678", "13900000002"}, set()),
    "admin": ({"13912345678", "13900000002"}, set()),
    "town A": ({"13912345678", "139****0002"}, {"13900000002"}),
    "leader": (set(), {"13912345678", "13900000002", "139****0002"}),
}


@pytest.mark.parametrize("kind", sorted(REPORT_PHONES))
def test_report_tables_and_exports_show_officials_phones_by_the_same_rule(client, login_as, make_user,
                                                                          district, kind):
    login_as(_viewer(make_user, district, kind))
    shown, hidden = REPORT_PHONES[kind]
    page = client.get("/reports/coverage/liaisons?quarter=2026Q4").get_data(as_text=True)
    response = client.get("/reports/coverage.xlsx?quarter=2026Q4")
    book = pd.read_excel(io.BytesIO(response.data), sheet_name=None, engine="calamine", dtype=str)
    cells = {str(v) for frame in book.values() for v in frame.to_numpy().ravel()}
    for number in shown:
        assert number in page and number in cells, number
    for number in hidden:
        assert number not in page and number not in cells, number


# --- masked contact phones are no search key -------------------------------------------------

@pytest.fixture
def contacts(app, today, town, make_user):
    """城桥甲 (A) with a contact on 187 7997 1234, 堡镇乙 (B) on 187 8000 1111; 区人社局 handles
    a request of each, so its handlers see both enterprises with the phones masked."""
    today(TODAY)
    other = Town(code="BZ", name="堡镇")
    dept = Department(code="RSJ", name="区人社局")
    db.session.add_all([other, dept])
    db.session.commit()
    mine = enterprise(town, name="城桥甲有限公司")
    theirs = enterprise(other, name="堡镇乙有限公司")
    db.session.add_all([Contact(enterprise_id=mine.id, name="甲联系人", mobile="18779971234"),
                        Contact(enterprise_id=theirs.id, name="乙联系人", mobile="18780001111")])
    categories = {c.name: c for c in ensure_default_categories()}
    commission = make_user(Role.COMMISSION)
    for ent in (mine, theirs):
        req = create_request(enterprise=ent, source=RequestSource.PHONE, category=categories["政策咨询"],
                             title="用工咨询", description="想了解稳岗补贴。", actor=commission, submitted_on=TODAY)
        transition(req, "assign", commission, today=TODAY, lead_department=dept)
    db.session.commit()
    return {"A": town, "B": other, "department": dept}


def _contact_viewer(make_user, contacts, kind: str):
    return {
        "department": lambda: make_user(Role.DEPARTMENT, department=contacts["department"]),
        "department + town B": lambda: make_user(Role.DEPARTMENT, Role.TOWN, department=contacts["department"],
                                                 town=contacts["B"]),
        "town A": lambda: make_user(Role.TOWN, town=contacts["A"]),
        "commission": lambda: make_user(Role.COMMISSION),
        "leader": lambda: make_user(Role.LEADER),
    }[kind]()


A, B = "城桥甲有限公司", "堡镇乙有限公司"
# viewer -> what q=1877 and q=1878 find: only enterprises whose numbers the viewer reads in full
PHONE_SEARCH = {
    "department": (set(), set()),
    "department + town B": (set(), {B}),
    "town A": ({A}, set()),
    "commission": ({A}, {B}),
    "leader": ({A}, {B}),
}


def _found(client, secret: str, q: str) -> tuple[set, set, int]:
    """The enterprises a search finds on the list page and through the API, and the export's rows."""
    page = client.get("/enterprises/", query_string={"q": q}).get_data(as_text=True)
    on_page = {n for n in (A, B) if n in page}
    api = client.get("/api/v1/enterprises", query_string={"q": q}, headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200, api.get_data(as_text=True)
    through_api = {item["name"] for item in api.get_json()["items"]}
    client.get("/enterprises/export.xlsx", query_string={"q": q})
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")
                               .order_by(AuditEntry.id.desc())).first()
    return on_page, through_api, entry.changes["rows"]


@pytest.mark.parametrize("kind", sorted(PHONE_SEARCH))
def test_a_masked_phone_is_no_search_key_on_the_page_the_export_and_the_api(client, login_as, make_user,
                                                                             contacts, kind):
    user = login_as(_contact_viewer(make_user, contacts, kind))
    _token, secret = create_token(f"leaks-{kind}", user, Scope.READ, None, today=TODAY)
    db.session.commit()
    for q, expected in zip(("1877", "1878"), PHONE_SEARCH[kind]):
        assert _found(client, secret, q) == (expected, expected, len(expected)), q
    # The digits the mask leaves visible are no key either; names still are.
    assert _found(client, secret, "1234")[0] == PHONE_SEARCH[kind][0]
    assert _found(client, secret, "甲联系人")[0] == {A}


def test_a_department_handler_gets_the_same_answer_whatever_the_hidden_digits(client, login_as, make_user,
                                                                              contacts):
    user = login_as(_contact_viewer(make_user, contacts, "department"))
    _token, secret = create_token("leaks", user, Scope.READ, None, today=TODAY)
    db.session.commit()
    answers = {q: _found(client, secret, q) for q in ("187", "1877", "1878", "18779971234")}
    assert len(set(map(repr, answers.values()))) == 1, answers


@pytest.mark.parametrize("role, own_town, other_town", [
    (Role.ADMIN, "13912345678", "13900000002"), (Role.COMMISSION, "13912345678", "13900000002"),
    (Role.TOWN, "13912345678", "139****0002"), (Role.LEADER, "139****5678", "139****0002"),
    (Role.DEPARTMENT, "139****5678", "139****0002"), (Role.LIAISON, "139****5678", "139****0002"),
])
def test_one_rule_decides_whose_phone_each_role_reads(users, district, role, own_town, other_town):
    from crm.permissions import liaison_phone

    viewer = users[role]  # the town coordinator and the liaison belong to 城桥镇 (A)
    assert (liaison_phone(viewer, district["liaison"]), liaison_phone(viewer, district["helper"])) == \
        (own_town, other_town)
