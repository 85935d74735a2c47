"""The calendar admin page: which years are known, the override table, loading a schedule."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm import audit
from crm.auth.roles import Role
from crm.calendar import bp
from crm.calendar.forms import OverrideForm, ScheduleUploadForm
from crm.calendar.loading import ScheduleError, load_schedule, parse_schedule
from crm.calendar.models import CalendarOverride, CalendarYear
from crm.calendar.store import current_calendar, invalidate, unknown_years_ahead
from crm.calendar.workdays import package_knows
from crm.clock import business_today
from crm.db import db
from crm.permissions import require_roles
from crm.requests.deadlines import recompute_provisional

#: Years listed on the page: from this one to next year.
FIRST_YEAR = 2024


@bp.before_app_request
def _fresh_calendar():
    # Tests keep one app context (and so one `g`) across requests: re-read the table per request.
    invalidate()


@bp.app_context_processor
def _calendar_banner():
    def calendar_unknown_years() -> list[int]:
        """Years admins should load now (shown as a banner to admins only)."""
        if not getattr(current_user, "is_authenticated", False) or not current_user.has_role(Role.ADMIN):
            return []
        return unknown_years_ahead(business_today())

    return {"calendar_unknown_years": calendar_unknown_years}


def _years() -> list[dict]:
    loaded = {y.year: y for y in db.session.scalars(select(CalendarYear))}
    overrides = list(db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))
    last = max([business_today().year + 1, *loaded])
    rows = []
    for year in range(FIRST_YEAR, last + 1):
        count = sum(1 for o in overrides if o.day.year == year)
        if year in loaded:
            status = "loaded"
        elif package_knows(year):
            status = "builtin"
        else:
            status = "unknown"
        rows.append({"year": year, "status": status, "loaded": loaded.get(year), "overrides": count})
    return rows


def _page(upload=None, override=None, problems=None, status=200):
    overrides = db.session.scalars(
        select(CalendarOverride).order_by(CalendarOverride.day.desc()).limit(400)).all()
    return render_template(
        "calendar/index.html", years=_years(), overrides=overrides,
        upload=upload or ScheduleUploadForm(), override=override or OverrideForm(prefix="one"),
        problems=problems or [], unknown=unknown_years_ahead(business_today()),
    ), status


@bp.route("/")
@require_roles(Role.ADMIN)
def index():
    return _page()


@bp.route("/load", methods=["POST"])
@require_roles(Role.ADMIN)
def load():
    form = ScheduleUploadForm()
    if not form.validate_on_submit():
        return _page(upload=form, status=400)
    raw = form.file.data.read()
    try:
        rows = parse_schedule(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        form.file.errors.append(_("文件不是 UTF-8 编码的 CSV。"))
        return _page(upload=form, status=400)
    except ScheduleError as e:
        form.file.errors.append(_("文件有错误，未导入任何日期。"))
        return _page(upload=form, problems=e.problems, status=400)
    result = load_schedule(rows, source=form.file.data.filename or "upload.csv", actor=current_user)
    db.session.commit()
    flash(_("已加载 %(y)s 年：新增 %(a)s 天，更新 %(u)s 天，重新计算暂定时限 %(r)s 件。",
            y="、".join(map(str, result.years)), a=result.added, u=result.updated, r=result.recomputed),
          "success")
    return redirect(url_for("calendar.index"))


@bp.route("/overrides", methods=["POST"])
@require_roles(Role.ADMIN)
def add_override():
    form = OverrideForm(prefix="one")
    if not form.validate_on_submit():
        return _page(override=form, status=400)
    existing = db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == form.day.data))
    if existing is None:
        existing = CalendarOverride(day=form.day.data, created_by_id=current_user.id)
        db.session.add(existing)
    before = {"kind": existing.kind, "name": existing.name}
    existing.kind, existing.name = form.kind.data, (form.name.data or "").strip()
    db.session.flush()
    audit.record("calendar.override", "calendar_override", existing.id,
                 changes=audit.diff(before, {"kind": existing.kind, "name": existing.name}))
    invalidate()
    recompute_provisional(current_calendar())
    db.session.commit()
    flash(_("已保存 %(d)s 的设置。", d=form.day.data.isoformat()), "success")
    return redirect(url_for("calendar.index"))


@bp.route("/overrides/<int:override_id>/delete", methods=["POST"])
@require_roles(Role.ADMIN)
def delete_override(override_id: int):
    override = db.get_or_404(CalendarOverride, override_id)
    audit.record("calendar.override_delete", "calendar_override", override.id,
                 changes={"day": override.day, "kind": override.kind, "name": override.name})
    db.session.delete(override)
    db.session.flush()
    invalidate()
    recompute_provisional(current_calendar())
    db.session.commit()
    flash(_("已删除 %(d)s 的设置。", d=override.day.isoformat()), "success")
    return redirect(url_for("calendar.index"))

