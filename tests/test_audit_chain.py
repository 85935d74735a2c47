"""The tamper-evident trail: audit entries and request events are hash-chained per stream, the
database refuses to change them, and `flask crm audit verify` names the first row that was."""
from __future__ import annotations

import json
import threading
import time
from datetime import date

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from crm.audit import AuditEntry, immutable, record
from crm.audit.chain import GENESIS, ChainHead, audit_bucket
from crm.auth.roles import Role
from crm.db import db
from crm.requests.categories import ensure_default_categories
from crm.requests.models import Request, RequestEvent
from crm.requests.workflow import transition
from tests.factories import assign, enterprise

TODAY = date(2026, 11, 24)


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["crm", "audit", *args])


def verify(app, *args):
    return cli(app, "verify", *args)


@pytest.fixture
def visited(app, today, users, town, department, client, login_as):
    """A liaison's visit through the form, raising a request the commission then assigns."""
    today(TODAY)
    categories = {c.name: c for c in ensure_default_categories()}
    ent = enterprise(town, name="上海海联海洋装备有限公司")
    assign(users[Role.LIAISON], ent)
    db.session.commit()
    login_as(users[Role.LIAISON])
    response = client.post(f"/visits/new?enterprise_id={ent.id}", data={
        "idempotency_key": "key-1", "visited_on": TODAY.isoformat(), "mode": "onsite",
        "people_met": "张总（总经理）", "findings": "生产经营正常，订单饱满。",
        "problems-0-title": "厂房扩建用地指标", "problems-0-category_id": str(categories["用地规划"].id),
        "problems-0-description": "希望协调新增用地指标。",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    req = db.session.scalar(select(Request))
    transition(req, "assign", users[Role.COMMISSION], today=TODAY, lead_department=department)
    transition(req, "accept", users[Role.DEPARTMENT], today=TODAY)
    db.session.commit()
    db.session.expire_all()
    return req


def events(req) -> list[RequestEvent]:
    return db.session.scalars(select(RequestEvent).where(RequestEvent.request_id == req.id)
                              .order_by(RequestEvent.id)).all()


def without_triggers(sql: str, **params) -> None:
    """What someone with database access does: drop the triggers, edit, put them back."""
    dialect = db.engine.dialect.name
    db.session.rollback()  # DROP TRIGGER waits for every transaction that read the table
    with db.engine.begin() as conn:
        for statement in immutable.drop_statements(dialect):
            conn.exec_driver_sql(statement)
        conn.execute(text(sql), params)
        for statement in immutable.create_statements(dialect):
            conn.exec_driver_sql(statement)


# --- the chain built by normal use -------------------------------------------------------------

def test_a_visit_and_a_request_workflow_build_chains_that_verify(app, visited):
    steps = events(visited)
    assert [e.action for e in steps] == ["submit", "assign", "accept"]
    assert steps[0].prev_hash == GENESIS
    assert [e.prev_hash for e in steps[1:]] == [e.row_hash for e in steps[:-1]]
    assert len({e.row_hash for e in steps}) == 3
    audited = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert {("visit", "create"), ("request", "request.assign")} <= {(a.object_type, a.action) for a in audited}

    result = verify(app)

    total = len(steps) + len(audited)
    assert result.exit_code == 0, result.output
    assert f"已校验 {total} 条记录，链完整" in result.output


def test_one_streams_rows_written_in_one_flush_chain_in_order(app, users):
    for n in range(3):
        record("export", "report", None, actor=users[Role.ADMIN], changes={"n": n, "on": TODAY})
    db.session.commit()

    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)).all()
    assert [r.prev_hash for r in rows] == [GENESIS, rows[0].row_hash, rows[1].row_hash]
    head = db.session.get(ChainHead, ("audit_entries", audit_bucket("report", None)))
    assert (head.length, head.head_hash) == (3, rows[-1].row_hash)
    assert verify(app).exit_code == 0


def test_a_row_rolled_back_with_its_savepoint_leaves_no_gap(app, users):
    """Bulk steps (transition_many) roll back a refused request's savepoint and go on."""
    record("export", "report", None, actor=users[Role.ADMIN], changes={"n": 1})
    with db.session.begin_nested():  # released
        record("export", "report", None, actor=users[Role.ADMIN], changes={"n": 2})
    savepoint = db.session.begin_nested()
    record("export", "report", None, actor=users[Role.ADMIN], changes={"n": 3})
    record("export", "visit", 7, actor=users[Role.ADMIN], changes={"n": 4})  # a stream first locked here
    db.session.flush()
    savepoint.rollback()
    record("export", "report", None, actor=users[Role.ADMIN], changes={"n": 5})
    record("export", "visit", 7, actor=users[Role.ADMIN], changes={"n": 6})
    db.session.commit()

    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [r.changes["n"] for r in rows] == [1, 2, 5, 6]
    assert [r.prev_hash for r in rows] == [GENESIS, rows[0].row_hash, rows[1].row_hash, GENESIS]
    assert verify(app).exit_code == 0


# --- the database refuses changes --------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "UPDATE audit_entries SET reason = '改过'",
    "DELETE FROM audit_entries",
    "UPDATE request_events SET text = '改过'",
    "DELETE FROM request_events",
])
def test_a_raw_update_or_delete_is_refused_by_the_database(app, visited, sql):
    with pytest.raises(DBAPIError, match="never changed or deleted"):
        with db.engine.begin() as conn:
            conn.execute(text(sql))

    assert verify(app).exit_code == 0


def test_a_bulk_insert_that_skips_the_chain_is_refused(app, users):
    """Only the ORM's unit of work hashes rows; a bulk or Core insert has no hash to give."""
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.execute(insert(AuditEntry), [{"action": "export", "object_type": "report"}])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_deleting_a_request_with_a_history_is_refused(app, visited):
    with pytest.raises(DBAPIError):
        with db.engine.begin() as conn:
            conn.execute(delete(Request).where(Request.id == visited.id))
    assert len(events(visited)) == 3


# --- tampering is found ------------------------------------------------------------------------

def test_an_edited_audit_entry_is_named(app, visited):
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
    without_triggers("UPDATE audit_entries SET reason = '无' WHERE id = :id", id=entry.id)

    result = verify(app)

    assert result.exit_code == 1
    assert f"audit_entries id={entry.id}（流 {audit_bucket(entry.object_type, entry.object_id)}）" in result.output
    assert "内容与 row_hash 不符" in result.output


def test_an_edited_request_event_is_named_even_with_its_hash_rewritten(app, visited):
    middle = events(visited)[1]
    without_triggers("UPDATE request_events SET text = '已按期办理', row_hash = :h WHERE id = :id",
                     id=middle.id, h="f" * 64)

    result = verify(app)

    assert result.exit_code == 1
    # The row's own hash no longer matches its content, and the next row's link points elsewhere.
    assert f"request_events id={middle.id}（流 {visited.id}）：内容与 row_hash 不符" in result.output


def test_a_deleted_row_breaks_the_link_of_the_next(app, visited):
    first, second, third = events(visited)
    without_triggers("DELETE FROM request_events WHERE id = :id", id=second.id)

    result = verify(app)

    assert result.exit_code == 1
    assert f"request_events id={third.id}（流 {visited.id}）：prev_hash 与本流上一行（id={first.id}）" in result.output


def test_verify_since_recomputes_only_the_rows_from_that_date(app, visited):
    old = events(visited)[0]
    without_triggers("UPDATE request_events SET text = '改过' WHERE id = :id", id=old.id)

    assert verify(app, "--since", "2999-01-01").exit_code == 0
    assert "已校验 0 条记录，链完整" in verify(app, "--since", "2999-01-01").output
    assert verify(app, "--since", "2000-01-01").exit_code == 1


# --- anchors -----------------------------------------------------------------------------------

def test_deleted_last_rows_are_found_against_an_anchor(app, visited, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    assert cli(app, "anchor", "--out", str(anchors), "--today", "2026-11-24").exit_code == 0
    anchor = json.loads(anchors.read_text())
    assert anchor["date"] == "2026-11-24" and anchor["tables"]["request_events"]["rows"] == 3
    assert verify(app, "--anchor", str(anchors)).exit_code == 0

    # A careful administrator: the last event goes, and the stream's head is set back to match.
    first, second, last = events(visited)
    without_triggers("DELETE FROM request_events WHERE id = :id", id=last.id)
    without_triggers("UPDATE chain_heads SET length = 2, head_hash = :h WHERE chain = 'request_events' "
                     "AND stream = :s", h=second.row_hash, s=str(visited.id))
    assert verify(app).exit_code == 0  # nothing inside the database shows it

    result = verify(app, "--anchor", str(anchors))

    assert result.exit_code == 1
    assert "第 1 行锚点（2026-11-24）与 request_events 不符：" in result.output
    assert "应有 3 条，现有 2 条" in result.output


def test_rows_added_after_an_anchor_leave_it_valid(app, visited, tmp_path, users):
    anchors = tmp_path / "anchors.jsonl"
    cli(app, "anchor", "--out", str(anchors), "--today", "2026-11-24")
    transition(visited, "reply", users[Role.DEPARTMENT], today=TODAY, answer="已协调新增用地指标。", outcome="resolved")
    record("export", "report", None, actor=users[Role.ADMIN])
    db.session.commit()
    cli(app, "anchor", "--out", str(anchors), "--today", "2026-11-25")

    result = verify(app, "--anchor", str(anchors))

    assert result.exit_code == 0, result.output
    assert "与 2 个锚点一致" in result.output


def test_an_unreadable_anchor_file_gets_a_clear_message(app, visited, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text('{"date": "2026-11-24"}\n', encoding="utf-8")

    result = verify(app, "--anchor", str(anchors))
    missing = verify(app, "--anchor", str(tmp_path / "none.jsonl"))

    assert result.exit_code == 1 and "锚点文件第 1 行不是有效的锚点" in result.output
    assert missing.exit_code == 1 and "找不到锚点文件" in missing.output
    assert "Traceback" not in result.output + missing.output


def test_no_anchor_is_written_for_a_broken_chain(app, visited, tmp_path):
    without_triggers("UPDATE request_events SET text = '改过' WHERE id = :id", id=events(visited)[0].id)
    anchors = tmp_path / "anchors.jsonl"

    result = cli(app, "anchor", "--out", str(anchors))

    assert result.exit_code == 1 and "未写锚点" in result.output
    assert not anchors.exists()


def test_tick_appends_the_days_anchor_once(app, visited, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    app.config["AUDIT_ANCHOR_FILE"] = str(anchors)
    try:
        for _ in range(2):
            result = app.test_cli_runner().invoke(args=["crm", "tick", "--today", "2026-11-24", "--no-deliver"])
            assert result.exit_code == 0, result.output
    finally:
        app.config["AUDIT_ANCHOR_FILE"] = ""

    assert len(anchors.read_text().splitlines()) == 1
    assert verify(app, "--anchor", str(anchors)).exit_code == 0


# --- concurrency -------------------------------------------------------------------------------

def test_two_writers_appending_to_one_stream_keep_one_chain(app, users):
    """Each holds its transaction open a moment after writing: without the head lock, the second
    would chain to the same predecessor as the first."""
    admin_id = users[Role.ADMIN].id
    errors = []

    def writer(n: int):
        try:
            with app.app_context():
                for i in range(8):
                    record("export", "report", None, actor_label=f"writer{n}", changes={"i": i})
                    db.session.flush()
                    time.sleep(0.005)
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # reported below: an exception in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == [] and admin_id
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert len(rows) == 16
    assert [r.prev_hash for r in rows] == [GENESIS] + [r.row_hash for r in rows[:-1]]
    assert verify(app).exit_code == 0


# --- the demo and the migration ----------------------------------------------------------------

def test_the_demo_district_verifies(app):
    demo = app.test_cli_runner().invoke(args=["crm", "demo", "--today", "2026-11-24"])
    assert demo.exit_code == 0, demo.output

    result = verify(app)

    assert result.exit_code == 0, result.output
    count = db.session.scalar(select(func.count()).select_from(AuditEntry)) + \
        db.session.scalar(select(func.count()).select_from(RequestEvent))
    assert count > 1000 and f"已校验 {count} 条记录，链完整" in result.output


def chain_triggers(conn) -> set[tuple]:
    """The append-only triggers and their function, as the database reports them (the tables
    carry data-stamp triggers too: crm.data_version, checked in tests/test_data_version.py)."""
    if conn.dialect.name == "sqlite":
        return set(conn.execute(text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name IN ('audit_entries', 'request_events') "
                                     "AND name LIKE '%append_only%'")))
    return set(conn.execute(text(
        "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
        "AND tgrelid::regclass::text IN ('audit_entries', 'request_events') AND tgname LIKE '%append_only%' "
        "UNION SELECT proname, 'function', prosrc FROM pg_proc WHERE proname = 'crm_refuse_chain_change'")))


def test_the_migration_chains_existing_rows_and_installs_the_triggers_create_all_does(app, empty_database_url):
    from flask_migrate import downgrade, upgrade

    from config import TestingConfig
    from crm import create_app
    from crm.audit.verify import check_all, snapshot

    with db.engine.connect() as conn:
        created = chain_triggers(conn)
    assert len(created) == (3 if db.engine.dialect.name == "postgresql" else 4)

    migrated = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=empty_database_url)
    with migrated.app_context():
        try:
            upgrade(revision="ea89e4fb2bf5")
            with db.engine.begin() as conn:  # a trail written before the chain existed
                category_id = conn.scalar(text("SELECT min(id) FROM request_categories"))  # seeded
                conn.execute(text(
                    "INSERT INTO requests (id, number, enterprise_name, source, category_id, urgent, title, "
                    "description, state, submitted_on, created_at, deadline_provisional, return_count, "
                    "accept_late_notified, due_soon_notified) VALUES (1, '2026-000001', '上海某企业', 'visit', :cat, "
                    "false, '用地', '说明', 'submitted', '2026-11-24', '2026-11-24 02:00:00.123456', false, 0, "
                    "false, false)"), {"cat": category_id})
                for n in range(3):
                    conn.execute(text(
                        "INSERT INTO audit_entries (at, actor_label, action, object_type, object_id, changes) "
                        "VALUES (:at, 'cli', 'edit', 'enterprise', :oid, :changes)"),
                        {"at": f"2026-11-2{n} 0{n}:00:00.00001{n}", "oid": n % 2,
                         "changes": json.dumps({"名称": ["甲", "乙"], "n": n})})
                    conn.execute(text(
                        'INSERT INTO request_events (request_id, at, "on", action, to_state, public, data) '
                        "VALUES (1, :at, '2026-11-24', 'note', 'submitted', false, :data)"),
                        {"at": f"2026-11-24 0{n}:00:00", "data": json.dumps({"days": n})})
            upgrade()

            with snapshot() as conn:
                checks = check_all(conn)
            assert {t: (c.rows, c.first_break) for t, c in checks.items()} == \
                {"audit_entries": (3, None), "request_events": (3, None)}
            with db.engine.connect() as conn:
                assert chain_triggers(conn) == created
            with pytest.raises(DBAPIError, match="never changed or deleted"):
                with db.engine.begin() as conn:
                    conn.execute(text("UPDATE request_events SET text = '改过'"))

            db.session.remove()
            downgrade(revision="ea89e4fb2bf5")
            with db.engine.begin() as conn:
                assert chain_triggers(conn) == set()
                conn.execute(text("UPDATE request_events SET text = '改过'"))
        finally:
            db.engine.dispose()
