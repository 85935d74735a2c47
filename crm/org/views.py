"""Admin pages for towns/parks and departments (one set of views serves both)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.audit import diff, record
from crm.auth.roles import Role
from crm.db import db
from crm.imports import ImportRejected
from crm.org import bp, importer
from crm.org.forms import OrgImportForm, OrgUnitForm
from crm.org.models import Department, Town
from crm.permissions import require_roles
from crm.spreadsheets import SpreadsheetError, read_upload


@dataclass(frozen=True)
class UnitKind:
    model: type
    kind: str     # URL segment and audit object type
    title: object
    singular: object


KINDS = {
    "towns": UnitKind(Town, "town", _l("乡镇/园区"), _l("乡镇/园区")),
    "departments": UnitKind(Department, "department", _l("部门/单位"), _l("部门/单位")),
}


def _kind(kind: str) -> UnitKind:
    if kind not in KINDS:
        abort(404)
    return KINDS[kind]


def _taken(model, column, value, exclude_id=None) -> bool:
    stmt = select(model.id).where(func.lower(column) == value.lower())
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return db.session.scalar(stmt) is not None


def _validate_unique(form: OrgUnitForm, unit: UnitKind, exclude_id=None) -> bool:
    ok = True
    if _taken(unit.model, unit.model.code, form.code.data.strip(), exclude_id):
        form.code.errors.append(_("代码已被使用"))
        ok = False
    if _taken(unit.model, unit.model.name, form.name.data.strip(), exclude_id):
        form.name.errors.append(_("名称已被使用"))
        ok = False
    return ok


@bp.route("/<any(towns, departments):kind>", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def units(kind: str):
    unit = _kind(kind)
    form = OrgUnitForm()
    if form.validate_on_submit() and _validate_unique(form, unit):
        obj = unit.model(code=form.code.data.strip(), name=form.name.data.strip())
        db.session.add(obj)
        db.session.flush()
        record("create", unit.kind, obj.id, changes={"code": obj.code, "name": obj.name})
        db.session.commit()
        flash(_("已添加“%(name)s”。", name=obj.name), "success")
        return redirect(url_for("org.units", kind=kind))
    rows = db.session.scalars(select(unit.model).order_by(unit.model.active.desc(), unit.model.code)).all()
    return render_template("org/units.html", unit=unit, kind=kind, rows=rows, form=form)


@bp.route("/<any(towns, departments):kind>/<int:unit_id>", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def edit_unit(kind: str, unit_id: int):
    unit = _kind(kind)
    obj = db.get_or_404(unit.model, unit_id)
    form = OrgUnitForm(obj=obj)
    if form.validate_on_submit() and _validate_unique(form, unit, exclude_id=obj.id):
        before = {"code": obj.code, "name": obj.name}
        obj.code, obj.name = form.code.data.strip(), form.name.data.strip()
        changes = diff(before, {"code": obj.code, "name": obj.name})
        if changes:
            record("update", unit.kind, obj.id, changes=changes)
        db.session.commit()
        flash(_("已保存。"), "success")
        return redirect(url_for("org.units", kind=kind))
    return render_template("org/unit_edit.html", unit=unit, kind=kind, obj=obj, form=form)


@bp.route("/<any(towns, departments):kind>/<int:unit_id>/active", methods=["POST"])
@require_roles(Role.ADMIN)
def toggle_unit(kind: str, unit_id: int):
    unit = _kind(kind)
    obj = db.get_or_404(unit.model, unit_id)
    obj.active = not obj.active
    record("activate" if obj.active else "deactivate", unit.kind, obj.id)
    db.session.commit()
    flash(_("已启用“%(name)s”。", name=obj.name) if obj.active else _("已停用“%(name)s”。", name=obj.name), "success")
    return redirect(url_for("org.units", kind=kind))


@bp.route("/import", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def import_org():
    form = OrgImportForm()
    problems, result, error = [], None, None
    if form.validate_on_submit():
        try:
            data = read_upload(form.file.data.stream, current_app.config["MAX_CONTENT_LENGTH"])
            result = importer.apply(data, form.file.data.filename or "upload.xlsx")
            record("import", "org", changes={"file": form.file.data.filename,
                                             "new_users": len(result.new_users)})
            db.session.commit()
        except SpreadsheetError as exc:
            db.session.rollback()
            error = str(exc)
        except ImportRejected as exc:
            db.session.rollback()
            problems = exc.problems
    status = 422 if (problems or error) else 200
    return render_template("org/import.html", form=form, problems=problems, result=result,
                           error=error), status
