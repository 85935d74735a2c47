"""Generate a district-sized database for the coverage benchmark (not part of the test suite).

    /tmp/venv/bin/python bench/coverage_data.py --db /tmp/coverage-bench.sqlite3
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/bench /tmp/venv/bin/python bench/coverage_data.py

Default size: 50,000 enterprises, 5,000 liaisons, 1,000,000 visits over eight quarters
(2025Q1-2026Q4, "today" 2026-11-24). Rows go in with executemany (SQLite) or COPY (PostgreSQL)
after the schema is created by the app, indexes included, so the figures reflect production.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = date(2026, 11, 24)
FIRST_VISIT_DAY = date(2025, 1, 1)


def build_app(db_path: str | None):
    from config import TestingConfig
    from crm import create_app

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{db_path}"
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)


def _days(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


def generate(rng: random.Random, enterprises: int, liaisons: int, visits: int):
    """Rows as tuples, per table, in insertion order."""
    towns = [(i, f"T{i:02d}", f"镇{i:02d}") for i in range(1, 13)]
    users = [(i, f"liaison{i}", f"包保人{i}", "x", towns[i % 12][0]) for i in range(1, liaisons + 1)]
    ents, periods, assignments = [], [], []
    for e in range(1, enterprises + 1):
        ents.append((e, f"企业{e:06d}有限公司", f"91310151{e:010d}", towns[e % 12][0], "town"))
        added = date(2023, 1, 1) + timedelta(days=rng.randrange(1300))
        removed = _days(rng, added, TODAY) + timedelta(days=1) if rng.random() < 0.03 else None
        periods.append((e, e, added, removed))
        primary = rng.randrange(1, liaisons + 1)
        change = date(2026, 10, 1) + timedelta(days=rng.randrange(1, 50))
        if rng.random() < 0.05 and added < change and (removed is None or removed > change):
            # Handed over during the current quarter.
            assignments.append((len(assignments) + 1, rng.randrange(1, liaisons + 1), e, "primary", added, change))
            assignments.append((len(assignments) + 1, primary, e, "primary", change, removed))
        else:
            assignments.append((len(assignments) + 1, primary, e, "primary", added, removed))
        if rng.random() < 0.2:
            assignments.append((len(assignments) + 1, rng.randrange(1, liaisons + 1), e, "assisting", added, removed))
    visit_rows, participant_rows = [], []
    for v in range(1, visits + 1):
        a = assignments[rng.randrange(len(assignments))]
        start = max(a[4], FIRST_VISIT_DAY)
        end = min(a[5] or TODAY, TODAY)
        if end <= start:
            start, end = FIRST_VISIT_DAY, TODAY
        on = _days(rng, start, end)
        visit_rows.append((v, a[2], on, "onsite", a[1], "了解生产经营情况", f"bench-{v}"))
        participant_rows.append((v, a[1], a[2], on))
        if rng.random() < 0.15:  # a joint visit
            other = rng.randrange(1, liaisons + 1)
            if other != a[1]:
                participant_rows.append((v, other, a[2], on))
    return {
        "towns": (("id", "code", "name"), towns),
        "users": (("id", "login", "name", "password_hash", "town_id"), users),
        "enterprises": (("id", "name", "credit_code", "town_id", "level"), ents),
        "list_periods": (("id", "enterprise_id", "added_on", "removed_on"), periods),
        "assignments": (("id", "liaison_id", "enterprise_id", "role", "start_on", "end_on"), assignments),
        "visits": (("id", "enterprise_id", "visited_on", "mode", "author_id", "findings", "idempotency_key"), visit_rows),
        "visit_participants": (("visit_id", "liaison_id", "enterprise_id", "visited_on"), participant_rows),
    }


def load(app, tables) -> None:
    from sqlalchemy import text

    from crm.db import db

    with app.app_context():
        db.drop_all()
        db.create_all()
        engine = db.engine
        # Bulk loads are faster into bare tables: indexes are built once, afterwards.
        indexes = [ix for name in ("visits", "visit_participants") for ix in db.metadata.tables[name].indexes]
        with engine.begin() as conn:
            for ix in indexes:
                ix.drop(conn)
        insert_rows(engine, tables)
        with engine.begin() as conn:
            for ix in indexes:
                ix.create(conn)
            conn.execute(text("ANALYZE"))


def insert_rows(engine, tables) -> None:
    """Bulk-insert {table: (columns, rows)} in one transaction: COPY on PostgreSQL, executemany on SQLite."""
    from crm.db import db

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, (columns, rows) in tables.items():
            extra = _defaults(db.metadata.tables[table], columns)
            cols = [f'"{c}"' for c in list(columns) + list(extra)]
            data = [tuple(r) + tuple(extra.values()) for r in rows]
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
            else:
                data = [tuple(_sqlite_value(v) for v in row) for row in data]
                marks = ", ".join("?" for _ in cols)
                cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", data)
            print(f"  {table}: {len(rows):,} rows", file=sys.stderr)
        raw.commit()
    finally:
        raw.close()


def _defaults(table, given) -> dict:
    """Values for the NOT NULL columns the generator leaves out (their Python-side defaults)."""
    values = {}
    for column in table.columns:
        if column.name in given or column.nullable or column.default is None:
            continue
        default = column.default
        values[column.name] = default.arg(None) if default.is_callable else default.arg
    return values


def _sqlite_value(value):
    # The text forms SQLAlchemy itself writes for dates and timestamps on SQLite.
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/coverage-bench.sqlite3", help="SQLite file (ignored with DATABASE_URL)")
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--liaisons", type=int, default=5_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") and os.path.exists(args.db):
        os.remove(args.db)
    started = time.perf_counter()
    tables = generate(random.Random(args.seed), args.enterprises, args.liaisons, args.visits)
    print(f"generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    load(build_app(args.db), tables)
    print(f"done in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
