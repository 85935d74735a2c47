"""What a database holds, table by table: row counts, whether it is empty, comparing to a manifest."""
from __future__ import annotations

import secrets

from sqlalchemy import Connection, inspect, text

#: Tables that `flask db upgrade` fills by itself (the schema revision, the default request
#: categories, stamps): a database holding only these counts as empty.
SEEDED_BY_MIGRATIONS = frozenset({"alembic_version", "request_categories", "data_versions"})


def _quoted(conn: Connection, table: str) -> str:
    return conn.dialect.identifier_preparer.quote(table)


def row_counts(conn: Connection) -> dict[str, int]:
    """Every table's row count, as seen by the connection's current transaction."""
    return {table: conn.execute(text(f"SELECT count(*) FROM {_quoted(conn, table)}")).scalar_one()
            for table in sorted(inspect(conn).get_table_names())}


def revision(conn: Connection):
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def holding_data(counts: dict[str, int]) -> list[str]:
    """The tables that make a database non-empty for a restore."""
    return sorted(t for t, n in counts.items() if n and t not in SEEDED_BY_MIGRATIONS)


def differences(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    return [f"{t}: 应为 {expected[t]} 行，实为 {found.get(t, '（无此表）')}"
            for t in sorted(expected) if found.get(t) != expected[t]]


def reset_data_stamps(conn: Connection) -> None:
    """Give every data stamp a value no cache has seen: a restored database's stamps are the
    backup's, and on a new PostgreSQL cluster transaction ids (the stamps) start again."""
    if "data_versions" not in inspect(conn).get_table_names():
        return
    for name in conn.execute(text("SELECT name FROM data_versions")).scalars().all():
        conn.execute(text("UPDATE data_versions SET version = :v WHERE name = :n"),
                     {"v": secrets.randbits(62), "n": name})
