"""coverage_columns (what reports count) decides exactly as quarter_pairs and enterprise_coverage."""
from datetime import date

import pytest

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import ListPeriod
from crm.visits.coverage import coverage_columns, enterprise_coverage, quarter_pairs
from crm.visits.quarters import Quarter
from tests.factories import assign, enterprise
from tests.visits.helpers import visit

Q1 = Quarter(2026, 1)


@pytest.fixture
def district(make_user, town):
    """One of each case: several rows of one pair, a relisted enterprise, one without liaison,
    a late assignment, a delisted enterprise with a visit, a joint visit, an unlisted one."""
    wang = make_user(Role.LIAISON, name="王伟", town=town)
    li = make_user(Role.LIAISON, name="李娜", town=town)
    ents = [enterprise(town) for _ in range(6)]
    assign(wang, ents[0], start_on=date(2025, 1, 1), end_on=date(2026, 1, 20))
    assign(wang, ents[0], start_on=date(2026, 3, 10), end_on=date(2026, 3, 21))
    assign(li, ents[0], start_on=date(2026, 1, 20))
    visit(ents[0], [wang, li], date(2026, 3, 12))
    relisted = ents[1]
    db.session.query(ListPeriod).filter_by(enterprise_id=relisted.id).update(
        {"added_on": date(2025, 1, 1), "removed_on": date(2026, 1, 20)})
    db.session.add(ListPeriod(enterprise_id=relisted.id, added_on=date(2026, 3, 1)))
    assign(li, relisted, start_on=date(2025, 6, 1))
    assign(wang, ents[2], start_on=date(2026, 3, 20))  # too late to owe: no liaison
    delisted = enterprise(town, listed_on=date(2024, 1, 1), removed_on=date(2026, 1, 10))
    assign(wang, delisted, start_on=date(2025, 1, 1))
    visit(delisted, wang, date(2026, 2, 1))
    assign(li, ents[3], start_on=date(2025, 1, 1))
    visit(ents[3], li, date(2026, 1, 5))
    visit(ents[3], li, date(2026, 2, 5))
    assign(wang, ents[4], start_on=date(2025, 1, 1), end_on=date(2026, 2, 15))
    db.session.flush()
    return town


def _pair_tuples(pairs):
    return [(p.liaison_id, p.enterprise_id, p.days, p.owed, p.visits > 0, p.last_visit_on, p.status.value,
             -1 if p.days_left is None else p.days_left) for p in pairs]


def _enterprise_tuples(rows):
    return [(e.enterprise_id, e.listed_days, e.status.value, -1 if e.days_left is None else e.days_left,
             e.last_visit_on) for e in rows]


def _columns(table, names):
    return list(zip(*(table[name].tolist() for name in names)))


@pytest.mark.parametrize("today", [date(2026, 2, 10), date(2026, 5, 10), date(2025, 12, 1)])
@pytest.mark.parametrize("by_town", [False, True])
def test_columns_equal_the_objects(district, today, by_town):
    town_ids = [district.id] if by_town else None
    pairs = quarter_pairs(Q1, today=today, town_ids=town_ids)
    ents = enterprise_coverage(Q1, today=today, town_ids=town_ids, pairs=pairs)
    columns = coverage_columns(Q1, today=today, town_ids=town_ids)
    assert _columns(columns.pairs, ["liaison_id", "enterprise_id", "days", "owed", "visited", "last_visit_on",
                                    "status", "days_left"]) == _pair_tuples(pairs)
    assert _columns(columns.enterprises, ["enterprise_id", "listed_days", "status", "days_left",
                                          "last_visit_on"]) == _enterprise_tuples(ents)
    assert {e.status.value for e in ents} >= {"visited", "no_liaison", "not_owed"}


def test_columns_for_a_liaison_and_an_empty_quarter(district):
    wang_id = quarter_pairs(Q1, today=date(2026, 2, 10))[0].liaison_id
    columns = coverage_columns(Q1, today=date(2026, 2, 10), liaison_ids=[wang_id], with_enterprises=False)
    assert columns.enterprises is None
    assert _columns(columns.pairs, ["liaison_id", "enterprise_id", "status"]) == [
        (p.liaison_id, p.enterprise_id, p.status.value)
        for p in quarter_pairs(Q1, today=date(2026, 2, 10), liaison_ids=[wang_id])]
    empty = coverage_columns(Quarter(2020, 1), today=date(2026, 2, 10))
    assert len(empty.pairs["status"]) == 0 and len(empty.enterprises["status"]) == 0
