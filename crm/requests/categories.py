"""The default request categories and their time limits (admins edit them afterwards)."""
from __future__ import annotations

from sqlalchemy import select

from crm.db import db
from crm.requests.models import Category

#: (name, working days): "没有办理时限要求的，一般7天内反馈" gives 其他 its 7.
DEFAULT_CATEGORIES = [
    ("政策咨询", 5), ("审批办证", 10), ("人才用工", 10), ("法律服务", 10), ("水电气网", 10),
    ("融资", 15), ("市场拓展", 15), ("用地规划", 20), ("其他", 7),
]


def ensure_default_categories() -> list[Category]:
    """Add the default categories that are missing (by name); flushes; returns all categories."""
    have = {c.name: c for c in db.session.scalars(select(Category))}
    for position, (name, days) in enumerate(DEFAULT_CATEGORIES, start=1):
        if name not in have:
            have[name] = Category(name=name, time_limit_days=days, position=position)
            db.session.add(have[name])
    db.session.flush()
    return sorted(have.values(), key=lambda c: (c.position, c.id))


def active_categories() -> list[Category]:
    return list(db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.position, Category.id)))
