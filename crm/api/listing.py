"""Taking an enterprise off the key list and putting it back, through the page's own service
(crm.enterprises.records.remove_from_list / relist): same rules, same audit rows."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.api import enterprise_json as present
from crm.api.auth import WRITE_SCOPES, api_user, forbid_unless
from crm.api.components import component
from crm.api.conditional import IF_MATCH, check_if_match, etag_for
from crm.api.enterprises import ENTERPRISE_ID
from crm.api.errors import ApiError, validation_error
from crm.api.routing import Reply, api_route
from crm.api.schema import Bool, Date, Schema, Str
from crm.clock import business_today
from crm.db import db
from crm.enterprises import records
from crm.enterprises.models import Enterprise
from crm.permissions import can_edit_enterprise, get_enterprise_or_404

DELIST_BODY = Schema("EnterpriseDelist", {
    "removed_on": Date(description=_l("移出日期（当天起不在清单上），默认今天；不能晚于今天")),
    "reason": Str(200, required=True, description=_l("移出原因")),
    "end_assignments": Bool(default=True, description=_l("同时解除该企业的包保关系（默认 true，与页面相同）")),
}, description=_l("将企业移出重点企业清单"))

RELIST_BODY = Schema("EnterpriseRelist", {
    "listed_on": Date(description=_l("重新列入日期，默认今天；不能晚于今天，也不能早于上次移出日期")),
    "reason": Str(200, required=True, description=_l("列入原因")),
}, description=_l("将已移出的企业重新列入重点企业清单"))

_DETAIL = lambda: component("Enterprise", present.detail_schema)  # noqa: E731
_REPLY = {200: Reply(_l("操作后的企业"), _DETAIL, {"ETag": _l("当前版本标识")})}


def _load(enterprise_id: int) -> Enterprise:
    return get_enterprise_or_404(enterprise_id, api_user())


def _editable(ent: Enterprise, if_match) -> None:
    """The page's order: may the user change it (403), then is the client's version current (409)."""
    user = api_user()
    forbid_unless(can_edit_enterprise(user, ent))
    check_if_match(if_match, lambda: present.detail(ent, user, business_today()))


def _response(ent: Enterprise):
    db.session.refresh(ent)  # the service changed periods and assignments behind the collections
    body = present.detail(ent, api_user(), business_today())
    return body, 200, {"ETag": etag_for(body)}


@api_route("POST", "/enterprises/{enterprise_id}/actions/delist", operation_id="delistEnterprise",
           tag="enterprises", summary=_l("移出重点企业清单（可同时解除包保关系；与页面相同的规则和审计）"),
           scopes=WRITE_SCOPES, path_params=ENTERPRISE_ID, load=_load, headers={"If-Match": IF_MATCH},
           body=DELIST_BODY, errors=(409,), replies=_REPLY)
def delist(enterprise_id, query, body, if_match, record):
    ent, today = record, business_today()
    _editable(ent, if_match)
    if ent.open_period is None:
        raise ApiError(409, "not_listed", _("该企业当前不在重点企业清单中"))
    try:
        records.remove_from_list(ent, body.get("removed_on") or today, body["reason"], today,
                                 end_assignments=body["end_assignments"])
    except records.RecordError as exc:
        raise validation_error({"removed_on": str(exc)})
    db.session.commit()
    return _response(ent)


@api_route("POST", "/enterprises/{enterprise_id}/actions/relist", operation_id="relistEnterprise",
           tag="enterprises", summary=_l("重新列入重点企业清单（新开一段清单记录，原记录保留）"),
           scopes=WRITE_SCOPES, path_params=ENTERPRISE_ID, load=_load, headers={"If-Match": IF_MATCH},
           body=RELIST_BODY, errors=(409,), replies=_REPLY)
def relist(enterprise_id, query, body, if_match, record):
    ent, today = record, business_today()
    _editable(ent, if_match)
    if ent.open_period is not None:
        raise ApiError(409, "already_listed", _("该企业已在重点企业清单中"))
    try:
        records.relist(ent, body.get("listed_on") or today, body["reason"], today)
    except records.RecordError as exc:
        raise validation_error({"listed_on": str(exc)})
    db.session.commit()
    return _response(ent)
