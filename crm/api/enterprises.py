"""/enterprises: the key list through the API, scoped, filtered and edited by the same code as
the pages (crm.permissions, crm.enterprises.filters, crm.enterprises.records)."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm.api import enterprise_json as present
from crm.api.auth import READ_SCOPES, WRITE_SCOPES, api_user, forbid_unless
from crm.api.conditional import IF_MATCH, check_if_match, etag_for
from crm.api.enterprise_input import CREATE_BODY, UPDATE_BODY, enterprise_data
from crm.api.errors import ApiError, validation_error
from crm.api.components import component
from crm.api.pagination import PAGE_FIELDS, Key, paginate
from crm.api.routing import Reply, api_route
from crm.api.schema import Bool, Choice, Int, Schema, Str
from crm.clock import business_today
from crm.db import db
from crm.enterprises import records
from crm.enterprises.credit_code import normalize as normalize_credit_code
from crm.enterprises.filters import EnterpriseFilter
from crm.enterprises.models import Enterprise, Level, Tag
from crm.org.models import Town
from crm.permissions import can_edit_enterprise, get_enterprise_or_404, keeps_list, scope_enterprises

ENTERPRISE_ID = {"enterprise_id": Int(description=_l("企业编号"))}

LIST_QUERY = Schema(None, {
    "q": Str(100, description=_l("企业名称、统一社会信用代码或联系人姓名中包含的文字；联系电话只在您能看到完整号码的企业中查找")),
    "town": Str(20, description=_l("乡镇/园区代码")),
    "level": Choice([lv.value for lv in Level], description=_l("级别：district 区级，town 镇级")),
    "tag": Str(50, description=_l("标签名称")),
    "liaison": Int(description=_l("今天在任的包保责任人的用户编号")),
    "no_liaison": Bool(description=_l("true：只列今天在清单上、却没有在任包保责任人的企业（覆盖缺口）")),
    "listed": Bool(description=_l("true：今天在清单上；false：已移出清单；不填：全部")),
    **PAGE_FIELDS,
})

_DETAIL = lambda: component("Enterprise", present.detail_schema)  # noqa: E731
_ETAG_HEADER = {"ETag": _l("当前版本标识，修改时放在 If-Match 中")}
_NO_MATCH = -1  # an id no row has: an unknown town code or tag name matches nothing


def _id_of(model, column, value) -> int:
    found = db.session.scalar(select(model.id).where(func.lower(column) == value.lower()))
    return found if found is not None else _NO_MATCH


def list_filter(query: dict) -> EnterpriseFilter:
    """The page's filter, filled from the API's query parameters."""
    listed = query.get("listed")
    return EnterpriseFilter(
        q=query.get("q") or "",
        town=_id_of(Town, Town.code, query["town"]) if query.get("town") else None,
        level=query.get("level") or "",
        tag=_id_of(Tag, Tag.name, query["tag"]) if query.get("tag") else None,
        liaison=query.get("liaison"),
        status="all" if listed is None else ("listed" if listed else "removed"),
        no_liaison=bool(query.get("no_liaison")),
    )


@api_route("GET", "/enterprises", operation_id="listEnterprises", tag="enterprises",
           summary=_l("重点企业列表（按编号排序，可筛选）"), scopes=READ_SCOPES, query=LIST_QUERY,
           replies={200: Reply(_l("一页企业"), lambda: component("EnterprisePage", present.page_schema))})
def list_enterprises(query):
    user, today = api_user(), business_today()
    # The list page's own select (scope, filters); re-ordered by id for stable pagination.
    stmt = list_filter(query).select(user, today).order_by(None).options(*present.load_options())
    page = paginate(stmt, query, [Key(Enterprise.id, "int")], lambda e: (e.id,))
    return {"items": [present.summary(e, today) for e in page.items], "meta": page.meta}


def _detail_response(ent: Enterprise, status: int = 200, headers: dict | None = None):
    body = present.detail(ent, api_user(), business_today())
    return body, status, {"ETag": etag_for(body), **(headers or {})}


def _load(enterprise_id: int) -> Enterprise:
    return get_enterprise_or_404(enterprise_id, api_user())


@api_route("GET", "/enterprises/{enterprise_id}", operation_id="getEnterprise", tag="enterprises",
           summary=_l("一家企业（部门用户看到的联系电话已部分隐藏）"), scopes=READ_SCOPES,
           path_params=ENTERPRISE_ID, load=_load, replies={200: Reply(_l("企业"), _DETAIL, _ETAG_HEADER)})
def get_enterprise(enterprise_id, query, record):
    return _detail_response(record)


@api_route("GET", "/enterprises/by-code/{credit_code}", operation_id="getEnterpriseByCode",
           tag="enterprises", summary=_l("按统一社会信用代码查找企业"), scopes=READ_SCOPES,
           path_params={"credit_code": Str(40, description=_l("统一社会信用代码"))},
           replies={200: Reply(_l("企业"), _DETAIL, _ETAG_HEADER)})
def get_enterprise_by_code(credit_code, query):
    try:
        code = normalize_credit_code(credit_code)
    except ValueError as exc:
        raise validation_error({"credit_code": str(exc)})
    stmt = select(Enterprise).where(Enterprise.credit_code == code)
    ent = db.session.scalar(scope_enterprises(stmt, api_user()))
    if ent is None:
        raise ApiError(404)
    return _detail_response(ent)


def _record_error(exc: records.RecordError) -> ApiError:
    if exc.field == "credit_code":
        return ApiError(409, "duplicate_credit_code", str(exc), fields={"credit_code": str(exc)})
    return validation_error({exc.field or "body": str(exc)})


def _duplicate_code() -> ApiError:
    """Another request registered the same code between our check and our insert."""
    db.session.rollback()
    return _record_error(records.RecordError(_("该统一社会信用代码已登记"), "credit_code"))


@api_route("POST", "/enterprises", operation_id="createEnterprise", tag="enterprises",
           summary=_l("新增企业并列入清单（区经委、管理员；乡镇用户限本乡镇）"), scopes=WRITE_SCOPES,
           body=CREATE_BODY, errors=(409,),
           replies={201: Reply(_l("已创建"), _DETAIL, {**_ETAG_HEADER, "Location": _l("新企业的地址")})})
def create(query, body):
    user = api_user()
    forbid_unless(keeps_list(user))
    data = enterprise_data(body)
    forbid_unless(can_edit_enterprise(user, town_id=data.town_id))
    today = business_today()
    listed_on = body.get("listed_on") or today
    if listed_on > today:
        raise validation_error({"listed_on": _("列入日期不能晚于今天")})
    try:
        ent = records.create_enterprise(data, listed_on, added_reason=body.get("listed_reason"))
        db.session.commit()
    except records.RecordError as exc:
        raise _record_error(exc)
    except IntegrityError:
        raise _duplicate_code()
    return _detail_response(ent, 201, {"Location": url_for("api.getEnterprise", enterprise_id=ent.id)})


@api_route("PATCH", "/enterprises/{enterprise_id}", operation_id="updateEnterprise",
           tag="enterprises", summary=_l("修改企业信息（只改提交的字段）"), scopes=WRITE_SCOPES,
           path_params=ENTERPRISE_ID, load=_load, headers={"If-Match": IF_MATCH}, body=UPDATE_BODY,
           errors=(409,), replies={200: Reply(_l("修改后的企业"), _DETAIL, _ETAG_HEADER)})
def update(enterprise_id, query, body, if_match, record):
    user, today, ent = api_user(), business_today(), record
    forbid_unless(can_edit_enterprise(user, ent))
    check_if_match(if_match, lambda: present.detail(ent, user, today))
    data = enterprise_data(body, ent)
    forbid_unless(can_edit_enterprise(user, town_id=data.town_id))
    try:
        records.update_enterprise(ent, data, reason=body.get("reason"))
        db.session.commit()
    except records.RecordError as exc:
        raise _record_error(exc)
    except IntegrityError:
        raise _duplicate_code()
    return _detail_response(ent)
