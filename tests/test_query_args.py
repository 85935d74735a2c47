"""Search boxes and filter links with NUL or invisible characters: no 500 on PostgreSQL, and the
search finds what the person meant (crm/query_args.py; issue 17 item 2)."""
from __future__ import annotations

import pytest

from crm.auth.roles import Role
from tests.factories import enterprise


@pytest.fixture
def commission(client, users, login_as, today):
    today()
    return login_as(users[Role.COMMISSION])


@pytest.mark.parametrize("path", [
    "/enterprises/?q=%00", "/enterprises/?q=a%00b&town=%00&level=%00", "/enterprises/export.xlsx?q=%00",
    "/requests/?q=%00", "/requests/board?section=overdue&q=%00", "/visits/?q=%00", "/visits/liaisons?q=%00",
    "/reports/coverage?town=%00", "/reports/coverage/pairs?status=owed%00",
])
def test_nul_in_a_query_string_is_no_500(client, commission, path):
    assert client.get(path).status_code == 200


def test_nul_in_the_user_search_is_no_500(client, users, login_as):
    login_as(users[Role.ADMIN])
    assert client.get("/admin/users?q=%00").status_code == 200


def test_an_invisible_character_in_a_search_is_dropped(client, commission, town):
    enterprise(town, name="上海明珠海洋装备有限公司")
    page = client.get("/enterprises/?q=%E6%98%8E%E2%80%8B%E7%8F%A0%00").get_data(as_text=True)  # 明 ZWSP 珠 NUL
    assert "上海明珠海洋装备有限公司" in page
    assert 'value="明珠"' in page  # the search box shows what was searched
