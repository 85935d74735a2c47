"""The demo's requests: every state, the whole loop from the public form and from a visit, urge cadence."""
from datetime import date

from sqlalchemy import func, select

from crm.calendar.store import working_days_between
from crm.db import db
from crm.requests.models import Request, RequestState, UrgeNotice
from crm.requests.tick import run_tick


def test_demo_requests_cover_the_whole_loop(app):
    result = app.test_cli_runner().invoke(args=["crm", "demo", "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    states = dict(db.session.execute(select(Request.state, func.count()).group_by(Request.state)).all())
    assert set(states) == {s.value for s in RequestState}
    assert {"public", "visit", "phone"} <= set(db.session.scalars(select(Request.source)))

    def full_loop(source: str) -> bool:
        for req in db.session.scalars(select(Request).where(Request.source == source,
                                                            Request.state == "closed")):
            actions = [e.action for e in req.events]
            if all(a in actions for a in ("assign", "accept", "request_extension", "approve_extension",
                                          "reply", "rate")):
                return True
        return False

    assert full_loop("public") and full_loop("visit")
    # Overdue requests carry urge notices at least 3 working days apart.
    notices = db.session.scalars(select(UrgeNotice).order_by(UrgeNotice.request_id, UrgeNotice.issued_on)).all()
    assert notices
    for a, b in zip(notices, notices[1:]):
        if a.request_id == b.request_id:
            assert working_days_between(a.issued_on, b.issued_on) >= 3
    # The demo already ran today's tick: running it again changes nothing.
    report = run_tick(date(2026, 11, 24), deliver=False)
    assert (report.urged, report.accept_late, report.due_soon, report.closed_unrated) == (0, 0, 0, 0)
    assert "demo tracking link for" in result.output
