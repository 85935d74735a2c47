"""Enterprises, their contacts and tags, key-list periods and liaison assignments."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import (CheckConstraint, Column, ForeignKey, Index, String, Table, Text,
                        and_, or_)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import db, utcnow


class Level(str, enum.Enum):
    DISTRICT = "district"  # 区级
    TOWN = "town"          # 镇级

    @property
    def label(self) -> str:
        return str(LEVEL_LABELS[self.value])


class AssignmentRole(str, enum.Enum):
    PRIMARY = "primary"      # 主要
    ASSISTING = "assisting"  # 协助

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self.value])


#: object_type of an enterprise's audit rows: profile, list periods and assignments alike, so
#: the enterprise page shows one history.
AUDIT_TYPE = "enterprise"

LEVEL_LABELS = {Level.DISTRICT.value: _l("区级"), Level.TOWN.value: _l("镇级")}
ROLE_LABELS = {AssignmentRole.PRIMARY.value: _l("主要"), AssignmentRole.ASSISTING.value: _l("协助")}


enterprise_tags = Table(
    "enterprise_tags",
    db.metadata,
    Column("enterprise_id", ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    """An admin-managed label such as 专精特新 or 高新技术企业."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    active: Mapped[bool] = mapped_column(default=True, server_default="1")


class Enterprise(db.Model):
    """A company on (or once on) the key list. Never deleted: leaving the list closes a period."""

    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("level IN ('district', 'town')", name="known_level"),
        CheckConstraint("industry IS NULL OR industry BETWEEN 'A' AND 'T'", name="known_industry"),
        Index("ix_enterprises_town_name", "town_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    #: Normalised by crm.enterprises.credit_code.normalize; unique in the database.
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"), index=True)
    level: Mapped[str] = mapped_column(String(10), default=Level.TOWN.value)
    #: 国民经济行业分类 section letter, A-T.
    industry: Mapped[Optional[str]] = mapped_column(String(1))
    address: Mapped[Optional[str]] = mapped_column(String(300))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    town = relationship("Town")
    tags: Mapped[list[Tag]] = relationship(secondary=enterprise_tags, order_by=Tag.name)
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Contact.id"
    )
    list_periods: Mapped[list["ListPeriod"]] = relationship(
        back_populates="enterprise", order_by="ListPeriod.added_on"
    )
    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="enterprise", order_by="Assignment.start_on"
    )

    def __repr__(self) -> str:
        return f"<Enterprise {self.credit_code} {self.name}>"

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS.get(self.level, self.level))

    @property
    def open_period(self) -> Optional["ListPeriod"]:
        """The period still running (no removal date), if the enterprise is on the list."""
        return next((p for p in self.list_periods if p.removed_on is None), None)

    @property
    def latest_period(self) -> Optional["ListPeriod"]:
        return max(self.list_periods, key=lambda p: (p.added_on, p.id or 0), default=None)

    def is_listed_on(self, on: date) -> bool:
        return any(p.includes(on) for p in self.list_periods)

    def current_assignments(self, on: date) -> list["Assignment"]:
        """Assignments not ended by `on`: those in force and those starting later."""
        return [a for a in self.assignments if a.end_on is None or a.end_on > on]


class Contact(db.Model):
    """A person at the enterprise the liaison talks to."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[Optional[str]] = mapped_column(String(64))
    mobile: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    email: Mapped[Optional[str]] = mapped_column(String(120))

    enterprise: Mapped[Enterprise] = relationship(back_populates="contacts")


class ListPeriod(db.Model):
    """A period during which an enterprise is on the key list (重点企业清单).

    Re-listing opens a new period; a period is closed by setting removed_on, never deleted.
    """

    __tablename__ = "list_periods"
    __table_args__ = (
        CheckConstraint("removed_on IS NULL OR removed_on >= added_on", name="ordered_dates"),
        Index("ix_list_periods_enterprise_dates", "enterprise_id", "added_on", "removed_on"),
        # At most one open period per enterprise.
        Index(
            "uq_list_periods_open", "enterprise_id", unique=True,
            sqlite_where=db.text("removed_on IS NULL"),
            postgresql_where=db.text("removed_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    added_on: Mapped[date]
    #: Last day on the list is the day before removed_on; null while still listed.
    removed_on: Mapped[Optional[date]]
    added_reason: Mapped[Optional[str]] = mapped_column(String(200))
    removed_reason: Mapped[Optional[str]] = mapped_column(String(200))

    enterprise: Mapped[Enterprise] = relationship(back_populates="list_periods")

    @classmethod
    def covers(cls, on: date):
        """SQL condition: this period includes the date `on`."""
        return and_(cls.added_on <= on, or_(cls.removed_on.is_(None), cls.removed_on > on))

    def includes(self, on: date) -> bool:
        """Python twin of covers() for a loaded row."""
        return self.added_on <= on and (self.removed_on is None or self.removed_on > on)


class Assignment(db.Model):
    """包保关系: a liaison responsible for an enterprise from start_on until end_on.

    Reassigning ends one row and starts another; rows are never overwritten.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="ordered_dates"),
        CheckConstraint("role IN ('primary', 'assisting')", name="known_role"),
        # The coverage engine walks (liaison, enterprise) pairs over time: one index serves both
        # that scan and "a liaison's enterprises"; 3x faster at 60,000 assignments (bench/).
        Index("ix_assignments_pair_dates", "liaison_id", "enterprise_id", "start_on", "end_on"),
        Index("ix_assignments_enterprise_dates", "enterprise_id", "start_on", "end_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    role: Mapped[str] = mapped_column(String(10), default=AssignmentRole.PRIMARY.value)
    start_on: Mapped[date]
    #: Last day of responsibility is the day before end_on; null while open-ended.
    end_on: Mapped[Optional[date]]
    end_reason: Mapped[Optional[str]] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    liaison = relationship("User")
    enterprise: Mapped[Enterprise] = relationship(back_populates="assignments")

    @classmethod
    def active_on(cls, on: date):
        """SQL condition: the assignment is in force on the date `on`."""
        return and_(cls.start_on <= on, or_(cls.end_on.is_(None), cls.end_on > on))

    def is_active_on(self, on: date) -> bool:
        """Python twin of active_on() for a loaded row."""
        return self.start_on <= on and (self.end_on is None or self.end_on > on)

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))
