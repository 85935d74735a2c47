"""The API refuses what the forms refuse (crm/text_rules.py), with its field-level 422: format
characters in a name used to pass its text cleaner (issue 17 item 2)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.db import db
from crm.enterprises.models import Enterprise

from .test_errors import _body, _count, assert_error, writer  # noqa: F401  (writer: the fixture)

FORMAT = "不能包含不可见的格式字符（如方向控制符、零宽字符）"


@pytest.mark.parametrize("name", ["公司\u202egnp.exe", "某某\u200b公司", "\ufeff某某公司", "某某\u2066公司"])
def test_a_name_with_a_format_character_is_422_next_to_the_field(writer, town, name):  # noqa: F811
    error = assert_error(writer.post("/enterprises", json=_body(town, name=name)), 422, "validation_failed")
    assert error["fields"] == {"name": FORMAT}
    assert _count(Enterprise) == 0


def test_notes_keep_lines_and_emoji_but_not_a_bidi_override(writer, town):  # noqa: F811
    error = assert_error(writer.post("/enterprises", json=_body(town, notes="甲\u202e乙")), 422)
    assert error["fields"] == {"notes": FORMAT}
    response = writer.post("/enterprises", json=_body(town, notes="第一行\r\n第二行\t👨\u200d👩\u200d👧"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert db.session.scalar(select(Enterprise.notes)) == "第一行\n第二行\t👨\u200d👩\u200d👧"


def test_a_search_with_nul_is_422_not_a_database_error(writer):  # noqa: F811
    assert "q" in assert_error(writer.get("/enterprises?q=a%00b"), 422)["fields"]
