"""Creating and editing an enterprise, and taking it off (or back onto) the key list."""
from __future__ import annotations

from typing import Optional

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.enterprises import bp
from crm.enterprises.forms import EnterpriseForm, NewEnterpriseForm, RelistForm, RemoveForm
from crm.enterprises.models import Enterprise, Tag
from crm.enterprises.records import (ContactData, EnterpriseData, RecordError, create_enterprise,
                                     find_by_code, relist, remove_from_list, update_enterprise)
from crm.org.models import Town
from crm.permissions import get_editable_enterprise_or_404, keeps_list, require_roles, scope_enterprises
from crm.permissions.enterprises import LIST_KEEPERS


def _choices(form: EnterpriseForm, ent: Optional[Enterprise]) -> None:
    """Towns and tags the user may pick; an enterprise keeps its current (even retired) ones."""
    towns = select(Town).order_by(Town.code)
    if current_user.has_role(Role.ADMIN, Role.COMMISSION):
        towns = towns.where(or_(Town.active, Town.id == (ent.town_id if ent else None)))
    else:
        towns = towns.where(Town.id == current_user.town_id)
    form.town_id.choices = [SelectChoice(t.id, t.name) for t in db.session.scalars(towns)]
    current = {t.id for t in ent.tags} if ent else set()
    tags = db.session.scalars(select(Tag).order_by(Tag.name)).all()
    form.tags.choices = [SelectChoice(t.id, t.name) for t in tags if t.active or t.id in current]


def _data(form: EnterpriseForm) -> EnterpriseData:
    tags = db.session.scalars(select(Tag).where(Tag.id.in_(form.tags.data or []))).all()
    contacts = [ContactData(c.name.data.strip(), (c.title.data or "").strip(), c.mobile.data or "",
                            c.email.data or "") for c in form.filled_contacts()]
    return EnterpriseData(
        name=form.name.data.strip(), credit_code=form.credit_code.data, town_id=form.town_id.data,
        level=form.level.data, industry=form.industry.data or None,
        address=(form.address.data or "").strip() or None, notes=(form.notes.data or "").strip() or None,
        tags=list(tags), contacts=contacts,
    )


def _visible(ent: Enterprise) -> bool:
    stmt = scope_enterprises(select(Enterprise.id).where(Enterprise.id == ent.id), current_user)
    return db.session.scalar(stmt) is not None


def _duplicate(form: EnterpriseForm, exclude_id: Optional[int] = None) -> Optional[Enterprise]:
    """The enterprise already holding the typed code; its name goes next to the field."""
    if form.credit_code.errors or not form.credit_code.data:
        return None
    other = find_by_code(form.credit_code.data, exclude_id)
    if other is not None:
        if _visible(other):
            form.credit_code.errors.append(_("该代码已登记为“%(name)s”，请勿重复添加", name=other.name))
        else:
            form.credit_code.errors.append(_("该代码已由其他乡镇/园区登记，如有疑问请联系区经委"))
    return other


def _integrity_error(form: EnterpriseForm) -> None:
    db.session.rollback()  # someone saved the same code a moment ago: the unique constraint held
    form.credit_code.errors.append(_("该统一社会信用代码刚刚已被登记，请刷新后查看"))


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*LIST_KEEPERS)
def new():
    if not keeps_list(current_user):
        abort(403)
    form = NewEnterpriseForm()
    _choices(form, None)
    if request.method == "GET":
        form.added_on.data = business_today()
    duplicate = None
    if form.validate_on_submit():
        duplicate = _duplicate(form)
        if duplicate is None:
            try:
                if form.added_on.data > business_today():
                    raise RecordError(_("列入日期不能晚于今天"), "added_on")
                ent = create_enterprise(_data(form), form.added_on.data, form.added_reason.data)
                db.session.commit()
            except RecordError as exc:
                getattr(form, exc.field, form.name).errors.append(str(exc))
            except IntegrityError:
                _integrity_error(form)
            else:
                flash(_("已添加“%(name)s”并列入重点企业清单。", name=ent.name), "success")
                return redirect(url_for("enterprises.detail", enterprise_id=ent.id))
    status = 422 if form.errors else 200
    return render_template("enterprises/edit.html", form=form, ent=None,
                           duplicate=duplicate if duplicate is not None and _visible(duplicate) else None), status


def _initial(ent: Enterprise) -> dict:
    return {
        "name": ent.name, "credit_code": ent.credit_code, "town_id": ent.town_id, "level": ent.level,
        "industry": ent.industry or "", "tags": [t.id for t in ent.tags], "address": ent.address or "",
        "notes": ent.notes or "",
        "contacts": [{"name": c.name, "title": c.title or "", "mobile": c.mobile or "",
                      "email": c.email or ""} for c in ent.contacts] or [{}],
    }


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@require_roles(*LIST_KEEPERS)
def edit(enterprise_id: int):
    ent = get_editable_enterprise_or_404(enterprise_id, current_user)
    form = EnterpriseForm(data=None if request.method == "POST" else _initial(ent))
    _choices(form, ent)
    if request.method == "GET":
        form.contacts.append_entry()  # a blank row to add one more contact
    duplicate = None
    if form.validate_on_submit():
        duplicate = _duplicate(form, exclude_id=ent.id)
        if duplicate is None:
            try:
                changes = update_enterprise(ent, _data(form), reason=form.reason.data or None)
                db.session.commit()
            except RecordError as exc:
                getattr(form, exc.field, form.name).errors.append(str(exc))
            except IntegrityError:
                _integrity_error(form)
            else:
                flash(_("已保存。") if changes else _("没有需要保存的修改。"), "success")
                return redirect(url_for("enterprises.detail", enterprise_id=ent.id))
    status = 422 if form.errors else 200
    return render_template("enterprises/edit.html", form=form, ent=ent,
                           duplicate=duplicate if duplicate is not None and _visible(duplicate) else None), status


@bp.route("/<int:enterprise_id>/listing", methods=["GET", "POST"])
@require_roles(*LIST_KEEPERS)
def listing(enterprise_id: int):
    """Take the enterprise off the key list, or put it back on, with a date and a reason."""
    ent = get_editable_enterprise_or_404(enterprise_id, current_user)
    today = business_today()
    listed = ent.open_period is not None
    form = RemoveForm() if listed else RelistForm()
    if request.method == "GET":
        form.on.data = today
    if form.validate_on_submit():
        try:
            if listed:
                remove_from_list(ent, form.on.data, form.reason.data.strip(), today,
                                 end_assignments=form.end_assignments.data)
                message = _("已将“%(name)s”移出重点企业清单。", name=ent.name)
            else:
                relist(ent, form.on.data, form.reason.data.strip(), today)
                message = _("已将“%(name)s”重新列入重点企业清单。", name=ent.name)
            db.session.commit()
        except RecordError as exc:
            db.session.rollback()
            form.on.errors.append(str(exc))
        else:
            flash(message, "success")
            return redirect(url_for("enterprises.detail", enterprise_id=ent.id))
    return render_template("enterprises/listing.html", form=form, ent=ent, listed=listed,
                           today=today), 422 if form.errors else 200
