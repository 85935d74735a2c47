"""Writing notifications: rows added to the caller's transaction, delivered later by `crm tick`.

Because the outbox row commits (or rolls back) with the change it reports, a notification
is never sent for a change that did not happen, and never lost for one that did.
"""
from __future__ import annotations

from typing import Iterable, Optional

from flask import current_app, has_app_context
from sqlalchemy import select

from crm.db import db, utcnow
from crm.notifications.models import Channel, Notification, Status


def notify(
    kind: str,
    *,
    users: Iterable = (),
    emails: Iterable[str] = (),
    subject: str,
    body: str = "",
    link: Optional[str] = None,
    request_id: Optional[int] = None,
    key: Optional[str] = None,
    webhook: bool = True,
) -> list[Notification]:
    """Queue `subject`/`body` for `users` (bell + email when they have one) and extra `emails`.

    `key` makes the notification one-off: if rows with this key exist, nothing is added.
    """
    if key and db.session.scalar(
        select(Notification.id).where(Notification.key == key).limit(1)
    ) is not None:
        return []
    rows: list[Notification] = []
    now = utcnow()

    def add(channel: Channel, *, user=None, address=None, status=Status.PENDING):
        who = address or (user.id if user is not None else "-")
        rows.append(Notification(
            channel=channel.value, kind=kind, user_id=getattr(user, "id", None), address=address,
            subject=subject[:200], body=body, link=link, request_id=request_id,
            key=key, dedupe_key=f"{key}|{channel.value}|{who}" if key else None,
            status=status.value, next_attempt_at=now,
            sent_at=now if status is Status.SENT else None,
        ))

    seen_users: set[int] = set()
    seen_addresses: set[str] = set()
    for user in users:
        if user is None or user.id in seen_users or not user.active:
            continue
        seen_users.add(user.id)
        # The bell needs no delivery: the row itself is the in-app notification.
        add(Channel.APP, user=user, status=Status.SENT)
        if user.email and user.email.lower() not in seen_addresses:
            seen_addresses.add(user.email.lower())
            add(Channel.EMAIL, user=user, address=user.email)
    for address in emails:
        if address and address.lower() not in seen_addresses:
            seen_addresses.add(address.lower())
            add(Channel.EMAIL, address=address)
    if webhook and _webhook_configured():
        add(Channel.WEBHOOK)
    db.session.add_all(rows)
    return rows


def _webhook_configured() -> bool:
    return has_app_context() and bool(current_app.config.get("NOTIFY_WEBHOOK_URL"))
