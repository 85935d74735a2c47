"""Demo towns/parks, departments and about 60 users covering every role."""
from __future__ import annotations

from crm.auth.models import User
from crm.auth.roles import Role
from crm.db import db
from crm.demo.context import DemoContext
from crm.demo.names import DEPARTMENTS, GIVEN, SURNAMES, TOWNS
from crm.org.models import Department, Town

LIAISONS = 24


def _person(ctx: DemoContext, used: set[str]) -> str:
    while True:
        name = ctx.rng.choice(SURNAMES) + ctx.rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name


def _mobile(ctx: DemoContext) -> str:
    return ctx.rng.choice(["138", "139", "137", "135", "186", "189", "150", "177"]) + \
        f"{ctx.rng.randrange(10**8):08d}"


def seed(ctx: DemoContext) -> None:
    ctx.towns = [Town(code=code, name=name) for code, name in TOWNS]
    ctx.departments = [Department(code=code, name=name) for code, name in DEPARTMENTS]
    db.session.add_all(ctx.towns + ctx.departments)
    db.session.flush()
    used: set[str] = set()

    def add(login: str, roles: set[Role], town=None, department=None) -> User:
        user = User(login=login, name=_person(ctx, used), password_hash=ctx.password_hash,
                    mobile=_mobile(ctx), town=town, department=department,
                    email=f"{login}@demo.invalid")
        user.set_roles(roles)
        ctx.users.append(user)
        return user

    add("admin", {Role.ADMIN})
    for i in range(1, 4):
        add(f"commission{i}", {Role.COMMISSION})
    for i in range(1, 3):
        add(f"leader{i}", {Role.LEADER})
    for i, town in enumerate(ctx.towns, start=1):
        # Half the town coordinators are liaisons too, as in most districts.
        add(f"town{i}", {Role.TOWN, Role.LIAISON} if i % 2 == 0 else {Role.TOWN}, town=town)
    for i, dept in enumerate(ctx.departments, start=1):
        add(f"dept{i}", {Role.DEPARTMENT}, department=dept)
    for i in range(1, LIAISONS + 1):
        add(f"liaison{i}", {Role.LIAISON}, town=ctx.towns[(i - 1) % len(ctx.towns)])
    db.session.add_all(ctx.users)
    db.session.flush()
