"""Delivering the outbox: email over SMTP and webhook JSON POSTs, with retries and backoff.

Each row is claimed (pending -> sending) by a conditional UPDATE and committed before it is
sent, so two concurrent runs never send the same row. After a successful send it is marked
sent at once; a failure puts it back to pending with an exponential backoff, and after
MAX_ATTEMPTS it stays failed. A row found still "sending" long after its claim (the process
died mid-send) is marked failed, never re-sent: the message may have gone out already.
"""
from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Optional

from flask import current_app
from sqlalchemy import or_, select, update

from crm.db import db, utcnow
from crm.notifications.models import Channel, Notification, Status

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=12)
#: A claim older than this belongs to a run that died.
STALE_CLAIM = timedelta(minutes=30)
BATCH = 200
#: At most BATCH * MAX_BATCHES rows per run; the next run (15 minutes later) takes the rest.
MAX_BATCHES = 10
TIMEOUT_SECONDS = 10
CIRCUIT_BREAK = 3


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    #: Channel -> failures in a row during this run; a channel failing CIRCUIT_BREAK times
    #: in a row is left alone until the next run (a dead SMTP server costs one timeout per row).
    failures_in_a_row: dict = field(default_factory=dict, repr=False)

    def channel_down(self) -> list[str]:
        return [c for c, n in self.failures_in_a_row.items() if n >= CIRCUIT_BREAK]


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 5, 10, 20 ... minutes, at most 12 hours."""
    return min(BASE_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_pending(now: Optional[datetime] = None) -> DeliveryReport:
    """Send every due email and webhook row; commits after each row."""
    now = now or utcnow()
    report = DeliveryReport()
    _fail_stale_claims(now, report)
    for _batch in range(MAX_BATCHES):
        ids = list(db.session.scalars(
            select(Notification.id).where(
                Notification.status == Status.PENDING.value,
                Notification.channel.in_([Channel.EMAIL.value, Channel.WEBHOOK.value]),
                Notification.next_attempt_at <= now,
                Notification.channel.not_in(report.channel_down()),
            ).order_by(Notification.id).limit(BATCH)
        ))
        if not ids:
            break
        _deliver(ids, now, report)
    return report


def _deliver(ids: list[int], now: datetime, report: DeliveryReport) -> None:
    for note_id in ids:
        channel = db.session.get(Notification, note_id).channel
        if channel in report.channel_down():
            continue  # stays pending, untouched, for the next run
        if not _claim(note_id, now):
            continue  # another run took it
        note = db.session.get(Notification, note_id)
        try:
            sender = _SENDERS[note.channel]
            outcome = sender(note)
        except Exception as e:  # noqa: BLE001 - any failure of the far side means "try later"
            note.attempts += 1
            note.last_error = f"{type(e).__name__}: {e}"[:1000]
            note.claimed_at = None
            if note.attempts >= MAX_ATTEMPTS:
                note.status = Status.FAILED.value
                report.failed += 1
            else:
                note.status = Status.PENDING.value
                note.next_attempt_at = now + backoff(note.attempts)
                report.retried += 1
            report.failures_in_a_row[note.channel] = report.failures_in_a_row.get(note.channel, 0) + 1
            current_app.logger.warning("notification %s failed: %s", note.id, note.last_error)
        else:
            report.failures_in_a_row[note.channel] = 0
            note.claimed_at = None
            if outcome is Status.SKIPPED:
                note.status = Status.SKIPPED.value
                report.skipped += 1
            else:
                note.attempts += 1
                note.status, note.sent_at = Status.SENT.value, utcnow()
                report.sent += 1
        db.session.commit()


def _claim(note_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == note_id, Notification.status == Status.PENDING.value)
        .values(status=Status.SENDING.value, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _fail_stale_claims(now: datetime, report: DeliveryReport) -> None:
    result = db.session.execute(
        update(Notification)
        .where(Notification.status == Status.SENDING.value,
               or_(Notification.claimed_at.is_(None), Notification.claimed_at < now - STALE_CLAIM))
        .values(status=Status.FAILED.value, last_error="interrupted while sending; not retried")
        .execution_options(synchronize_session=False)
    )
    report.failed += result.rowcount or 0
    db.session.commit()


def _absolute(link: Optional[str]) -> str:
    if not link:
        return ""
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + link


def send_email(note: Notification) -> Optional[Status]:
    cfg = current_app.config
    if not cfg.get("MAIL_SERVER"):
        return Status.SKIPPED
    msg = EmailMessage()
    msg["From"] = cfg.get("MAIL_SENDER", "crm@localhost")
    msg["To"] = note.address
    msg["Subject"] = note.subject
    msg["Date"] = formatdate(localtime=False)
    # Stable per row: a receiving server that sees it twice can tell it is the same message.
    domain = msg["From"].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = f"<notification-{note.id}@{domain}>"
    link = _absolute(note.link)
    msg.set_content(note.body + (f"\n\n{link}" if link else ""))
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg.get("MAIL_PORT", 25)), timeout=TIMEOUT_SECONDS) as smtp:
        if cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD", ""))
        smtp.send_message(msg)
    return None


def send_webhook(note: Notification) -> Optional[Status]:
    url = current_app.config.get("NOTIFY_WEBHOOK_URL")
    if not url:
        return Status.SKIPPED
    link = _absolute(note.link)
    text = note.subject + (f"\n{note.body}" if note.body else "") + (f"\n{link}" if link else "")
    # The WeCom and DingTalk group robots both read {"msgtype": "text", "text": {"content": ...}}.
    payload = {"msgtype": "text", "text": {"content": text},
               "notification": {"id": note.id, "kind": note.kind, "link": link}}
    request = urllib.request.Request(
        url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8",
                 "Idempotency-Key": f"notification-{note.id}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - admin-set URL
            status = response.status
    except urllib.error.HTTPError as e:
        e.close()  # the error carries the open response
        raise WebhookError(f"HTTP {e.code}") from None
    if not 200 <= status < 300:
        raise WebhookError(f"HTTP {status}")
    return None


class WebhookError(Exception):
    """The webhook answered with something other than 2xx."""


_SENDERS = {Channel.EMAIL.value: send_email, Channel.WEBHOOK.value: send_webhook}
