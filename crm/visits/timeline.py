"""The visits timeline on the enterprise page (crm/templates/visits/_timeline.html): this
quarter's coverage from the engine, then the visits the user may see, newest first."""
from __future__ import annotations

from sqlalchemy import func, select

from crm.auth.models import User
from crm.clock import business_today
from crm.db import db
from crm.enterprises.sections import detail_section
from crm.permissions.visits import may_log_visits, scope_visits
from crm.visits.coverage import enterprise_coverage, quarter_pairs
from crm.visits.models import Visit
from crm.visits.quarters import Quarter
from crm.visits.queries import requests_by_visit, with_details

#: Visits shown on the enterprise page; the rest are one link away.
SHOWN = 20


@detail_section("visits_timeline", "visits/_timeline.html")
def timeline_context(enterprise, user) -> dict:
    return timeline(enterprise, user)


def timeline(enterprise, user, today=None) -> dict:
    """What the partial needs; also usable by any page that wants the same block."""
    today = today or business_today()
    quarter = Quarter.of(today)
    pairs = quarter_pairs(quarter, today=today, enterprise_ids=[enterprise.id])
    [coverage] = enterprise_coverage(quarter, today=today, enterprise_ids=[enterprise.id], pairs=pairs) or [None]
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_([p.liaison_id for p in pairs]))).all()) if pairs else {}
    stmt = scope_visits(select(Visit).where(Visit.enterprise_id == enterprise.id), user, today)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    visits = db.session.scalars(with_details(stmt.order_by(Visit.visited_on.desc(), Visit.id.desc()))
                                .limit(SHOWN)).all()
    return {
        "quarter": quarter, "coverage": coverage, "pairs": [p for p in pairs if p.owed or p.visits],
        "liaison_names": names, "visits": visits, "total": total,
        "requests": requests_by_visit([v.id for v in visits], user),
        "can_log": may_log_visits(user), "today": today,
    }
