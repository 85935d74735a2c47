"""The coverage stamp: every write to the engine's input tables gives it a value never seen before,
whatever wrote it, on a db.create_all() schema and on a migrated one."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, insert, select, text, update

from config import TestingConfig
from crm import create_app
from crm.auth.roles import Role
from crm.data_version import (COVERAGE, VISIT_TABLE, WATCHED_TABLES, DataVersion, coverage_stamp, current,
                               quarter_name)
from crm.db import db
from crm.enterprises.models import Assignment, Contact, Enterprise, ListPeriod, Tag
from crm.org.models import Town
from crm.visits.models import VisitParticipant
from tests.factories import enterprise, valid_code
from tests.visits.helpers import visit


@pytest.fixture
def world(town, make_user):
    """Committed rows for the watched tables' foreign keys to point at."""
    liaison = make_user(Role.LIAISON, town=town)
    tag, other_tag = Tag(name="专精特新"), Tag(name="高新技术企业")
    db.session.add_all([tag, other_tag])
    ent = enterprise(town)
    return SimpleNamespace(town=town, liaison=liaison, colleague=make_user(Role.LIAISON, town=town),
                           ent=ent, tag=tag, other_tag=other_tag,
                           visit=visit(ent, liaison, date(2026, 3, 1)))


#: Per table, a new row and the values an update then changes in it.
CORE_CASES = {
    "enterprises": lambda w: ({"name": "上海新企业有限公司", "credit_code": valid_code(),
                               "town_id": w.town.id}, {"notes": "搬迁"}),
    "enterprise_tags": lambda w: ({"enterprise_id": w.ent.id, "tag_id": w.tag.id}, {"tag_id": w.other_tag.id}),
    "list_periods": lambda w: ({"enterprise_id": w.ent.id, "added_on": date(2020, 1, 1),
                                "removed_on": date(2020, 7, 1)}, {"removed_reason": "迁出"}),
    "assignments": lambda w: ({"liaison_id": w.colleague.id, "enterprise_id": w.ent.id,
                               "start_on": date(2024, 1, 1)}, {"end_reason": "调岗"}),
    "visit_participants": lambda w: ({"visit_id": w.visit.id, "liaison_id": w.colleague.id,
                                      "enterprise_id": w.ent.id, "visited_on": w.visit.visited_on},
                                     {"visited_on": date(2026, 3, 2)}),
}


def test_every_input_of_the_coverage_engine_is_watched():
    assert {*WATCHED_TABLES, VISIT_TABLE} == set(CORE_CASES)


def stamp(name: str):
    """The stamp a write to the table changes: its quarter's for the world's visit (2026Q1)."""
    return current(quarter_name("2026Q1")) if name == VISIT_TABLE else current()


def matching(table, values: dict):
    return [table.c[column] == value for column, value in values.items()]


@pytest.mark.parametrize("name", CORE_CASES)
def test_core_insert_update_and_delete_each_give_a_new_stamp(world, name):
    table = db.metadata.tables[name]
    row, changes = CORE_CASES[name](world)
    seen = [stamp(name)]
    db.session.execute(table.insert(), [row])
    db.session.commit()
    seen.append(stamp(name))
    assert db.session.execute(update(table).where(*matching(table, row)).values(changes)).rowcount == 1
    db.session.commit()
    seen.append(stamp(name))
    assert db.session.execute(delete(table).where(*matching(table, {**row, **changes}))).rowcount == 1
    db.session.commit()
    seen.append(stamp(name))

    assert None not in seen and len(set(seen)) == 4, seen


ORM_CASES = {
    "enterprises": (lambda w: Enterprise(name="上海新企业有限公司", credit_code=valid_code(), town=w.town),
                    lambda ent: setattr(ent, "notes", "搬迁")),
    "list_periods": (lambda w: ListPeriod(enterprise=w.ent, added_on=date(2020, 1, 1),
                                          removed_on=date(2020, 7, 1)),
                     lambda period: setattr(period, "removed_reason", "迁出")),
    "assignments": (lambda w: Assignment(liaison=w.colleague, enterprise=w.ent, start_on=date(2024, 1, 1)),
                    lambda a: setattr(a, "end_reason", "调岗")),
    "visit_participants": (lambda w: VisitParticipant(visit=w.visit, liaison_id=w.colleague.id,
                                                      enterprise_id=w.ent.id, visited_on=w.visit.visited_on),
                           lambda p: setattr(p, "visited_on", date(2026, 3, 2))),
}


# enterprise_tags has no class: the ORM only inserts and deletes its rows (next test).
@pytest.mark.parametrize("name", ORM_CASES)
def test_orm_insert_update_and_delete_each_give_a_new_stamp(world, name):
    make, change = ORM_CASES[name]
    seen = [stamp(name)]
    obj = make(world)
    assert obj.__table__.name == name
    db.session.add(obj)
    db.session.commit()
    seen.append(stamp(name))
    change(obj)
    db.session.commit()
    seen.append(stamp(name))
    db.session.delete(obj)
    db.session.commit()
    seen.append(stamp(name))

    assert None not in seen and len(set(seen)) == 4, seen


def test_tagging_and_untagging_through_the_orm_give_a_new_stamp(world):
    seen = [current()]
    world.ent.tags.append(world.tag)
    db.session.commit()
    seen.append(current())
    world.ent.tags.remove(world.tag)
    db.session.commit()
    seen.append(current())

    assert None not in seen and len(set(seen)) == 3, seen


def test_emptying_a_table_gives_a_new_stamp(world):
    before = coverage_stamp("2026Q1")
    # SQLite has no TRUNCATE but empties a table without touching its rows, unless it has triggers.
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE visit_participants"))
    else:
        db.session.execute(text("DELETE FROM visit_participants"))
    db.session.commit()

    assert db.session.scalar(select(VisitParticipant.visit_id)) is None
    # PostgreSQL's TRUNCATE names no quarter and changes the engine's stamp; SQLite's DELETE the quarter's.
    assert coverage_stamp("2026Q1") not in (before, None)


def test_writes_to_other_tables_leave_the_stamp_alone(world, make_user):
    before = coverage_stamp("2026Q1")
    db.session.add_all([Town(code="MQ", name="庙镇"), Tag(name="小巨人"),
                        Contact(enterprise_id=world.ent.id, name="张三", mobile="13800000000")])
    db.session.commit()
    make_user(Role.LIAISON, town=world.town)
    world.liaison.name = "王五"
    world.visit.findings = "补记"  # the engine reads visit dates from the participations only
    db.session.execute(delete(Town).where(Town.code == "MQ"))
    db.session.commit()

    assert before is not None and coverage_stamp("2026Q1") == before


def test_a_visit_changes_its_own_quarter_stamp_only(world):
    """Logging today's visits leaves what was computed for past quarters valid."""
    q1, q2 = coverage_stamp("2026Q1"), coverage_stamp("2026Q2")
    visit(world.ent, world.colleague, date(2026, 5, 6))
    assert coverage_stamp("2026Q1") == q1
    assert coverage_stamp("2026Q2") not in (q2, None) and coverage_stamp("2026Q2")[0] == q2[0]

    q1, q2 = coverage_stamp("2026Q1"), coverage_stamp("2026Q2")
    row = db.session.scalar(select(VisitParticipant).where(VisitParticipant.visit_id == world.visit.id))
    row.visited_on = date(2026, 4, 1)  # moved from one quarter to another: both change
    db.session.commit()
    assert coverage_stamp("2026Q1") != q1 and coverage_stamp("2026Q2") != q2
    assert current() == q1[0]


def test_a_stamp_read_between_two_writes_of_a_transaction_is_not_the_committed_one(world):
    """Else a result cached after the first write would be served for the data of the second."""
    db.session.execute(update(Enterprise).values(notes="一"))
    between = current()
    db.session.execute(update(Enterprise).values(notes="二"))
    db.session.commit()

    assert current() not in (between, None)


def test_a_transaction_writes_the_stamp_row_once_on_postgresql(world):
    """psycopg sends an executemany as one statement per row: each rewrite would leave a row
    version that every later statement of the transaction walks through."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite rewrites the row in place")
    locations = set()
    for n in range(3):
        db.session.execute(update(Enterprise).values(notes=str(n)))
        locations.add(db.session.scalar(text("SELECT ctid FROM data_versions WHERE name = 'coverage'")))
    db.session.commit()

    assert len(locations) == 1


def test_other_connections_see_the_new_stamp_once_it_is_committed(world):
    def seen_elsewhere():
        with db.engine.connect() as other:
            return other.scalar(select(DataVersion.version).where(DataVersion.name == COVERAGE))

    before = current()
    db.session.execute(update(Enterprise).values(notes="搬迁"))
    assert current() != before
    assert seen_elsewhere() == before
    db.session.commit()

    assert seen_elsewhere() == current() != before


def test_a_rolled_back_stamp_neither_stays_nor_comes_back(world):
    committed = current()
    db.session.execute(update(Enterprise).values(notes="搬迁"))
    # The row itself: current() hides a transaction's own stamp on PostgreSQL.
    rolled_back = db.session.scalar(select(DataVersion.version).where(DataVersion.name == COVERAGE))
    db.session.rollback()
    assert current() == committed != rolled_back

    db.session.execute(update(Enterprise).values(notes="搬迁"))
    db.session.commit()
    assert current() not in (committed, rolled_back)


def test_a_deleted_stamp_row_comes_back_with_the_next_write(world):
    db.session.execute(delete(DataVersion))
    db.session.commit()
    assert current() is None

    db.session.execute(insert(ListPeriod), [{"enterprise_id": world.ent.id, "added_on": date(2020, 1, 1),
                                              "removed_on": date(2020, 7, 1)}])
    db.session.commit()
    assert current() is not None


# --- migrations -------------------------------------------------------------------------------

def data_version_objects(conn) -> set[tuple]:
    """The triggers and functions the stamp needs, as the database reports them."""
    if conn.dialect.name == "sqlite":
        return set(conn.execute(text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")))
    return set(conn.execute(text(
        "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
        "UNION SELECT proname, 'function', prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace")))


def triggered_tables(objects: set[tuple]) -> set[str]:
    return {table for _name, table, _sql in objects if table in CORE_CASES}


def test_the_migrations_install_the_triggers_create_all_does(app, empty_database_url):
    with db.engine.connect() as conn:
        created = data_version_objects(conn)
    assert triggered_tables(created) == set(CORE_CASES)

    migrated_app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with migrated_app.app_context():
        try:
            upgrade()
            with db.engine.connect() as conn:
                assert data_version_objects(conn) == created
            assert current() == 0
            with db.engine.begin() as conn:
                town_id = conn.scalar(insert(Town).values(code="CQ", name="城桥镇").returning(Town.id))
                conn.execute(insert(Enterprise).values(name="上海测试企业有限公司",
                                                       credit_code=valid_code(), town_id=town_id))
            assert current() not in (0, None)

            db.session.remove()
            downgrade(revision="eb040a7bc2be")
            with db.engine.begin() as conn:
                assert data_version_objects(conn) == set()
                # No trigger is left calling a dropped function or table.
                conn.execute(update(Enterprise).values(notes="搬迁"))
        finally:
            db.engine.dispose()
