"""/me (who the token acts as) and /users (the liaisons its owner may see and assign), scoped by
crm.permissions like the pages' liaison pickers; officials' phones are masked unless the owner
may call them (crm.permissions.liaisons)."""
from __future__ import annotations

from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from crm.api.auth import READ_SCOPES, api_token, api_user
from crm.api.components import component
from crm.api.pagination import PAGE_FIELDS, Key, page_meta_schema, paginate
from crm.api.routing import Reply, api_route
from crm.api.schema import Schema, Str
from crm.auth.models import User, UserRole
from crm.auth.roles import Role
from crm.org.models import Town
from crm.permissions import keeps_list, scope_users_liaisons, sees_everything
from crm.permissions.liaisons import LiaisonPhones, liaison_phones

_STR = {"type": "string"}
_ROLES = {"type": "array", "items": {"type": "string", "enum": [r.value for r in Role]}}


def _object(properties: dict, description=None) -> dict:
    out = {"type": "object", "required": list(properties), "additionalProperties": False,
           "properties": properties}
    if description:
        out["description"] = str(description)
    return out


def unit_schema() -> dict:
    return _object({"id": {"type": "integer"}, "code": _STR, "name": _STR})


def _unit_or_null() -> dict:
    return {"oneOf": [component("Unit", unit_schema), {"type": "null"}]}


def _unit(unit) -> Optional[dict]:
    return {"id": unit.id, "code": unit.code, "name": unit.name} if unit is not None else None


# --- /me ---------------------------------------------------------------------------------------

def me_schema() -> dict:
    return _object({
        "id": {"type": "integer"}, "login": _STR, "name": _STR, "roles": _ROLES,
        "town": _unit_or_null(), "department": _unit_or_null(),
        "mobile": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]},
        "can": _object({
            "see_everything": {"type": "boolean", "description": str(_l("可查看全区的记录"))},
            "keep_list": {"type": "boolean",
                          "description": str(_l("可新增、修改、移出企业和指派包保人（乡镇用户限本乡镇）"))},
            "see_liaison_phones": {"type": "boolean",
                                   "description": str(_l("可看到包保责任人的完整电话；否则部分隐藏"))},
        }),
        "token": _object({"name": _STR, "scope": {"type": "string", "enum": ["read", "write", "submit"]},
                          "expires_on": {"type": ["string", "null"], "format": "date"}}),
    }, _l("令牌所属用户：角色、所属单位和可做的事"))


@api_route("GET", "/me", operation_id="getMe", tag="users",
           summary=_l("令牌所属用户（角色、所属乡镇/部门、令牌权限范围）"), scopes=READ_SCOPES,
           replies={200: Reply(_l("当前用户"), lambda: component("Me", me_schema))})
def me(query):
    user, token = api_user(), api_token()
    return {
        "id": user.id, "login": user.login, "name": user.name,
        "roles": sorted(r.value for r in user.roles),
        "town": _unit(user.town), "department": _unit(user.department),
        "mobile": user.mobile, "email": user.email,
        "can": {"see_everything": sees_everything(user), "keep_list": keeps_list(user),
                "see_liaison_phones": liaison_phones(user).everyone},
        "token": {"name": token.name, "scope": token.scope,
                  "expires_on": token.expires_on.isoformat() if token.expires_on else None},
    }


# --- /users ------------------------------------------------------------------------------------

LIST_QUERY = Schema(None, {
    "q": Str(50, description=_l("姓名或登录名中包含的文字")),
    "town": Str(20, description=_l("所属乡镇/园区代码")),
    **PAGE_FIELDS,
})


def user_schema() -> dict:
    return _object({
        "id": {"type": "integer", "description": str(_l("指派包保关系时用的 liaison_id"))},
        "login": _STR, "name": _STR, "roles": _ROLES,
        "town": _unit_or_null(), "department": _unit_or_null(),
        "mobile": {"type": ["string", "null"], "description": str(_l("无权查看时部分隐藏"))},
    })


def _page_schema() -> dict:
    return _object({
        "items": {"type": "array", "items": component("User", user_schema)},
        "meta": component("PageMeta", page_meta_schema),
        "phones_masked": {"type": "boolean", "description": str(_l("为 true 时电话已部分隐藏"))},
    })


def _present(person: User, phones: LiaisonPhones) -> dict:
    mobile = phones.shown(person.town_id, person.mobile) or None
    return {"id": person.id, "login": person.login, "name": person.name,
            "roles": sorted(r.value for r in person.roles),
            "town": _unit(person.town), "department": _unit(person.department), "mobile": mobile}


def assignable_liaisons(user):
    """Active liaisons within the user's reach: the ones POST /assignments accepts."""
    liaisons = select(UserRole.user_id).where(UserRole.role == Role.LIAISON.value)
    return scope_users_liaisons(select(User).where(User.active, User.id.in_(liaisons)), user)


@api_route("GET", "/users", operation_id="listUsers", tag="users",
           summary=_l("可指派的包保责任人（全区角色看全部，乡镇用户看本乡镇）"), scopes=READ_SCOPES,
           query=LIST_QUERY,
           description=_l("与页面上选择包保人时的名单相同；指派还需有修改该企业的权限。"),
           replies={200: Reply(_l("一页用户"), lambda: component("UserPage", _page_schema))})
def list_users(query):
    user = api_user()
    stmt = assignable_liaisons(user).options(selectinload(User.town), selectinload(User.department),
                                             selectinload(User.role_rows))
    if query.get("q"):
        text = query["q"]
        stmt = stmt.where(or_(User.name.contains(text, autoescape=True),
                              User.login.contains(text, autoescape=True)))
    if query.get("town"):
        stmt = stmt.where(User.town_id.in_(select(Town.id).where(Town.code == query["town"])))
    page = paginate(stmt, query, [Key(User.id, "int")], lambda u: (u.id,))
    phones = liaison_phones(user)
    return {"items": [_present(u, phones) for u in page.items], "meta": page.meta,
            "phones_masked": not phones.everyone}
