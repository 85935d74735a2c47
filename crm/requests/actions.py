"""Workflow steps from the pages: load -> authorize -> validate -> transition -> commit -> redirect."""
from __future__ import annotations

from typing import Optional

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from crm.calendar.store import deadline as calendar_deadline
from crm.clock import business_today
from crm.db import db
from crm.forms import CrmForm
from crm.org.models import Department
from crm.permissions.requests import get_request_or_404, may
from crm.redirects import safe_next
from crm.requests import bp, deadlines
from crm.requests.detail import build_form, render_detail
from crm.requests.errors import NotAllowed, WorkflowError
from crm.requests.forms import ACTION_FORMS, AssignForm
from crm.requests.models import Request
from crm.requests.steps import MAX_TIME_LIMIT
from crm.requests.workflow import TRANSITIONS, transition

#: Steps that need no input: a button is enough.
ONE_CLICK = ("accept",)



def _back_or(default: str) -> str:
    return safe_next(request.form.get("next") or request.args.get("next"), default)


def _done_message(action: str) -> str:
    messages = {
        "accept": _("已签收。"), "answer_on_site": _("已记录现场答复。"), "reject": _("已不予受理。"),
        "return": _("已退回。"), "request_extension": _("已提交延期申请。"),
        "approve_extension": _("已批准延期。"), "deny_extension": _("已驳回延期申请。"),
        "escalate": _("已上报协调。"), "reply": _("已答复。"), "rate": _("已记录评价。"),
        "close": _("已办结。"), "note": _("已保存。"), "urge": _("已出具催办单。"),
    }
    return messages.get(action, _("已保存。"))


def _attach_error(form: Optional[CrmForm], error: WorkflowError) -> Optional[str]:
    """Put the message next to its field when the form has it; else return it for the page top."""
    if form is not None and error.field and error.field in form._fields:
        form._fields[error.field].errors = list(form._fields[error.field].errors or []) + [error.message]
        return None
    return error.message


@bp.route("/<int:request_id>/act/<action>", methods=["POST"])
@login_required
def act(request_id: int, action: str):
    today = business_today()
    req = get_request_or_404(request_id, current_user, today)
    if action not in ACTION_FORMS and action not in ONE_CLICK:
        abort(404)
    form = build_form(action, req, bind=True) if action in ACTION_FORMS else CrmForm()
    detail_url = url_for("requests.detail", request_id=req.id)
    if not form.validate_on_submit():
        return render_detail(req, forms={action: form} if action in ACTION_FORMS else None, status=400,
                             error=None if action in ACTION_FORMS else _("表单已过期，请刷新页面后重试。"))
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    try:
        transition(req, action, current_user, today=today, **data)
    except WorkflowError as e:
        db.session.rollback()
        req = get_request_or_404(request_id, current_user, today)
        message = _attach_error(form if action in ACTION_FORMS else None, e)
        return render_detail(req, forms={action: form} if action in ACTION_FORMS else None,
                             status=403 if isinstance(e, NotAllowed) else 400, error=message)
    db.session.commit()
    flash(_done_message(action), "success")
    return redirect(_back_or(detail_url))


def _department_choices() -> list[SelectChoice]:
    return [SelectChoice(d.id, d.name) for d in db.session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name))]


def _limit_hint(req: Request, days: int) -> str:
    result = calendar_deadline(business_today(), days)
    text = _("%(c)s · %(n)s 个工作日 → %(d)s", c=req.category.name, n=days, d=result.day.isoformat())
    return text + (_("（暂定）") if result.provisional else "")


@bp.route("/<int:request_id>/assign", methods=["GET", "POST"])
@login_required
def assign(request_id: int):
    """The 交办 dialog: one lead, any cooperating units, the time limit prefilled from the category."""
    today = business_today()
    req = get_request_or_404(request_id, current_user, today)
    t = TRANSITIONS["assign"]
    if req.state_enum not in t.sources:
        flash(_("诉求当前状态为「%(s)s」，不能交办。", s=req.state_label), "warning")
        return redirect(url_for("requests.detail", request_id=req.id))
    if not may("assign", current_user, req, today):
        abort(403)
    default_days = deadlines.time_limit(req.category, req.urgent)
    form = AssignForm()
    if request.method == "GET":
        form.time_limit_days.data = default_days
        if req.lead_department_id and req.state != "submitted":
            form.lead_department.data = req.lead_department_id
    choices = _department_choices()
    form.lead_department.choices = [SelectChoice("", _("请选择"))] + choices
    form.cooperating.choices = choices
    status = 200
    if form.validate_on_submit():
        try:
            transition(req, "assign", current_user, today=today,
                       lead_department=form.lead_department.data, cooperating=form.cooperating.data,
                       time_limit_days=form.time_limit_days.data, instructions=form.instructions.data)
        except WorkflowError as e:
            db.session.rollback()
            req = get_request_or_404(request_id, current_user, today)
            message = _attach_error(form, e)
            if message:
                flash(message, "danger")
            status = 400
        else:
            db.session.commit()
            flash(_("已交办 %(no)s。", no=req.number), "success")
            return redirect(_back_or(url_for("requests.detail", request_id=req.id)))
    elif request.method == "POST":
        status = 400
    days = form.time_limit_days.data if isinstance(form.time_limit_days.data, int) and \
        1 <= form.time_limit_days.data <= MAX_TIME_LIMIT else default_days
    return render_template("requests/assign.html", req=req, form=form, hint=_limit_hint(req, days),
                           default_days=default_days), status


@bp.route("/deadline")
@login_required
def deadline_preview():
    """JSON for the assign dialog: the deadline `days` working days from today."""
    try:
        days = int(request.args.get("days", ""))
    except ValueError:
        return jsonify({"error": _("请填写 1 至 %(n)s 之间的整数。", n=MAX_TIME_LIMIT)}), 400
    if not 1 <= days <= MAX_TIME_LIMIT:
        return jsonify({"error": _("请填写 1 至 %(n)s 之间的整数。", n=MAX_TIME_LIMIT)}), 400
    result = calendar_deadline(business_today(), days)
    return jsonify({"deadline": result.day.isoformat(), "provisional": result.provisional,
                    "days": days})
