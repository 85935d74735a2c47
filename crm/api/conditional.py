"""ETag / If-Match: two clients cannot overwrite each other's changes without noticing.

The ETag is a digest of the record's JSON as the client sees it, so any change that client could
see (including a new liaison or a state change) makes an old ETag stale; nothing needs a version
column. A write whose If-Match names another version answers 409 and changes nothing.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.api.errors import ApiError
from crm.api.schema import Str

IF_MATCH = Str(200, description=_l("上次读取时的 ETag；记录已被他人修改时返回 409"))


def etag_for(body: Any) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


def _tags(header: str) -> list[str]:
    tags = []
    for part in header.split(","):
        part = part.strip()
        if part.startswith("W/"):
            part = part[2:]
        tags.append(part)
    return tags


def check_if_match(header: Optional[str], current_body: Callable[[], Any]) -> None:
    """Pass when there is no header (where it is optional), "*", or the current ETag; else 409.

    `current_body` builds the record's JSON; it is only called when a tag must be compared.
    """
    if header is None:
        return
    tags = _tags(header)
    if "*" in tags or etag_for(current_body()) in tags:
        return
    raise ApiError(409, "stale_write", _("记录已被他人修改，请重新读取后再提交"),
                   fields={"If-Match": _("与当前版本不一致")})
