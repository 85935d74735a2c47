"""The request detail page: facts, clock, the full timeline and the forms of the allowed steps."""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from crm.clock import business_today
from crm.db import db
from crm.enterprises.contacts import mask_phone
from crm.permissions import masks_request_contacts
from crm.permissions.requests import get_request_or_404, is_cooperator, is_lead
from crm.requests import bp
from crm.requests.forms import ACTION_FORMS, NoteForm
from crm.requests.models import Request, RequestEvent
from crm.requests.workflow import allowed_actions


def note_kinds(user, req: Request) -> list[SelectChoice]:
    kinds = [SelectChoice("note", _l("备注"))]
    if is_lead(user, req) or is_cooperator(user, req):
        kinds.append(SelectChoice("input", _l("配合单位意见") if is_cooperator(user, req) else _l("办理意见")))
    if is_lead(user, req):
        kinds.append(SelectChoice("explanation", _l("逾期说明")))
    return kinds


def build_form(action: str, req: Request, bind: bool = False):
    """The form of one step, prefixed by the action (two forms on a page never share fields).

    bind=True reads the submitted data; otherwise the form is blank.
    """
    form_class = ACTION_FORMS[action]
    form = form_class(prefix=action) if bind else form_class(prefix=action, formdata=None)
    if isinstance(form, NoteForm):
        form.kind.choices = note_kinds(current_user, req)
    return form


def render_detail(req: Request, forms: Optional[dict] = None, status: int = 200,
                  error: Optional[str] = None, today: Optional[date] = None):
    today = today or business_today()
    actions = allowed_actions(req, current_user, today)
    forms = dict(forms or {})
    # A refused form is shown again with its errors, even if its button is no longer offered.
    actions += [a for a, f in forms.items() if a not in actions and any(fld.errors for fld in f)]
    for action in actions:
        if action in ACTION_FORMS and action not in forms:
            forms[action] = build_form(action, req)
    events = db.session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == req.id)
        .options(selectinload(RequestEvent.actor), selectinload(RequestEvent.actor_department))
        .order_by(RequestEvent.id)
    ).all()
    masked = masks_request_contacts(current_user, req, today)
    return render_template(
        "requests/detail.html", req=req, events=events, actions=actions, forms=forms, today=today,
        error=error, contact_mobile=mask_phone(req.contact_mobile) if masked else req.contact_mobile,
        lead=is_lead(current_user, req),
    ), status


@bp.route("/<int:request_id>")
@login_required
def detail(request_id: int):
    req = get_request_or_404(request_id, current_user)
    return render_detail(req)
