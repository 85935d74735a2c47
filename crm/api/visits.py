"""/visits: list, read, log (idempotently, like the phone form) and change visits, through
crm.permissions.visits and crm.visits.service."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from crm.api import visit_json
from crm.api.auth import READ_SCOPES, WRITE_SCOPES, api_token, api_user, forbid_unless
from crm.api.conditional import IF_MATCH, check_if_match, etag_for
from crm.api.errors import ApiError, validation_error
from crm.api.idempotency import IDEMPOTENCY_KEY, scoped_key
from crm.api.components import component
from crm.api.pagination import PAGE_FIELDS, Key, paginate
from crm.api.routing import Reply, api_route
from crm.api.schema import Date, Int, Schema, Str
from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.permissions.visits import can_edit_visit, loggable_enterprise_or_404, scope_visits
from crm.visits.errors import VisitError
from crm.visits.models import Visit, VisitParticipant
from crm.visits.quarters import Quarter
from crm.visits.queries import requests_by_visit, with_details
from crm.visits.service import create_visit, find_by_key, update_visit

#: Who logs visits, as on the pages.
LOGGERS = (Role.LIAISON, Role.COMMISSION, Role.ADMIN)
VISIT_ID = {"visit_id": Int(description=_l("走访记录编号"))}

LIST_QUERY = Schema(None, {
    "enterprise_id": Int(description=_l("企业编号")),
    "liaison_id": Int(description=_l("参加走访的包保责任人")),
    "quarter": Str(10, description=_l("季度，如 2026Q4")),
    "visited_from": Date(description=_l("走访日期起（含）")),
    "visited_to": Date(description=_l("走访日期止（含）")),
    **PAGE_FIELDS,
})

_ONE = lambda: component("Visit", visit_json.visit_schema)  # noqa: E731
_ETAG_HEADER = {"ETag": _l("当前版本标识；修改时放在 If-Match 中")}


def _quarter(text: str) -> Quarter:
    try:
        quarter = Quarter.parse(text)
        quarter.first_day, quarter.end  # noqa: B018  (year 0 parses but has no dates)
    except (ValueError, OverflowError):
        raise validation_error({"quarter": _("季度格式应为 2026Q4")})
    return quarter


@api_route("GET", "/visits", operation_id="listVisits", tag="visits",
           summary=_l("走访记录（按编号顺序），限可见范围"), scopes=READ_SCOPES, query=LIST_QUERY,
           replies={200: Reply(_l("一页走访记录"), lambda: component("VisitPage", visit_json.page_schema))})
def list_visits(query):
    user, today = api_user(), business_today()
    stmt = scope_visits(select(Visit), user, today)
    if query.get("enterprise_id") is not None:
        stmt = stmt.where(Visit.enterprise_id == query["enterprise_id"])
    if query.get("liaison_id") is not None:
        stmt = stmt.where(exists().where(VisitParticipant.visit_id == Visit.id,
                                         VisitParticipant.liaison_id == query["liaison_id"]))
    if query.get("quarter"):
        quarter = _quarter(query["quarter"])
        stmt = stmt.where(Visit.visited_on >= quarter.first_day, Visit.visited_on < quarter.end)
    if query.get("visited_from"):
        stmt = stmt.where(Visit.visited_on >= query["visited_from"])
    if query.get("visited_to"):
        stmt = stmt.where(Visit.visited_on <= query["visited_to"])
    page = paginate(with_details(stmt), query, [Key(Visit.id, "int")], lambda v: (v.id,))
    requests = requests_by_visit([v.id for v in page.items], user)
    return {"items": [visit_json.present(v, requests.get(v.id, [])) for v in page.items],
            "meta": page.meta}


def _load(visit_id: int) -> Visit:
    visit = db.session.scalar(scope_visits(select(Visit).where(Visit.id == visit_id), api_user()))
    if visit is None:
        raise ApiError(404)
    return visit


def _body(visit: Visit) -> dict:
    return visit_json.present(visit, requests_by_visit([visit.id], api_user()).get(visit.id, []))


def _response(visit: Visit, status: int = 200, headers: dict | None = None):
    body = _body(visit)
    return body, status, {"ETag": etag_for(body), **(headers or {})}


@api_route("GET", "/visits/{visit_id}", operation_id="getVisit", tag="visits",
           summary=_l("一条走访记录及其产生的诉求"), scopes=READ_SCOPES, path_params=VISIT_ID, load=_load,
           replies={200: Reply(_l("走访记录"), _ONE, _ETAG_HEADER)})
def get_visit(visit_id, query, record):
    return _response(record)


def _refused(exc: VisitError) -> ApiError:
    return validation_error({visit_json.api_field(k): v for k, v in exc.errors.items()})


def _saved(visit: Visit, replayed: bool = False):
    headers = {"Location": url_for("api.getVisit", visit_id=visit.id)}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _response(visit, 201, headers)


@api_route("POST", "/visits", operation_id="createVisit", tag="visits",
           summary=_l("登记走访（与手机表单相同的规则；同一 Idempotency-Key 重试返回第一次的结果）"),
           scopes=WRITE_SCOPES, body=visit_json.CREATE_BODY, headers={"Idempotency-Key": IDEMPOTENCY_KEY},
           errors=(404,), replies={201: Reply(_l("已登记"), _ONE, {**_ETAG_HEADER, "Location": _l("走访记录地址")})})
def create(query, body, idempotency_key):
    user, today = api_user(), business_today()
    forbid_unless(user.has_role(*LOGGERS))
    key = scoped_key(api_token(), idempotency_key)
    earlier = find_by_key(key, user)
    if earlier is not None:
        return _saved(earlier, replayed=True)
    enterprise = loggable_enterprise_or_404(body["enterprise_id"], user, today)
    try:
        saved = create_visit(enterprise, visit_json.visit_input(body, today=today, key=key), user, today=today)
        db.session.commit()
    except VisitError as exc:
        raise _refused(exc)
    except IntegrityError:  # the same key committed by a parallel retry a moment ago
        db.session.rollback()
        earlier = find_by_key(key, user)
        if earlier is None:
            raise
        return _saved(earlier, replayed=True)
    return _saved(saved.visit, replayed=saved.replayed)


@api_route("PATCH", "/visits/{visit_id}", operation_id="updateVisit", tag="visits",
           summary=_l("修改走访记录（作者 7 天内，之后仅区经委）；须带 If-Match"), scopes=WRITE_SCOPES,
           path_params=VISIT_ID, load=_load, headers={"If-Match": IF_MATCH.required_copy()},
           body=visit_json.UPDATE_BODY, errors=(409,),
           replies={200: Reply(_l("修改后的走访记录"), _ONE, _ETAG_HEADER)})
def update(visit_id, query, body, if_match, record):
    user, today, visit = api_user(), business_today(), record
    forbid_unless(user.has_role(*LOGGERS) and can_edit_visit(user, visit, today))
    check_if_match(if_match, lambda: _body(visit))
    try:
        update_visit(visit, visit_json.visit_input(body, today=today, visit=visit), user, today=today)
        db.session.commit()
    except VisitError as exc:
        raise _refused(exc)
    return _response(visit)
