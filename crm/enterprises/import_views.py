"""Spreadsheet import (upload -> preview -> apply) and export of the filtered list."""
from __future__ import annotations

import io
from typing import Optional

from flask import (abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from crm.audit import record
from crm.clock import business_today
from crm.db import db
from crm.enterprises import bp, exporter, import_apply, pending_uploads
from crm.enterprises.filters import EnterpriseFilter
from crm.enterprises.forms import ImportForm
from crm.enterprises.history import FIELDS
from crm.enterprises.importer import check, count_problem_rows
from crm.enterprises.models import Enterprise
from crm.enterprises.views import ALL_ROLES
from crm.imports import ImportRejected
from crm.permissions import (contacts_visible_condition, keeps_list, require_roles,
                             sees_everything)
from crm.permissions.enterprises import LIST_KEEPERS
from crm.spreadsheets import SpreadsheetError, read_upload

ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
#: Updated enterprises listed by name on the preview; the counts cover the rest.
PREVIEW_CHANGES = 100


def _render(form: ImportForm, *, error: Optional[str] = None, plan=None, report=None,
            token: Optional[str] = None, status: int = 200):
    return render_template(
        "enterprises/import.html", form=form, error=error, plan=plan, report=report, token=token,
        problem_rows=count_problem_rows(report) if report else 0, preview_changes=PREVIEW_CHANGES,
        field_labels=FIELDS,
    ), status


def _guard() -> None:
    if not keeps_list(current_user):
        abort(403)


@bp.route("/import", methods=["GET", "POST"])
@require_roles(*LIST_KEEPERS)
def import_upload():
    _guard()
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(form, status=422 if form.errors else 200)
    upload = form.file.data
    filename = upload.filename or "upload.xlsx"
    if not filename.lower().endswith(ALLOWED_SUFFIXES):
        return _render(form, error=_("只能导入 .xlsx 或 .csv 文件（当前为“%(name)s”）。", name=filename),
                       status=422)
    try:
        data = read_upload(upload.stream, current_app.config["MAX_CONTENT_LENGTH"])
        plan, report = check(data, filename, current_user)
    except SpreadsheetError as exc:
        return _render(form, error=str(exc), status=422)
    if not plan.rows and report.ok:
        return _render(form, error=_("表格中没有数据行。"), status=422)
    token = pending_uploads.save(data, filename, current_user.id) if report.ok else None
    return _render(form, plan=plan, report=report, token=token, status=200 if report.ok else 422)


@bp.route("/import/<token>", methods=["POST"])
@require_roles(*LIST_KEEPERS)
def import_confirm(token: str):
    _guard()
    loaded = pending_uploads.load(token, current_user.id)
    if loaded is None:
        flash(_("待导入的文件已过期或不存在，请重新上传。"), "warning")
        return redirect(url_for("enterprises.import_upload"))
    data, filename = loaded
    form = ImportForm(formdata=None)
    try:
        plan, result = import_apply.apply(data, filename, current_user)
        record("import", "enterprises", changes={
            "file": filename, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged})
        db.session.commit()
    except ImportRejected as exc:
        # The data changed since the preview (someone else edited): show what is wrong now.
        db.session.rollback()
        plan, report = check(data, filename, current_user)
        report.problems = report.problems or exc.problems
        return _render(form, plan=plan, report=report, status=422)
    except SpreadsheetError as exc:
        db.session.rollback()
        return _render(form, error=str(exc), status=422)
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("enterprise import failed: %s", filename)
        return _render(form, error=_("导入失败（数据库拒绝了修改），未导入任何数据。请稍后重试或联系管理员。"),
                       status=500)
    pending_uploads.discard(token)
    flash(_("导入完成：新增 %(a)d 家，更新 %(b)d 家，无变化 %(c)d 家。",
            a=result.created, b=result.updated, c=result.unchanged), "success")
    return redirect(url_for("enterprises.index"))


@bp.route("/import/template.xlsx")
@require_roles(*LIST_KEEPERS)
def import_template():
    data, _count = exporter.write_xlsx([])
    return _xlsx(data, "重点企业导入模板.xlsx")


@bp.route("/export.xlsx")
@require_roles(*ALL_ROLES)
def export():
    """The list as filtered on screen, within the reader's scope, contacts masked where they are."""
    today = business_today()
    filt = EnterpriseFilter.from_args(request.args)
    stmt = filt.select(current_user, today)
    visible = None
    if not sees_everything(current_user):
        visible = set(db.session.scalars(
            stmt.with_only_columns(Enterprise.id).order_by(None).where(contacts_visible_condition(current_user, today))))
    data, count = exporter.export_xlsx(stmt, today, visible)
    record("export", "enterprises", changes={"filters": filt.to_args(), "rows": count})
    db.session.commit()
    return _xlsx(data, f"重点企业清单_{today.isoformat()}.xlsx")


def _xlsx(data: bytes, name: str):
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

