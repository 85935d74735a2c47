"""`api_route`: registers a view AND its OpenAPI operation, and runs every request through one
pipeline — authenticate, check the token's scope, convert path parameters, load the record they
name (404 when out of scope), validate the headers, the query and the body — before the view
runs. The document is built from the same declarations.

The record is loaded before anything the client sent is validated, so a record out of the
caller's scope answers 404 whatever the body: a 422 would tell that it exists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable, Iterable, Mapping, Optional

from flask import Response, jsonify, request
from flask_babel import gettext as _

from crm.api import bp
from crm.api.auth import authenticate, check_scope
from crm.api.errors import ApiError, content_language, validation_error
from crm.api.payload import read_json
from crm.api.schema import Field, FieldErrors, Invalid, Schema
from crm.api.tokens import Scope
from crm.db import db

_PATH_PARAM = re.compile(r"{(\w+)}")
_EMPTY_QUERY = Schema(None, {})


@dataclass
class Reply:
    """A documented success response: description, body schema (None: no body), headers."""

    description: Any
    schema: Optional[Callable[[], dict]] = None
    headers: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    summary: Any
    tag: str
    scopes: tuple[Scope, ...]
    path_params: Mapping[str, Field]
    query: Schema
    body: Optional[Schema]
    replies: Mapping[int, Reply]
    errors: tuple[int, ...]
    description: Any = None
    headers: Mapping[str, Field] = field(default_factory=dict)
    #: False: the body may be left out (an empty one means {}).
    body_required: bool = True

    @property
    def error_statuses(self) -> list[int]:
        statuses = {401, 403, 422, 429, *self.errors}
        if self.path_params:
            statuses.add(404)
        if self.body is not None:
            statuses.update({400, 413, 415})
        return sorted(statuses)


#: Every API operation, in registration order; the OpenAPI document lists them.
OPERATIONS: list[Operation] = []


def api_route(method: str, path: str, *, operation_id: str, summary: Any, tag: str,
              scopes: Iterable[Scope], replies: Mapping[int, Reply],
              path_params: Optional[Mapping[str, Field]] = None, query: Optional[Schema] = None,
              body: Optional[Schema] = None, errors: Iterable[int] = (), description: Any = None,
              headers: Optional[Mapping[str, Field]] = None, body_required: bool = True,
              load: Optional[Callable[..., Any]] = None) -> Callable:
    """Declare an API operation. The view gets the converted path parameters, the declared
    headers (If-Match -> if_match), `query`, with a body schema `body`, and with `load` (called
    with the path parameters; raises 404 for a record out of scope) `record`, as keywords."""
    op = Operation(method.upper(), path, operation_id, summary, tag, tuple(scopes),
                   dict(path_params or {}), query or _EMPTY_QUERY, body, dict(replies),
                   tuple(errors), description, dict(headers or {}), body_required)
    names = _PATH_PARAM.findall(path)
    assert set(names) == set(op.path_params), f"path parameters of {path} not declared"
    rule = _PATH_PARAM.sub(r"<\1>", path)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def run(**raw_path: str):
            token = authenticate()
            check_scope(token, op.scopes)
            kwargs: dict[str, Any] = _path_values(op, raw_path)
            if load is not None:
                kwargs["record"] = load(**kwargs)
            kwargs.update(_header_values(op))
            kwargs["query"] = _query_values(op)
            if op.body is not None:
                kwargs["body"] = _body_values(op.body, op.body_required)
            try:
                return _to_response(view(**kwargs))
            except Exception:
                db.session.rollback()  # a refused request changes nothing
                raise

        bp.add_url_rule(rule, endpoint=operation_id, view_func=run, methods=[op.method])
        OPERATIONS.append(op)
        return run

    return decorator


def _path_values(op: Operation, raw: Mapping[str, str]) -> dict[str, Any]:
    """Path parameters; one that cannot name a record answers 404, as a missing record would."""
    values = {}
    for name, f in op.path_params.items():
        try:
            values[name] = f.parse(raw[name])
        except Invalid:
            raise ApiError(404)
    return values


def _header_values(op: Operation) -> dict[str, Any]:
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, f in op.headers.items():
        key = name.lower().replace("-", "_")
        text = request.headers.get(name)
        if text is None:
            if f.required:
                errors[name] = _("必填")
            values[key] = None
            continue
        try:
            values[key] = f.parse(text)
        except Invalid as exc:
            errors[name] = str(exc)
    if errors:
        raise validation_error(errors)
    return values


def _query_values(op: Operation) -> dict[str, Any]:
    data: dict[str, str] = {}
    repeated: dict[str, str] = {}
    for key, values in request.args.lists():
        if len(values) > 1:
            repeated[key] = _("只能提供一个值")
        data[key] = values[-1]
    try:
        loaded = op.query.load_mapping(data, parse=True)
    except FieldErrors as exc:
        raise validation_error({**repeated, **exc.fields})
    if repeated:
        raise validation_error(repeated)
    return loaded


def _body_values(schema: Schema, required: bool) -> dict[str, Any]:
    if not required and not request.content_length and not request.headers.get("Transfer-Encoding"):
        return schema.load_mapping({}, parse=False)
    value = read_json()
    if not isinstance(value, dict):
        raise validation_error({}, _("请求体应为 JSON 对象"))
    try:
        return schema.load_mapping(value, parse=False)
    except FieldErrors as exc:
        raise validation_error(exc.fields)


def _to_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    status, headers = 200, {}
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else {}
    response = jsonify(result) if result is not None else Response(status=status)
    response.status_code = status
    response.headers["Content-Language"] = content_language()
    response.headers.update(headers)
    return response
