"""How an enterprise looks in the API (list item and full record), with the schemas that say so."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, selectinload

from crm.api.components import component
from crm.api.pagination import page_meta_schema
from crm.enterprises.contacts import mask_email, mask_phone
from crm.enterprises.industries import INDUSTRY_SECTIONS
from crm.enterprises.models import Assignment, Enterprise, Level
from crm.permissions import masks_contacts

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_DATE = {"type": "string", "format": "date"}
_DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
_TIMESTAMP = {"type": "string", "format": "date-time"}
_ID = {"type": "integer", "minimum": 1}


def _object(properties: dict, description=None) -> dict:
    out = {"type": "object", "required": list(properties), "additionalProperties": False,
           "properties": properties}
    if description:
        out["description"] = str(description)
    return out


def town_schema() -> dict:
    return _object({"id": _ID, "code": _STR, "name": _STR})


def liaison_schema() -> dict:
    return _object({
        "assignment_id": _ID, "user_id": _ID, "name": _STR,
        "role": {"type": "string", "enum": ["primary", "assisting"]}, "start_on": _DATE,
    }, _l("今天在任的包保责任人"))


def summary_properties() -> dict:
    return {
        "id": _ID,
        "name": _STR,
        "credit_code": {"type": "string", "minLength": 18, "maxLength": 18},
        "town": component("Town", town_schema),
        "level": {"type": "string", "enum": [lv.value for lv in Level]},
        "industry": {"type": ["string", "null"], "enum": [*INDUSTRY_SECTIONS, None]},
        "tags": {"type": "array", "items": _STR},
        "listed": {"type": "boolean", "description": str(_l("今天是否在重点企业清单上"))},
        "liaisons": {"type": "array", "items": component("Liaison", liaison_schema)},
    }


def summary_schema() -> dict:
    return _object(summary_properties())


def detail_schema() -> dict:
    contact = _object({"id": _ID, "name": _STR, "title": _STR_OR_NULL, "mobile": _STR_OR_NULL,
                       "email": _STR_OR_NULL})
    period = _object({"added_on": _DATE, "removed_on": _DATE_OR_NULL,
                      "added_reason": _STR_OR_NULL, "removed_reason": _STR_OR_NULL})
    return _object({
        **summary_properties(),
        "address": _STR_OR_NULL,
        "notes": _STR_OR_NULL,
        "contacts": {"type": "array", "items": contact},
        "contacts_masked": {"type": "boolean",
                            "description": str(_l("为 true 时联系电话和邮箱已部分隐藏"))},
        "list_periods": {"type": "array", "items": period},
        "created_at": _TIMESTAMP,
        "updated_at": _TIMESTAMP,
    })


def page_schema() -> dict:
    return _object({"items": {"type": "array", "items": component("EnterpriseSummary", summary_schema)},
                    "meta": component("PageMeta", page_meta_schema)})


def load_options():
    """Eager loads for a page of enterprises (a select joined to Town): a fixed number of queries
    whatever the page size."""
    return (
        contains_eager(Enterprise.town),
        selectinload(Enterprise.tags),
        selectinload(Enterprise.list_periods),
        selectinload(Enterprise.assignments).selectinload(Assignment.liaison),
    )


def _listed(ent: Enterprise, today: date) -> bool:
    return any(p.added_on <= today and (p.removed_on is None or p.removed_on > today)
               for p in ent.list_periods)


def summary(ent: Enterprise, today: date) -> dict:
    return {
        "id": ent.id,
        "name": ent.name,
        "credit_code": ent.credit_code,
        "town": {"id": ent.town.id, "code": ent.town.code, "name": ent.town.name},
        "level": ent.level,
        "industry": ent.industry,
        "tags": [t.name for t in ent.tags],
        "listed": _listed(ent, today),
        "liaisons": [
            {"assignment_id": a.id, "user_id": a.liaison_id, "name": a.liaison.name,
             "role": a.role, "start_on": a.start_on.isoformat()}
            for a in ent.assignments
            if a.start_on <= today and (a.end_on is None or a.end_on > today)
        ],
    }


def detail(ent: Enterprise, user, today: date) -> dict:
    masked = masks_contacts(user, ent, today)
    return {
        **summary(ent, today),
        "address": ent.address,
        "notes": ent.notes,
        "contacts": [
            {"id": c.id, "name": c.name, "title": c.title,
             "mobile": (mask_phone(c.mobile) or None) if masked else c.mobile,
             "email": (mask_email(c.email) or None) if masked else c.email}
            for c in ent.contacts
        ],
        "contacts_masked": masked,
        "list_periods": [
            {"added_on": p.added_on.isoformat(),
             "removed_on": p.removed_on.isoformat() if p.removed_on else None,
             "added_reason": p.added_reason, "removed_reason": p.removed_reason}
            for p in sorted(ent.list_periods, key=lambda p: (p.added_on, p.id))
        ],
        "created_at": ent.created_at.isoformat(),
        "updated_at": ent.updated_at.isoformat(),
    }

