"""The OpenAPI 3.1 document, built from the operations declared with `api_route`, and the page
that shows it to people (server-rendered from the same document; no external asset).
"""
from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import lazy_gettext as _l

from crm.api import bp
from crm.api.components import COMPONENTS, component
from crm.api.errors import DEFAULTS
from crm.api.pagination import MAX_PER_PAGE
from crm.api.payload import max_body_bytes
from crm.api.routing import OPERATIONS, Operation

API_VERSION = "1.0.0"

TAGS = {
    "enterprises": _l("重点企业"),
    "assignments": _l("包保关系"),
    "visits": _l("走访记录"),
    "requests": _l("诉求"),
    "public": _l("诉求转入（热线、一网通办）"),
    "reports": _l("报表"),
    "reference": _l("基础数据"),
    "users": _l("用户（当前用户、可指派的包保责任人）"),
}

#: Response headers documented for some error statuses.
_ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
    429: {"Retry-After": {"schema": {"type": "string"}, "description": "秒数 / seconds"}},
}


def error_schema() -> dict:
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": str(_l("机器可读的错误代码"))},
                "message": {"type": "string", "description": str(_l("按 Accept-Language 给出的说明"))},
                "fields": {"type": "object", "additionalProperties": {"type": "string"},
                           "description": str(_l("字段 -> 该字段的错误说明"))},
            },
        }},
    }


def _parameters(op: Operation) -> list[dict]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": f.schema(),
         **({"description": str(f.description)} if f.description else {})}
        for name, f in op.path_params.items()
    ]
    params += op.query.query_parameters()
    params += [
        {"name": name, "in": "header", "required": f.required, "schema": f.schema(),
         **({"description": str(f.description)} if f.description else {})}
        for name, f in op.headers.items()
    ]
    return params


def _responses(op: Operation) -> dict:
    out: dict[str, Any] = {}
    for status, reply in op.replies.items():
        entry: dict[str, Any] = {"description": str(reply.description)}
        if reply.schema is not None:
            entry["content"] = {"application/json": {"schema": reply.schema()}}
        if reply.headers:
            entry["headers"] = {name: {"schema": {"type": "string"}, "description": str(text)}
                                for name, text in reply.headers.items()}
        out[str(status)] = entry
    for status in op.error_statuses:
        out[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    return out


def _operation(op: Operation) -> dict:
    out: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": str(op.summary),
        "tags": [op.tag],
        "x-scopes": [s.value for s in op.scopes],
        "parameters": _parameters(op),
        "responses": _responses(op),
    }
    if op.description:
        out["description"] = str(op.description)
    if op.body is not None:
        out["requestBody"] = {"required": op.body_required,
                              "content": {"application/json": {"schema": op.body.schema()}}}
    return out


def _render_components() -> dict:
    schemas: dict[str, dict] = {}
    while len(schemas) < len(COMPONENTS):  # rendering one may register more
        for name, build in list(COMPONENTS.items()):
            if name not in schemas:
                schemas[name] = build() if callable(build) else build
    return dict(sorted(schemas.items()))


def document() -> dict:
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    statuses = sorted({s for op in OPERATIONS for s in op.error_statuses})
    responses = {
        f"Error{s}": {
            "description": str(DEFAULTS[s][1]),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            **({"headers": _ERROR_HEADERS[s]} if s in _ERROR_HEADERS else {}),
        }
        for s in statuses
    }
    component("Error", error_schema)
    used_tags = list(dict.fromkeys(op.tag for op in OPERATIONS))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": str(_l("企业服务包管理系统 集成接口")),
            "version": API_VERSION,
            "description": str(_l(
                "令牌认证（Authorization: Bearer <令牌>），JSON 输入输出。每页最多 %(max)s 条；"
                "请求体最大 %(kb)s KB；所有错误使用同一格式。",
                max=MAX_PER_PAGE, kb=max_body_bytes() // 1024)),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": t, "description": str(TAGS.get(t, t))} for t in used_tags],
        "paths": paths,
        "components": {
            "schemas": _render_components(),
            "responses": responses,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": str(_l("管理员创建的 API 令牌"))}},
        },
    }


@bp.route("/openapi.json")
def openapi_json():
    return jsonify(document())

