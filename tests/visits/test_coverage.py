"""The coverage engine's rules: quarter boundaries, the 30-day rule, joint visits, reassignment."""
from datetime import date

import pytest

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import ListPeriod
from crm.org.models import Town
from crm.visits.coverage import (Status, enterprise_coverage, pair_status, quarter_pairs,
                                 summarize_enterprises, summarize_pairs)
from crm.visits.quarters import Quarter
from tests.factories import assign, enterprise
from tests.visits.helpers import count_statements, visit

Q1 = Quarter(2026, 1)  # 1 Jan - 31 Mar 2026, 90 days
AFTER_Q1 = date(2026, 5, 10)


@pytest.fixture
def liaison(make_user, town):
    return make_user(Role.LIAISON, name="王伟", town=town)


@pytest.fixture
def colleague(make_user, town):
    return make_user(Role.LIAISON, name="李娜", town=town)


def status_of(a, quarter=Q1, today=AFTER_Q1):
    return pair_status(a, quarter, today=today)


# --- quarter boundaries ---------------------------------------------------------------------

def test_a_visit_on_31_march_counts_for_q1_and_one_on_1_april_for_q2(town, liaison):
    ent = enterprise(town)
    a = assign(liaison, ent, start_on=date(2025, 1, 1))
    visit(ent, liaison, date(2026, 3, 31))
    assert status_of(a, "2026Q1").status is Status.VISITED
    assert status_of(a, "2026Q2", today=date(2026, 7, 1)).status is Status.MISSED
    visit(ent, liaison, date(2026, 4, 1))
    q2 = status_of(a, "2026Q2", today=date(2026, 7, 1))
    assert q2.status is Status.VISITED and q2.last_visit_on == date(2026, 4, 1)


def test_a_visit_on_31_december_counts_for_the_old_year_only(town, liaison):
    ent = enterprise(town)
    a = assign(liaison, ent, start_on=date(2025, 1, 1))
    visit(ent, liaison, date(2025, 12, 31))
    assert status_of(a, "2025Q4", today=date(2026, 1, 1)).status is Status.VISITED
    # 1 January: a new quarter, nothing visited yet, 89 days left (to 31 March).
    q1 = status_of(a, "2026Q1", today=date(2026, 1, 1))
    assert q1.status is Status.DUE and q1.days_left == 89
    visit(ent, liaison, date(2026, 1, 1))
    assert status_of(a, "2026Q1", today=date(2026, 1, 1)).status is Status.VISITED


def test_the_last_day_of_a_quarter_is_still_due_and_the_next_day_it_is_missed(town, liaison):
    ent = enterprise(town)
    a = assign(liaison, ent, start_on=date(2025, 1, 1))
    on_last_day = status_of(a, today=date(2026, 3, 31))
    assert on_last_day.status is Status.DUE and on_last_day.days_left == 0
    assert status_of(a, today=date(2026, 4, 1)).status is Status.MISSED


# --- the 30-day rule ------------------------------------------------------------------------

@pytest.mark.parametrize("start_on, days, owed", [
    (date(2026, 3, 3), 29, False),  # 3-31 March
    (date(2026, 3, 2), 30, True),
    (date(2026, 3, 1), 31, True),
])
def test_an_assignment_starting_late_in_the_quarter(town, liaison, start_on, days, owed):
    a = assign(liaison, enterprise(town), start_on=start_on)
    result = status_of(a)
    assert (result.days, result.owed) == (days, owed)
    assert result.status is (Status.MISSED if owed else Status.NOT_OWED)


@pytest.mark.parametrize("end_on, days, owed", [
    (date(2026, 1, 30), 29, False),  # 1-29 January (end_on is exclusive)
    (date(2026, 1, 31), 30, True),
    (date(2026, 2, 1), 31, True),
])
def test_an_assignment_ending_early_in_the_quarter_still_owes_after_30_days(town, liaison, end_on, days, owed):
    a = assign(liaison, enterprise(town), start_on=date(2025, 6, 1), end_on=end_on)
    result = status_of(a)
    assert (result.days, result.owed) == (days, owed)


@pytest.mark.parametrize("added_on, days, owed", [
    (date(2026, 3, 3), 29, False),
    (date(2026, 3, 2), 30, True),
    (date(2026, 3, 1), 31, True),
])
def test_an_enterprise_listed_late_in_the_quarter(town, liaison, added_on, days, owed):
    a = assign(liaison, enterprise(town, listed_on=added_on), start_on=date(2025, 1, 1))
    result = status_of(a)
    assert (result.days, result.owed) == (days, owed)


@pytest.mark.parametrize("removed_on, days, owed", [
    (date(2026, 1, 30), 29, False),
    (date(2026, 1, 31), 30, True),
    (date(2026, 2, 1), 31, True),
])
def test_an_enterprise_delisted_early_in_the_quarter(town, liaison, removed_on, days, owed):
    ent = enterprise(town, listed_on=date(2024, 1, 1), removed_on=removed_on)
    a = assign(liaison, ent, start_on=date(2025, 1, 1))
    result = status_of(a)
    assert (result.days, result.owed) == (days, owed)
    [row] = enterprise_coverage(Q1, today=AFTER_Q1)
    assert row.status is (Status.MISSED if owed else Status.NOT_OWED)


def test_only_days_both_assigned_and_listed_count(town, liaison):
    # Listed 1 Jan - 14 Feb (45 days), assigned from 1 February: 14 days in common.
    ent = enterprise(town, listed_on=date(2025, 1, 1), removed_on=date(2026, 2, 15))
    a = assign(liaison, ent, start_on=date(2026, 2, 1))
    assert (status_of(a).days, status_of(a).owed) == (14, False)


def test_a_relisted_enterprise_adds_up_its_periods(town, liaison):
    ent = enterprise(town, listed_on=date(2025, 1, 1), removed_on=date(2026, 1, 16))  # 15 days
    db.session.add(ListPeriod(enterprise=ent, added_on=date(2026, 3, 17)))  # 15 days
    db.session.commit()
    a = assign(liaison, ent, start_on=date(2025, 1, 1))
    assert (status_of(a).days, status_of(a).owed) == (30, True)


def test_the_threshold_is_a_setting(app, town, liaison):
    a = assign(liaison, enterprise(town), start_on=date(2026, 3, 12))  # 20 days
    assert not status_of(a).owed
    app.config["COVERAGE_MIN_DAYS"] = 20
    try:
        assert status_of(a).owed
    finally:
        app.config["COVERAGE_MIN_DAYS"] = 30


# --- the current quarter looks ahead --------------------------------------------------------

def test_an_open_assignment_in_the_current_quarter_counts_until_the_last_day(town, liaison):
    today = date(2026, 11, 24)
    a = assign(liaison, enterprise(town), start_on=date(2026, 11, 10))  # 10 Nov - 31 Dec: 52 days
    result = pair_status(a, "2026Q4", today=today)
    assert (result.owed, result.status, result.days_left) == (True, Status.DUE, 37)
    late = assign(liaison, enterprise(town), start_on=date(2026, 12, 5))  # 27 days
    assert pair_status(late, "2026Q4", today=today).status is Status.NOT_OWED


def test_days_left_stop_at_the_end_of_the_assignment(town, liaison):
    a = assign(liaison, enterprise(town), start_on=date(2025, 1, 1), end_on=date(2026, 12, 11))
    result = pair_status(a, "2026Q4", today=date(2026, 11, 24))
    # Last assigned day 10 December: 16 days left, not the quarter's 37.
    assert (result.status, result.days_left, result.last_assigned_on) == (Status.DUE, 16, date(2026, 12, 10))


# --- visits ---------------------------------------------------------------------------------

def test_a_joint_visit_counts_for_each_assigned_liaison(town, liaison, colleague, make_user):
    ent = enterprise(town)
    a = assign(liaison, ent, start_on=date(2025, 1, 1))
    b = assign(colleague, ent, start_on=date(2025, 1, 1), role="assisting")
    guest = make_user(Role.LIAISON, name="赵强")  # came along, not assigned to this enterprise
    visit(ent, [liaison, colleague, guest], date(2026, 2, 10), mode="meeting")
    assert status_of(a).status is Status.VISITED
    assert status_of(b).status is Status.VISITED
    pairs = quarter_pairs(Q1, today=AFTER_Q1)
    assert {(p.liaison_id, p.visits) for p in pairs} == {(liaison.id, 1), (colleague.id, 1)}


@pytest.mark.parametrize("mode", ["onsite", "video", "phone", "meeting"])
def test_every_mode_counts(town, liaison, mode):
    ent = enterprise(town)
    a = assign(liaison, ent, start_on=date(2025, 1, 1))
    visit(ent, liaison, date(2026, 2, 10), mode=mode)
    assert status_of(a).status is Status.VISITED


def test_a_visit_outside_the_assignment_does_not_count(town, liaison, colleague):
    ent = enterprise(town)
    # Reassigned on 15 February: 45 days each, both owe Q1.
    a = assign(liaison, ent, start_on=date(2025, 1, 1), end_on=date(2026, 2, 15))
    b = assign(colleague, ent, start_on=date(2026, 2, 15))
    visit(ent, liaison, date(2026, 2, 20))  # after handing over: no credit
    assert (status_of(a).owed, status_of(a).status) == (True, Status.MISSED)
    assert (status_of(b).owed, status_of(b).status) == (True, Status.MISSED)
    visit(ent, colleague, date(2026, 2, 14))  # the day before taking over: no credit either
    assert status_of(b).status is Status.MISSED
    visit(ent, colleague, date(2026, 2, 15))
    assert status_of(b).status is Status.VISITED
    [row] = enterprise_coverage(Q1, today=AFTER_Q1)
    assert (row.status, row.visited_by, set(row.owing_liaison_ids)) == (
        Status.VISITED, (colleague.id,), {liaison.id, colleague.id})


def test_reassigned_back_and_forth_the_days_of_one_pair_add_up(town, liaison, colleague):
    ent = enterprise(town)
    a = assign(liaison, ent, start_on=date(2025, 1, 1), end_on=date(2026, 1, 20))   # 19 days
    assign(colleague, ent, start_on=date(2026, 1, 20), end_on=date(2026, 3, 10))
    assign(liaison, ent, start_on=date(2026, 3, 10), end_on=date(2026, 3, 21))      # 11 days
    result = status_of(a)
    assert (result.days, result.owed, result.last_assigned_on) == (30, True, date(2026, 3, 20))
    assert len([p for p in quarter_pairs(Q1, today=AFTER_Q1) if p.liaison_id == liaison.id]) == 1


def test_overlapping_rows_of_one_pair_are_not_counted_twice(town, liaison):
    ent = enterprise(town)
    a = assign(liaison, ent, start_on=date(2026, 1, 1), end_on=date(2026, 1, 20))
    assign(liaison, ent, start_on=date(2026, 1, 10), end_on=date(2026, 1, 25), role="assisting")
    assert status_of(a).days == 24  # 1-24 January, not 19 + 15
    visit(ent, liaison, date(2026, 1, 12))  # inside both rows: still one visit
    assert (status_of(a).visits, status_of(a).last_visit_on) == (1, date(2026, 1, 12))


def test_a_delisted_enterprise_still_credits_visits_but_owes_nothing(town, liaison):
    ent = enterprise(town, listed_on=date(2024, 1, 1), removed_on=date(2026, 1, 10))
    a = assign(liaison, ent, start_on=date(2025, 1, 1))
    visit(ent, liaison, date(2026, 2, 1))
    result = status_of(a)
    assert (result.owed, result.visits, result.status) == (False, 1, Status.NOT_OWED)
    assert summarize_pairs([result]).owed == 0


# --- enterprises and summaries --------------------------------------------------------------

def test_a_listed_enterprise_without_liaison_is_a_gap_of_its_own(town, liaison):
    orphan = enterprise(town, name="无人包保企业")
    late = enterprise(town, name="季末才包保企业")
    assign(liaison, late, start_on=date(2026, 3, 20))  # 12 days: owes nothing yet
    covered = enterprise(town, name="已走访企业")
    assign(liaison, covered, start_on=date(2025, 1, 1))
    visit(covered, liaison, date(2026, 3, 1))
    rows = {r.enterprise_id: r for r in enterprise_coverage(Q1, today=AFTER_Q1)}
    assert rows[orphan.id].status is Status.NO_LIAISON
    assert rows[late.id].status is Status.NO_LIAISON
    assert rows[covered.id].status is Status.VISITED
    summary = summarize_enterprises(rows.values())
    assert (summary.owed, summary.visited, summary.no_liaison, summary.rate) == (3, 1, 2, 1 / 3)


def test_an_enterprise_is_covered_when_one_of_its_liaisons_visited(town, liaison, colleague):
    ent = enterprise(town)
    assign(liaison, ent, start_on=date(2025, 1, 1))
    b = assign(colleague, ent, start_on=date(2025, 1, 1))
    visit(ent, liaison, date(2026, 11, 2))
    today = date(2026, 11, 24)
    [row] = enterprise_coverage("2026Q4", today=today)
    assert row.status is Status.VISITED
    assert pair_status(b, "2026Q4", today=today).status is Status.DUE
    summary = summarize_pairs(quarter_pairs("2026Q4", today=today))
    assert (summary.owed, summary.visited, summary.due, summary.missed) == (2, 1, 1, 0)


def test_filters_narrow_every_query(town, liaison, colleague):
    other_town = Town(code="BZ", name="堡镇")
    db.session.add(other_town)
    db.session.commit()
    here, there = enterprise(town), enterprise(other_town)
    assign(liaison, here, start_on=date(2025, 1, 1))
    assign(colleague, there, start_on=date(2025, 1, 1))
    visit(there, colleague, date(2026, 1, 5))

    def keys(**filters):
        return {(p.liaison_id, p.enterprise_id) for p in quarter_pairs(Q1, today=AFTER_Q1, **filters)}

    assert keys() == {(liaison.id, here.id), (colleague.id, there.id)}
    assert keys(town_ids=[other_town.id]) == {(colleague.id, there.id)}
    assert keys(liaison_ids=[liaison.id]) == {(liaison.id, here.id)}
    assert keys(enterprise_ids=[there.id]) == {(colleague.id, there.id)}
    assert keys(liaison_ids=[liaison.id], enterprise_ids=[there.id]) == set()
    assert [r.enterprise_id for r in enterprise_coverage(Q1, today=AFTER_Q1, town_ids=[town.id])] == [here.id]


def test_the_whole_quarter_takes_a_fixed_number_of_queries(town, liaison, colleague):
    for i in range(12):
        ent = enterprise(town)
        assign(liaison if i % 2 else colleague, ent, start_on=date(2025, 1, 1))
        if i % 3 == 0:
            visit(ent, liaison if i % 2 else colleague, date(2026, 2, i + 1))
    with count_statements() as statements:
        pairs = quarter_pairs(Q1, today=AFTER_Q1)
        enterprise_coverage(Q1, today=AFTER_Q1, pairs=pairs)
    assert len(pairs) == 12
    # Pairs: assignment rows with their visits, and list periods; enterprises: list periods.
    assert len(statements) == 3


def test_set_based_result_agrees_with_pair_status(town, liaison, colleague):
    ents = [enterprise(town) for _ in range(4)]
    rows = [assign(liaison, ents[0], start_on=date(2025, 1, 1)),
            assign(colleague, ents[0], start_on=date(2026, 2, 1)),
            assign(liaison, ents[1], start_on=date(2026, 3, 15)),
            assign(colleague, ents[2], start_on=date(2025, 1, 1), end_on=date(2026, 2, 2)),
            assign(liaison, ents[3], start_on=date(2025, 5, 1))]
    visit(ents[0], [liaison, colleague], date(2026, 2, 3))
    visit(ents[2], colleague, date(2026, 1, 3))
    together = {(p.liaison_id, p.enterprise_id): p for p in quarter_pairs(Q1, today=AFTER_Q1)}
    for a in rows:
        assert together[(a.liaison_id, a.enterprise_id)] == status_of(a)
