"""/assignments: liaison assignments (包保关系) through crm.enterprises.assignments, scoped by
the enterprise they belong to."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.api.auth import READ_SCOPES, WRITE_SCOPES, api_user, forbid_unless
from crm.api.errors import ApiError, validation_error
from crm.api.components import component
from crm.api.pagination import PAGE_FIELDS, Key, page_meta_schema, paginate
from crm.api.routing import Reply, api_route
from crm.api.schema import Bool, Choice, Date, Int, Schema, Str
from crm.api.users import assignable_liaisons
from crm.auth.models import User
from crm.clock import business_today
from crm.db import db
from crm.enterprises import assignments as service
from crm.enterprises.models import Assignment, AssignmentRole, Enterprise
from crm.permissions import can_edit_enterprise, get_enterprise_or_404, scope_enterprises

LIST_QUERY = Schema(None, {
    "enterprise_id": Int(description=_l("企业编号")),
    "liaison_id": Int(description=_l("包保责任人的用户编号")),
    "active": Bool(description=_l("true：今天在任；false：已结束或尚未开始")),
    **PAGE_FIELDS,
})

CREATE_BODY = Schema("AssignmentCreate", {
    "enterprise_id": Int(required=True),
    "liaison_id": Int(required=True, description=_l("包保责任人的用户编号")),
    "role": Choice([r.value for r in AssignmentRole], default=AssignmentRole.PRIMARY.value,
                   description=_l("primary 主要（默认），assisting 协助")),
    "start_on": Date(description=_l("开始日期，默认今天")),
    "reason": Str(200, nullable=True),
})

END_BODY = Schema("AssignmentEnd", {
    "end_on": Date(required=True, description=_l("解除日期（当天起不再负责）")),
    "reason": Str(200, nullable=True, description=_l("解除原因")),
}, description=_l("结束一条包保关系；其他字段不能修改"))


def assignment_schema() -> dict:
    ref = {"type": "object", "required": ["id", "name"], "additionalProperties": False,
           "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    enterprise = {**ref, "required": ["id", "name", "credit_code"],
                  "properties": {**ref["properties"], "credit_code": {"type": "string"}}}
    properties = {
        "id": {"type": "integer"},
        "enterprise": enterprise,
        "liaison": ref,
        "role": {"type": "string", "enum": [r.value for r in AssignmentRole]},
        "start_on": {"type": "string", "format": "date"},
        "end_on": {"type": ["string", "null"], "format": "date",
                   "description": str(_l("解除日期（不含）；在任时为 null"))},
        "end_reason": {"type": ["string", "null"]},
        "active": {"type": "boolean", "description": str(_l("今天是否在任"))},
        "created_at": {"type": "string", "format": "date-time"},
    }
    return {"type": "object", "required": list(properties), "additionalProperties": False,
            "properties": properties}


def _page_schema() -> dict:
    return {"type": "object", "required": ["items", "meta"], "additionalProperties": False,
            "properties": {"items": {"type": "array", "items": component("Assignment", assignment_schema)},
                           "meta": component("PageMeta", page_meta_schema)}}


def present(a: Assignment, today: date) -> dict:
    return {
        "id": a.id,
        "enterprise": {"id": a.enterprise.id, "name": a.enterprise.name,
                       "credit_code": a.enterprise.credit_code},
        "liaison": {"id": a.liaison.id, "name": a.liaison.name},
        "role": a.role,
        "start_on": a.start_on.isoformat(),
        "end_on": a.end_on.isoformat() if a.end_on else None,
        "end_reason": a.end_reason,
        "active": a.is_active_on(today),
        "created_at": a.created_at.isoformat(),
    }


def _scoped(user, today: date):
    # A subquery, not a join: the scope's own EXISTS on assignments must not correlate with ours.
    visible = scope_enterprises(select(Enterprise.id), user, today)
    return select(Assignment).where(Assignment.enterprise_id.in_(visible))


_ONE = lambda: component("Assignment", assignment_schema)  # noqa: E731


@api_route("GET", "/assignments", operation_id="listAssignments", tag="assignments",
           summary=_l("包保关系（含历史），限可见企业"), scopes=READ_SCOPES, query=LIST_QUERY,
           replies={200: Reply(_l("一页包保关系"), lambda: component("AssignmentPage", _page_schema))})
def list_assignments(query):
    user, today = api_user(), business_today()
    stmt = _scoped(user, today).options(joinedload(Assignment.enterprise), joinedload(Assignment.liaison))
    if query.get("enterprise_id") is not None:
        stmt = stmt.where(Assignment.enterprise_id == query["enterprise_id"])
    if query.get("liaison_id") is not None:
        stmt = stmt.where(Assignment.liaison_id == query["liaison_id"])
    if query.get("active") is not None:
        active = Assignment.active_on(today)
        stmt = stmt.where(active if query["active"] else ~active)
    page = paginate(stmt, query, [Key(Assignment.id, "int")], lambda a: (a.id,))
    return {"items": [present(a, today) for a in page.items], "meta": page.meta}


def _liaison(user, liaison_id: int) -> User:
    """A liaison the user may assign: one GET /users lists (active, liaison role, within reach)."""
    liaison = db.session.scalar(assignable_liaisons(user).where(User.id == liaison_id))
    if liaison is None:
        raise validation_error({"liaison_id": _("不是可指派的包保责任人")})
    return liaison


def _conflict(exc: service.AssignmentError) -> ApiError:
    return ApiError(409, "conflict", str(exc), fields={exc.field or "body": str(exc)})


@api_route("POST", "/assignments", operation_id="createAssignment", tag="assignments",
           summary=_l("指派包保责任人（可编辑该企业的用户）"), scopes=WRITE_SCOPES, body=CREATE_BODY,
           errors=(404, 409), replies={201: Reply(_l("已指派"), _ONE)})
def create(query, body):
    user, today = api_user(), business_today()
    ent = get_enterprise_or_404(body["enterprise_id"], user)
    forbid_unless(can_edit_enterprise(user, ent))
    liaison = _liaison(user, body["liaison_id"])
    try:
        assignment = service.assign(ent, liaison, body["role"], body.get("start_on") or today,
                                    reason=body.get("reason"))
    except service.AssignmentError as exc:
        raise _conflict(exc)
    db.session.commit()
    return present(assignment, today), 201


def _load(assignment_id: int) -> Assignment:
    assignment = db.session.scalar(_scoped(api_user(), business_today()).where(Assignment.id == assignment_id))
    if assignment is None:
        raise ApiError(404)
    return assignment


@api_route("PATCH", "/assignments/{assignment_id}", operation_id="endAssignment",
           tag="assignments", summary=_l("结束一条包保关系"), scopes=WRITE_SCOPES,
           path_params={"assignment_id": Int(description=_l("包保关系编号"))}, load=_load, body=END_BODY,
           errors=(409,), replies={200: Reply(_l("已结束的包保关系"), _ONE)})
def end(assignment_id, query, body, record):
    user, today, assignment = api_user(), business_today(), record
    forbid_unless(can_edit_enterprise(user, assignment.enterprise))
    if assignment.end_on is not None:
        raise _conflict(service.AssignmentError(
            _("该包保关系已于 %(d)s 解除", d=assignment.end_on.isoformat()), "end_on"))
    try:
        service.end(assignment, body["end_on"], reason=body.get("reason"))
    except service.AssignmentError as exc:
        raise validation_error({exc.field or "end_on": str(exc)})
    db.session.commit()
    return present(assignment, today)
