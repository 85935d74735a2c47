"""The admin-managed policy list (政策库) liaisons pick from on the visit form."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm import audit
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Tag
from crm.permissions import require_roles
from crm.visits import bp
from crm.visits.forms import PolicyForm
from crm.visits.models import Policy, visit_policies

_MANAGERS = (Role.ADMIN, Role.COMMISSION)


@bp.route("/policies", methods=["GET", "POST"])
@require_roles(*_MANAGERS)
def policies():
    form = _form()
    if form.validate_on_submit() and _unique(form):
        policy = Policy()
        _apply(form, policy)
        db.session.add(policy)
        db.session.flush()
        audit.record("create", "policy", policy.id, changes=_values(policy))
        db.session.commit()
        flash(_("已添加政策「%(t)s」。", t=policy.title), "success")
        return redirect(url_for("visits.policies"))
    rows = db.session.scalars(select(Policy).options(selectinload(Policy.tags))
                              .order_by(Policy.active.desc(), Policy.title)).all()
    used = dict(db.session.execute(select(visit_policies.c.policy_id, func.count())
                                   .group_by(visit_policies.c.policy_id)).all())
    return render_template("visits/policies.html", form=form, rows=rows, used=used)


@bp.route("/policies/<int:policy_id>", methods=["GET", "POST"])
@require_roles(*_MANAGERS)
def policy(policy_id: int):
    item = db.get_or_404(Policy, policy_id)
    form = _form(item)
    if form.validate_on_submit() and _unique(form, item):
        before = _values(item)
        _apply(form, item)
        changes = audit.diff(before, _values(item))
        if changes:
            audit.record("edit", "policy", item.id, changes=changes)
        db.session.commit()
        flash(_("已保存。"), "success")
        return redirect(url_for("visits.policies"))
    return render_template("visits/policy_edit.html", form=form, item=item)


def _form(item: Policy | None = None) -> PolicyForm:
    form = PolicyForm(obj=item) if item is not None else PolicyForm()
    form.tags.choices = {str(t.id): t.name for t in db.session.scalars(
        select(Tag).where(Tag.active.is_(True)).order_by(Tag.name))}
    if item is not None and not form.is_submitted():
        form.tags.data = [t.id for t in item.tags]
    return form


def _unique(form: PolicyForm, item: Policy | None = None) -> bool:
    title = form.title.data.strip()
    other = db.session.scalar(select(Policy).where(Policy.title == title))
    if other is not None and other is not item:
        form.title.errors = list(form.title.errors) + [_("已有同名政策。")]
        return False
    return True


def _apply(form: PolicyForm, policy: Policy) -> None:
    policy.title = form.title.data.strip()
    policy.summary = (form.summary.data or "").strip() or None
    policy.active = bool(form.active.data)
    ids = list(form.tags.data or [])
    policy.tags = list(db.session.scalars(select(Tag).where(Tag.id.in_(ids)))) if ids else []


def _values(policy: Policy) -> dict:
    return {"title": policy.title, "summary": policy.summary or "", "active": policy.active,
            "tags": sorted(t.name for t in policy.tags)}
