"""Managing an enterprise's liaisons, and assigning one liaison to many enterprises at once."""
from __future__ import annotations

from typing import Optional

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from crm.clock import business_today
from crm.db import db
from crm.enterprises import bp
from crm.enterprises.assignments import (AssignmentError, assign, bulk_assign, end, plan_bulk,
                                         reassign)
from crm.enterprises.filters import EnterpriseFilter
from crm.enterprises.forms import AssignForm, BulkAssignForm, EndAssignmentForm, ReassignForm
from crm.enterprises.models import Assignment, Enterprise
from crm.enterprises.views import liaison_options
from crm.permissions import (editable_condition, get_editable_enterprise_or_404, keeps_list,
                             require_roles)
from crm.permissions.enterprises import LIST_KEEPERS
from crm.query_args import cleaned

BULK_PREVIEW = 30


def _liaison_choices(*forms) -> dict:
    options = liaison_options(current_user)
    choices = [SelectChoice(0, _("（请选择）"))] + [
        SelectChoice(u.id, f"{u.name}（{u.unit_name or u.login}）") for u in options]
    for form in forms:
        form.liaison_id.choices = choices
    return {u.id: u for u in options}


def _current(ent: Enterprise) -> list[Assignment]:
    today = business_today()
    return sorted(ent.current_assignments(today), key=lambda a: (a.role != "primary", a.start_on))


def _page(ent: Enterprise, add_form: Optional[AssignForm] = None, posted: Optional[tuple[str, int, object]] = None):
    """The liaisons page; `posted` is (kind, assignment id, form) for a form sent with errors."""
    today = business_today()
    add_form = add_form or AssignForm(formdata=None, start_on=today)
    end_forms, reassign_forms = {}, {}
    for a in _current(ent):
        end_forms[a.id] = EndAssignmentForm(formdata=None, prefix=f"end-{a.id}", end_on=today)
        reassign_forms[a.id] = ReassignForm(formdata=None, prefix=f"re-{a.id}", on=today)
    if posted:
        kind, assignment_id, form = posted
        (end_forms if kind == "end" else reassign_forms)[assignment_id] = form
    _liaison_choices(add_form, *reassign_forms.values())
    history = sorted(ent.assignments, key=lambda a: (a.start_on, a.id), reverse=True)
    status = 422 if posted or add_form.errors else 200
    return render_template("enterprises/liaisons.html", ent=ent, add_form=add_form, today=today,
                           current=_current(ent), end_forms=end_forms, reassign_forms=reassign_forms,
                           history=history), status


def _liaison(form, known: dict):
    user = known.get(form.liaison_id.data)
    if user is None:
        form.liaison_id.errors.append(_("请选择您可指派的包保责任人"))
    return user


@bp.route("/<int:enterprise_id>/liaisons", methods=["GET", "POST"])
@require_roles(*LIST_KEEPERS)
def liaisons(enterprise_id: int):
    ent = get_editable_enterprise_or_404(enterprise_id, current_user)
    if request.method == "GET":
        return _page(ent)
    form = AssignForm()
    known = _liaison_choices(form)
    if form.validate_on_submit() and (user := _liaison(form, known)) is not None:
        try:
            assign(ent, user, form.role.data, form.start_on.data, reason=form.reason.data or None)
            db.session.commit()
        except AssignmentError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.liaison_id).errors.append(str(exc))
        else:
            flash(_("已指派 %(name)s 为包保责任人。", name=user.name), "success")
            return redirect(url_for("enterprises.liaisons", enterprise_id=ent.id))
    return _page(ent, add_form=form)


def _assignment(ent: Enterprise, assignment_id: int) -> Optional[Assignment]:
    """The enterprise's assignment still in force (None, with a message, if it already ended)."""
    a = next((a for a in ent.assignments if a.id == assignment_id), None)
    if a is None:
        abort(404)
    if a not in _current(ent):
        flash(_("%(name)s 的包保关系已于 %(d)s 解除，页面已刷新。", name=a.liaison.name,
                d=a.end_on.isoformat()), "warning")
        return None
    return a


@bp.route("/<int:enterprise_id>/liaisons/<int:assignment_id>/end", methods=["POST"])
@require_roles(*LIST_KEEPERS)
def end_assignment(enterprise_id: int, assignment_id: int):
    ent = get_editable_enterprise_or_404(enterprise_id, current_user)
    a = _assignment(ent, assignment_id)
    if a is None:
        return redirect(url_for("enterprises.liaisons", enterprise_id=ent.id))
    form = EndAssignmentForm(prefix=f"end-{a.id}")
    if form.validate_on_submit():
        try:
            end(a, form.end_on.data, form.reason.data.strip())
            db.session.commit()
        except AssignmentError as exc:
            db.session.rollback()
            form.end_on.errors.append(str(exc))
        else:
            flash(_("已解除 %(name)s 的包保关系。", name=a.liaison.name), "success")
            return redirect(url_for("enterprises.liaisons", enterprise_id=ent.id))
    return _page(ent, posted=("end", a.id, form))


@bp.route("/<int:enterprise_id>/liaisons/<int:assignment_id>/reassign", methods=["POST"])
@require_roles(*LIST_KEEPERS)
def reassign_assignment(enterprise_id: int, assignment_id: int):
    ent = get_editable_enterprise_or_404(enterprise_id, current_user)
    a = _assignment(ent, assignment_id)
    if a is None:
        return redirect(url_for("enterprises.liaisons", enterprise_id=ent.id))
    form = ReassignForm(prefix=f"re-{a.id}")
    known = _liaison_choices(form)
    if form.validate_on_submit() and (user := _liaison(form, known)) is not None:
        old = a.liaison.name
        try:
            reassign(a, user, form.on.data, form.reason.data.strip())
            db.session.commit()
        except AssignmentError as exc:
            db.session.rollback()
            getattr(form, exc.field, form.liaison_id).errors.append(str(exc))
        else:
            flash(_("已将包保责任人由 %(old)s 更换为 %(new)s。", old=old, new=user.name), "success")
            return redirect(url_for("enterprises.liaisons", enterprise_id=ent.id))
    return _page(ent, posted=("re", a.id, form))


def _bulk_targets(args: MultiDict, ids: list[int]) -> tuple[list[Enterprise], EnterpriseFilter, bool]:
    """The picked enterprises (ids) or every one the filter matches (all=1), editable ones only."""
    today = business_today()
    filt = EnterpriseFilter.from_args(args)
    everything = args.get("all") == "1"
    stmt = filt.select(current_user, today).where(editable_condition(current_user))
    if not everything:
        stmt = stmt.where(Enterprise.id.in_(ids or [0]))
    stmt = stmt.options(selectinload(Enterprise.assignments).joinedload(Assignment.liaison))
    return list(db.session.scalars(stmt).unique()), filt, everything


def _ids(values: list[str]) -> list[int]:
    out = []
    for value in values:
        for part in value.split(","):
            if part.strip().isdigit():
                out.append(int(part))
    return out[:1000]


@bp.route("/bulk-assign", methods=["GET", "POST"])
@require_roles(*LIST_KEEPERS)
def bulk_assign_view():
    if not keeps_list(current_user):
        abort(403)
    # The posted filter is the list's query string carried in hidden fields: cleaned the same way.
    source = cleaned(request.form) if request.method == "POST" else request.args
    ids = _ids(source.getlist("ids"))
    targets, filt, everything = _bulk_targets(source, ids)
    form = BulkAssignForm(start_on=business_today(), ids=",".join(map(str, ids)))
    known = _liaison_choices(form)
    conflicts = []
    if request.method == "POST" and form.validate() and (user := _liaison(form, known)) is not None:
        if not targets:
            form.ids.errors.append(_("没有选中可指派的企业"))
        else:
            replace = form.mode.data == "replace"
            try:
                result = bulk_assign(targets, user, form.role.data, form.start_on.data, replace,
                                     reason=form.reason.data or None)
                db.session.commit()
            except AssignmentError:
                db.session.rollback()
                conflicts = plan_bulk(targets, user, form.role.data, form.start_on.data, replace).conflicts
                form.ids.errors.append(_("%(n)d 家企业无法指派，未做任何修改，请调整后重试。", n=len(conflicts)))
            else:
                message = _("已为 %(n)d 家企业指派包保责任人 %(name)s。", n=len(result.assigned), name=user.name)
                if result.skipped:
                    message += _("另有 %(m)d 家已由其负责，未重复指派。", m=len(result.skipped))
                flash(message, "success")
                return redirect(url_for("enterprises.index", **filt.to_args()))
    status = 422 if request.method == "POST" else 200
    return render_template("enterprises/bulk_assign.html", form=form, targets=targets,
                           preview=targets[:BULK_PREVIEW], filt=filt, everything=everything,
                           conflicts=conflicts), status

