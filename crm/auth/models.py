"""Users, their roles, their live sessions, and login attempts (for throttling)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.roles import Role
from crm.db import db, utcnow
from crm.org.models import Department, Town

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    mobile: Mapped[Optional[str]] = mapped_column(String(20))
    email: Mapped[Optional[str]] = mapped_column(String(120))
    #: The town a town coordinator (and often a liaison) belongs to.
    town_id: Mapped[Optional[int]] = mapped_column(ForeignKey("towns.id"))
    #: The department a department handler belongs to.
    department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    #: UI language: "zh" (default) or "en".
    language: Mapped[str] = mapped_column(String(8), default="zh", server_default="zh")
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    #: Set for one-time passwords handed out by an admin or an import.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Bumped on deactivation and password change; part of the session id, so old sessions end.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[Optional[datetime]]
    #: When the password was last set by its owner (expiry counts from here; null: never).
    password_changed_at: Mapped[Optional[datetime]]

    town: Mapped[Optional[Town]] = relationship()
    department: Mapped[Optional[Department]] = relationship()
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles: set[Role]) -> None:
        keep = {r for r in self.role_rows if Role(r.role) in roles}
        have = {Role(r.role) for r in keep}
        self.role_rows = list(keep) + [UserRole(role=r.value) for r in sorted(roles - have)]

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot log in
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def unit_name(self) -> str:
        if self.department is not None:
            return self.department.name
        if self.town is not None:
            return self.town.name
        return ""

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),
        CheckConstraint(f"role IN ({_ROLE_VALUES})", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="role_rows")


class LoginAttempt(db.Model):
    """One failed login, kept to throttle guessing per account and per address.

    Stored in the database (not in process memory) so the limit holds across gunicorn workers.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_login_at", "login", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class UserSession(db.Model):
    """One logged-in browser session, so that logging out ends it on the server.

    The session cookie carries a random id; only its hash is stored. The loader accepts a cookie
    only while its row has no ended_at, so a cookie copied before logout opens nothing after it.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 of the random session id kept in the (signed) session cookie.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Moved forward at most once a minute (crm.auth.session), so most requests write nothing.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set at logout; an ended session never comes back.
    ended_at: Mapped[Optional[datetime]]


class PasswordHistory(db.Model):
    """A password a user had (its hash), so PASSWORD_HISTORY earlier ones can be refused."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
