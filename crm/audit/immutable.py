"""Database triggers that refuse UPDATE and DELETE on the chained tables, whatever sends them.

The application never changes these rows; the triggers make a change by anyone else (a script,
psql, a cascade) fail loudly instead of silently breaking the chain. Someone who can drop the
triggers can still rewrite rows: `crm audit verify` finds that, and the anchors even a
consistent rewrite. TRUNCATE is not refused on PostgreSQL (row triggers do not see it); it
leaves the anchors unmatched.

The SQL is written once, here; the migration that installs it keeps a copy (migrations do not
import app code) and tests/test_audit_chain.py checks that both give the same triggers.
"""
from __future__ import annotations

from sqlalchemy import event

from crm.db import db

TABLES = ("audit_entries", "request_events")
FUNCTION = "crm_refuse_chain_change"


def create_statements(dialect_name: str) -> list[str]:
    if dialect_name == "postgresql":
        return [
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            # No % placeholders: psycopg would take them for parameters.
            "    RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE = TG_OP || ' on ' || "
            "TG_TABLE_NAME || ': rows of the audit trail are never changed or deleted';\n"
            "END\n$$",
        ] + [
            f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
            for table in TABLES
        ]
    if dialect_name == "sqlite":
        return [
            f"CREATE TRIGGER trg_{table}_append_only_{suffix} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{operation} on {table}: rows of the audit trail are never "
            "changed or deleted'); END"
            for table in TABLES
            for suffix, operation in (("upd", "UPDATE"), ("del", "DELETE"))
        ]
    raise NotImplementedError(f"no append-only triggers for the {dialect_name} dialect")


def drop_statements(dialect_name: str) -> list[str]:
    """The DDL removing what create_statements made; safe when some of it is already gone."""
    if dialect_name == "postgresql":
        return ([f"DROP TRIGGER IF EXISTS trg_{table}_append_only ON {table}" for table in TABLES]
                + [f"DROP FUNCTION IF EXISTS {FUNCTION}()"])
    if dialect_name == "sqlite":
        return [f"DROP TRIGGER IF EXISTS trg_{table}_append_only_{suffix}"
                for table in TABLES for suffix in ("upd", "del")]
    raise NotImplementedError(f"no append-only triggers for the {dialect_name} dialect")


def wipe(connection) -> None:
    """Empty both tables whole, the one way past the triggers: for `crm demo --force` and the
    test suite's teardown, never for a database in use. Every earlier anchor then fails."""
    if not connection.exec_driver_sql(
            "SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {table})" for table in TABLES)).scalar():
        return  # TRUNCATE and DDL cost more than this look (a test's teardown runs it each time)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)}")
    else:  # SQLite has no TRUNCATE; its DDL is transactional, so the triggers come back with the commit
        _run(drop_statements("sqlite"), connection)
        for table in TABLES:
            connection.exec_driver_sql(f"DELETE FROM {table}")
        _run(create_statements("sqlite"), connection)
    connection.exec_driver_sql("DELETE FROM chain_heads")


def _run(statements: list[str], connection) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)


# db.create_all() (the test suite) gets the triggers too: metadata-level events run once every
# table exists; acting only when audit_entries itself is created or dropped keeps a create_all
# over an existing schema from installing them twice.
@event.listens_for(db.metadata, "after_create")
def _after_create(_metadata, connection, tables=(), **_kw) -> None:
    if any(table.name == TABLES[0] for table in tables):
        _run(create_statements(connection.dialect.name), connection)


@event.listens_for(db.metadata, "before_drop")
def _before_drop(_metadata, connection, tables=(), **_kw) -> None:
    if any(table.name == TABLES[0] for table in tables):
        _run(drop_statements(connection.dialect.name), connection)
