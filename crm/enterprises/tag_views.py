"""The tag vocabulary (专精特新, 高新技术企业, ...): admins add, rename and retire tags.

Tags are never deleted: a retired tag stays on the enterprises that carry it (and in their
history) but can no longer be given to others.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.audit import record
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises import bp
from crm.enterprises.forms import TagForm
from crm.enterprises.models import Tag, enterprise_tags
from crm.permissions import require_roles


def _name_taken(name: str, exclude_id=None) -> bool:
    stmt = select(Tag.id).where(func.lower(Tag.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Tag.id != exclude_id)
    return db.session.scalar(stmt) is not None


def _page(form: TagForm, status: int = 200, edit_forms=None):
    counts = dict(db.session.execute(
        select(enterprise_tags.c.tag_id, func.count()).group_by(enterprise_tags.c.tag_id)).all())
    tags = db.session.scalars(select(Tag).order_by(Tag.active.desc(), Tag.name)).all()
    edit_forms = edit_forms or {}
    for tag in tags:
        edit_forms.setdefault(tag.id, TagForm(formdata=None, prefix=f"tag-{tag.id}", name=tag.name))
    return render_template("enterprises/tags.html", form=form, tags=tags, counts=counts,
                           edit_forms=edit_forms), status


@bp.route("/tags", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def tags():
    form = TagForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _name_taken(name):
            form.name.errors.append(_("标签“%(name)s”已存在", name=name))
        else:
            tag = Tag(name=name)
            db.session.add(tag)
            db.session.flush()
            record("create", "tag", tag.id, changes={"name": name})
            db.session.commit()
            flash(_("已添加标签“%(name)s”。", name=name), "success")
            return redirect(url_for("enterprises.tags"))
    return _page(form, 422 if form.errors else 200)


@bp.route("/tags/<int:tag_id>", methods=["POST"])
@require_roles(Role.ADMIN)
def rename_tag(tag_id: int):
    tag = db.get_or_404(Tag, tag_id)
    form = TagForm(prefix=f"tag-{tag.id}")
    if form.validate_on_submit():
        name = form.name.data.strip()
        if _name_taken(name, exclude_id=tag.id):
            form.name.errors.append(_("标签“%(name)s”已存在", name=name))
        else:
            if name != tag.name:
                record("update", "tag", tag.id, changes={"name": [tag.name, name]})
                tag.name = name
                db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("enterprises.tags"))
    return _page(TagForm(formdata=None), 422, edit_forms={tag.id: form})


@bp.route("/tags/<int:tag_id>/active", methods=["POST"])
@require_roles(Role.ADMIN)
def toggle_tag(tag_id: int):
    tag = db.get_or_404(Tag, tag_id)
    tag.active = not tag.active
    record("activate" if tag.active else "deactivate", "tag", tag.id)
    db.session.commit()
    flash(_("已启用标签“%(name)s”。", name=tag.name) if tag.active
          else _("已停用标签“%(name)s”：已有该标签的企业保留，不能再添加给其他企业。", name=tag.name), "success")
    return redirect(url_for("enterprises.tags"))
