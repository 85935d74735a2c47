"""Locking a tracking number after repeated wrong answers at /track (the lost-link lookup).

The last four digits of a mobile number are only 10,000 guesses: the per-address rate limit
alone let many addresses share them out. Failures are therefore also counted per tracking
number, in the database (so the count holds across workers), and a number with
TRACKING_LOOKUP_MAX_FAILURES failures within TRACKING_LOOKUP_WINDOW_HOURS refuses every
answer, right or wrong, until the oldest failure leaves the window. The enterprise's own link
keeps working meanwhile; for a new one it calls the commission.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.db import db, utcnow
from crm.requests.models import TrackingLookupFailure


def locked(number: str) -> bool:
    cfg = current_app.config
    since = utcnow() - timedelta(hours=cfg["TRACKING_LOOKUP_WINDOW_HOURS"])
    failures = db.session.scalar(select(func.count()).select_from(TrackingLookupFailure).where(
        TrackingLookupFailure.number == number, TrackingLookupFailure.at >= since))
    return failures >= cfg["TRACKING_LOOKUP_MAX_FAILURES"]


def record_failure(number: str, address: str) -> None:
    db.session.add(TrackingLookupFailure(number=number[:20], address=address[:64]))


def locked_message() -> str:
    phone = current_app.config.get("COMMISSION_PHONE")
    if phone:
        return _("查询失败次数过多，该受理编号已暂时锁定，请致电区经委（%(phone)s）。", phone=phone)
    return _("查询失败次数过多，该受理编号已暂时锁定，请联系区经委。")
