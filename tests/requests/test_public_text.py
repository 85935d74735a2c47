"""The public form refuses NUL, controls and invisible format characters next to the field,
keeps what was typed, and saves nothing (PostgreSQL refused NUL: an anonymous 500)."""
import re
from html import escape
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from crm.db import db
from crm.requests.models import Request

from .test_public import form  # noqa: F401  (the fixture: the page's fields as a browser posts them)

CONTROL = "不能包含控制字符"
FORMAT = "不能包含不可见的格式字符（如方向控制符、零宽字符）"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Request))


def _error_next_to(page: str, name: str) -> str:
    """The first error shown right after the field `name` (input, or textarea and its text)."""
    match = re.search(rf'name="{name}"[^>]*>(?:[^<]*</textarea>)?\s*<div class="invalid-feedback">([^<]+)</div>',
                      page)
    return match.group(1) if match else ""


@pytest.mark.parametrize("name", ["enterprise_name", "contact_name", "title", "description", "email", "mobile",
                                  "credit_code"])
def test_nul_is_refused_next_to_the_field_and_nothing_is_saved(client, form, name):  # noqa: F811
    data = form()
    data[name] = data[name][:3] + "\x00" + data[name][3:]
    response = client.post("/submit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _error_next_to(page, name) == CONTROL
    assert _count() == 0
    # What was typed is still there (the browser shows NUL as U+FFFD), the other fields too.
    assert escape(data[name], quote=True) in page
    assert escape(data["enterprise_name"]) in page


@pytest.mark.parametrize("value", ["公司\u202egnp.exe", "某某\u200b公司", "\ufeff某某公司", "某某\u2066公司\u2069",
                                   "某某\u0085公司", "某某\t公司", "某某\n公司"])
def test_a_name_with_a_bidi_override_zero_width_or_control_is_refused(client, form, value):  # noqa: F811
    response = client.post("/submit", data=form(enterprise_name=value))
    assert response.status_code == 400
    assert _error_next_to(response.get_data(as_text=True), "enterprise_name") in (CONTROL, FORMAT)
    assert _count() == 0


def test_a_bidi_override_in_the_description_is_refused_too(client, form):  # noqa: F811
    response = client.post("/submit", data=form(description="请于 \u202e日01月21\u202c 前答复"))
    assert response.status_code == 400
    assert _error_next_to(response.get_data(as_text=True), "description") == FORMAT


def test_the_description_keeps_lines_tabs_and_emoji_and_stores_lf(client, form):  # noqa: F811
    text = "第一行\r\n第二行\t附表\r\n家庭 👨\u200d👩\u200d👧"
    response = client.post("/submit", data=form(description=text))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    req = db.session.scalar(select(Request))
    assert req.description == "第一行\n第二行\t附表\n家庭 👨\u200d👩\u200d👧"


def test_invalid_utf8_is_not_a_500(client, form):  # noqa: F811
    data = form()
    data.pop("title")
    body = urlencode(data).encode()
    # A surrogate's bytes percent-escaped: kept as the escape text, never a lone surrogate.
    response = client.post("/submit", data=body + b"&title=%ED%A0%80abc",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert db.session.scalar(select(Request.title)).encode("utf-8") == b"%ED%A0%80abc"
    # The same bytes raw: the body is no form at all, so nothing is filled in and nothing saved.
    response = client.post("/submit", data=body + b"&title=\xed\xa0\x80abc",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and _count() == 1
