"""/requests: list (with synchronisation by changed_since), read, register, and every workflow
action — through crm.permissions.requests and crm.requests.workflow, like the pages."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from crm.api import request_json as present
from crm.api.auth import READ_SCOPES, WRITE_SCOPES, api_token, api_user, forbid_unless
from crm.api.conditional import IF_MATCH, check_if_match, etag_for
from crm.api.errors import ApiError, validation_error
from crm.api.idempotency import IDEMPOTENCY_KEY, scoped_key
from crm.api.components import component
from crm.api.pagination import PAGE_FIELDS, Key, paginate
from crm.api.request_input import ACTIONS, CREATE_BODY, category
from crm.api.routing import Reply, api_route
from crm.api.schema import Choice, Date, DateTime, Int, Schema, Str
from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db, utcnow
from crm.org.models import Department, Town
from crm.permissions.requests import may, scope_requests
from crm.requests.errors import NotAllowed, WorkflowError
from crm.requests.intake import create_request, enterprise_for_intake
from crm.requests.models import Request, RequestEvent, RequestSource, RequestState
from crm.requests.queries import RequestFilters, apply_filters
from crm.requests.workflow import TRANSITIONS, transition

#: Sync overlap: a change committed just after a query may carry a slightly earlier time.
SYNC_OVERLAP = timedelta(minutes=1)
NUMBER = {"tracking_number": Str(20, description=_l("受理编号，如 2026-000123"))}

LIST_QUERY = Schema(None, {
    "state": Choice([s.value for s in RequestState], description=_l("状态")),
    "department": Str(20, description=_l("牵头或配合单位代码")),
    "category_id": Int(description=_l("诉求类别编号")),
    "town": Str(20, description=_l("乡镇/园区代码")),
    "source": Choice([s.value for s in RequestSource]),
    "submitted_from": Date(description=_l("提交日期起（含）")),
    "submitted_to": Date(description=_l("提交日期止（含）")),
    "q": Str(100, description=_l("受理编号、标题或企业名称中包含的文字")),
    "changed_since": DateTime(description=_l("只列此时刻之后有变化的诉求（用于同步）")),
    **PAGE_FIELDS,
})

_DETAIL = lambda: component("Request", present.detail_schema)  # noqa: E731
_ETAG_HEADER = {"ETag": _l("当前版本标识；执行操作时放在 If-Match 中")}
_NO_MATCH = -1


def _code_id(model, code: str) -> int:
    found = db.session.scalar(select(model.id).where(model.code == code))
    return found if found is not None else _NO_MATCH


@api_route("GET", "/requests", operation_id="listRequests", tag="requests",
           summary=_l("诉求列表（按编号顺序；changed_since 用于增量同步）"), scopes=READ_SCOPES,
           query=LIST_QUERY,
           replies={200: Reply(_l("一页诉求"), lambda: component("RequestPage", present.page_schema))})
def list_requests(query):
    user, today = api_user(), business_today()
    as_of = utcnow() - SYNC_OVERLAP
    filters = RequestFilters(
        state=query.get("state"), category_id=query.get("category_id"), source=query.get("source"),
        department_id=_code_id(Department, query["department"]) if query.get("department") else None,
        town_id=_code_id(Town, query["town"]) if query.get("town") else None,
        date_from=query.get("submitted_from"), date_to=query.get("submitted_to"), q=query.get("q"),
    )
    stmt = apply_filters(scope_requests(select(Request), user, today), filters)
    since = query.get("changed_since")
    if since is not None:
        stmt = stmt.where(or_(Request.created_at > since, exists().where(
            RequestEvent.request_id == Request.id, RequestEvent.at > since)))
    page = paginate(stmt.options(*present.list_loading()), query, [Key(Request.id, "int")],
                    lambda r: (r.id,))
    changed = present.changed_at(page.items)
    return {"items": [present.summary(r, changed.get(r.id)) for r in page.items], "meta": page.meta,
            "as_of": as_of.isoformat()}


def _load(tracking_number: str) -> Request:
    req = db.session.scalar(scope_requests(select(Request).where(Request.number == tracking_number),
                                           api_user(), business_today()))
    if req is None:
        raise ApiError(404)
    return req


def _detail_response(req: Request, status: int = 200, headers: dict | None = None):
    body = present.detail(req, api_user(), business_today())
    return body, status, {"ETag": etag_for(body), **(headers or {})}


@api_route("GET", "/requests/{tracking_number}", operation_id="getRequest", tag="requests",
           summary=_l("一件诉求及其全部办理记录"), scopes=READ_SCOPES, path_params=NUMBER, load=_load,
           replies={200: Reply(_l("诉求"), _DETAIL, _ETAG_HEADER)})
def get_request(tracking_number, query, record):
    return _detail_response(record)


def find_submission(key):
    if key is None:
        return None
    return db.session.scalar(select(Request).where(Request.submission_key == key))


def _workflow_error(exc: WorkflowError) -> ApiError:
    if isinstance(exc, NotAllowed):
        return ApiError(403, "forbidden", exc.message)
    if exc.field:
        return validation_error({exc.field: exc.message})
    return ApiError(409, "invalid_state", exc.message)


@api_route("POST", "/requests", operation_id="createRequest", tag="requests",
           summary=_l("登记一件诉求（区经委、乡镇；同一 Idempotency-Key 重试返回第一次的结果）"),
           scopes=WRITE_SCOPES, body=CREATE_BODY, headers={"Idempotency-Key": IDEMPOTENCY_KEY},
           replies={201: Reply(_l("已登记"), _DETAIL, {**_ETAG_HEADER, "Location": _l("诉求地址")})})
def create(query, body, idempotency_key):
    user = api_user()
    forbid_unless(user.has_role(Role.ADMIN, Role.COMMISSION, Role.TOWN))
    key = scoped_key(api_token(), idempotency_key)
    earlier = find_submission(key)
    if earlier is not None:
        return _created(earlier, replayed=True)
    try:
        enterprise = enterprise_for_intake(user, body["credit_code"], body.get("enterprise_name"))
        req = create_request(
            enterprise=enterprise, enterprise_name=body.get("enterprise_name"),
            credit_code=body["credit_code"], source=RequestSource.API, category=category(body["category_id"]),
            urgent=body["urgent"], title=body["title"], description=body["description"], actor=user,
            contact_name=body.get("contact_name"), contact_mobile=body.get("contact_mobile"),
            contact_email=body.get("contact_email"))
        req.submission_key = key
        db.session.commit()
    except WorkflowError as exc:
        raise _workflow_error(exc)
    except IntegrityError:  # the same key sent twice at once: the other request won
        db.session.rollback()
        earlier = find_submission(key)
        if earlier is None:
            raise
        return _created(earlier, replayed=True)
    return _created(req)


def _created(req: Request, replayed: bool = False):
    headers = {"Location": url_for("api.getRequest", tracking_number=req.number)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _detail_response(req, 201, headers)


def _action_view(action: str):
    def view(tracking_number, query, body, if_match, record):
        user, today, req = api_user(), business_today(), record
        # The workflow's own order: state, then permission; then the client's version.
        if RequestState(req.state) not in TRANSITIONS[action].sources:
            raise ApiError(409, "invalid_state", _("诉求当前状态为「%(s)s」，不能%(a)s。",
                                                   s=req.state_label, a=TRANSITIONS[action].label))
        forbid_unless(may(action, user, req, today))
        check_if_match(if_match, lambda: present.detail(req, user, today))  # required by the route
        data = ACTIONS[action].to_workflow(body)
        try:
            transition(req, action, user, today=today, **data)
            db.session.commit()
        except WorkflowError as exc:
            raise _workflow_error(exc)
        return _detail_response(req)

    view.__name__ = f"action_{action}"
    return view


for _name, _spec in ACTIONS.items():
    api_route(
        "POST", f"/requests/{{tracking_number}}/actions/{_name}", operation_id=f"request_{_name}",
        tag="requests", summary=_spec.summary, description=_spec.description, scopes=WRITE_SCOPES,
        path_params=NUMBER, load=_load, headers={"If-Match": IF_MATCH.required_copy()}, body=_spec.body,
        body_required=any(f.required for f in _spec.body.fields.values()), errors=(404, 409),
        replies={200: Reply(_l("执行后的诉求"), _DETAIL, _ETAG_HEADER)},
    )(_action_view(_name))
