"""`flask crm create-user`: the password comes from standard input, never from an argument."""
from __future__ import annotations

import sys

import click
from sqlalchemy import select

from crm.auth.accounts import AccountError, create_user
from crm.auth.roles import Role, parse_role
from crm.cli import crm_cli
from crm.db import db
from crm.org.models import Department, Town


def _unit(model, code):
    if code is None:
        return None
    unit = db.session.scalar(select(model).where(model.code == code))
    if unit is None:
        raise click.BadParameter(f"unknown code {code!r}")
    return unit


@crm_cli.command("create-user")
@click.argument("login")
@click.option("--name", required=True, help="Display name (姓名).")
@click.option("--role", "roles", multiple=True, required=True,
              help="admin, commission, town, department, liaison or leader; repeat for several.")
@click.option("--town", help="Town/park code (for town users and liaisons).")
@click.option("--department", help="Department code (for department users).")
@click.option("--mobile")
@click.option("--email")
def create_user_command(login, name, roles, town, department, mobile, email):
    """Create a user. The password is read from standard input (or prompted for)."""
    try:
        parsed = {parse_role(r) for r in roles}
    except ValueError as exc:
        raise click.BadParameter(f"unknown role {exc}; use one of {', '.join(r.value for r in Role)}")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user, _ = create_user(login, name, parsed, town=_unit(Town, town),
                              department=_unit(Department, department), mobile=mobile,
                              email=email, password=password)
    except AccountError as exc:
        raise click.ClickException(str(exc))
    db.session.commit()
    click.echo(f"created {user.login} ({', '.join(sorted(r.value for r in user.roles))})")
