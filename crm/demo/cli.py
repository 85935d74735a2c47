"""`flask crm demo`: fill an empty database with the demo district and print its logins."""
from __future__ import annotations

import importlib
import random

import click
from sqlalchemy import func, select

from crm.audit import immutable
from crm.auth.models import User
from crm.auth.passwords import hash_password
from crm.auth.roles import Role
from crm.cli import crm_cli
from crm.clock import business_today
from crm.db import db
from crm.demo.context import DEMO_LOGINS, DEMO_PASSWORD, DemoContext

#: Seeders run in order; each feature adds its own (module:function taking a DemoContext).
SEEDERS = [
    "crm.demo.org:seed",
    "crm.demo.enterprises:seed",
    "crm.demo.visits:seed",
    "crm.demo.requests:seed",
]


def print_logins(logins: dict[Role, str]) -> None:
    for role in Role:
        if role in logins:
            click.echo(f"{role.value} {logins[role]} {DEMO_PASSWORD}")


def run_seeders(ctx: DemoContext) -> None:
    for spec in SEEDERS:
        module, _, func_name = spec.partition(":")
        getattr(importlib.import_module(module), func_name)(ctx)


def _wipe() -> None:
    immutable.wipe(db.session.connection())  # the audit trail refuses DELETE
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in immutable.TABLES:
            db.session.execute(table.delete())
    db.session.expunge_all()  # objects loaded before the wipe are gone from the database


@crm_cli.command("demo")
@click.option("--force", is_flag=True, help="Delete everything first, even a non-empty database.")
@click.option("--seed", default=2026, show_default=True, help="Random seed (same seed, same district).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Pretend today is this date.")
@click.option("--if-empty", is_flag=True, help="Do nothing (but print the logins) when data exists.")
def demo_command(force: bool, seed: int, today, if_empty: bool):
    """Create the demo district and print one `ROLE LOGIN PASSWORD` line per role."""
    has_users = db.session.scalar(select(func.count()).select_from(User)) > 0
    if has_users and not force:
        if if_empty:
            click.echo("database not empty; demo logins (if the demo was loaded):", err=True)
            print_logins(DEMO_LOGINS)
            return
        raise click.ClickException("数据库不是空的；如需清空后重建演示数据，请加 --force。")
    if has_users:
        _wipe()
    ctx = DemoContext(rng=random.Random(seed), today=today.date() if today else business_today(),
                      password_hash=hash_password(DEMO_PASSWORD))
    run_seeders(ctx)
    db.session.commit()
    click.echo(f"demo district created for {ctx.today.isoformat()}: {len(ctx.towns)} towns, "
               f"{len(ctx.departments)} departments, {len(ctx.users)} users, "
               f"{len(ctx.enterprises)} enterprises", err=True)
    print_logins(ctx.logins)
