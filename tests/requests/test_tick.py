"""`crm tick`: idempotent reminders, urge notices every 3 working days, closing unrated requests."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.notifications.models import Notification
from crm.requests.models import RequestEvent, UrgeNotice
from crm.requests.tick import run_tick
from crm.requests.workflow import transition

from .conftest import TUESDAY


def _days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _snapshot():
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (RequestEvent, UrgeNotice, Notification, AuditEntry))


@pytest.fixture
def overdue(world, assigned_request):
    """Assigned Tuesday 24 November 2026 with 5 working days (deadline 1 December), accepted."""
    req = assigned_request()
    transition(req, "accept", world["users"][Role.DEPARTMENT], today=TUESDAY)
    db.session.commit()
    return req


def test_urge_notices_every_three_working_days_however_often_tick_runs(overdue):
    for day in _days(TUESDAY, date(2026, 12, 20)):
        for _run in range(3):
            run_tick(day, deliver=False)
    notices = db.session.scalars(select(UrgeNotice).order_by(UrgeNotice.id)).all()
    assert [n.issued_on for n in notices] == [date(2026, 12, 2), date(2026, 12, 7), date(2026, 12, 10),
                                             date(2026, 12, 15), date(2026, 12, 18)]
    assert [n.number for n in notices[:2]] == ["催办〔2026〕0001号", "催办〔2026〕0002号"]
    assert [n.overdue_days for n in notices] == [1, 4, 7, 10, 13]
    assert all(n.automatic and n.department_id == overdue.lead_department_id for n in notices)
    # One bell per urge notice for the lead department's handler, plus one due-soon reminder.
    kinds = db.session.scalars(select(Notification.kind).where(Notification.channel == "app")).all()
    assert kinds.count("urged") == 5 and kinds.count("due_soon") == 1


def test_an_explanation_since_the_deadline_stops_automatic_urging(world, overdue):
    run_tick(date(2026, 12, 2), deliver=False)
    transition(overdue, "note", world["users"][Role.DEPARTMENT], today=date(2026, 12, 3),
               text="需等待市级部门批复，预计 12 月 15 日答复", kind="explanation")
    db.session.commit()
    for day in _days(date(2026, 12, 3), date(2026, 12, 20)):
        run_tick(day, deliver=False)
    assert db.session.scalars(select(UrgeNotice.issued_on)).all() == [date(2026, 12, 2)]


def test_an_explanation_before_the_first_notice_means_none(world, overdue):
    transition(overdue, "note", world["users"][Role.DEPARTMENT], today=date(2026, 12, 1),
               text="企业材料尚未补齐", kind="explanation")
    db.session.commit()
    run_tick(date(2026, 12, 2), deliver=False)
    assert db.session.scalar(select(func.count()).select_from(UrgeNotice)) == 0


def test_no_urge_notices_on_holidays_or_while_escalated(world, assigned_request):
    req = assigned_request(on=date(2026, 9, 22), days=2)  # deadline Thursday 24 September
    run_tick(date(2026, 9, 26), deliver=False)   # Saturday
    run_tick(date(2026, 10, 3), deliver=False)   # National Day
    assert db.session.scalar(select(func.count()).select_from(UrgeNotice)) == 0
    transition(req, "escalate", world["users"][Role.COMMISSION], today=date(2026, 10, 3), reasons="协调")
    db.session.commit()
    run_tick(date(2026, 10, 8), deliver=False)
    assert db.session.scalar(select(func.count()).select_from(UrgeNotice)) == 0


def test_a_manual_urge_resets_the_cadence(world, overdue):
    transition(overdue, "urge", world["users"][Role.COMMISSION], today=date(2026, 12, 3), instructions="请即办")
    db.session.commit()
    for day in _days(date(2026, 12, 3), date(2026, 12, 9)):
        run_tick(day, deliver=False)
    assert db.session.scalars(select(UrgeNotice.issued_on)).all() == [date(2026, 12, 3), date(2026, 12, 8)]


def test_manual_urge_before_the_deadline_or_twice_a_day_is_refused(world, overdue):
    from crm.requests.errors import WorkflowError

    c = world["users"][Role.COMMISSION]
    with pytest.raises(WorkflowError, match="尚未逾期"):
        transition(overdue, "urge", c, today=date(2026, 12, 1))
    transition(overdue, "urge", c, today=date(2026, 12, 2))
    with pytest.raises(WorkflowError, match="今天已催办"):
        transition(overdue, "urge", c, today=date(2026, 12, 2))


def test_sign_for_late_and_due_soon_reminders_go_out_once(world, assigned_request):
    req = assigned_request()  # sign-for due Wednesday 25 November
    run_tick(date(2026, 11, 25), deliver=False)
    assert not req.accept_late_notified
    for _run in range(2):
        report = run_tick(date(2026, 11, 26), deliver=False)
    assert req.accept_late_notified and report.accept_late == 0
    subjects = db.session.scalars(select(Notification.subject).where(
        Notification.channel == "app", Notification.kind == "accept_late")).all()
    assert subjects == ["诉求逾期未签收：%s 厂房消防验收咨询" % req.number]
    run_tick(date(2026, 11, 27), deliver=False)
    run_tick(date(2026, 11, 30), deliver=False)
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "due_soon", Notification.channel == "app")) == 1


def test_unrated_replies_close_after_ten_working_days(world, overdue):
    transition(overdue, "reply", world["users"][Role.DEPARTMENT], today=TUESDAY, answer="已解决",
               outcome="resolved")
    db.session.commit()
    run_tick(date(2026, 12, 8), deliver=False)  # the 10th working day after the reply
    assert overdue.state == "replied"
    report = run_tick(date(2026, 12, 9), deliver=False)
    assert (report.closed_unrated, overdue.state, overdue.closed_on) == (1, "closed", date(2026, 12, 9))
    assert overdue.events[-1].action == "close_unrated" and overdue.events[-1].actor_label == "tick"


def test_tick_twice_changes_nothing_the_second_time(world, new_request, assigned_request, overdue):
    lead = world["users"][Role.DEPARTMENT]
    new_request()
    assigned_request()  # sign-for late by 2 December
    replied = assigned_request(on=date(2026, 11, 2))
    transition(replied, "accept", lead, today=date(2026, 11, 2))
    transition(replied, "reply", lead, today=date(2026, 11, 3), answer="已答复", outcome="resolved")
    db.session.commit()
    first = run_tick(date(2026, 12, 2))
    assert (first.accept_late, first.urged, first.closed_unrated) == (1, 2, 1)
    before = _snapshot()
    second = run_tick(date(2026, 12, 2))
    assert (second.accept_late, second.due_soon, second.urged, second.closed_unrated) == (0, 0, 0, 0)
    assert _snapshot() == before


def test_tick_command_takes_a_date(app, overdue):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "tick", "--today", "2026-12-02"])
    assert result.exit_code == 0, result.output
    assert "urged=1" in result.output
    result = runner.invoke(args=["crm", "tick", "--today", "2026-12-02"])
    assert "urged=0" in result.output and "accept_late=0" in result.output


def test_admins_are_told_once_about_a_missing_holiday_schedule(app, users):
    run_tick(date(2026, 11, 24), deliver=False)
    run_tick(date(2026, 11, 25), deliver=False)
    rows = db.session.scalars(select(Notification).where(Notification.kind == "calendar_unknown")).all()
    assert [(n.user_id, n.subject) for n in rows if n.channel == "app"] == [
        (users[Role.ADMIN].id, "请加载 2027 年国务院节假日安排")]
