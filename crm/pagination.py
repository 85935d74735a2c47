"""Page-number pagination with a fixed number of queries: one count, one page."""
from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from crm.db import db

MAX_PER_PAGE = 200


def paginate(stmt: Select, per_page: int | None = None) -> Pagination:
    per_page = per_page or current_app.config.get("PAGE_SIZE", 50)
    try:
        per_page = min(int(request.args.get("per_page", per_page)), MAX_PER_PAGE)
    except ValueError:
        pass
    return db.paginate(stmt, per_page=max(per_page, 1), max_per_page=MAX_PER_PAGE, error_out=False)
