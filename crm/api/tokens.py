"""API tokens: one per integration, carrying its owner's roles; the secret is shown once, stored hashed.

The secret is 256 random bits, so a plain SHA-256 digest is enough to store it (a slow password
hash protects guessable secrets; this one cannot be guessed) and lets a request find its token by
an indexed lookup.
"""
from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from crm.audit import record
from crm.db import db, utcnow

#: Every secret starts with this, so a leaked one is recognisable in logs and secret scanners.
SECRET_PREFIX = "crm_"
#: last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Scope(str, enum.Enum):
    READ = "read"      # GET only
    WRITE = "write"    # read, and change what the owner may change
    SUBMIT = "submit"  # only forward enterprise requests (hotline, portal)

    @property
    def label(self) -> str:
        return str(SCOPE_LABELS[self])


SCOPE_LABELS = {
    Scope.READ: _l("只读"),
    Scope.WRITE: _l("读写"),
    Scope.SUBMIT: _l("仅提交诉求"),
}


class TokenError(ValueError):
    """A token that cannot be created as asked; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write', 'submit')", name="known_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The integration's name ("12345热线"); audit rows say "api:<name>".
    name: Mapped[str] = mapped_column(String(64), unique=True)
    #: The user whose roles and scope the token carries.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    scope: Mapped[str] = mapped_column(String(10), default=Scope.READ.value)
    #: SHA-256 hex digest of the secret; the secret itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the secret, to tell tokens apart in the admin list.
    token_hint: Mapped[str] = mapped_column(String(16))
    #: First business day (Asia/Shanghai) on which the token no longer works; null: no expiry.
    expires_on: Mapped[Optional[date]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The admin who created it; null when made on the command line.
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[Optional[datetime]]
    last_used_at: Mapped[Optional[datetime]]

    owner = relationship("User", foreign_keys=[owner_id])
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def scope_label(self) -> str:
        return Scope(self.scope).label

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def expired(self, today: date) -> bool:
        return self.expires_on is not None and today >= self.expires_on

    def usable(self, today: date) -> bool:
        return not self.revoked and not self.expired(today) and self.owner.active

    def touch(self, now: datetime) -> bool:
        """Note a use; True when the row changed (at most once per LAST_USED_RESOLUTION)."""
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION:
            self.last_used_at = now
            return True
        return False


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def name_taken(name: str) -> bool:
    return db.session.scalar(
        select(ApiToken.id).where(func.lower(ApiToken.name) == name.strip().lower())
    ) is not None


def create_token(name: str, owner, scope: Scope, expires_on: Optional[date], *, today: date,
                 created_by=None) -> tuple[ApiToken, str]:
    """Create a token; return it with its secret, which is shown once and never again."""
    name = name.strip()
    if not name:
        raise TokenError(_("请填写名称"), "name")
    if len(name) > 64:
        raise TokenError(_("名称不能超过 %(n)s 个字符", n=64), "name")
    if name_taken(name):
        raise TokenError(_("名称“%(name)s”已被使用", name=name), "name")
    if not owner.active:
        raise TokenError(_("所属用户已停用"), "owner")
    if expires_on is not None and expires_on <= today:
        raise TokenError(_("失效日期应晚于今天"), "expires_on")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, owner=owner, scope=Scope(scope).value, token_hash=hash_secret(secret),
                     token_hint=secret[:10], expires_on=expires_on, created_by=created_by)
    db.session.add(token)
    db.session.flush()
    record("create", "api_token", token.id, changes={
        "name": token.name, "owner": owner.login, "scope": token.scope, "expires_on": expires_on,
    })
    return token, secret


def revoke_token(token: ApiToken) -> bool:
    """Revoke for good (a revoked token is never re-enabled); False when it already was."""
    if token.revoked:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    record("revoke", "api_token", token.id, changes={"name": token.name})
    return True


def find_token(secret: str) -> Optional[ApiToken]:
    """The token of a secret, with its owner and the owner's roles (one query: every API request)."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    from crm.auth.models import User

    stmt = (select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
            .options(joinedload(ApiToken.owner).joinedload(User.role_rows)))
    return db.session.scalars(stmt).unique().first()
