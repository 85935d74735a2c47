"""`flask crm demo` on an empty database, and its refusal on a non-empty one."""
from datetime import date

from sqlalchemy import func, select

from crm.auth.models import User
from crm.auth.roles import Role
from crm.db import db
from crm.demo.context import DEMO_PASSWORD
from crm.enterprises.credit_code import is_valid
from crm.enterprises.models import Assignment, Enterprise, ListPeriod
from crm.org.models import Department, Town


def run_demo(app, *args):
    return app.test_cli_runner().invoke(args=["crm", "demo", "--today", "2026-11-24", *args])


def test_demo_fills_an_empty_database_then_refuses_to_run_again_unless_forced(app):
    # One test, because the demo takes seconds: fill, check, refuse, --if-empty, --force.
    result = run_demo(app)
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.stdout.strip().splitlines()]
    assert [line[0] for line in lines] == [r.value for r in Role]
    assert all(len(line) == 3 and line[2] == DEMO_PASSWORD for line in lines)
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))
    assert count(Town) == 12 and count(Department) == 20
    assert 55 <= count(User) <= 70
    assert count(Enterprise) == 600
    codes = db.session.scalars(select(Enterprise.credit_code)).all()
    assert all(is_valid(c) for c in codes)
    for role, login, password in lines:
        user = db.session.scalar(select(User).where(User.login == login))
        assert user.has_role(Role(role))
        c = app.test_client()
        assert c.post("/login", data={"login": login, "password": password}).status_code == 302
        assert c.get("/", follow_redirects=True).status_code == 200, login

    today = date(2026, 11, 24)
    listed = select(ListPeriod.enterprise_id).where(ListPeriod.covers(today))
    covered = select(Assignment.enterprise_id).where(Assignment.active_on(today))
    gaps = db.session.scalar(select(func.count()).select_from(
        select(Enterprise.id).where(Enterprise.id.in_(listed), Enterprise.id.not_in(covered)).subquery()))
    assert 5 <= gaps <= 30, "the demo must leave a few listed enterprises without a liaison"

    again = run_demo(app)
    assert again.exit_code != 0 and "--force" in again.output
    empty_ok = run_demo(app, "--if-empty")
    assert empty_ok.exit_code == 0 and "liaison liaison1" in empty_ok.stdout
    assert count(Enterprise) == 600
    forced = run_demo(app, "--force")
    assert forced.exit_code == 0, forced.output
    assert count(Enterprise) == 600 and count(User) == len(db.session.scalars(select(User.id)).all())
