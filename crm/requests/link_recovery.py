"""Recovering a lost tracking link at /track: check the answers, lock a number after repeated
failures, issue a further link and tell the enterprise.

Security trade-off: the questions (tracking number, credit code, last four mobile digits) can
be answered by someone other than the enterprise, so a recovery never retires the links the
enterprise holds. Its own link keeps working, and it learns of the new link on its tracking
page (a public event) and by e-mail when it gave an address.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from crm.clock import business_today
from crm.db import db
from crm.requests import lookup_lock, messages
from crm.requests.events import add_event
from crm.requests.models import Request
from crm.requests.tracking import add_recovery_link


@dataclass
class Recovery:
    #: The new link's token on success.
    token: Optional[str] = None
    #: What to tell the visitor next to the tracking number otherwise, and the HTTP status.
    error: Optional[str] = None
    status: int = 200


def _matches(req: Optional[Request], mobile_last4: str) -> bool:
    mobile = (req.contact_mobile or "") if req is not None else ""
    return len(mobile) >= 4 and hmac.compare_digest(mobile[-4:], mobile_last4)


def recover(number: str, credit_code: str, mobile_last4: str, address: str) -> Recovery:
    """Check the answers for `number`; on a match add a further link (the caller commits either way:
    a failure is recorded too)."""
    if lookup_lock.locked(number):
        return Recovery(error=lookup_lock.locked_message(), status=429)
    req = db.session.scalar(select(Request).where(Request.number == number,
                                                  Request.credit_code == credit_code))
    if not _matches(req, mobile_last4):
        lookup_lock.record_failure(number, address)
        if lookup_lock.locked(number):
            return Recovery(error=lookup_lock.locked_message(), status=429)
        return Recovery(error=_("未找到匹配的诉求，请核对受理编号、信用代码和手机号码。"), status=400)
    token = add_recovery_link(req)
    add_event(req, "link_reissued", None, on=business_today(), public=True, actor_label="public")
    messages.link_reissued(req)
    current_app.logger.info("tracking link of %s reissued to %s", req.number, address)
    return Recovery(token=token)
