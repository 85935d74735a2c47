"""Reference lists a client needs to fill in the others: request categories, departments, towns,
policies."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.api.auth import READ_SCOPES, SUBMIT_SCOPES
from crm.api.routing import Reply, api_route
from crm.db import db
from crm.org.models import Department, Town
from crm.requests.categories import active_categories
from crm.visits.models import Policy


def _list_of(properties: dict):
    def build() -> dict:
        item = {"type": "object", "required": list(properties), "additionalProperties": False,
                "properties": properties}
        return {"type": "object", "required": ["items"], "additionalProperties": False,
                "properties": {"items": {"type": "array", "items": item}}}
    return build


_UNIT = {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}}


@api_route("GET", "/request-categories", operation_id="listRequestCategories", tag="reference",
           summary=_l("启用的诉求类别及默认办理时限（工作日）"),
           scopes=tuple(dict.fromkeys(READ_SCOPES + SUBMIT_SCOPES)),
           replies={200: Reply(_l("诉求类别"), _list_of({
               "id": {"type": "integer"}, "name": {"type": "string"},
               "time_limit_days": {"type": "integer"}}))})
def categories(query):
    return {"items": [{"id": c.id, "name": c.name, "time_limit_days": c.time_limit_days}
                      for c in active_categories()]}


def _units(model) -> dict:
    rows = db.session.scalars(select(model).where(model.active).order_by(model.code))
    return {"items": [{"id": u.id, "code": u.code, "name": u.name} for u in rows]}


@api_route("GET", "/departments", operation_id="listDepartments", tag="reference",
           summary=_l("启用的部门/单位（交办时用其代码）"), scopes=READ_SCOPES,
           replies={200: Reply(_l("部门"), _list_of(_UNIT))})
def departments(query):
    return _units(Department)


@api_route("GET", "/towns", operation_id="listTowns", tag="reference",
           summary=_l("启用的乡镇/园区"), scopes=READ_SCOPES, replies={200: Reply(_l("乡镇/园区"), _list_of(_UNIT))})
def towns(query):
    return _units(Town)


@api_route("GET", "/policies", operation_id="listPolicies", tag="reference",
           summary=_l("启用的宣传政策（登记走访时用其编号）"), scopes=READ_SCOPES,
           replies={200: Reply(_l("宣传政策"), _list_of({
               "id": {"type": "integer"}, "title": {"type": "string"},
               "tags": {"type": "array", "items": {"type": "string"}}}))})
def policies(query):
    rows = db.session.scalars(select(Policy).where(Policy.active.is_(True))
                              .options(selectinload(Policy.tags)).order_by(Policy.title))
    return {"items": [{"id": p.id, "title": p.title, "tags": [t.name for t in p.tags]} for p in rows]}
