"""The notification outbox: one row per recipient and channel, written in the change's transaction."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import db, utcnow


class Channel(str, enum.Enum):
    APP = "app"          # the bell in the top bar
    EMAIL = "email"      # SMTP
    WEBHOOK = "webhook"  # JSON POST to a group robot


class Status(str, enum.Enum):
    PENDING = "pending"  # waiting for delivery (or for its next retry)
    SENDING = "sending"  # claimed by one `crm tick`; nobody else touches it
    SENT = "sent"
    FAILED = "failed"    # gave up after the last retry, or interrupted mid-send
    SKIPPED = "skipped"  # the channel is not configured


def _values(e: type[enum.Enum]) -> str:
    return ", ".join(f"'{m.value}'" for m in e)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"channel IN ({_values(Channel)})", name="known_channel"),
        CheckConstraint(f"status IN ({_values(Status)})", name="known_status"),
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_user_unread", "user_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    #: What happened: assigned, accept_late, due_soon, urged, returned, escalated, replied, ...
    kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: Email address for the email channel (a user's, or an enterprise contact's).
    address: Mapped[Optional[str]] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: A path inside the app (made absolute with PUBLIC_BASE_URL for email and webhook).
    link: Mapped[Optional[str]] = mapped_column(String(300))
    request_id: Mapped[Optional[int]] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"),
                                                      index=True)
    #: Set for reminders a scheduled job may try to create again: the second try adds nothing.
    key: Mapped[Optional[str]] = mapped_column(String(150), index=True)
    #: key + channel + recipient; unique, so even two concurrent jobs cannot both add a row.
    dedupe_key: Mapped[Optional[str]] = mapped_column(String(250), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=Status.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[Optional[datetime]]
    sent_at: Mapped[Optional[datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    #: In-app only: when the user opened it.
    read_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
