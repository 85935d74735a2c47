"""Reading a JSON request body strictly: size limit, media type, syntax, no NaN, bounded nesting."""
from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _

from crm.api.errors import ApiError

#: Default limit of an API request body; a visit with its problems fits many times over.
DEFAULT_MAX_BODY = 256 * 1024
_MAX_DEPTH = 20


def max_body_bytes() -> int:
    return int(current_app.config.get("API_MAX_BODY_BYTES", DEFAULT_MAX_BODY))


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


def _depth(value: Any, level: int = 0) -> int:
    if level > _MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max([_depth(v, level + 1) for v in value.values()] or [level + 1])
    if isinstance(value, list):
        return max([_depth(v, level + 1) for v in value] or [level + 1])
    return level


def read_json() -> Any:
    """The parsed body, or an ApiError: 413 too large, 415 not JSON, 400 unreadable."""
    request.max_content_length = max_body_bytes()
    if request.content_length is not None and request.content_length > max_body_bytes():
        raise ApiError(413, message=_("请求体不能超过 %(n)s KB", n=max_body_bytes() // 1024))
    if request.mimetype != "application/json":
        raise ApiError(415)
    raw = request.get_data(cache=True)  # raises 413 for an over-long chunked body
    if not raw.strip():
        raise ApiError(400, "bad_json", _("请求体为空"))
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "bad_json", _("请求体不是有效的 JSON"))
    if _depth(value) > _MAX_DEPTH:
        raise ApiError(400, "bad_json", _("JSON 嵌套层数过多"))
    return value
