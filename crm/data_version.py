"""Data versions: a stamp that changes whenever a group of tables changes, for per-process caches.

Database triggers, not application hooks, keep the stamp: every write path (ORM, Core bulk
inserts, raw SQL, imports, psql) changes it, inside the writing transaction, so other processes
see the new stamp exactly when they can see the new data.

A write sets a value never used before, never an increment: a value set by a transaction that
rolls back must not come back later for different data. PostgreSQL uses the writing transaction's
id (txid_current(), never reused); SQLite a random 64-bit number on every row written.

The SQL is written once, here; the migration that installs it keeps a copy (migrations do not
import app code) and tests/test_data_version.py checks that both give the same triggers. On
SQLite a batch migration that rebuilds a watched table drops its triggers and must recreate them.
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import BigInteger, String, event, false, func, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import db

#: The stamp of the coverage engine's inputs (crm.visits.coverage) other than visits.
COVERAGE = "coverage"
WATCHED_TABLES = ("enterprises", "enterprise_tags", "list_periods", "assignments")
#: Visit participations change only the stamp of their own quarter ("coverage:2026Q4"): logging
#: today's visit leaves what was computed for past quarters (trends, last quarter's misses)
#: valid. The engine reads visit dates from this table only, never from `visits`.
VISIT_TABLE = "visit_participants"

FUNCTION = "crm_bump_data_version"
VISIT_FUNCTION = "crm_bump_visit_quarter"

#: The stamp of the requests report's inputs (crm.reports.requests_report): requests with their
#: rounds, events and urge notices, the names it shows, and the working-day calendar its clocks
#: are counted on.
REQUESTS = "requests"
REQUEST_TABLES = ("requests", "request_assignments", "request_events", "urge_notices", "departments", "towns",
                  "request_categories", "calendar_overrides", "calendar_years")
REQUESTS_FUNCTION = "crm_bump_requests_version"


class DataVersion(db.Model):
    """One row per stamp; only the triggers write it."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(30), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


def quarter_name(quarter) -> str:
    """The stamp of one quarter's visits; `quarter` prints as 2026Q4 (crm.visits.quarters)."""
    return f"{COVERAGE}:{quarter}"


def _upsert(name: str, new_version: str) -> str:
    return (f"INSERT INTO data_versions (name, version) VALUES ({name}, {new_version}) "
            "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version")


def _pg_quarter(row: str) -> str:
    return f"'{COVERAGE}:' || to_char({row}.visited_on, 'YYYY\"Q\"Q')"


def _sqlite_quarter(row: str) -> str:
    return (f"'{COVERAGE}:' || strftime('%Y', {row}.visited_on) || 'Q' || "
            f"((CAST(strftime('%m', {row}.visited_on) AS INTEGER) + 2) / 3)")


def create_statements(dialect_name: str) -> list[str]:
    """The DDL installing the triggers; data_versions and the watched tables must exist."""
    if dialect_name == "postgresql":
        # The WHERE matters: psycopg runs an executemany as one statement per row, and rewriting
        # the row each time piles up versions of it that every later statement of the
        # transaction walks through (+1.5 s on a 10,000-row insert without it, +0.1 s with it).
        same = " WHERE data_versions.version <> EXCLUDED.version"
        bump = _upsert(f"'{COVERAGE}'", "txid_current()") + same
        new_quarter = _upsert(_pg_quarter("NEW"), "txid_current()") + same
        old_quarter = _upsert(_pg_quarter("OLD"), "txid_current()") + same
        return [
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {bump};\n    RETURN NULL;\nEND\n$$",
            f"CREATE FUNCTION {VISIT_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    IF TG_OP <> 'DELETE' THEN\n        {new_quarter};\n    END IF;\n"
            f"    IF TG_OP <> 'INSERT' THEN\n        {old_quarter};\n    END IF;\n    RETURN NULL;\nEND\n$$",
        ] + [
            f"CREATE TRIGGER trg_{table}_data_version "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
            for table in WATCHED_TABLES
        ] + [
            f"CREATE TRIGGER trg_{VISIT_TABLE}_data_version AFTER INSERT OR UPDATE OR DELETE ON {VISIT_TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {VISIT_FUNCTION}()",
            # A TRUNCATE names no rows, hence no quarter: it changes the stamp every result has.
            f"CREATE TRIGGER trg_{VISIT_TABLE}_data_version_truncate AFTER TRUNCATE ON {VISIT_TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        ] + requests_statements(dialect_name)
    if dialect_name == "sqlite":
        # SQLite has row-level triggers only, and no TRUNCATE (DELETE without WHERE fires them).
        visit_rows = {"ins": ("INSERT", ["NEW"]), "upd": ("UPDATE", ["NEW", "OLD"]), "del": ("DELETE", ["OLD"])}
        return [
            f"CREATE TRIGGER trg_{table}_data_version_{suffix} AFTER {operation} ON {table} "
            f"FOR EACH ROW BEGIN {_upsert(repr(COVERAGE), 'random()')}; END"
            for table in WATCHED_TABLES
            for suffix, operation in (("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE"))
        ] + [
            f"CREATE TRIGGER trg_{VISIT_TABLE}_data_version_{suffix} AFTER {operation} ON {VISIT_TABLE} "
            f"FOR EACH ROW BEGIN "
            + " ".join(f"{_upsert(_sqlite_quarter(row), 'random()')};" for row in rows) + " END"
            for suffix, (operation, rows) in visit_rows.items()
        ] + requests_statements(dialect_name)
    raise NotImplementedError(f"no data-version triggers for the {dialect_name} dialect")


def requests_statements(dialect_name: str) -> list[str]:
    """The triggers of the requests stamp (part of create_statements; its own migration installs them)."""
    if dialect_name == "postgresql":
        bump = _upsert(f"'{REQUESTS}'", "txid_current()") + " WHERE data_versions.version <> EXCLUDED.version"
        return [
            f"CREATE FUNCTION {REQUESTS_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n    {bump};\n    RETURN NULL;\nEND\n$$",
        ] + [
            f"CREATE TRIGGER trg_{table}_data_version "
            f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {REQUESTS_FUNCTION}()"
            for table in REQUEST_TABLES
        ]
    if dialect_name == "sqlite":
        return [
            f"CREATE TRIGGER trg_{table}_data_version_{suffix} AFTER {operation} ON {table} "
            f"FOR EACH ROW BEGIN {_upsert(repr(REQUESTS), 'random()')}; END"
            for table in REQUEST_TABLES
            for suffix, operation in (("ins", "INSERT"), ("upd", "UPDATE"), ("del", "DELETE"))
        ]
    raise NotImplementedError(f"no data-version triggers for the {dialect_name} dialect")


def requests_drop_statements(dialect_name: str) -> list[str]:
    if dialect_name == "postgresql":
        return ([f"DROP TRIGGER IF EXISTS trg_{table}_data_version ON {table}" for table in REQUEST_TABLES]
                + [f"DROP FUNCTION IF EXISTS {REQUESTS_FUNCTION}()"])
    if dialect_name == "sqlite":
        return [f"DROP TRIGGER IF EXISTS trg_{table}_data_version_{suffix}"
                for table in REQUEST_TABLES for suffix in ("ins", "upd", "del")]
    raise NotImplementedError(f"no data-version triggers for the {dialect_name} dialect")


def drop_statements(dialect_name: str) -> list[str]:
    """The DDL removing what create_statements made; safe when some of it is already gone."""
    if dialect_name == "postgresql":
        return requests_drop_statements(dialect_name) + ([f"DROP TRIGGER IF EXISTS trg_{table}_data_version ON {table}"
                                                          for table in (*WATCHED_TABLES, VISIT_TABLE)]
                + [f"DROP TRIGGER IF EXISTS trg_{VISIT_TABLE}_data_version_truncate ON {VISIT_TABLE}",
                   f"DROP FUNCTION IF EXISTS {FUNCTION}()", f"DROP FUNCTION IF EXISTS {VISIT_FUNCTION}()"])
    if dialect_name == "sqlite":
        return requests_drop_statements(dialect_name) + [
            f"DROP TRIGGER IF EXISTS trg_{table}_data_version_{suffix}"
            for table in (*WATCHED_TABLES, VISIT_TABLE) for suffix in ("ins", "upd", "del")]
    raise NotImplementedError(f"no data-version triggers for the {dialect_name} dialect")


def current(name: str = COVERAGE) -> Optional[int]:
    """One stamp as the session's transaction sees it; None means "do not cache"."""
    stamps = _read([name])
    return None if stamps is None else stamps.get(name)


def coverage_stamp(quarter=None) -> Optional[tuple[int, int]]:
    """The stamp of everything the coverage of `quarter` is computed from: the engine's tables
    and the quarter's visits (0 while no visit of that quarter was ever written). Without a
    quarter, the visits' part is left out (for results that do not read visits). None means
    "do not cache": the coverage row is missing, or this transaction wrote (see _read)."""
    names = [COVERAGE] if quarter is None else [COVERAGE, quarter_name(quarter)]
    stamps = _read(names)
    if stamps is None or COVERAGE not in stamps:
        return None
    return stamps[COVERAGE], stamps.get(names[-1], 0) if quarter is not None else 0


def _read(names: list[str]) -> Optional[dict[str, int]]:
    """name -> version for the rows that exist, or None on PostgreSQL when this transaction
    itself has written one of them: its stamp then stays the same through all its writes, so a
    result cached between two of them would be served, once committed, for data it never saw.
    (On SQLite each row written draws a new stamp, so such a result is never asked for again.)"""
    written_here = (DataVersion.version == func.txid_current_if_assigned()
                    if db.session.get_bind().dialect.name == "postgresql" else false())
    rows = db.session.execute(select(DataVersion.name, DataVersion.version, written_here)
                              .where(DataVersion.name.in_(names))).all()
    if any(mine for _name, _version, mine in rows):  # NULL (no transaction id yet) is not mine
        return None
    return {name: version for name, version, _mine in rows}


def _run(statements: list[str], connection) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)


# db.create_all() (the test suite) gets the triggers too. Metadata-level events run after every
# table exists; acting only when data_versions itself is created or dropped keeps a create_all
# over an existing schema from installing the triggers twice.
@event.listens_for(db.metadata, "after_create")
def _after_create(_metadata, connection, tables=(), **_kw) -> None:
    if DataVersion.__table__ in tables:
        _run(create_statements(connection.dialect.name), connection)


@event.listens_for(db.metadata, "after_drop")
def _after_drop(_metadata, connection, tables=(), **_kw) -> None:
    if DataVersion.__table__ in tables:
        _run(drop_statements(connection.dialect.name), connection)
