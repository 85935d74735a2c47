"""Business dates: the Asia/Shanghai calendar day, which tests and demos can pin."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

SHANGHAI = ZoneInfo("Asia/Shanghai")


def business_today() -> date:
    """Today in Asia/Shanghai, or the CRM_TODAY setting (YYYY-MM-DD) when one is pinned."""
    if has_app_context():
        pinned = current_app.config.get("CRM_TODAY")
        if pinned:
            return date.fromisoformat(str(pinned))
    return datetime.now(SHANGHAI).date()


def business_date(moment: datetime) -> date:
    """The Asia/Shanghai date of an aware timestamp."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(SHANGHAI).date()
