"""Visit records: the scoped list (走访记录) and one visit with its requests and history."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.auth.roles import Role
from crm.clock import business_today
from crm.enterprises.models import Enterprise
from crm.pagination import paginate
from crm.permissions import require_roles
from crm.permissions.visits import can_edit_visit, edit_deadline, get_visit_or_404, scope_visits
from crm.visits import bp
from crm.visits.form_views import draft_key
from crm.visits.models import Visit, VisitMode
from crm.visits.quarters import Quarter
from crm.visits.queries import requests_by_visit, visit_history, with_details

ALL_ROLES = tuple(Role)
#: How the history names the fields of crm.visits.service.snapshot.
FIELD_LABELS = {
    "visited_on": _l("走访日期"), "mode": _l("走访方式"), "liaisons": _l("包保责任人"),
    "people_met": _l("企业接待人"), "policies": _l("宣传政策"), "other_topics": _l("其他宣传内容"),
    "findings": _l("走访情况"), "requests": _l("新增诉求"),
}


def show_value(value) -> str:
    """A recorded value as the history prints it."""
    if value in (None, "", []):
        return _("（空）")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if value in {m.value for m in VisitMode}:
        return VisitMode(value).label
    return str(value)


@bp.route("/")
@require_roles(*ALL_ROLES)
def index():
    """Visits the user may see, newest first; filter by quarter, enterprise name, enterprise id."""
    today = business_today()
    stmt = scope_visits(select(Visit), current_user, today)
    quarter = None
    if request.args.get("quarter"):
        try:
            quarter = Quarter.parse(request.args["quarter"])
        except ValueError:
            quarter = None
    if quarter is not None:
        stmt = stmt.where(Visit.visited_on >= quarter.first_day, Visit.visited_on < quarter.end)
    enterprise_id = request.args.get("enterprise_id", type=int)
    if enterprise_id:
        stmt = stmt.where(Visit.enterprise_id == enterprise_id)
    search = (request.args.get("q") or "").strip()[:100]
    if search:
        stmt = stmt.where(Visit.enterprise_id.in_(
            select(Enterprise.id).where(Enterprise.name.contains(search, autoescape=True))))
    page = paginate(with_details(stmt.order_by(Visit.visited_on.desc(), Visit.id.desc())))
    current = Quarter.of(today)
    return render_template(
        "visits/index.html", page=page, quarter=quarter, search=search,
        quarters=[current, current.previous, current.previous.previous, current.previous.previous.previous],
        requests=requests_by_visit([v.id for v in page.items], current_user),
    )


@bp.route("/<int:visit_id>")
@login_required
def detail(visit_id: int):
    visit = get_visit_or_404(visit_id, current_user)
    today = business_today()
    return render_template(
        "visits/detail.html", visit=visit,
        requests=requests_by_visit([visit.id], current_user).get(visit.id, []),
        history=visit_history(visit), can_edit=can_edit_visit(current_user, visit, today),
        edit_until=edit_deadline(visit), field_labels=FIELD_LABELS, show=show_value,
        # Just saved from the edit form: the browser's copy of it can go.
        clear_draft=draft_key(visit.enterprise_id, visit) if request.args.get("saved") else None,
    )
