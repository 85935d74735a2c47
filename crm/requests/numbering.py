"""Sequential numbers per series and year, safe under concurrent transactions."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from crm.db import db
from crm.requests.models import NumberCounter


def next_number(series: str, year: int) -> int:
    """The next number of `series` in `year`, taken inside the caller's transaction.

    UPDATE ... RETURNING locks the counter row until commit (PostgreSQL) or holds the
    database write lock (SQLite), so concurrent callers wait instead of sharing a number.
    The first number of a year inserts the row; losing that race retries the update.
    """
    bump = (
        update(NumberCounter)
        .where(NumberCounter.series == series, NumberCounter.year == year)
        .values(last=NumberCounter.last + 1)
        .returning(NumberCounter.last)
        .execution_options(synchronize_session=False)
    )
    value = db.session.execute(bump).scalar()
    if value is not None:
        return value
    try:
        with db.session.begin_nested():
            db.session.add(NumberCounter(series=series, year=year, last=1))
        return 1
    except IntegrityError:
        return db.session.execute(bump).scalar_one()


def tracking_number(year: int) -> str:
    """2026-000123"""
    return f"{year}-{next_number('request', year):06d}"


def urge_number(year: int) -> str:
    """催办〔2026〕0012号"""
    return f"催办〔{year}〕{next_number('urge', year):04d}号"
