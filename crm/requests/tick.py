"""`flask crm tick [--today YYYY-MM-DD]`: the scheduled job (cron, every 15 minutes).

Idempotent: a second run the same day changes nothing. It sends the sign-for-late and
due-soon reminders (once per round, by flag), issues urge notices (催办单) to overdue
requests without an explanation (then every 3 working days while overdue), closes
requests left unrated for 10 working days, and delivers the notification outbox.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

import click
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.audit.anchor import write_daily
from crm.calendar.store import unknown_years_ahead
from crm.calendar.store import is_working_day, working_days_between
from crm.cli import crm_cli
from crm.clock import business_today
from crm.db import db
from crm.notifications.delivery import DeliveryReport, deliver_pending
from crm.auth import inactive
from crm.notifications.outbox import notify
from crm.requests import deadlines, messages
from crm.requests.models import (CLOCK_STATES, RATEABLE_STATES, Request, RequestEvent,
                                 UrgeNotice)
from crm.requests.numbering import next_number
from crm.requests.workflow import transition


@dataclass
class TickReport:
    accept_late: int = 0
    due_soon: int = 0
    urged: int = 0
    closed_unrated: int = 0
    delivery: Optional[DeliveryReport] = None

    def summary(self) -> str:
        d = self.delivery or DeliveryReport()
        return (f"accept_late={self.accept_late} due_soon={self.due_soon} urged={self.urged} "
                f"closed_unrated={self.closed_unrated} sent={d.sent} retry={d.retried} "
                f"failed={d.failed} skipped={d.skipped}")


def urge_due(req: Request, today: date) -> bool:
    """Whether the tick owes this overdue request an urge notice today.

    The first one goes out once the deadline has passed without an explanation note from the
    lead department; the next one 3 working days after the last (manual ones count too),
    again unless the department explained itself since. Notices go out on working days only.
    """
    if req.deadline is None or today <= req.deadline or not is_working_day(today):
        return False
    last = db.session.scalar(
        select(func.max(UrgeNotice.issued_on)).where(
            UrgeNotice.request_id == req.id, UrgeNotice.issued_on > req.deadline,
            UrgeNotice.issued_on >= req.assigned_on)
    )
    since = max(req.deadline, last) if last else req.deadline
    explained = db.session.scalar(
        select(RequestEvent.id).where(
            RequestEvent.request_id == req.id, RequestEvent.kind == "explanation",
            RequestEvent.on >= since, RequestEvent.actor_department_id == req.lead_department_id,
        ).limit(1)
    ) is not None
    if explained:
        return False
    return last is None or working_days_between(last, today) >= deadlines.URGE_EVERY_DAYS


def run_tick(today: Optional[date] = None, deliver: bool = True) -> TickReport:
    """One run of the scheduled job; commits its own work, then delivers the outbox."""
    today = today or business_today()
    # Serialise concurrent runs: the counter row stays locked until this transaction commits.
    next_number("tick", 0)
    report = tick_requests(today)
    _calendar_reminder(today)
    inactive.tick_step()
    db.session.commit()
    if deliver:
        report.delivery = deliver_pending()
    return report


def tick_requests(today: date) -> TickReport:
    """Reminders, urge notices and unrated closing for `today`; flushes, does not commit."""
    report = TickReport()
    clock = [s.value for s in CLOCK_STATES]
    for req in db.session.scalars(select(Request).where(Request.state.in_(clock)).order_by(Request.id)):
        if deadlines.not_accepted(req, today) and not req.accept_late_notified:
            messages.accept_late(req)
            req.accept_late_notified = True
            report.accept_late += 1
        if deadlines.clock_state(req, today) == deadlines.DUE_SOON and not req.due_soon_notified:
            messages.due_soon(req, deadlines.days_left(req, today))
            req.due_soon_notified = True
            report.due_soon += 1
        if urge_due(req, today):
            transition(req, "urge", None, today=today, via="tick")
            report.urged += 1
    rateable = [s.value for s in RATEABLE_STATES]
    for req in db.session.scalars(select(Request).where(Request.state.in_(rateable)).order_by(Request.id)):
        if req.replied_on is not None and today > deadlines.rating_closes_on(req):
            transition(req, "close_unrated", None, today=today, via="tick")
            report.closed_unrated += 1
    db.session.flush()
    return report


def _calendar_reminder(today: date) -> None:
    """Tell admins (once per year) that a needed holiday schedule is missing."""
    from crm.auth.models import User, UserRole
    from crm.auth.roles import Role

    for year in unknown_years_ahead(today):
        admins = db.session.scalars(select(User).join(UserRole).where(
            UserRole.role == Role.ADMIN.value, User.active.is_(True))).unique()
        notify("calendar_unknown", users=admins, webhook=False, key=f"calendar_unknown:{year}",
               subject=_("请加载 %(y)s 年国务院节假日安排", y=year),
               body=_("%(y)s 年的节假日安排尚未加载，该年的办理时限按周一至周五暂定计算。", y=year),
               link="/admin/calendar")


@crm_cli.command("tick")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Run as if today were this date.")
@click.option("--no-deliver", is_flag=True, help="Skip delivering the outbox.")
def tick_command(today, no_deliver: bool):
    """Reminders, urge notices, unrated closing and notification delivery (idempotent)."""
    report = run_tick(today.date() if today else None, deliver=not no_deliver)
    click.echo(report.summary())
    anchored = write_daily(today.date() if today else business_today())
    if anchored:
        click.echo(anchored)
