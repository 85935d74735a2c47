"""Time the product's pages at city scale over gunicorn, as ratios to a hello-world route (not a test).

    .venv/bin/python bench/pages_bench.py --db /tmp/city-bench.sqlite3
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:55432/city_bench .venv/bin/python bench/pages_bench.py

Data: bench/reports_bench.py's (50,000 enterprises, 5,000 liaisons, 1,000,000 visits, 200,000
requests in every state with their rounds and events; today 2026-11-24), generated when the
database is empty (about 3 minutes on SQLite) and reused afterwards. The script starts gunicorn
(2 sync workers, 127.0.0.1 only) on bench/bench_wsgi.py, the production app plus a hello-world
route, logs in through the real login form as the role each page is for, asks each page a few
times to warm both workers, then one request at a time, and prints p50 and p99 of each page and
its ratio to the hello-world p50 measured in the same run (before and after the pages).
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.coverage_data import TODAY, build_app  # noqa: E402
from bench.reports_bench import ensure_data  # noqa: E402

PASSWORD = "bench-pass-2026"
#: Whole-page goals of issue 15 at city scale: p50 as a multiple of hello-world.
GOAL, SEARCH_GOAL = 3, 10


def bench_users(app) -> dict:
    """Log-ins for each role (created once) and the records the detail pages show."""
    from sqlalchemy import func, select

    from crm.auth.models import User
    from crm.auth.passwords import hash_password
    from crm.auth.roles import Role
    from crm.db import db
    from crm.requests.models import Request
    from crm.enterprises.models import Assignment

    with app.app_context():
        def user(login: str, roles: set, **fields) -> str:
            found = db.session.scalar(select(User).where(User.login == login))
            if found is None:
                # Explicit id: the generators load ids with COPY, so PostgreSQL's sequence never moved.
                found = User(id=db.session.scalar(select(func.max(User.id))) + 1, login=login, name=login,
                             password_hash=hash_password(PASSWORD), **fields)
                found.set_roles(roles)
                db.session.add(found)
                db.session.flush()
            return login

        # A liaison with a typical load (9 enterprises): the generator's own user, given a password.
        loads = (select(Assignment.liaison_id).where(Assignment.end_on.is_(None)).group_by(Assignment.liaison_id)
                 .having(func.count() == 9).order_by(Assignment.liaison_id).limit(1))
        liaison = db.session.get(User, db.session.scalar(loads))
        if not liaison.role_rows:
            liaison.password_hash = hash_password(PASSWORD)
            liaison.set_roles({Role.LIAISON})
        busiest = db.session.scalar(select(Request.lead_department_id).where(Request.lead_department_id.is_not(None))
                                    .group_by(Request.lead_department_id).order_by(func.count().desc()).limit(1))
        logins = {
            "commission": user("bench-page-commission", {Role.COMMISSION}),
            "department": user("bench-page-department", {Role.DEPARTMENT}, department_id=busiest),
            "liaison": liaison.login,
        }
        handled = db.session.scalar(select(func.min(Request.id)).where(Request.state == "in_progress",
                                                                      Request.enterprise_id.is_not(None)))
        enterprise = db.session.scalar(select(Request.enterprise_id).where(Request.id == handled))
        db.session.commit()
    return {"logins": logins, "request": handled, "enterprise": enterprise}


def pages(records: dict) -> list[tuple[str, str, str]]:
    """(name, role, path) of every page issue 15 measures."""
    return [
        ("我的企业 liaison home /visits/mine", "liaison", "/visits/mine"),
        ("企业清单 page 1", "commission", "/enterprises/"),
        ("企业清单 page 1,000", "commission", "/enterprises/?page=1000"),
        ("企业搜索 ?q=0018", "commission", "/enterprises/?q=0018"),
        ("企业详情", "commission", f"/enterprises/{records['enterprise']}"),
        ("诉求看板 /requests/", "commission", "/requests/"),
        ("部门待办 /requests/inbox", "department", "/requests/inbox"),
        ("诉求详情", "commission", f"/requests/{records['request']}"),
        ("覆盖率报表 /reports/coverage", "commission", "/reports/coverage"),
        ("诉求报表 /reports/requests", "commission", "/reports/requests"),
        ("工作台 /dashboard", "commission", "/dashboard"),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, computed: bool) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, BENCH_TODAY=TODAY.isoformat(),
               SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key"))
    if computed:
        env["DATA_CACHE_SIZE"] = "0"  # config.py reads it: the per-process cache off
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}",
         "--timeout", "300", "--log-level", "warning", "bench.bench_wsgi:app"], cwd=ROOT, env=env)
    import requests

    for _ in range(600):
        try:
            requests.get(f"http://127.0.0.1:{port}/bench/hello", timeout=30)
            return server
        except requests.RequestException:
            time.sleep(0.1)
    server.terminate()
    server.wait()
    raise SystemExit("gunicorn did not start")


def login(base: str, name: str):
    import requests

    session = requests.Session()
    form = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = session.post(f"{base}/login", data={"login": name, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False)
    assert answer.status_code == 302, (name, answer.status_code)
    return session


def sample(session, url: str, runs: int, warm: int) -> list[float]:
    for _ in range(warm):  # both workers: each keeps its own caches
        assert session.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = session.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return times


def p99(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/city-bench.sqlite3", help="SQLite file (ignored with DATABASE_URL)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warm", type=int, default=4)
    parser.add_argument("--only", help="measure only pages whose name contains one of these (comma-separated)")
    parser.add_argument("--computed", action="store_true",
                        help="per-process cache off: what the first request after a write pays")
    args = parser.parse_args()
    app = build_app(args.db)
    app.config["CRM_TODAY"] = TODAY.isoformat()
    ensure_data(app, argparse.Namespace(regenerate=False, enterprises=50_000, liaisons=5_000,
                                        visits=1_000_000, seed=4))
    records = bench_users(app)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{args.db}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(url, port, args.computed)
    try:
        import requests

        hello = requests.Session()
        baseline = sample(hello, f"{base}/bench/hello", 200, 20)
        sessions = {role: login(base, name) for role, name in records["logins"].items()}
        rows = []
        for name, role, path in pages(records):
            if args.only and not any(part in name for part in args.only.split(",")):
                continue
            times = sample(sessions[role], base + path, args.runs, args.warm)
            rows.append((name, role, statistics.median(times), p99(times)))
        baseline += sample(hello, f"{base}/bench/hello", 200, 0)
    finally:
        server.terminate()
        server.wait()
    hello_p50 = statistics.median(baseline)
    print(f"\ndatabase {url.split(':')[0]}; {'computed (cache off)' if args.computed else 'cache on'}; "
          f"today {TODAY}; load average {os.getloadavg()[0]:.1f}; "
          f"hello-world p50 {hello_p50 * 1000:.1f} ms, p99 {p99(baseline) * 1000:.1f} ms\n")
    print("| page | role | p50 | p99 | p50 ÷ hello-world | goal |")
    print("|---|---|---:|---:|---:|---:|")
    for name, role, p50, high in rows:
        goal = SEARCH_GOAL if "?q=" in name else GOAL
        print(f"| {name} | {role} | {p50 * 1000:,.1f} ms | {high * 1000:,.1f} ms | {p50 / hello_p50:,.0f}× | ≤ {goal}× |")


if __name__ == "__main__":
    main()
