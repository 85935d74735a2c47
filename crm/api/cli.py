"""`flask crm api-token create|revoke|list`: manage integration tokens from the command line."""
from __future__ import annotations

import click
from sqlalchemy import func, select

from crm.api.tokens import ApiToken, Scope, TokenError, create_token, revoke_token
from crm.auth.models import User
from crm.cli import crm_cli
from crm.clock import business_today
from crm.db import db


@crm_cli.group("api-token")
def api_token_cli():
    """Integration API tokens."""


@api_token_cli.command("create")
@click.argument("name")
@click.option("--user", "login", required=True, help="Login of the owner whose roles the token carries.")
@click.option("--scope", type=click.Choice([s.value for s in Scope]), default=Scope.READ.value,
              show_default=True, help="read: GET only; write: also changes; submit: only forward requests.")
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]),
              help="First day (Asia/Shanghai) on which the token no longer works.")
def create_command(name, login, scope, expires):
    """Create a token and print it once (it is stored hashed and cannot be shown again)."""
    owner = db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))
    if owner is None:
        raise click.BadParameter(f"no user with login {login!r}", param_hint="--user")
    try:
        token, secret = create_token(name, owner, Scope(scope), expires.date() if expires else None,
                                     today=business_today())
    except TokenError as exc:
        raise click.ClickException(str(exc))
    db.session.commit()
    expiry = token.expires_on.isoformat() if token.expires_on else "never"
    click.echo(f"created API token {token.name!r} for {owner.login} (scope {token.scope}, "
               f"expires {expiry}); it is shown only now:", err=True)
    click.echo(secret)


def _by_name(name: str) -> ApiToken:
    token = db.session.scalar(select(ApiToken).where(func.lower(ApiToken.name) == name.strip().lower()))
    if token is None:
        raise click.ClickException(f"no API token named {name!r}")
    return token


@api_token_cli.command("revoke")
@click.argument("name")
def revoke_command(name):
    """Revoke a token for good."""
    token = _by_name(name)
    if revoke_token(token):
        db.session.commit()
        click.echo(f"revoked {token.name!r}")
    else:
        click.echo(f"{token.name!r} was already revoked")


@api_token_cli.command("list")
def list_command():
    """One line per token: name, owner, scope, state, last use."""
    today = business_today()
    for token in db.session.scalars(select(ApiToken).order_by(ApiToken.name)):
        state = "revoked" if token.revoked else "expired" if token.expired(today) else "active"
        used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never used"
        click.echo(f"{token.name}\t{token.owner.login}\t{token.scope}\t{state}\t{used}")
