"""登记走访 on a phone: log a visit, edit it, the confirmation, and the session check the form's
script makes before submitting (so an expired login sends the liaison to log in again with
the draft kept in the browser, instead of to an error page)."""
from __future__ import annotations

import re

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crm.auth.models import User
from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.enterprises.models import Assignment
from crm.permissions import require_roles
from crm.permissions.visits import (can_edit_visit, earliest_visit_date, get_visit_or_404,
                                    loggable_enterprise_or_404)
from crm.redirects import safe_next
from crm.visits import bp
from crm.visits.errors import VisitError
from crm.visits.forms import VisitForm
from crm.visits.models import Visit
from crm.visits.policies import policy_choices
from crm.visits.problems import requests_of
from crm.visits.service import create_visit, find_by_key, update_visit

_LOGGERS = (Role.LIAISON, Role.COMMISSION, Role.ADMIN)


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*_LOGGERS)
def new():
    enterprise = loggable_enterprise_or_404(request.args.get("enterprise_id", type=int) or 0, current_user)
    today = business_today()
    form = VisitForm()
    if request.method == "GET":
        form.visited_on.data = today
        form.ensure_key()
    if "add_problem" in request.form:  # the no-script way to add a problem row
        form.problems.append_entry()
        return _render(form, enterprise, today)
    if form.validate_on_submit():
        # A retry of a form already saved (double tap, lost response): show what was saved.
        earlier = find_by_key(form.idempotency_key.data, current_user)
        if earlier is not None:
            return redirect(url_for("visits.saved", visit_id=earlier.id))
        others = _other_liaisons(form)
        if not form.errors:
            try:
                saved = create_visit(enterprise, form.to_input(others), current_user, today=today)
                db.session.commit()
            except VisitError as e:
                db.session.rollback()
                form.show_errors(e.errors)
            except IntegrityError:
                # The same key committed by a parallel request a moment ago.
                db.session.rollback()
                earlier = find_by_key(form.idempotency_key.data, current_user)
                if earlier is None:
                    raise
                return redirect(url_for("visits.saved", visit_id=earlier.id))
            else:
                return redirect(url_for("visits.saved", visit_id=saved.visit.id))
    return _render(form, enterprise, today)


@bp.route("/<int:visit_id>/edit", methods=["GET", "POST"])
@require_roles(*_LOGGERS)
def edit(visit_id: int):
    visit = get_visit_or_404(visit_id, current_user)
    today = business_today()
    if not can_edit_visit(current_user, visit, today):
        abort(403)
    form = VisitForm(obj=None)
    if request.method == "GET":
        _fill(form, visit)
    if "add_problem" in request.form:
        form.problems.append_entry()
        return _render(form, visit.enterprise, today, visit=visit)
    if form.validate_on_submit():
        others = _other_liaisons(form)
        if not form.errors:
            try:
                update_visit(visit, form.to_input(others), current_user, today=today)
                db.session.commit()
            except VisitError as e:
                db.session.rollback()
                form.show_errors(e.errors)
            else:
                flash(_("走访记录已修改。"), "success")
                return redirect(url_for("visits.detail", visit_id=visit.id, saved=1))
    return _render(form, visit.enterprise, today, visit=visit)


@bp.route("/<int:visit_id>/saved")
@require_roles(*_LOGGERS)
def saved(visit_id: int):
    """已保存走访记录，生成诉求 N 件（M 件现场答复）, with links; the page clears the draft."""
    visit = get_visit_or_404(visit_id, current_user)
    requests = requests_of(visit)
    # Answered on site: replied without ever going to a department (it may be rated already).
    on_site = sum(1 for r in requests if r.reply and r.lead_department_id is None)
    return render_template("visits/saved.html", visit=visit, requests=requests, on_site=on_site,
                           draft_key=draft_key(visit.enterprise_id),
                           is_liaison=current_user.has_role(Role.LIAISON))


@bp.route("/session")
def session_check():
    """For the form's script: still logged in? Then a fresh CSRF token; else where to log in."""
    if not current_user.is_authenticated:
        target = safe_next(request.args.get("next"), "") or None
        return jsonify(ok=False, login=url_for("auth.login", next=target)), 401
    return jsonify(ok=True, csrf_token=generate_csrf())


# --- helpers ----------------------------------------------------------------------------------

def draft_key(enterprise_id: int, visit: Visit | None = None) -> str:
    """Where the browser keeps the unsent form: per user, per enterprise (or visit being edited)."""
    what = f"visit-{visit.id}" if visit is not None else f"enterprise-{enterprise_id}"
    return f"crm.visit-draft.{current_user.id}.{what}"


def _render(form: VisitForm, enterprise, today, visit: Visit | None = None):
    from crm.requests.categories import active_categories

    keep = [p.id for p in visit.policies] if visit is not None else []
    matching, others = policy_choices(enterprise, keep)
    chosen = set(form.policies.data or [])
    earliest = earliest_visit_date(current_user, today)
    return render_template(
        "visits/form.html", form=form, enterprise=enterprise, visit=visit, today=today,
        earliest=earliest, colleagues=_colleagues(enterprise, today, visit),
        matching=matching, other_policies=others, chosen_policies=chosen,
        show_other_policies=bool(chosen & {p.id for p in others}),
        categories=active_categories(), contacts=enterprise.contacts,
        existing_requests=requests_of(visit) if visit is not None else [],
        draft_key=draft_key(enterprise.id, visit),
        # Restore a kept draft only into a form shown fresh, never over what the server sent back.
        restore_draft=request.method == "GET",
        is_liaison=current_user.has_role(Role.LIAISON),
    ), 200


def _colleagues(enterprise, today, visit: Visit | None) -> list[User]:
    """Liaisons to offer as fellow visitors: the enterprise's other liaisons (and, when editing,
    whoever took part)."""
    ids = set(db.session.scalars(select(Assignment.liaison_id).where(
        Assignment.enterprise_id == enterprise.id, Assignment.active_on(today))))
    if visit is not None:
        ids |= {p.liaison_id for p in visit.participants}
        ids.discard(visit.author_id)
    ids.discard(current_user.id)
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


def _other_liaisons(form: VisitForm) -> list[int]:
    """Resolve the typed login names; unknown ones get an error next to the field."""
    logins = [s for s in re.split(r"[\s,，、;；]+", form.other_liaisons.data or "") if s]
    if not logins:
        return []
    users = {u.login.lower(): u for u in db.session.scalars(
        select(User).where(func.lower(User.login).in_([s.lower() for s in logins])))}
    unknown = [s for s in logins if s.lower() not in users or not users[s.lower()].has_role(Role.LIAISON)]
    if unknown:
        form.other_liaisons.errors = [_("找不到这些包保责任人：%(names)s", names="、".join(unknown))]
        return []
    return [users[s.lower()].id for s in logins]


def _fill(form: VisitForm, visit: Visit) -> None:
    form.visited_on.data = visit.visited_on
    form.mode.data = visit.mode
    form.liaisons.data = [p.liaison_id for p in visit.participants if p.liaison_id != visit.author_id]
    form.people_met.data = visit.people_met or ""
    form.policies.data = [p.id for p in visit.policies]
    form.other_topics.data = visit.other_topics or ""
    form.findings.data = visit.findings or ""
