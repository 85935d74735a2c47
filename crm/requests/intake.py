"""Creating requests: from a visit, the public form, a phone call or the API."""
from __future__ import annotations

from datetime import date
from typing import Optional, Union

from flask_babel import gettext as _
from sqlalchemy import select

from crm.clock import business_today
from crm.db import db
from crm.enterprises.credit_code import normalize
from crm.enterprises.models import Enterprise
from crm.permissions import scope_enterprises, supervises
from crm.requests.errors import WorkflowError
from crm.requests.events import add_event
from crm.requests.models import Category, Request, RequestSource, RequestState
from crm.requests.numbering import tracking_number


def create_request(
    *,
    enterprise: Optional[Enterprise],
    source: Union[RequestSource, str],
    category: Union[Category, int],
    title: str,
    description: str,
    actor,
    visit_id: Optional[int] = None,
    contact_name: Optional[str] = None,
    contact_mobile: Optional[str] = None,
    contact_email: Optional[str] = None,
    urgent: bool = False,
    enterprise_name: Optional[str] = None,
    credit_code: Optional[str] = None,
    submitted_on: Optional[date] = None,
    actor_label: Optional[str] = None,
) -> Request:
    """Register a request in state 待受理, with its tracking number and first event; flushes.

    `enterprise` may be None for an enterprise that is not in the system: then
    `enterprise_name` is required and `credit_code` (if given) is normalised and used to
    match a known enterprise. `actor` is None for the public form (actor_label "public").
    Raises WorkflowError (with a field name) on bad input; nothing is added then.
    """
    source = RequestSource(source)
    if isinstance(category, int):
        category = db.session.get(Category, category)
    if category is None:
        raise WorkflowError(_("请选择诉求类别。"), field="category")
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        raise WorkflowError(_("请填写诉求标题。"), field="title")
    if not description:
        raise WorkflowError(_("请填写诉求内容。"), field="description")
    code = None
    if credit_code:
        try:
            code = normalize(credit_code)
        except ValueError as e:
            raise WorkflowError(str(e), field="credit_code") from None
    if enterprise is None and code:
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if enterprise is None and not (enterprise_name or "").strip():
        raise WorkflowError(_("请填写企业名称。"), field="enterprise_name")

    on = submitted_on or business_today()
    req = Request(
        number=tracking_number(on.year),
        enterprise=enterprise,
        enterprise_name=enterprise.name if enterprise is not None else enterprise_name.strip(),
        credit_code=enterprise.credit_code if enterprise is not None else code,
        town_id=enterprise.town_id if enterprise is not None else None,
        visit_id=visit_id, source=source.value, category=category, urgent=bool(urgent),
        title=title[:200], description=description,
        contact_name=contact_name or None, contact_mobile=contact_mobile or None,
        contact_email=contact_email or None,
        state=RequestState.SUBMITTED.value, submitted_on=on,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(req)
    db.session.flush()
    add_event(req, "submit", actor, on=on, to_state=RequestState.SUBMITTED.value, public=True,
              data={"number": req.number, "source": source.value, "category": category.name,
                    "visit_id": visit_id},
              actor_label=actor_label or ("public" if source is RequestSource.PUBLIC else None))
    db.session.flush()
    return req


def enterprise_for_intake(user, credit_code: str, enterprise_name: Optional[str]) -> Optional[Enterprise]:
    """The enterprise an official registers a request for, looked up by normalised code within
    their scope. The commission may register an enterprise not (yet) in the system, by name;
    anyone else must pick one they can see. Raises WorkflowError naming the field."""
    enterprise = db.session.scalar(scope_enterprises(
        select(Enterprise).where(Enterprise.credit_code == credit_code), user))
    if enterprise is None and not supervises(user):
        raise WorkflowError(_("未找到该企业，或该企业不在您的管辖范围内。"), field="credit_code")
    if enterprise is None and not (enterprise_name or "").strip():
        raise WorkflowError(_("系统中没有该企业，请填写企业名称。"), field="enterprise_name")
    return enterprise
