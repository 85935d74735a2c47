"""Accounts nobody uses (等保 2.0: no dormant accounts): listed, and deactivated when the
district turns that on. The age counts from the last login, or from creation for an account that
never logged in."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

import click
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.auth.accounts import update_user
from crm.auth.models import User
from crm.cli import crm_cli
from crm.db import db, utcnow


def inactive_users(days: int, now: Optional[datetime] = None) -> list[User]:
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), func.coalesce(User.last_login_at, User.created_at) < cutoff)
        .order_by(User.login)))


def deactivate_inactive(days: Optional[int] = None, now: Optional[datetime] = None) -> list[User]:
    """Deactivate every active account unused for `days` (default ACCOUNT_INACTIVE_DAYS); flushes."""
    days = days or current_app.config["ACCOUNT_INACTIVE_DAYS"]
    users = inactive_users(days, now)
    for user in users:
        update_user(user, active=False, reason=_("超过 %(n)s 天未登录，自动停用", n=days))
    return users


def tick_step(now: Optional[datetime] = None) -> int:
    """The scheduled job's part: only when ACCOUNT_INACTIVE_DEACTIVATE is on."""
    if not current_app.config.get("ACCOUNT_INACTIVE_DEACTIVATE"):
        return 0
    return len(deactivate_inactive(now=now))


@crm_cli.group("accounts")
def accounts_cli():
    """Account housekeeping."""


@accounts_cli.command("inactive")
@click.option("--days", type=int, help="Unused for more than this many days (default ACCOUNT_INACTIVE_DAYS).")
@click.option("--deactivate", is_flag=True, help="Deactivate them (audited) instead of only listing them.")
def inactive_command(days: Optional[int], deactivate: bool):
    """List (or deactivate) accounts with no login for DAYS days."""
    days = days or current_app.config["ACCOUNT_INACTIVE_DAYS"]
    users = deactivate_inactive(days) if deactivate else inactive_users(days)
    for user in users:
        last = user.last_login_at.date().isoformat() if user.last_login_at else "从未登录"
        click.echo(f"{user.login}\t{user.name}\t{last}")
    db.session.commit()
    verb = "已停用" if deactivate else "共"
    click.echo(f"{verb} {len(users)} 个超过 {days} 天未登录的账号")
