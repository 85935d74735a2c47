"""The key-enterprise list and the enterprise page, for every role within its scope."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, lazyload, selectinload

from crm.auth.models import User, UserRole
from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.enterprises import bp
from crm.enterprises.contacts import mask_email, mask_phone
from crm.enterprises.filters import SORTS, STATUSES, EnterpriseFilter
from crm.enterprises.history import history
from crm.enterprises.industries import INDUSTRY_SECTIONS
from crm.enterprises.models import LEVEL_LABELS, Assignment, Enterprise, Tag
from crm.enterprises.sections import render_sections
from crm.org.models import Town
from crm.pagination import paginate
from crm.permissions import (can_edit_enterprise, get_enterprise_or_404, keeps_list,
                             masks_contacts, require_roles, scope_users_liaisons)

ALL_ROLES = (Role.ADMIN, Role.COMMISSION, Role.TOWN, Role.LEADER, Role.LIAISON, Role.DEPARTMENT)


def liaison_options(user) -> list[User]:
    """Active liaisons `user` may pick (all for the district, their own for a town)."""
    # A pick list shows names and logins: the users' roles are not loaded (only if asked for).
    stmt = (select(User).join(UserRole).where(User.active, UserRole.role == Role.LIAISON.value)
            .order_by(User.name, User.login).options(lazyload(User.role_rows)))
    return list(db.session.scalars(scope_users_liaisons(stmt, user)).unique())


def filter_options(user) -> dict:
    return {
        "towns": db.session.scalars(select(Town).order_by(Town.active.desc(), Town.code)).all(),
        "tags": db.session.scalars(select(Tag).order_by(Tag.active.desc(), Tag.name)).all(),
        "liaisons": liaison_options(user),
        "levels": LEVEL_LABELS, "industries": INDUSTRY_SECTIONS, "statuses": STATUSES, "sorts": SORTS,
    }


@bp.route("/")
@require_roles(*ALL_ROLES)
def index():
    today = business_today()
    filt = EnterpriseFilter.from_args(request.args)
    stmt = filt.select(current_user, today).options(
        contains_eager(Enterprise.town),
        selectinload(Enterprise.tags),
        selectinload(Enterprise.list_periods),
        # Only the liaisons in charge today: one query for the whole page, whatever its size.
        selectinload(Enterprise.assignments.and_(Assignment.active_on(today)))
        .joinedload(Assignment.liaison).lazyload(User.role_rows),
    )
    page = paginate(stmt)
    return render_template(
        "enterprises/index.html", page=page, filt=filt, today=today,
        options=filter_options(current_user), keeps_list=keeps_list(current_user),
        filter_args=filt.to_args(), manages_tags=current_user.has_role(Role.ADMIN),
    )


@bp.route("/<int:enterprise_id>")
@require_roles(*ALL_ROLES)
def detail(enterprise_id: int):
    ent = get_enterprise_or_404(enterprise_id, current_user)
    today = business_today()
    masked = masks_contacts(current_user, ent, today)
    assignments = sorted(ent.assignments, key=lambda a: (a.end_on is not None and a.end_on <= today,
                                                         a.role != "primary", -a.start_on.toordinal()))
    return render_template(
        "enterprises/detail.html", ent=ent, today=today, masked=masked,
        phone=mask_phone if masked else (lambda v: v or ""),
        email=mask_email if masked else (lambda v: v or ""),
        assignments=assignments, in_charge=[a for a in assignments if a.is_active_on(today)],
        periods=sorted(ent.list_periods, key=lambda p: p.added_on, reverse=True),
        history=history(ent.id, masked), sections=render_sections(ent, current_user),
        can_edit=can_edit_enterprise(current_user, ent), industries=INDUSTRY_SECTIONS,
    )
