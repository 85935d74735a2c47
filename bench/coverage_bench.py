"""Time the coverage engine on the database made by bench/coverage_data.py.

    /tmp/venv/bin/python bench/coverage_bench.py --db /tmp/coverage-bench.sqlite3
    DATABASE_URL=postgresql+psycopg://... /tmp/venv/bin/python bench/coverage_bench.py

Prints the median of several runs for: the whole district's current quarter (all pairs, then
enterprise coverage on top), the previous quarter, one town, and one liaison's home.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.coverage_data import TODAY, build_app  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float, object]:
    """Median wall-clock and CPU seconds (CPU time is steadier on a shared machine)."""
    wall, cpu, result = [], [], None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/coverage-bench.sqlite3")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = build_app(args.db)
    app.config["DATA_CACHE_SIZE"] = 0  # the engine's own time, not the per-process cache's
    from crm.db import db
    from crm.visits.coverage import (coverage_columns, enterprise_coverage, quarter_pairs,
                                     summarize_enterprises, summarize_pairs)
    from crm.visits.quarters import Quarter

    current = Quarter.of(TODAY)
    with app.app_context():
        print(f"database: {db.engine.dialect.name}; today {TODAY}; quarter {current}")
        floor = _floor(db, current, args.runs)
        print(f"{floor * 1000:8.1f} ms  floor: ECOSYSTEM.md's reference query (one quarter of 1M visits "
              f"grouped by enterprise, covering index); the figures below are ratios of it")
        cases = {
            "district, current quarter, all pairs": lambda: quarter_pairs(current, today=TODAY),
            "district, current quarter, pairs + enterprises": lambda: enterprise_coverage(current, today=TODAY),
            "district, current quarter, columns (pairs + enterprises, as reports use them)":
                lambda: coverage_columns(current, today=TODAY),
            "district, previous quarter, all pairs": lambda: quarter_pairs(current.previous, today=TODAY),
            "one town, current quarter, pairs": lambda: quarter_pairs(current, today=TODAY, town_ids=[3]),
            "one liaison's home": lambda: quarter_pairs(current, today=TODAY, liaison_ids=[42]),
        }
        for name, fn in cases.items():
            fn()  # warm the cache: the figure is for a running server
            seconds, cpu, result = timed(fn, args.runs)
            if hasattr(result, "enterprises"):
                statuses = result.enterprises["status"]
                detail = (f"{len(result.pairs['status']):,} pairs, {len(statuses):,} enterprises, "
                          f"visited {int((statuses == 'visited').sum()):,}")
            elif result and hasattr(result[0], "owed"):
                s = summarize_pairs(result)
                detail = f"{len(result):,} pairs, owed {s.owed:,}, visited {s.visited:,}"
            else:
                s = summarize_enterprises(result)
                detail = f"{len(result):,} enterprises, owed {s.owed:,}, visited {s.visited:,}, no liaison {s.no_liaison:,}"
            print(f"{seconds * 1000:8.1f} ms ({cpu * 1000:6.1f} ms CPU)  {name}  ({detail})")


def _floor(db, quarter, runs: int) -> float:
    """ECOSYSTEM.md measured 24 ms for this on an idle machine: it says how loaded this one is."""
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("CREATE INDEX IF NOT EXISTS bench_floor_visits_day_enterprise "
                          "ON visits (visited_on, enterprise_id)"))
    # Counted in the database, so the figure is the query's, not Python's reading 40,000 rows.
    sql = text("SELECT count(*), sum(n) FROM (SELECT enterprise_id, count(*) AS n FROM visits "
               "WHERE visited_on >= :a AND visited_on < :b GROUP BY enterprise_id) AS per_enterprise")
    params = {"a": quarter.first_day.isoformat(), "b": quarter.end.isoformat()}
    if db.engine.dialect.name == "postgresql":
        params = {"a": quarter.first_day, "b": quarter.end}
    seconds, _cpu, _result = timed(lambda: db.session.execute(sql, params).all(), runs)
    return seconds


if __name__ == "__main__":
    main()
