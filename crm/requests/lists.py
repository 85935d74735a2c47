"""Lists: the department inbox, the commission board, and every request in scope."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.org.models import Department, Town
from crm.pagination import paginate
from crm.permissions import require_roles
from crm.requests import bp, display, queries
from crm.requests.categories import active_categories
from crm.requests.models import RequestSource, RequestState
from crm.requests.workflow import allowed_actions

bp.record_once(lambda state: display.init_app(state.app))

INBOX_LABELS = {"to_sign": _l("待签收"), "in_progress": _l("办理中"), "due_soon": _l("即将到期"),
                "overdue": _l("已逾期"), "replied": _l("已答复")}
BOARD_LABELS = {"triage": _l("待受理"), "overdue": _l("已逾期"), "not_accepted": _l("未签收"),
                "escalated": _l("上报协调"), "reviewing": _l("差评复核"), "awaiting_rating": _l("待评价"),
                "extensions": _l("延期待批"), "all": _l("全部诉求")}


#: The steps an inbox row offers (the others live on the detail page).
ROW_ACTIONS = ("accept", "reply", "request_extension", "return", "escalate")
#: The steps a board row offers: triage, and deciding extensions.
BOARD_ACTIONS = ("assign", "answer_on_site", "reject", "approve_extension")


def _filter_choices() -> dict:
    return {
        "states": list(RequestState), "sources": list(RequestSource),
        "departments": db.session.scalars(select(Department).order_by(Department.name)).all(),
        "towns": db.session.scalars(select(Town).order_by(Town.name)).all(),
        "categories": active_categories(),
    }


def _page_of(stmt, filters):
    page = paginate(queries.with_list_loading(queries.apply_filters(stmt, filters)))
    return page


@bp.route("/inbox")
@require_roles(Role.DEPARTMENT)
def inbox():
    today = business_today()
    if current_user.department_id is None:
        abort(403)
    tab = request.args.get("tab", "to_sign")
    if tab not in queries.INBOX_TABS:
        tab = "to_sign"
    filters = queries.RequestFilters.from_args(request.args)
    page = _page_of(queries.inbox(current_user, tab, today), filters)
    return render_template(
        "requests/inbox.html", tab=tab, tabs=INBOX_LABELS, counts=queries.inbox_counts(current_user, today),
        page=page, filters=filters, today=today,
        actions={r.id: allowed_actions(r, current_user, today, only=ROW_ACTIONS) for r in page.items},
        **_filter_choices())


@bp.route("/board")
@require_roles(Role.ADMIN, Role.COMMISSION, Role.TOWN, Role.LEADER)
def board():
    today = business_today()
    section = request.args.get("section", "triage")
    if section not in queries.BOARD_SECTIONS:
        section = "triage"
    filters = queries.RequestFilters.from_args(request.args)
    page = _page_of(queries.board(current_user, section, today), filters)
    return render_template(
        "requests/board.html", section=section, sections=BOARD_LABELS,
        counts=queries.board_counts(current_user, today), page=page, filters=filters, today=today,
        actions={r.id: allowed_actions(r, current_user, today, only=BOARD_ACTIONS) for r in page.items},
        can_urge=current_user.has_role(Role.ADMIN, Role.COMMISSION),
        can_register=current_user.has_role(Role.ADMIN, Role.COMMISSION, Role.TOWN), **_filter_choices())


@bp.route("/")
@login_required
def index():
    """Every request the user may see, with the filters (liaisons find their enterprises' here)."""
    today = business_today()
    filters = queries.RequestFilters.from_args(request.args)
    page = _page_of(queries.scoped(current_user, today), filters)
    return render_template("requests/index.html", page=page, filters=filters, today=today,
                           **_filter_choices())
