"""Bearer-token authentication: the token's owner acts, limited to the token's scope.

Session cookies never authenticate the API (that is why the blueprint can be exempt from CSRF):
a request without a valid `Authorization: Bearer` header is refused even when a browser sends a
logged-in session. The owner is installed as Flask-Login's user for this request only (nothing is
written to the session), so the permission module, the services and the audit log see the same
user the pages would, and audit rows carry "api:<token name>".
"""
from __future__ import annotations

from typing import Iterable, Optional

from flask import g, request
from flask_babel import gettext as _

from crm.api.errors import ApiError
from crm.api.tokens import ApiToken, Scope, find_token
from crm.clock import business_today
from crm.db import db, utcnow

READ_SCOPES = (Scope.READ, Scope.WRITE)
WRITE_SCOPES = (Scope.WRITE,)
SUBMIT_SCOPES = (Scope.SUBMIT, Scope.WRITE)


def bearer_secret() -> Optional[str]:
    """The secret of the `Authorization: Bearer <secret>` header: scheme in any case, any spacing."""
    parts = request.headers.get("Authorization", "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1]


def request_token() -> Optional[ApiToken]:
    """The token row the request's secret names (valid or not), looked up once per request.

    The rate limit (which runs first) and `authenticate` share the one lookup.
    """
    if "api_token_lookup" not in g:
        secret = bearer_secret()
        g.api_token_lookup = find_token(secret) if secret else None
    return g.api_token_lookup


def authenticate() -> ApiToken:
    if bearer_secret() is None:
        raise ApiError(401, "unauthorized", _("缺少 API 令牌（Authorization: Bearer <令牌>）"))
    token = request_token()
    if token is None:
        raise ApiError(401, "invalid_token", _("API 令牌无效"))
    if token.revoked:
        raise ApiError(401, "token_revoked", _("API 令牌已吊销"))
    if token.expired(business_today()):
        raise ApiError(401, "token_expired", _("API 令牌已过期"))
    if not token.owner.active:
        raise ApiError(401, "owner_inactive", _("API 令牌所属用户已停用"))
    if token.touch(utcnow()):
        # Bookkeeping of the authentication itself, committed before the view does anything.
        db.session.commit()
    g.api_token = token
    g._login_user = token.owner  # Flask-Login's current_user for this request only
    g.actor_label = f"api:{token.name}"
    return token


def check_scope(token: ApiToken, allowed: Iterable[Scope]) -> None:
    allowed = tuple(allowed)
    if Scope(token.scope) not in allowed:
        raise ApiError(403, "insufficient_scope", _("令牌的权限范围（%(scope)s）不允许此操作",
                                                     scope=token.scope))


def api_user():
    """The user the current API request acts as (the token's owner)."""
    return g.api_token.owner


def api_token() -> ApiToken:
    return g.api_token


def forbid_unless(allowed: bool) -> None:
    if not allowed:
        raise ApiError(403)
