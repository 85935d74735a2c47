"""What the tamper-evident trail (crm.audit.chain) costs a visit POST (not part of the test suite).

    .venv/bin/python bench/audit_chain_bench.py
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/postgres .venv/bin/python bench/audit_chain_bench.py

On a fresh database (a temporary SQLite file, or a throwaway database on the PostgreSQL server
in DATABASE_URL), a liaison submits the visit form through the test client: one problem
answered on site, so each POST writes a visit, a request, its two events and three audit
entries. POSTs alternate "off" (no chaining: constant hashes, no chain_heads statements) and
"on" (as shipped), so the load of a shared machine hits both alike. The append-only triggers
stay installed throughout: they fire on UPDATE and DELETE only, which a visit never sends.
Printed: the median time per POST of each, their ratio, the median ratio of adjacent pairs,
the SQL statements per POST, and this process's CPU time per POST (all the work on SQLite;
PostgreSQL's own work runs in the server).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = date(2026, 11, 24)
PASSWORD = "bench-password-42"


def database_url(tmp: str) -> tuple[str, callable]:
    base = os.environ.get("DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp}/bench.sqlite3", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"audit_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def build(url: str, enterprises: int):
    from config import TestingConfig, engine_options
    from crm import create_app
    from crm.auth.models import User
    from crm.auth.passwords import hash_password
    from crm.auth.roles import Role
    from crm.db import db
    from crm.enterprises.models import Assignment, Enterprise, ListPeriod
    from crm.org.models import Town
    from crm.requests.categories import ensure_default_categories
    from tests.factories import valid_code

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options(url),
                     CRM_TODAY=TODAY.isoformat(), RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
        town = Town(code="CQ", name="城桥镇")
        liaison = User(login="wangwei", name="王伟", password_hash=hash_password(PASSWORD), town=town)
        liaison.set_roles({Role.LIAISON})
        db.session.add_all([town, liaison])
        ents = [Enterprise(name=f"上海测试企业{n}有限公司", credit_code=valid_code(n), town=town)
                for n in range(1, enterprises + 1)]
        for ent in ents:
            ent.list_periods.append(ListPeriod(added_on=date(2024, 1, 1)))
            db.session.add(Assignment(liaison=liaison, enterprise=ent, start_on=date(2024, 1, 1)))
        db.session.add_all(ents)
        category = {c.name: c for c in ensure_default_categories()}["政策咨询"]
        db.session.commit()
        return app, [e.id for e in ents], category.id


def form(key: str, category_id: int) -> dict:
    return {
        "idempotency_key": key, "visited_on": TODAY.isoformat(), "mode": "onsite",
        "people_met": "张总（总经理）", "findings": "生产经营正常，订单饱满。",
        "problems-0-title": "咨询研发费用加计扣除", "problems-0-category_id": str(category_id),
        "problems-0-description": "", "problems-0-answered_on_site": "y",
        "problems-0-answer": "已现场讲解政策口径。",
    }


class Switch:
    """Turns the chain's listeners off and on again."""

    def __init__(self):
        from crm.audit import chain

        self.chain = chain
        self.listeners = list(chain._INSERT_LISTENERS.items())
        self.watched = dict(chain._WATCHED)

    def off(self):
        from sqlalchemy import event

        for model, fn in self.listeners:
            event.remove(model, "before_insert", fn)
            event.listen(model, "before_insert", _constant_hashes)
        self.chain._WATCHED.clear()

    def on(self):
        from sqlalchemy import event

        for model, fn in self.listeners:
            event.remove(model, "before_insert", _constant_hashes)
            event.listen(model, "before_insert", fn)
        self.chain._WATCHED.update(self.watched)


def _constant_hashes(_mapper, _connection, target):
    target.prev_hash = target.row_hash = "0" * 64


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=300, help="pairs of visit POSTs, off then on")
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    from sqlalchemy import event

    from crm.db import db

    with tempfile.TemporaryDirectory() as tmp:
        url, drop = database_url(tmp)
        try:
            app, ent_ids, category_id = build(url, 2 * (args.pairs + args.warmup))
            switch = Switch()
            times: dict[str, list[float]] = {"off": [], "on": []}
            cpu: dict[str, list[float]] = {"off": [], "on": []}
            statements = {"off": 0, "on": 0}
            mode = "off"

            def count(*_args):
                statements[mode] += 1

            with app.app_context():
                client = app.test_client()
                client.post("/login", data={"login": "wangwei", "password": PASSWORD})
                event.listen(db.engine, "before_cursor_execute", count)
                for n in range(2 * (args.pairs + args.warmup)):
                    mode = "off" if n % 2 == 0 else "on"
                    switch.off() if mode == "off" else switch.on()
                    started, cpu_started = time.perf_counter(), time.process_time()
                    response = client.post(f"/visits/new?enterprise_id={ent_ids[n]}",
                                           data=form(f"bench-{n}", category_id))
                    elapsed, cpu_elapsed = time.perf_counter() - started, time.process_time() - cpu_started
                    assert response.status_code == 302, response.get_data(as_text=True)[:300]
                    if n >= 2 * args.warmup:
                        times[mode].append(elapsed)
                        cpu[mode].append(cpu_elapsed)
                event.remove(db.engine, "before_cursor_execute", count)
                db.session.remove()
            posts = args.pairs + args.warmup
            off, on = statistics.median(times["off"]), statistics.median(times["on"])
            paired = statistics.median(b / a for a, b in zip(times["off"], times["on"]))
            cpu_off, cpu_on = statistics.median(cpu["off"]), statistics.median(cpu["on"])
            dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
            print(f"{dialect}: visit POST median off {off * 1000:.2f} ms, on {on * 1000:.2f} ms, "
                  f"ratio {on / off:.3f}, paired {paired:.3f} ({args.pairs} pairs); "
                  f"SQL statements per POST {statements['off'] / posts:.1f} off, {statements['on'] / posts:.1f} on; "
                  f"CPU of this process per POST {cpu_off * 1000:.2f} ms off, {cpu_on * 1000:.2f} ms on "
                  f"(ratio {cpu_on / cpu_off:.3f})")
            with app.app_context():
                db.engine.dispose()
        finally:
            drop()


if __name__ == "__main__":
    main()
