"""The coverage report is computed once between two writes (crm.data_cache), and never stale."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import update

from crm import data_cache
from crm.db import db
from crm.enterprises.models import ListPeriod
from crm.permissions.reports import ReportScope
from crm.requests.events import add_event
from crm.requests.models import Request
from crm.reports.coverage_report import build
from crm.visits.coverage import coverage_columns
from crm.visits.models import Visit, VisitParticipant
from crm.visits.quarters import Quarter

from .conftest import TODAY, figures_on

Q4 = Quarter(2026, 4)


def headline() -> dict:
    return build(Q4, ReportScope(), TODAY).headline()


def test_a_repeat_with_nothing_written_reuses_the_computation(coverage_world, count_queries):
    with count_queries() as first:
        figures = headline()
    hits = data_cache.statistics()["hits"]
    with count_queries() as again:
        assert headline() == figures
    # The engine's results and the enterprise attributes are reused; the engine's two statements
    # (list periods, assignment rows with their visits) and the attribute frame's are not run again.
    assert data_cache.statistics()["hits"] == hits + 2
    assert again.count == first.count - 3


def test_a_visit_logged_on_the_form_shows_at_once(coverage_world, client, login_as, make_user):
    from crm.auth.roles import Role

    l1, l2, _l3 = coverage_world["liaisons"]
    e3 = coverage_world["enterprises"][3]
    commission = make_user(Role.COMMISSION)
    login_as(commission)
    assert figures_on(client.get("/reports/coverage").get_data(as_text=True))["visited"] == "3"
    login_as(l2)
    logged = client.post(f"/visits/new?enterprise_id={e3.id}", data={
        "idempotency_key": "cache-1", "visited_on": "2026-11-23", "mode": "onsite",
        "people_met": "张总", "findings": "生产经营正常。", "liaisons": str(l2.id)})
    assert logged.status_code == 302, re.findall(r'invalid-feedback[^>]*>([^<]+)', logged.get_data(as_text=True))
    login_as(commission)
    assert figures_on(client.get("/reports/coverage").get_data(as_text=True))["visited"] == "4"


def test_a_bulk_update_outside_the_orm_shows_at_once(coverage_world):
    assert headline()["listed"] == 8
    e9 = coverage_world["enterprises"][9]
    db.session.execute(update(ListPeriod).where(ListPeriod.enterprise_id == e9.id)
                       .values(removed_on=date(2026, 9, 1)))
    db.session.commit()
    figures = headline()
    assert (figures["listed"], figures["no_liaison"]) == (7, 0)


def test_a_rolled_back_visit_is_not_remembered(coverage_world):
    l2 = coverage_world["liaisons"][1]
    e3 = coverage_world["enterprises"][3]
    assert headline()["visited"] == 3
    visit = Visit(enterprise_id=e3.id, visited_on=date(2026, 11, 23), author_id=l2.id, findings="未提交")
    visit.participants.append(VisitParticipant(liaison_id=l2.id, enterprise_id=e3.id, visited_on=date(2026, 11, 23)))
    db.session.add(visit)
    db.session.flush()
    assert headline()["visited"] == 4  # this transaction sees its own visit
    db.session.rollback()
    assert headline()["visited"] == 3


def test_shared_results_cannot_be_changed_by_a_caller(coverage_world):
    columns = coverage_columns(Q4, today=TODAY)
    with pytest.raises(ValueError):
        columns.pairs["status"][0] = "visited"
    assert coverage_columns(Q4, today=TODAY).pairs["status"].tolist() == columns.pairs["status"].tolist()


def test_size_zero_switches_the_cache_off(coverage_world, app, count_queries):
    size, app.config["DATA_CACHE_SIZE"] = app.config["DATA_CACHE_SIZE"], 0
    try:
        entries = data_cache.statistics()["entries"]
        with count_queries() as first:
            headline()
        with count_queries() as again:
            headline()
        assert again.count == first.count
        assert data_cache.statistics()["entries"] == entries
    finally:
        app.config["DATA_CACHE_SIZE"] = size


def test_a_visit_this_quarter_keeps_last_quarter_computed(coverage_world):
    """Trends and last quarter's missed pairs are not recomputed for each visit logged today."""
    from tests.visits.helpers import visit

    last_quarter = build(Quarter(2026, 3), ReportScope(), TODAY).headline()
    assert headline()["visited"] == 3
    visit(coverage_world["enterprises"][3], coverage_world["liaisons"][1], date(2026, 11, 23))
    misses = data_cache.statistics()["misses"]
    assert build(Quarter(2026, 3), ReportScope(), TODAY).headline() == last_quarter
    assert data_cache.statistics()["misses"] == misses  # engine and attributes: both reused
    assert headline()["visited"] == 4


def test_a_result_replaced_after_a_write_is_dropped(coverage_world):
    """A worker keeps one copy per computation, not one per write of the day."""
    headline()
    entries = data_cache.statistics()["entries"]
    for n in range(3):
        coverage_world["enterprises"][9].notes = f"第{n}次修改"
        db.session.commit()
        headline()
    assert data_cache.statistics()["entries"] == entries


# --- the requests report, kept under the requests stamp ------------------------------------------

def test_every_input_of_the_requests_report_changes_its_stamp(requests_world):
    """A write to any table the requests report reads gives the stamp a new value, so no kept
    report outlives it; the calendar tables count (working-day clocks), the cooperators do not."""
    from sqlalchemy import insert, select

    from crm.calendar.models import CalendarOverride, CalendarYear
    from crm.data_version import REQUEST_TABLES, REQUESTS, current

    seen = [current(REQUESTS)]
    db.session.execute(insert(CalendarYear).values(year=2030))
    db.session.execute(insert(CalendarOverride).values(day=date(2030, 1, 1), kind="holiday", name="元旦"))
    db.session.commit()
    seen.append(current(REQUESTS))
    for name in REQUEST_TABLES:
        table = db.metadata.tables[name]
        key = list(table.primary_key.columns)[0]
        assert db.session.scalar(select(key).limit(1)) is not None, name
        if name == "request_events":
            # Append-only (crm.audit.immutable): a new step is the only write it takes.
            req = db.session.scalar(select(Request).limit(1))
            add_event(req, "note", None, on=date(2026, 11, 24), text="备注", kind="note", actor_label="cli")
        else:
            db.session.execute(update(table).values({key.name: key}))
        db.session.commit()
        seen.append(current(REQUESTS))
    assert None not in seen and len(set(seen)) == len(seen), seen
