"""Builders for visit tests: visits written straight to the database, and a statement counter."""
from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from crm.db import db
from crm.visits.models import Visit, VisitParticipant

_keys = itertools.count(1)


def visit(ent, liaisons, on: date, mode: str = "onsite", author=None, findings: str = "了解生产经营情况") -> Visit:
    """A visit by `liaisons` (a user or a list) to `ent` on `on`."""
    liaisons = liaisons if isinstance(liaisons, (list, tuple)) else [liaisons]
    v = Visit(enterprise_id=ent.id, visited_on=on, mode=mode, author_id=(author or liaisons[0]).id,
              findings=findings, idempotency_key=f"test-{next(_keys)}")
    v.participants = [VisitParticipant(liaison_id=u.id, enterprise_id=ent.id, visited_on=on)
                      for u in liaisons]
    db.session.add(v)
    db.session.commit()
    return v


@contextmanager
def count_statements():
    """Count SELECT/INSERT/... statements sent to the database inside the block."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
