"""The admin-managed list of request categories and their default time limits."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from crm import audit
from crm.auth.roles import Role
from crm.db import db
from crm.permissions import require_roles
from crm.requests import bp
from crm.requests.forms import CategoryForm
from crm.requests.models import Category


def _all() -> list[Category]:
    return db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()


def _name_taken(name: str, category_id=None) -> bool:
    other = db.session.scalar(select(Category).where(Category.name == name))
    return other is not None and other.id != category_id


@bp.route("/categories", methods=["GET", "POST"])
@require_roles(Role.ADMIN, Role.COMMISSION)
def categories():
    form = CategoryForm(prefix="new")
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _name_taken(name):
            form.name.errors.append(_("已有同名类别。"))
        else:
            cat = Category(name=name, time_limit_days=form.time_limit_days.data,
                           position=form.position.data or 0, active=form.active.data)
            db.session.add(cat)
            db.session.flush()
            audit.record("category.create", "request_category", cat.id,
                         changes={"name": name, "time_limit_days": cat.time_limit_days})
            db.session.commit()
            flash(_("已添加类别“%(n)s”。", n=name), "success")
            return redirect(url_for("requests.categories"))
    rows = [(c, CategoryForm(prefix=f"c{c.id}", obj=c, formdata=None)) for c in _all()]
    return render_template("requests/categories.html", form=form, rows=rows), 400 if form.errors else 200


@bp.route("/categories/<int:category_id>", methods=["POST"])
@require_roles(Role.ADMIN, Role.COMMISSION)
def edit_category(category_id: int):
    cat = db.get_or_404(Category, category_id)
    form = CategoryForm(prefix=f"c{cat.id}")
    if form.validate_on_submit() and not _name_taken(form.name.data.strip(), cat.id):
        before = {"name": cat.name, "time_limit_days": cat.time_limit_days, "position": cat.position,
                  "active": cat.active}
        cat.name, cat.time_limit_days = form.name.data.strip(), form.time_limit_days.data
        cat.position, cat.active = form.position.data or 0, form.active.data
        after = {"name": cat.name, "time_limit_days": cat.time_limit_days, "position": cat.position,
                 "active": cat.active}
        audit.record("category.update", "request_category", cat.id, changes=audit.diff(before, after))
        db.session.commit()
        flash(_("已保存类别“%(n)s”。", n=cat.name), "success")
        return redirect(url_for("requests.categories"))
    if not form.errors:
        form.name.errors.append(_("已有同名类别。"))
    rows = [(c, form if c.id == cat.id else CategoryForm(prefix=f"c{c.id}", obj=c, formdata=None))
            for c in _all()]
    return render_template("requests/categories.html", form=CategoryForm(prefix="new", formdata=None),
                           rows=rows), 400
