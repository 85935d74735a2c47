"""Registering a request taken by phone (or typed in from a letter) by the commission or a town."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.credit_code import normalize
from crm.permissions import require_roles
from crm.requests import bp
from crm.requests.categories import active_categories
from crm.requests.errors import WorkflowError
from crm.requests.forms import NewRequestForm
from crm.requests.intake import create_request, enterprise_for_intake
from crm.requests.models import RequestSource


@bp.route("/new", methods=["GET", "POST"])
@require_roles(Role.ADMIN, Role.COMMISSION, Role.TOWN)
def new():
    form = NewRequestForm()
    form.category.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(c.id, _("%(c)s（%(n)s 个工作日）", c=c.name, n=c.time_limit_days))
        for c in active_categories()]
    if form.validate_on_submit():
        enterprise = None
        try:
            code = normalize(form.credit_code.data)
        except ValueError as e:
            form.credit_code.errors.append(str(e))
            code = None
        if code:
            try:
                enterprise = enterprise_for_intake(current_user, code, form.enterprise_name.data)
            except WorkflowError as e:
                getattr(form, e.field).errors.append(e.message)
        if not any(f.errors for f in form):
            try:
                req = create_request(
                    enterprise=enterprise, enterprise_name=form.enterprise_name.data, credit_code=code,
                    source=RequestSource.PHONE, category=form.category.data, urgent=form.urgent.data,
                    title=form.title.data, description=form.description.data, actor=current_user,
                    contact_name=form.contact_name.data, contact_mobile=form.contact_mobile.data,
                    contact_email=form.contact_email.data)
            except WorkflowError as e:
                db.session.rollback()
                getattr(form, e.field, form.title).errors.append(e.message)
            else:
                db.session.commit()
                flash(_("已登记诉求 %(no)s。", no=req.number), "success")
                return redirect(url_for("requests.detail", request_id=req.id))
    status = 400 if form.is_submitted() else 200
    return render_template("requests/new.html", form=form), status
