"""The key-enterprise list: search, filters, sort, pagination with a fixed number of queries."""
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Contact
from tests.factories import assign, enterprise


@pytest.fixture
def listed(users, town, other_town, tags, make_user):
    other = make_user(Role.LIAISON, login="zhao", name="赵敏", town=town)
    a = enterprise(town, name="上海海联船舶配套有限公司", level="district", industry="C",
                   tags=[tags["专精特新"]])
    a.contacts.append(Contact(name="陈静", title="总经理", mobile="13812345678"))
    b = enterprise(other_town, name="崇明瀛通物流有限公司", industry="G")
    c = enterprise(town, name="上海东滩生态农业有限公司", industry="A", tags=[tags["小巨人"]])
    gone = enterprise(other_town, name="已迁出贸易有限公司", removed_on=date(2025, 6, 1))
    db.session.commit()
    assign(users[Role.LIAISON], a)
    assign(other, b, role="assisting")
    assign(users[Role.LIAISON], c, start_on=date(2024, 1, 1), end_on=date(2026, 1, 1))  # over
    return {"a": a, "b": b, "c": c, "gone": gone, "other": other}


def names(client, query=""):
    page = client.get("/enterprises/" + query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    all_names = ["上海海联船舶配套有限公司", "崇明瀛通物流有限公司", "上海东滩生态农业有限公司", "已迁出贸易有限公司"]
    return {n for n in all_names if n in html}


def test_default_view_is_the_enterprises_listed_today(client, users, login_as, listed):
    login_as(users[Role.COMMISSION])
    assert names(client) == {"上海海联船舶配套有限公司", "崇明瀛通物流有限公司", "上海东滩生态农业有限公司"}
    assert names(client, "?status=removed") == {"已迁出贸易有限公司"}
    assert len(names(client, "?status=all")) == 4


@pytest.mark.parametrize("query, expected", [
    ("?q=海联", {"上海海联船舶配套有限公司"}),
    ("?q=陈静", {"上海海联船舶配套有限公司"}),                # contact name
    ("?q=1381234", {"上海海联船舶配套有限公司"}),              # part of a contact phone
    ("?q=１３８１２３４", {"上海海联船舶配套有限公司"}),        # typed full-width
    ("?level=district", {"上海海联船舶配套有限公司"}),
    ("?industry=G", {"崇明瀛通物流有限公司"}),
    ("?no_liaison=1", {"上海东滩生态农业有限公司"}),           # listed, its only assignment is over
])
def test_search_and_filters(client, users, login_as, listed, query, expected):
    login_as(users[Role.COMMISSION])
    assert names(client, query) == expected


def test_filters_by_town_tag_liaison_and_code(client, users, login_as, listed, other_town, tags):
    login_as(users[Role.COMMISSION])
    assert names(client, f"?town={other_town.id}") == {"崇明瀛通物流有限公司"}
    assert names(client, f"?tag={tags['小巨人'].id}") == {"上海东滩生态农业有限公司"}
    assert names(client, f"?liaison={listed['other'].id}") == {"崇明瀛通物流有限公司"}
    code = listed["b"].credit_code
    assert names(client, f"?q={code[-9:].lower()}") == {"崇明瀛通物流有限公司"}


def test_a_broken_link_falls_back_to_no_filter(client, users, login_as, listed):
    login_as(users[Role.COMMISSION])
    assert len(names(client, "?town=abc&level=x&status=zzz&sort=drop&tag=&page=x")) == 3


def test_sort_by_town_and_empty_state(client, users, login_as, listed):
    login_as(users[Role.COMMISSION])
    html = client.get("/enterprises/?sort=town").get_data(as_text=True)
    assert html.index("堡镇") < html.index("城桥镇")  # BZ before CQ by town code
    html = client.get("/enterprises/?q=不存在的企业").get_data(as_text=True)
    assert "没有符合条件的企业" in html


def test_row_shows_liaisons_and_the_coverage_gap(client, users, login_as, listed):
    login_as(users[Role.COMMISSION])
    html = client.get("/enterprises/").get_data(as_text=True)
    assert "赵敏" in html and "无包保人" in html


@contextmanager
def counting_queries():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_query_count_does_not_grow_with_the_page_size(client, users, login_as, town, tags, make_user):
    liaisons = [make_user(Role.LIAISON, town=town) for _ in range(3)]
    for i in range(40):
        ent = enterprise(town, tags=[tags["专精特新"], tags["小巨人"]])
        ent.contacts.append(Contact(name=f"联系人{i}", mobile="13812345678"))
        db.session.commit()
        assign(liaisons[i % 3], ent)
        assign(liaisons[(i + 1) % 3], ent, role="assisting")
    login_as(users[Role.COMMISSION])
    client.get("/enterprises/?per_page=5")  # warm up: the session user, babel, templates
    with counting_queries() as small:
        assert client.get("/enterprises/?per_page=5").status_code == 200
    with counting_queries() as large:
        page = client.get("/enterprises/?per_page=40")
    assert page.get_data(as_text=True).count('name="ids"') == 40
    assert len(large) == len(small), "\n".join(large)
    assert len(large) <= 15
