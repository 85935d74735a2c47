"""Urge notices (催办单): the printable A4 page and the commission's bulk urge."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.permissions import require_roles
from crm.permissions.requests import get_request_or_404, scope_requests
from crm.redirects import safe_next
from crm.requests import bp
from crm.requests.forms import UrgeForm
from crm.requests.models import Request, UrgeNotice
from crm.requests.workflow import transition_many

MAX_BULK = 200


@bp.route("/urge/<int:notice_id>")
@login_required
def urge_notice(notice_id: int):
    notice = db.get_or_404(UrgeNotice, notice_id)
    req = get_request_or_404(notice.request_id, current_user)  # the notice is as private as its request
    return render_template("requests/urge_notice.html", notice=notice, req=req)


@bp.route("/urge", methods=["POST"])
@require_roles(Role.ADMIN, Role.COMMISSION)
def bulk_urge():
    """批量催办: one urge notice for each selected overdue request; the others say why not."""
    today = business_today()
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()][:MAX_BULK]
    back = safe_next(request.form.get("next"), url_for("requests.board", section="overdue"))
    if not ids:
        flash(_("请先勾选要催办的诉求。"), "warning")
        return redirect(back)
    form = UrgeForm()
    if not form.validate():
        for message in form.instructions.errors:
            flash(_("督办要求：%(message)s", message=message), "danger")
        return redirect(back)
    reqs = db.session.scalars(
        scope_requests(select(Request).where(Request.id.in_(ids)), current_user, today).order_by(Request.id)
    ).all()
    if not reqs:
        abort(404)
    done, refused = transition_many(reqs, "urge", current_user, today=today,
                                    instructions=form.instructions.data or None)
    db.session.commit()
    if done:
        flash(_("已出具催办单 %(n)s 份。", n=len(done)), "success")
    for req, message in refused:
        flash(f"{req.number}：{message}", "warning")
    return redirect(back)
