"""How a request looks in the API: list item, full record (with its timeline), and the public view
a forwarding channel gets (department names only, never an official's name or phone)."""
from __future__ import annotations

from datetime import date
from typing import Iterable, Optional

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.api.components import component
from crm.api.pagination import page_meta_schema
from crm.db import db
from crm.enterprises.contacts import mask_email
from crm.enterprises.contacts import mask_phone
from crm.permissions import masks_request_contacts
from crm.requests.display import public_event_text
from crm.requests.models import (ExtensionStatus, Outcome, Rating, Request, RequestEvent,
                                 RequestSource, RequestState)
from crm.requests.workflow import allowed_actions

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
_TIMESTAMP_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_INT = {"type": "integer"}


def _object(properties: dict, nullable: bool = False) -> dict:
    out = {"type": ["object", "null"] if nullable else "object", "required": list(properties),
           "additionalProperties": False, "properties": properties}
    return out


def _named(nullable: bool = False) -> dict:
    return _object({"id": _INT, "name": _STR}, nullable)


def _unit(nullable: bool = False) -> dict:
    return _object({"id": _INT, "code": _STR, "name": _STR}, nullable)


def _enum(values: Iterable[str], nullable: bool = False) -> dict:
    values = list(values)
    return {"type": ["string", "null"], "enum": [*values, None]} if nullable else {"type": "string", "enum": values}


def summary_properties() -> dict:
    return {
        "number": {"type": "string", "description": "受理编号 2026-000123"},
        "state": _enum(s.value for s in RequestState),
        "state_label": _STR,
        "source": _enum(s.value for s in RequestSource),
        "category": _named(),
        "urgent": {"type": "boolean"},
        "title": _STR,
        "enterprise_id": {"type": ["integer", "null"]},
        "enterprise_name": _STR,
        "credit_code": _STR_OR_NULL,
        "town": _unit(nullable=True),
        "lead_department": _unit(nullable=True),
        "submitted_on": {"type": "string", "format": "date"},
        "deadline": _DATE_OR_NULL,
        "replied_on": _DATE_OR_NULL,
        "closed_on": _DATE_OR_NULL,
        "changed_at": {"type": "string", "format": "date-time",
                       "description": "最近一次变化（任一办理环节）的时间"},
    }


def summary_schema() -> dict:
    return _object(summary_properties())


def event_schema() -> dict:
    return _object({
        "id": _INT, "action": _STR, "on": {"type": "string", "format": "date"},
        "at": {"type": "string", "format": "date-time"},
        "from_state": _STR_OR_NULL, "to_state": _STR_OR_NULL, "text": _STR_OR_NULL,
        "kind": _STR_OR_NULL, "actor": _STR_OR_NULL, "department": _STR_OR_NULL,
        "public": {"type": "boolean"},
    })


def detail_schema() -> dict:
    return _object({
        **summary_properties(),
        "description": _STR,
        "contact": _object({"name": _STR_OR_NULL, "mobile": _STR_OR_NULL, "email": _STR_OR_NULL,
                            "masked": {"type": "boolean"}}),
        "cooperating": {"type": "array", "items": _unit()},
        "assigned_on": _DATE_OR_NULL,
        "accept_due_on": _DATE_OR_NULL,
        "accepted_on": _DATE_OR_NULL,
        "original_deadline": _DATE_OR_NULL,
        "extension": _object({"days": _INT, "reason": _STR_OR_NULL,
                              "status": _enum(s.value for s in ExtensionStatus)}, nullable=True),
        "reply": _STR_OR_NULL,
        "outcome": _enum((o.value for o in Outcome), nullable=True),
        "on_time": {"type": ["boolean", "null"]},
        "reject_reason": _STR_OR_NULL,
        "rating": _enum((r.value for r in Rating), nullable=True),
        "rating_comment": _STR_OR_NULL,
        "rated_on": _DATE_OR_NULL,
        "allowed_actions": {"type": "array", "items": _STR,
                            "description": "令牌所属用户此刻可执行的操作"},
        "events": {"type": "array", "items": component("RequestEvent", event_schema)},
    })


def page_schema() -> dict:
    return _object({
        "items": {"type": "array", "items": component("RequestSummary", summary_schema)},
        "meta": component("PageMeta", page_meta_schema),
        "as_of": {"type": "string", "format": "date-time",
                  "description": "查询时刻；下次同步时作为 changed_since 传入"},
    })


def public_schema() -> dict:
    return _object({
        "tracking_number": _STR,
        "tracking_url": _STR_OR_NULL,
        "title": _STR,
        "state": _enum(s.value for s in RequestState),
        "state_label": _STR,
        "submitted_on": {"type": "string", "format": "date"},
        "reply": _STR_OR_NULL,
        "outcome": _enum((o.value for o in Outcome), nullable=True),
        "replied_on": _DATE_OR_NULL,
        "replied_by": {"type": ["string", "null"], "description": "答复单位（只给单位名称）"},
        "reject_reason": _STR_OR_NULL,
        "rating": _enum((r.value for r in Rating), nullable=True),
        "closed_on": _DATE_OR_NULL,
        "timeline": {"type": "array", "items": _object({
            "on": {"type": "string", "format": "date"}, "action": _STR, "state": _STR_OR_NULL,
            "text": _STR})},
    })


def list_loading():
    return (selectinload(Request.category), selectinload(Request.town),
            selectinload(Request.lead_department))


def _iso(value) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _unit_value(unit) -> Optional[dict]:
    return {"id": unit.id, "code": unit.code, "name": unit.name} if unit is not None else None


def changed_at(requests: list[Request]) -> dict[int, object]:
    """The time of each request's latest event, for a whole page in one query."""
    ids = [r.id for r in requests]
    if not ids:
        return {}
    rows = db.session.execute(select(RequestEvent.request_id, func.max(RequestEvent.at))
                              .where(RequestEvent.request_id.in_(ids)).group_by(RequestEvent.request_id))
    return dict(rows.all())


def summary(req: Request, changed) -> dict:
    return {
        "number": req.number,
        "state": req.state,
        "state_label": req.state_label,
        "source": req.source,
        "category": {"id": req.category.id, "name": req.category.name},
        "urgent": req.urgent,
        "title": req.title,
        "enterprise_id": req.enterprise_id,
        "enterprise_name": req.enterprise_name,
        "credit_code": req.credit_code,
        "town": _unit_value(req.town),
        "lead_department": _unit_value(req.lead_department),
        "submitted_on": req.submitted_on.isoformat(),
        "deadline": _iso(req.deadline),
        "replied_on": _iso(req.replied_on),
        "closed_on": _iso(req.closed_on),
        "changed_at": (changed or req.created_at).isoformat(),
    }


def _events(req: Request) -> list[RequestEvent]:
    return list(db.session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == req.id)
        .options(selectinload(RequestEvent.actor), selectinload(RequestEvent.actor_department))
        .order_by(RequestEvent.id)))


def detail(req: Request, user, today: date) -> dict:
    events = _events(req)
    masked = masks_request_contacts(user, req, today)
    latest = max((e.at for e in events), default=None)
    return {
        **summary(req, latest),
        "description": req.description,
        "contact": {
            "name": req.contact_name,
            "mobile": (mask_phone(req.contact_mobile) or None) if masked else req.contact_mobile,
            "email": (mask_email(req.contact_email) or None) if masked else req.contact_email,
            "masked": masked,
        },
        "cooperating": [_unit_value(d) for d in req.cooperators],
        "assigned_on": _iso(req.assigned_on),
        "accept_due_on": _iso(req.accept_due_on),
        "accepted_on": _iso(req.accepted_on),
        "original_deadline": _iso(req.original_deadline),
        "extension": ({"days": req.extension_days, "reason": req.extension_reason,
                       "status": req.extension_status} if req.extension_status else None),
        "reply": req.reply,
        "outcome": req.outcome,
        "on_time": req.on_time,
        "reject_reason": req.reject_reason,
        "rating": req.rating,
        "rating_comment": req.rating_comment,
        "rated_on": _iso(req.rated_on),
        "allowed_actions": [a for a in allowed_actions(req, user, today) if a != "close_unrated"],
        "events": [{
            "id": e.id, "action": e.action, "on": e.on.isoformat(), "at": e.at.isoformat(),
            "from_state": e.from_state, "to_state": e.to_state, "text": e.text, "kind": e.kind,
            "actor": e.actor.name if e.actor is not None else e.actor_label,
            "department": e.actor_department.name if e.actor_department is not None else None,
            "public": e.public,
        } for e in events],
    }


def tracking_url(token: str) -> str:
    """The enterprise's tracking link, on the public address (the caller is a server)."""
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return base + url_for("public.track", token=token)


def public_view(req: Request, link: Optional[str]) -> dict:
    """What the enterprise itself sees on its tracking page: public steps, unit names only."""
    return {
        "tracking_number": req.number,
        "tracking_url": link,
        "title": req.title,
        "state": req.state,
        "state_label": req.state_label,
        "submitted_on": req.submitted_on.isoformat(),
        "reply": req.reply,
        "outcome": req.outcome,
        "replied_on": _iso(req.replied_on),
        "replied_by": req.replied_by_department.name if req.replied_by_department is not None else None,
        "reject_reason": req.reject_reason,
        "rating": req.rating,
        "closed_on": _iso(req.closed_on),
        "timeline": [{"on": e.on.isoformat(), "action": e.action, "state": e.to_state,
                      "text": public_event_text(e)} for e in _events(req) if e.public],
    }
