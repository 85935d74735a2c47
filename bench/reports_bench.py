"""Time the coverage report (not part of the test suite).

    /tmp/venv/bin/python bench/reports_bench.py --db /tmp/reports-bench.sqlite3
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/reports_bench /tmp/venv/bin/python bench/reports_bench.py

The data come from the coverage benchmark's generator (bench/coverage_data.py: 50,000
enterprises, 5,000 liaisons, 1,000,000 visits, today 2026-11-24); when the database is
empty this script generates it, then gives the enterprises what the report breaks down by
(industries, levels, tags) with a few set-based UPDATE/INSERT statements.

Prints the median of several warm runs for: the district report for the current quarter
(everything the page computes: the engine's pairs and enterprises, the attribute frames,
headline, breakdowns by town, level, industry and tag, the liaison ranking, the gap lists),
the same for last quarter, one town, one liaison's card, and the whole HTTP pages (report,
home dashboard, trends). "computed" runs with the per-process cache (crm.data_cache) off,
which is what every request pays after a write to the engine's tables; "cached" is a repeat
with nothing written in between.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.coverage_data import TODAY, build_app, generate, load  # noqa: E402
from bench.requests_data import ensure_requests  # noqa: E402

TAGS = ["专精特新", "高新技术企业", "科技型中小企业", "小巨人", "规上工业", "外资企业"]


def ensure_data(app, args) -> None:
    from sqlalchemy import func, inspect, select  # noqa: F401

    from crm.db import db
    from crm.enterprises.models import Enterprise

    with app.app_context():
        db.create_all()  # tables added since the data were generated (create_all skips existing ones)
        _create_missing_indexes(db)
        empty = not inspect(db.engine).has_table("enterprises") or \
            db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
    if empty or args.regenerate:
        started = time.perf_counter()
        tables = generate(random.Random(args.seed), args.enterprises, args.liaisons, args.visits)
        load(app, tables)
        print(f"generated and loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    enrich(app)
    ensure_requests(app)


def _create_missing_indexes(db) -> None:
    """Indexes the models declared after the data were generated (create_all skips the tables
    that exist, indexes included), then fresh planner statistics for those tables."""
    from sqlalchemy import inspect, text

    inspector = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        existing = {index["name"] for index in inspector.get_indexes(table.name)}
        missing = [index for index in table.indexes if index.name not in existing]
        for index in missing:
            index.create(db.engine)
        if missing:
            with db.engine.begin() as conn:
                conn.execute(text(f"ANALYZE {table.name}"))
            print(f"created {', '.join(i.name for i in missing)}", file=sys.stderr)


def enrich(app) -> None:
    """Industries, levels and tags for the breakdowns, set-based; idempotent."""
    from sqlalchemy import text

    from crm.db import db

    with app.app_context():
        if db.session.execute(text("SELECT count(*) FROM tags")).scalar():
            return
        db.session.execute(text(
            "UPDATE enterprises SET industry = CASE id % 5 WHEN 0 THEN 'C' WHEN 1 THEN 'I' WHEN 2 THEN 'F' "
            "WHEN 3 THEN 'M' ELSE NULL END, level = CASE WHEN id % 10 = 0 THEN 'district' ELSE 'town' END"))
        for i, name in enumerate(TAGS, start=1):
            db.session.execute(text("INSERT INTO tags (id, name, active) VALUES (:i, :n, :a)"),
                               {"i": i, "n": name, "a": True})
            db.session.execute(text(
                "INSERT INTO enterprise_tags (enterprise_id, tag_id) "
                "SELECT id, :i FROM enterprises WHERE id % :m = 0"), {"i": i, "m": i + 2})
        db.session.execute(text("UPDATE users SET mobile = '138' || substr('00000000' || id, -8, 8)"))
        db.session.commit()


def timed(fn, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, after one warm-up run.

    On a shared machine the wall time includes waiting for the CPU; with SQLite (in-process)
    the CPU time is what the same work takes on an idle machine.
    """
    fn()  # warm: the figure is for a running server
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def show(name: str, figures: tuple[float, float]) -> None:
    wall, cpu = figures
    print(f"{wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms cpu  {name}")


def page_work(quarter, scope):
    """Everything the coverage page computes, without the HTML."""
    from crm.reports.coverage_report import build

    report = build(quarter, scope, TODAY)
    report.headline()
    for dimension in ("town", "level", "industry", "tag"):
        report.breakdown(dimension)
    report.liaison_ranking()
    report.enterprise_rows("no_liaison").head(10)
    report.pair_rows("due").head(10)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/reports-bench.sqlite3")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--liaisons", type=int, default=5_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    app = build_app(args.db)
    app.config["CRM_TODAY"] = TODAY.isoformat()
    ensure_data(app, args)

    from sqlalchemy import func, select

    from crm.auth.models import User
    from crm.auth.roles import Role
    from crm.db import db
    from crm.enterprises.models import Enterprise
    from crm.permissions.reports import ReportScope
    from crm.visits.models import VisitParticipant
    from crm.visits.quarters import Quarter

    current = Quarter.of(TODAY)
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        print(f"database: {db.engine.dialect.name}; today {TODAY}; quarter {current}; "
              f"{count(Enterprise):,} enterprises, {count(User):,} users, "
              f"{count(VisitParticipant):,} visit participations")
        report = page_work(current, ReportScope())
        figures = report.headline()
        print(f"  figures: listed {figures['listed']:,}, no liaison {figures['no_liaison']:,}, "
              f"owed {figures['owed']:,}, visited {figures['visited']:,}, rate {figures['rate']:.3f}")
        liaison_id = int(report.pairs["liaison_id"].iloc[0])
        from crm.visits.coverage import enterprise_coverage, quarter_pairs

        def engine_only():
            enterprise_coverage(current, today=TODAY, pairs=quarter_pairs(current, today=TODAY))

        cases = {
            "coverage engine alone (all pairs + enterprises), district, current quarter": engine_only,
            "coverage report, district, current quarter": lambda: page_work(current, ReportScope()),
            "coverage report, district, previous quarter": lambda: page_work(current.previous, ReportScope()),
            "coverage report, one town": lambda: page_work(current, ReportScope(town_id=3)),
            "liaison's own card": lambda: page_work(current, ReportScope(liaison_id=liaison_id)),
        }
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        # Computed: the per-process cache (crm.data_cache) switched off, as after every write.
        app.config["DATA_CACHE_SIZE"] = 0
        for name, fn in cases.items():
            show(f"computed: {name}", timed(fn, args.runs))
        app.config["DATA_CACHE_SIZE"] = 16
        for name in ("coverage report, district, current quarter", "coverage report, one town"):
            show(f"cached (nothing written since): {name}", timed(cases[name], args.runs))

        # The whole page over HTTP (the engine twice: this quarter and last quarter's misses).
        from crm.auth.passwords import hash_password

        # Left over by an interrupted run?
        for leftover in db.session.scalars(select(User).where(User.login == "bench-commission")):
            db.session.delete(leftover)
        db.session.commit()
        # Explicit id: the generator loads ids with COPY, so PostgreSQL's sequence never moved.
        user = User(id=db.session.scalar(select(func.max(User.id))) + 1, login="bench-commission", name="经委",
                    password_hash=hash_password("bench-pass-2026"))
        user.set_roles({Role.COMMISSION})
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        login = client.post("/login", data={"login": user.login, "password": "bench-pass-2026"})
        assert login.status_code == 302, login.status_code

        def page():
            response = client.get("/reports/coverage")
            assert response.status_code == 200, response.status_code

        def trends():
            response = client.get("/reports/trends")
            assert response.status_code == 200, response.status_code

        def home():
            response = client.get("/dashboard")
            assert response.status_code == 200, response.status_code

        pages = {"GET /reports/coverage (HTML, commission)": page, "GET /dashboard (home, commission)": home,
                 "GET /reports/trends (8 quarters, commission)": trends}
        for size, label in ((0, "computed"), (16, "cached")):
            app.config["DATA_CACHE_SIZE"] = size
            for name, fn in pages.items():
                show(f"{label}: {name}", timed(fn, args.runs))

        # A visit of this quarter was just written (by another process): its trigger changes
        # this quarter's stamp; earlier quarters stay computed.
        from sqlalchemy import text

        visit_id = db.session.scalar(select(func.min(VisitParticipant.visit_id))
                                     .where(VisitParticipant.visited_on >= current.first_day))

        def after_a_visit(fn):
            def run():
                db.session.execute(text("UPDATE visit_participants SET visited_on = visited_on "
                                        "WHERE visit_id = :id"), {"id": visit_id})
                db.session.commit()
                fn()
            return run

        for name, fn in pages.items():
            show(f"after a visit this quarter: {name}", timed(after_a_visit(fn), args.runs))
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        db.session.delete(user)
        db.session.commit()


if __name__ == "__main__":
    main()
