"""Outbox delivery: a real SMTP server (aiosmtpd) and a failing one, a webhook on 127.0.0.1."""
from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db, utcnow
from crm.notifications.delivery import MAX_ATTEMPTS, backoff, deliver_pending
from crm.notifications.models import Notification
from crm.notifications.outbox import notify


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message; `fail` makes it refuse with 554."""

    def __init__(self):
        self.messages = []
        self.fail = False

    async def handle_DATA(self, server, session, envelope):
        if self.fail:
            return "554 5.0.0 Transaction failed"
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy)))
        return "250 OK"


@pytest.fixture
def smtp(app, monkeypatch):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_SENDER", "crm@district.test")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "http://crm.district.test")
    yield inbox
    controller.stop()


@pytest.fixture
def webhook(app, monkeypatch):
    received, state = [], {"status": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), json.loads(body)))
            self.send_response(state["status"])
            self.end_headers()
            self.wfile.write(b'{"errcode":0}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "NOTIFY_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/robot")
    yield received, state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _queue(users, **kw):
    user = users[Role.COMMISSION]
    user.email = "commission@district.test"
    rows = notify("escalated", users=[user], subject="诉求上报协调：2026-000001 厂房验收",
                  body="各方理据：……", link="/requests/1", **kw)
    db.session.commit()
    return rows


def test_email_goes_through_a_real_smtp_server_once(users, smtp):
    rows = _queue(users)
    assert {r.channel for r in rows} == {"app", "email"}
    report = deliver_pending()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [(rcpt, msg)] = smtp.messages
    assert rcpt == ["commission@district.test"]
    assert msg["Subject"] == "诉求上报协调：2026-000001 厂房验收"
    assert "http://crm.district.test/requests/1" in msg.get_content()
    email = db.session.scalar(select(Notification).where(Notification.channel == "email"))
    assert (email.status, email.attempts) == ("sent", 1) and email.sent_at is not None
    assert msg["Message-ID"] == f"<notification-{email.id}@district.test>"
    # Delivering again sends nothing twice.
    assert deliver_pending().sent == 0
    assert len(smtp.messages) == 1


def test_a_refusing_smtp_server_means_retry_with_backoff_then_success(users, smtp):
    _queue(users)
    smtp.fail = True
    now = utcnow()
    report = deliver_pending(now)
    assert (report.sent, report.retried) == (0, 1)
    email = db.session.scalar(select(Notification).where(Notification.channel == "email"))
    assert email.status == "pending" and email.attempts == 1 and "554" in email.last_error
    assert email.next_attempt_at == now + backoff(1)
    # Not due yet: a run a minute later leaves it alone.
    assert deliver_pending(now + timedelta(minutes=1)).retried == 0
    smtp.fail = False
    assert deliver_pending(now + backoff(1)).sent == 1
    assert len(smtp.messages) == 1


def test_an_unreachable_smtp_server_gives_up_after_the_last_attempt(app, users, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nothing listens there
    _queue(users)
    now = utcnow()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        now += backoff(attempt) + timedelta(seconds=1)
        deliver_pending(now)
    email = db.session.scalar(select(Notification).where(Notification.channel == "email"))
    assert (email.status, email.attempts) == ("failed", MAX_ATTEMPTS)
    assert "ConnectionRefused" in email.last_error
    assert deliver_pending(now + timedelta(days=2)).retried == 0


def test_backoff_doubles_up_to_a_cap():
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=5), timedelta(minutes=10),
                                                timedelta(minutes=20)]
    assert backoff(30) == timedelta(hours=12)


def test_a_row_claimed_by_another_run_is_not_sent_and_a_stale_claim_is_never_resent(users, smtp):
    _queue(users)
    email = db.session.scalar(select(Notification).where(Notification.channel == "email"))
    email.status, email.claimed_at = "sending", utcnow()
    db.session.commit()
    assert deliver_pending().sent == 0
    report = deliver_pending(utcnow() + timedelta(hours=1))
    db.session.refresh(email)
    assert email.status == "failed" and "interrupted" in email.last_error and report.sent == 0
    assert smtp.messages == []


def test_without_mail_settings_email_is_skipped(app, users, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    _queue(users)
    assert deliver_pending().skipped == 1
    assert db.session.scalar(select(Notification.status).where(Notification.channel == "email")) == "skipped"


def test_webhook_posts_json_and_retries_on_a_server_error(users, webhook):
    received, state = webhook
    _queue(users)
    row = db.session.scalar(select(Notification).where(Notification.channel == "webhook"))
    state["status"] = 500
    now = utcnow()
    report = deliver_pending(now)
    assert report.retried == 1 and len(received) == 1
    state["status"] = 200
    assert deliver_pending(now + backoff(1)).sent == 1
    headers, payload = received[-1]
    assert payload["msgtype"] == "text"
    assert payload["text"]["content"].startswith("诉求上报协调：2026-000001 厂房验收")
    assert payload["notification"]["id"] == row.id
    assert headers["Idempotency-Key"] == f"notification-{row.id}"
    assert deliver_pending(now + timedelta(days=1)).sent == 0 and len(received) == 2


def test_keyed_notifications_are_added_once(users):
    first = notify("due_soon", users=[users[Role.DEPARTMENT]], subject="即将到期", key="due_soon:1:2026-12-01")
    again = notify("due_soon", users=[users[Role.DEPARTMENT]], subject="即将到期", key="due_soon:1:2026-12-01")
    db.session.commit()
    assert len(first) == 1 and again == []


def test_the_bell_counts_unread_and_opening_marks_read(client, users, login_as):
    user = users[Role.DEPARTMENT]
    notify("assigned", users=[user], subject="新交办诉求：2026-000001 厂房验收", link="/requests/")
    notify("assigned", users=[user], subject="新交办诉求：2026-000002 用工", link="//evil.test/")
    db.session.commit()
    login_as(user)
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'id="bell-count">2<' in page and "新交办诉求：2026-000001 厂房验收" in page
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert client.post(f"/notifications/{rows[0].id}/open").headers["Location"] == "/requests/"
    # A link that is not a path inside the site is not followed.
    assert client.post(f"/notifications/{rows[1].id}/open").headers["Location"] == "/notifications/"
    page = client.get("/notifications/").get_data(as_text=True)
    assert "bell-count" not in page
    # Someone else's notification is not found.
    other = users[Role.COMMISSION]
    mine = notify("x", users=[other], subject="别人的")[0]
    db.session.commit()
    assert client.post(f"/notifications/{mine.id}/open").status_code == 404


def test_a_dead_smtp_server_costs_three_tries_per_run_not_one_per_message(app, users, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())
    for i in range(6):
        user = users[Role.DEPARTMENT]
        user.email = f"dept{i}@district.test"
        notify("assigned", users=[user], subject=f"第{i}件")
    db.session.commit()
    report = deliver_pending()
    assert report.retried == 3
    untouched = db.session.scalars(select(Notification).where(Notification.channel == "email",
                                                              Notification.attempts == 0)).all()
    assert len(untouched) == 3 and all(n.status == "pending" for n in untouched)
