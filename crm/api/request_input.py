"""What a client may send to register a request or take a workflow step, and how it becomes the
arguments of crm.requests.intake / crm.requests.workflow (which validate again, as for the forms)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.api.errors import validation_error
from crm.api.schema import Bool, Choice, CreditCode, Int, ListOf, Schema, Str
from crm.db import db
from crm.enterprises.contacts import normalize_email, normalize_phone
from crm.org.models import Department
from crm.requests.models import Category, Outcome, Rating
from crm.requests.workflow import MAX_TEXT, MAX_TIME_LIMIT, NOTE_KINDS, TRANSITIONS


def category(category_id: int) -> Category:
    found = db.session.get(Category, category_id)
    if found is None or not found.active:
        raise validation_error({"category_id": _("没有编号为 %(id)s 的诉求类别", id=category_id)})
    return found


def department(code: str, field: str) -> Department:
    found = db.session.scalar(select(Department).where(Department.code == code, Department.active))
    if found is None:
        raise validation_error({field: _("没有代码为“%(code)s”的单位", code=code)})
    return found


def _text(n: int = MAX_TEXT, **kw) -> Str:
    return Str(n, multiline=True, **kw)


CREATE_BODY = Schema("RequestCreate", {
    "credit_code": CreditCode(required=True),
    "enterprise_name": Str(200, nullable=True, description=_l("系统中没有该企业时必填")),
    "category_id": Int(required=True, description=_l("诉求类别编号（见 GET /request-categories）")),
    "urgent": Bool(default=False, description=_l("紧急：办理时限减半")),
    "title": Str(200, required=True),
    "description": _text(required=True),
    "contact_name": Str(64, nullable=True),
    "contact_mobile": Str(30, nullable=True, check=normalize_phone),
    "contact_email": Str(120, nullable=True, check=normalize_email),
})


@dataclass
class ActionSpec:
    """One workflow step in the API: its body and how the body becomes transition() arguments."""

    body: Schema
    to_workflow: Callable[[dict], dict[str, Any]]
    summary: Any
    description: Any = None


def _same(body: dict) -> dict:
    return dict(body)


def _assign(body: dict) -> dict:
    return {
        "lead_department": department(body["lead_department"], "lead_department"),
        "cooperating": [department(code, "cooperating") for code in body.get("cooperating") or []],
        "time_limit_days": body.get("time_limit_days"),
        "instructions": body.get("instructions"),
    }


_OUTCOMES = [o.value for o in Outcome]


def _spec(action: str, fields: dict, to_workflow=_same, description=None) -> ActionSpec:
    return ActionSpec(Schema(f"Action_{action}", fields), to_workflow, TRANSITIONS[action].label,
                      description)


#: Every workflow step a user can take (the scheduled close_unrated is the system's alone).
ACTIONS: dict[str, ActionSpec] = {
    "answer_on_site": _spec("answer_on_site", {
        "answer": _text(required=True), "outcome": Choice(_OUTCOMES)}),
    "assign": _spec("assign", {
        "lead_department": Str(20, required=True, description=_l("牵头单位代码（只能一个）")),
        "cooperating": ListOf(Str(20), max_items=20, unique=True, description=_l("配合单位代码")),
        "time_limit_days": Int(minimum=1, maximum=MAX_TIME_LIMIT,
                               description=_l("办理时限（工作日），默认按类别")),
        "instructions": _text(nullable=True, description=_l("督办意见")),
    }, _assign),
    "reject": _spec("reject", {"reason": _text(required=True, description=_l("企业可以看到"))}),
    "accept": _spec("accept", {}),
    "return": _spec("return", {"reason": _text(required=True)}),
    "request_extension": _spec("request_extension", {
        "days": Int(required=True, minimum=1, maximum=MAX_TIME_LIMIT), "reason": _text(required=True)}),
    "approve_extension": _spec("approve_extension", {"note": _text(nullable=True)}),
    "deny_extension": _spec("deny_extension", {"note": _text(nullable=True)}),
    "escalate": _spec("escalate", {"reasons": _text(required=True, description=_l("各方理据"))}),
    "reply": _spec("reply", {"answer": _text(required=True), "outcome": Choice(_OUTCOMES, required=True)}),
    "rate": _spec("rate", {"rating": Choice([r.value for r in Rating], required=True),
                           "comment": _text(2000, nullable=True)},
                  description=_l("代企业登记评价（如电话回访）")),
    "close": _spec("close", {"explanation": _text(required=True)}),
    "note": _spec("note", {"text": _text(required=True), "kind": Choice(list(NOTE_KINDS), default="note")}),
    "urge": _spec("urge", {"instructions": _text(nullable=True, description=_l("督办要求"))}),
}
