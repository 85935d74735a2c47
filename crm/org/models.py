"""Organisations: towns/parks (乡镇/园区) and departments (部门/单位)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import db, utcnow


class Town(db.Model):
    """A town or park: the jurisdiction that owns town-level enterprises."""

    __tablename__ = "towns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: Deactivated towns stay in history and reports but cannot be chosen for new records.
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Town {self.code} {self.name}>"


class Department(db.Model):
    """A unit that handles requests: the commission, bureaus, town offices."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name}>"
