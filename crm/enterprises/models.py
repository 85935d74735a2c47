"""Enterprises, their contacts and tags, key-list periods and liaison assignments."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (CheckConstraint, Column, ForeignKey, Index, String, Table, Text,
                        and_, or_)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import db, utcnow


class Level(str, enum.Enum):
    DISTRICT = "district"  # 区级
    TOWN = "town"          # 镇级


class AssignmentRole(str, enum.Enum):
    PRIMARY = "primary"      # 主要
    ASSISTING = "assisting"  # 协助


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
    __tablename__ = "enterprises"
    __table_args__ = (
        CheckConstraint("level IN ('district', 'town')", name="known_level"),
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


class Assignment(db.Model):
    """包保关系: a liaison responsible for an enterprise from start_on until end_on.

    Reassigning ends one row and starts another; rows are never overwritten.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("end_on IS NULL OR end_on >= start_on", name="ordered_dates"),
        CheckConstraint("role IN ('primary', 'assisting')", name="known_role"),
        Index("ix_assignments_liaison_dates", "liaison_id", "start_on", "end_on"),
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
