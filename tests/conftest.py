"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL via TEST_DATABASE_URL),
a client, users per role, and `login_as`.

The schema is created once per test session; after each test every table is emptied, which
keeps tests independent on both databases without a transaction trick that a browser test's
server thread could not share.
"""
from __future__ import annotations

import os
import uuid
from datetime import date

import pytest
import flask_babel
from flask import g
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestingConfig, engine_options
from crm import create_app
from crm.audit import immutable
from crm.auth.models import User
from crm.auth.passwords import hash_password
from crm.auth.roles import Role
from crm.db import db
from crm.org.models import Department, Town

PASSWORD = "correct-horse-42"
_PASSWORD_HASH = hash_password(PASSWORD)  # scrypt is slow on purpose; hash once per run
CI = os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config, items):
    """In CI a skipped PostgreSQL or browser test is a failure: turn those skips into errors."""
    if not CI:
        return
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.ci_required)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped and (item.get_closest_marker("browser") or item.get_closest_marker("postgres")):
        report.outcome = "failed"
        report.longrepr = f"required in CI but skipped: {report.longrepr}"


def pytest_terminal_summary(terminalreporter):
    """Say how many route x principal x record requests the access matrix made (tests/access)."""
    total = sum(value for reports in terminalreporter.stats.values() for report in reports
                for name, value in getattr(report, "user_properties", ()) if name == "access_matrix")
    if total:
        terminalreporter.write_line(f"access matrix: {total} requests over every route and principal, 0 leaks allowed")


def pytest_configure(config):
    config.addinivalue_line("markers", "ci_required: a skip of this test fails the CI run")


def _postgres_database(base_url: str, worker: str):
    """Create a throwaway database on the server in TEST_DATABASE_URL; return its URL and a dropper."""
    url = make_url(base_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    name = f"crm_test_{worker}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url, drop = _postgres_database(base, worker_id)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture
def empty_database_url(tmp_path, worker_id):
    """A database with no tables, for running the migrations on (SQLite or PostgreSQL, as the
    suite runs)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url, drop = _postgres_database(base, f"mig{worker_id}")
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url,
                     SQLALCHEMY_ENGINE_OPTIONS=engine_options(database_url))

    # Tests keep an app context pushed, which requests then share, and with it `g`: forget
    # the user Flask-Login and the locale Flask-Babel cached there, so each request (and each
    # client) loads its own, as it does in production.
    @app.before_request
    def _forget_request_caches():
        g.pop("_login_user", None)
        g.pop("api_token_lookup", None)
        flask_babel.refresh()

    app.before_request_funcs[None].insert(0, app.before_request_funcs[None].pop())
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_app):
    _app.config.update(CRM_TODAY=None, WTF_CSRF_ENABLED=False)
    with _app.app_context():
        yield _app
        db.session.remove()
        with db.engine.begin() as conn:
            immutable.wipe(conn)  # the audit trail refuses DELETE
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in immutable.TABLES:
                    conn.execute(table.delete())
    from crm.extensions import limiter
    limiter.reset()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def today(app):
    """Pin the business date for the test (Tuesday 24 November 2026 unless overridden)."""

    def pin(value: date = date(2026, 11, 24)) -> date:
        app.config["CRM_TODAY"] = value.isoformat()
        return value

    return pin


@pytest.fixture
def town(app):
    t = Town(code="CQ", name="城桥镇")
    db.session.add(t)
    db.session.commit()
    return t


@pytest.fixture
def department(app):
    d = Department(code="RSJ", name="区人社局")
    db.session.add(d)
    db.session.commit()
    return d


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(*roles: Role, login: str | None = None, town=None, department=None, **fields) -> User:
        n = next(counter)
        user = User(login=login or f"user{n}", name=fields.pop("name", f"用户{n}"),
                    password_hash=_PASSWORD_HASH, town=town, department=department, **fields)
        user.set_roles(set(roles) or {Role.LIAISON})
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def users(make_user, town, department):
    """One user per role, with the unit each role needs."""
    return {
        Role.ADMIN: make_user(Role.ADMIN, login="admin"),
        Role.COMMISSION: make_user(Role.COMMISSION, login="commission"),
        Role.TOWN: make_user(Role.TOWN, login="towner", town=town),
        Role.DEPARTMENT: make_user(Role.DEPARTMENT, login="dept", department=department),
        Role.LIAISON: make_user(Role.LIAISON, login="liaison", town=town),
        Role.LEADER: make_user(Role.LEADER, login="leader"),
    }


@pytest.fixture
def login_as(client):
    def login(user: User, password: str = PASSWORD):
        response = client.post("/login", data={"login": user.login, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return login


@pytest.fixture
def count_queries(app):
    """`with count_queries() as n: ...` then `n.count` is the number of SQL statements run."""
    from contextlib import contextmanager

    from sqlalchemy import event

    class Counter:
        count = 0

    @contextmanager
    def counting():
        counter = Counter()
        # Tests share the app's session: start from a cold identity map, as a real request does.
        db.session.expire_all()

        def before(*_args, **_kwargs):
            counter.count += 1

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
