"""Liaison pages for the commission, town coordinators and leaders: each liaison's enterprises
and coverage per quarter, all from the coverage engine.

A page lists, and counts, only the enterprises its reader may see (a town coordinator: their
town's), and shows the liaison's number as the reader may read it (crm.permissions.liaisons)."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.auth.models import User, UserRole
from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.enterprises.models import Assignment, Enterprise
from crm.pagination import paginate
from crm.permissions import liaison_enterprise_ids, liaison_phone, require_roles, scope_users_liaisons
from crm.visits import bp
from crm.visits.coverage import quarter_pairs, summarize_pairs
from crm.visits.quarters import Quarter

_READERS = (Role.ADMIN, Role.COMMISSION, Role.TOWN, Role.LEADER)
#: Quarters shown side by side on a liaison's page.
HISTORY_QUARTERS = 4


def _quarter_arg(today) -> Quarter:
    try:
        return Quarter.parse(request.args.get("quarter", ""))
    except ValueError:
        return Quarter.of(today)


@bp.route("/liaisons")
@require_roles(*_READERS)
def liaisons():
    today = business_today()
    quarter = _quarter_arg(today)
    stmt = scope_users_liaisons(
        select(User).where(User.active.is_(True),
                           User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.LIAISON.value))),
        current_user)
    search = (request.args.get("q") or "").strip()[:50]
    if search:
        stmt = stmt.where(User.name.contains(search, autoescape=True) | User.login.contains(search, autoescape=True))
    page = paginate(stmt.options(selectinload(User.town)).order_by(User.name, User.id))
    ids = [u.id for u in page.items]
    # One engine call for the whole page, filtered to its liaisons and the reader's enterprises.
    pairs = quarter_pairs(quarter, today=today, liaison_ids=ids,
                          enterprise_ids=liaison_enterprise_ids(current_user, ids, today)) if ids else []
    by_liaison: dict[int, list] = {}
    for pair in pairs:
        by_liaison.setdefault(pair.liaison_id, []).append(pair)
    summaries = {i: summarize_pairs(by_liaison.get(i, [])) for i in ids}
    return render_template("visits/liaisons.html", page=page, quarter=quarter, summaries=summaries,
                           search=search, today=today)


@bp.route("/liaisons/<int:user_id>")
@require_roles(*_READERS)
def liaison(user_id: int):
    today = business_today()
    person = db.session.scalar(scope_users_liaisons(select(User).where(User.id == user_id), current_user))
    if person is None or not person.has_role(Role.LIAISON):
        abort(404)
    quarter = _quarter_arg(today)
    visible = liaison_enterprise_ids(current_user, [person.id], today)
    pairs = quarter_pairs(quarter, today=today, liaison_ids=[person.id], enterprise_ids=visible)
    ids = [p.enterprise_id for p in pairs]
    enterprises = {e.id: e for e in db.session.scalars(
        select(Enterprise).where(Enterprise.id.in_(ids)).options(selectinload(Enterprise.town)))} if ids else {}
    roles = _roles(person.id, ids, quarter)
    rows = sorted(pairs, key=lambda p: (not p.owed, p.status != "due", p.status != "missed",
                                        enterprises[p.enterprise_id].name))
    history = []
    q = quarter
    for _i in range(HISTORY_QUARTERS):
        history.append((q, summarize_pairs(quarter_pairs(q, today=today, liaison_ids=[person.id],
                                                         enterprise_ids=visible))))
        q = q.previous
    return render_template("visits/liaison.html", person=person, quarter=quarter, today=today,
                           rows=rows, enterprises=enterprises, roles=roles, history=history,
                           summary=summarize_pairs(pairs), mobile=liaison_phone(current_user, person))


def _roles(liaison_id: int, enterprise_ids: list[int], quarter: Quarter) -> dict[int, str]:
    """Enterprise id -> the liaison's role there (primary wins) during the quarter."""
    if not enterprise_ids:
        return {}
    found: dict[int, str] = {}
    for enterprise_id, role in db.session.execute(
            select(Assignment.enterprise_id, Assignment.role).where(
                Assignment.liaison_id == liaison_id, Assignment.enterprise_id.in_(enterprise_ids),
                Assignment.start_on < quarter.end,
                (Assignment.end_on.is_(None)) | (Assignment.end_on > quarter.first_day))):
        if found.get(enterprise_id) != "primary":
            found[enterprise_id] = role
    return found
