"""Calendar overrides (checked before the chinesecalendar package) and loaded schedule years."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import db, utcnow


class CalendarOverride(db.Model):
    """One day whose status differs from (or is missing in) the packaged schedule."""

    __tablename__ = "calendar_overrides"
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    #: "holiday" (no work, even on a weekday) or "workday" (work, even on a weekend: 调休).
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    created_by = relationship("User")


class CalendarYear(db.Model):
    """A year whose State Council schedule was loaded here: its dates are no longer provisional."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The file name (or "admin") the schedule came from.
    source: Mapped[str] = mapped_column(String(200), default="")
    loaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    loaded_by = relationship("User")
