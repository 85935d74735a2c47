"""The one error shape of the API: {"error": {"code", "message", "fields"}}, in the asked language.

crm/errors.py hands every error under /api/ to this module; page errors never come here.
Messages are Chinese msgids rendered in the locale crm.i18n picks from Accept-Language.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from flask import Response, jsonify, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"

#: status -> (code, message) used when nothing more specific is known.
DEFAULTS: dict[int, tuple[str, Any]] = {
    400: ("bad_request", _l("请求格式不正确")),
    401: ("unauthorized", _l("缺少有效的 API 令牌")),
    403: ("forbidden", _l("无权执行此操作")),
    404: ("not_found", _l("记录不存在或无权查看")),
    405: ("method_not_allowed", _l("不支持该请求方法")),
    406: ("not_acceptable", _l("只提供 JSON 格式")),
    409: ("conflict", _l("与当前状态冲突")),
    413: ("payload_too_large", _l("请求体过大")),
    415: ("unsupported_media_type", _l("请求体须为 JSON（Content-Type: application/json）")),
    422: ("validation_failed", _l("提交的数据有误，请查看各字段的说明")),
    429: ("rate_limited", _l("请求过于频繁，请稍后再试")),
    500: ("internal_error", _l("系统内部错误，请稍后再试。")),
}


class ApiError(HTTPException):
    """Raise to answer with the API error shape; `fields` maps a field name to its message."""

    def __init__(self, status: int, code: Optional[str] = None, message: Any = None,
                 fields: Optional[Mapping[str, Any]] = None,
                 headers: Optional[Mapping[str, str]] = None):
        default_code, default_message = DEFAULTS.get(status, DEFAULTS[400])
        super().__init__(description=str(message or default_message))
        self.code = status
        self.error_code = code or default_code
        self.message = message or default_message
        self.fields = dict(fields or {})
        self.extra_headers = dict(headers or {})


def validation_error(fields: Mapping[str, Any], message: Any = None) -> ApiError:
    return ApiError(422, "validation_failed", message, fields=fields)


def content_language() -> str:
    """The language the messages of this response are in (crm.i18n picks it from Accept-Language)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh-CN"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(status: int, code: Optional[str] = None, message: Any = None,
                   fields: Optional[Mapping[str, Any]] = None,
                   headers: Optional[Mapping[str, str]] = None) -> Response:
    fallback = DEFAULTS[400 if status < 500 else 500][1]
    default_code, default_message = DEFAULTS.get(status, (f"http_{status}", fallback))
    body = {"error": {
        "code": code or default_code,
        "message": str(message or default_message),
        "fields": {name: str(text) for name, text in (fields or {}).items()},
    }}
    response = jsonify(body)
    response.status_code = status
    response.headers["Content-Language"] = content_language()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="crm"')
    return response


def http_error_response(e: HTTPException) -> Response:
    """The API answer for any HTTP error raised under /api/ (ours, werkzeug's or an extension's)."""
    status = e.code or 500
    if isinstance(e, ApiError):
        return error_response(status, e.error_code, e.message, e.fields, e.extra_headers)
    headers = {}
    # Keep what the protocol needs: Allow on 405, Retry-After on 429 (Flask-Limiter adds its own).
    for name, value in e.get_headers():
        if name.lower() in ("allow", "retry-after", "www-authenticate"):
            headers[name] = value
    return error_response(status, headers=headers)


def internal_error_response() -> Response:
    return error_response(500)
