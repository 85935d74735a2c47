"""Which policies to offer on a visit form: those matching the enterprise's tags first (一企一策)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.db import db
from crm.visits.models import Policy


def policy_choices(enterprise, keep_ids=()) -> tuple[list[Policy], list[Policy]]:
    """(matching, others): active policies whose tags meet the enterprise's, or that have no
    tags (they concern everyone), then the rest. Retired policies still chosen on a visit
    being edited (`keep_ids`) stay offered, so editing never drops them silently."""
    policies = db.session.scalars(
        select(Policy).where((Policy.active.is_(True)) | (Policy.id.in_(list(keep_ids))))
        .options(selectinload(Policy.tags)).order_by(Policy.title)).all()
    tags = {t.id for t in enterprise.tags}
    matching, others = [], []
    for policy in policies:
        if not policy.tags or tags & {t.id for t in policy.tags}:
            matching.append(policy)
        else:
            others.append(policy)
    return matching, others
