"""List pagination for the API: by page number or by an opaque cursor, in a stable order.

Every list is ordered by a unique key (usually the id, or updated_at then id for
synchronisation), so a page never repeats or skips a row that did not change. A cursor carries
the key of the last row seen (keyset pagination: later pages cost the same as the first);
`next_cursor` is given whenever more rows follow, in both modes. Page size is capped at
MAX_PER_PAGE whatever the client asks.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from crm.api.errors import validation_error
from crm.api.schema import MAX_ID, Int, Str
from crm.db import db

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50

#: Query parameters of every list operation.
PAGE_FIELDS = {
    "page": Int(minimum=1, maximum=MAX_ID, description=_l("页码（从 1 开始）；不能与 cursor 同用")),
    "per_page": Int(minimum=1, maximum=MAX_PER_PAGE,
                    description=_l("每页条数，默认 %(d)s，最多 %(m)s", d=DEFAULT_PER_PAGE, m=MAX_PER_PAGE)),
    "cursor": Str(200, description=_l("上一页返回的 next_cursor")),
}


def page_meta_schema() -> dict:
    return {
        "type": "object",
        "required": ["per_page", "page", "total", "next_cursor"],
        "additionalProperties": False,
        "properties": {
            "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            "page": {"type": ["integer", "null"], "minimum": 1,
                     "description": str(_("页码；按 cursor 翻页时为 null"))},
            "total": {"type": "integer", "minimum": 0, "description": str(_("符合条件的总条数"))},
            "next_cursor": {"type": ["string", "null"],
                            "description": str(_("下一页的 cursor；没有更多时为 null"))},
        },
    }


@dataclass
class Key:
    """One column of the sort key, with how its values travel inside a cursor."""

    column: Any
    kind: str  # "int" or "datetime"

    def dump(self, value: Any) -> Any:
        return value.isoformat() if self.kind == "datetime" else value

    def load(self, raw: Any) -> Any:
        if self.kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_ID:
                raise ValueError
            return raw
        value = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        if value is None or value.tzinfo is None:
            raise ValueError
        return value


@dataclass
class Page:
    items: list
    meta: dict


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def _decode_cursor(text: str, keys: Sequence[Key]) -> list[Any]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise ValueError
        return [key.load(v) for key, v in zip(keys, raw)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise validation_error({"cursor": _("无效的 cursor")})


def _after(keys: Sequence[Key], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in ascending key order (a OR-chain, portable to SQLite)."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == values[j] for j in range(i)]
        clauses.append(and_(*equal, key.column > values[i]))
    return or_(*clauses)


def paginate(stmt: Select, query: dict, keys: Sequence[Key], row_key: Callable[[Any], Sequence[Any]]) -> Page:
    """One page of `stmt` (a select of entities) per the page/per_page/cursor query values."""
    per_page = query.get("per_page") or DEFAULT_PER_PAGE
    page, cursor = query.get("page"), query.get("cursor")
    if page is not None and cursor is not None:
        raise validation_error({"cursor": _("page 与 cursor 只能选一个")})
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    ordered = stmt.order_by(*(k.column for k in keys))
    if cursor is not None:
        ordered = ordered.where(_after(keys, _decode_cursor(cursor, keys)))
    else:
        page = page or 1
        ordered = ordered.offset((page - 1) * per_page)
    rows = list(db.session.scalars(ordered.limit(per_page + 1)).unique())
    more = len(rows) > per_page
    rows = rows[:per_page]
    next_cursor = encode_cursor([k.dump(v) for k, v in zip(keys, row_key(rows[-1]))]) if more else None
    return Page(rows, {"per_page": per_page, "page": page, "total": total, "next_cursor": next_cursor})


def paginate_computed(total: int, query: dict, rows: Callable[[int, int], list]) -> Page:
    """One page of a list computed in memory (a report's rows), in its own stable order.

    `rows(start, stop)` gives the rows at those positions. The cursor carries the position of
    the next row: as stable as the order while the data is unchanged (a report is recomputed
    per request, so a change between two pages can shift rows, as on the report page).
    """
    per_page = query.get("per_page") or DEFAULT_PER_PAGE
    page, cursor = query.get("page"), query.get("cursor")
    if page is not None and cursor is not None:
        raise validation_error({"cursor": _("page 与 cursor 只能选一个")})
    if cursor is not None:
        (start,) = _decode_cursor(cursor, [Key(None, "int")])
    else:
        page = page or 1
        start = (page - 1) * per_page
    stop = start + per_page
    next_cursor = encode_cursor([stop]) if stop < total else None
    return Page(rows(start, stop), {"per_page": per_page, "page": page, "total": total,
                                    "next_cursor": next_cursor})
