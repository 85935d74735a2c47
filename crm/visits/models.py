"""Visits (走访记录), the liaisons who took part, and the admin-managed policy list."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, Column, ForeignKey, Index, String, Table, Text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import db, utcnow
from crm.enterprises.models import Tag


class VisitMode(str, enum.Enum):
    ONSITE = "onsite"    # 上门
    VIDEO = "video"      # 视频
    PHONE = "phone"      # 电话
    MEETING = "meeting"  # 座谈

    @property
    def label(self) -> str:
        return str(MODE_LABELS[self])


MODE_LABELS = {
    VisitMode.ONSITE: _l("上门"), VisitMode.VIDEO: _l("视频"),
    VisitMode.PHONE: _l("电话"), VisitMode.MEETING: _l("座谈"),
}
_MODE_VALUES = ", ".join(f"'{m.value}'" for m in VisitMode)

policy_tags = Table(
    "policy_tags",
    db.metadata,
    Column("policy_id", ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

visit_policies = Table(
    "visit_policies",
    db.metadata,
    Column("visit_id", ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    Column("policy_id", ForeignKey("policies.id"), primary_key=True, index=True),
)


class Policy(db.Model):
    """A policy or measure liaisons explain on visits (宣传政策); tags match it to enterprises."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100), unique=True)
    summary: Mapped[Optional[str]] = mapped_column(Text)
    #: Retired policies stay on old visits but are no longer offered on the form.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    #: No tags means the policy concerns every enterprise.
    tags: Mapped[list[Tag]] = relationship(secondary=policy_tags, order_by=Tag.name)

    def __repr__(self) -> str:
        return f"<Policy {self.title}>"


class Visit(db.Model):
    """One service visit to an enterprise; a joint visit is one record with several participants."""

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint(f"mode IN ({_MODE_VALUES})", name="known_mode"),
        Index("ix_visits_enterprise_day", "enterprise_id", "visited_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    visited_on: Mapped[date]
    mode: Mapped[str] = mapped_column(String(10), default=VisitMode.ONSITE.value)
    #: Who logged it; edits for 7 days after creation are theirs (then the commission's).
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: 企业接待人: the enterprise people met, as typed.
    people_met: Mapped[Optional[str]] = mapped_column(String(200))
    #: Topics and policies explained that are not on the admin-managed list (宣传政策 · 其他).
    other_topics: Mapped[Optional[str]] = mapped_column(String(500))
    #: 走访情况: what was found.
    findings: Mapped[Optional[str]] = mapped_column(Text)
    #: Carried by the form so a double tap or a network retry creates one visit.
    idempotency_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    enterprise = relationship("Enterprise")
    author = relationship("User")
    participants: Mapped[list["VisitParticipant"]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitParticipant.liaison_id"
    )
    policies: Mapped[list[Policy]] = relationship(secondary=visit_policies, order_by=Policy.title)

    @property
    def mode_label(self) -> str:
        return VisitMode(self.mode).label

    @property
    def liaisons(self) -> list:
        return [p.liaison for p in self.participants]

    def __repr__(self) -> str:
        return f"<Visit {self.id} {self.visited_on} enterprise={self.enterprise_id}>"


class VisitParticipant(db.Model):
    """A liaison who took part in a visit.

    enterprise_id and visited_on repeat the visit's so the coverage engine reads one narrow,
    covering index instead of joining a million visits (crm.visits.service keeps them in step).
    """

    __tablename__ = "visit_participants"
    __table_args__ = (
        # The coverage engine seeks (liaison, enterprise, day range) once per assignment row and
        # reads nothing else: covering. Its liaison_id prefix also serves a liaison's own pages.
        Index("ix_visit_participants_pair_day", "liaison_id", "enterprise_id", "visited_on"),
    )

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    visited_on: Mapped[date]

    visit: Mapped[Visit] = relationship(back_populates="participants")
    liaison = relationship("User")
