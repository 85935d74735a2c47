"""Which part of the district a report shows a user, and which reports they may open.

District-wide roles see everything and may narrow a report to one town or department in
the URL; a town coordinator always sees their own town, a department handler their own
department, a liaison only their own coverage card. Asking for more than that is not an
error page: the user gets their own scope and a message saying so.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Optional

from flask_babel import gettext as _
from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db
from crm.org.models import Department, Town
from crm.permissions.liaisons import LiaisonPhones, liaison_phones
from crm.permissions.roles import sees_everything

COVERAGE, REQUESTS, TRENDS = "coverage", "requests", "trends"


@dataclass(frozen=True)
class ReportScope:
    """None means "not restricted"; a liaison scope is their own card."""

    town_id: Optional[int] = None
    department_id: Optional[int] = None
    liaison_id: Optional[int] = None
    #: May the user change the town/department in the URL (the district-wide roles).
    can_choose: bool = False
    town_name: str = ""
    department_name: str = ""
    #: Whose liaison phone numbers the report's reader sees in full (nobody's unless told).
    phones: LiaisonPhones = field(default_factory=LiaisonPhones)

    @property
    def district_wide(self) -> bool:
        return self.town_id is None and self.department_id is None and self.liaison_id is None

    @property
    def label(self) -> str:
        parts = [name for name in (self.town_name, self.department_name) if name]
        if self.liaison_id is not None:
            parts.append(_("本人"))
        return " · ".join(parts) or _("全区")

    def args(self) -> dict[str, int]:
        """The URL arguments that reproduce this scope for a user who may choose it."""
        if not self.can_choose:
            return {}
        return {k: v for k, v in (("town", self.town_id), ("department", self.department_id)) if v}


def may_open(user, report: str) -> bool:
    """Coverage: district roles, towns, liaisons (own card). Requests and trends: no liaisons."""
    if sees_everything(user) or user.has_role(Role.TOWN):
        return True
    if report == COVERAGE:
        return user.has_role(Role.LIAISON)
    return user.has_role(Role.DEPARTMENT) and user.department_id is not None


def report_scope(user, args: Mapping[str, str], report: str) -> tuple[ReportScope, Optional[str]]:
    """The scope for `user` given the URL `args`, and a message when the URL asked for more."""
    scope, message = _scope(user, args, report)
    return replace(scope, phones=liaison_phones(user)), message


def _scope(user, args: Mapping[str, str], report: str) -> tuple[ReportScope, Optional[str]]:
    town = _load(Town, args.get("town"))
    department = _load(Department, args.get("department")) if report != COVERAGE else None
    message = None
    if (args.get("town") and town is None) or (args.get("department") and report != COVERAGE and department is None):
        message = _("没有找到所选的乡镇或部门，已显示您可以查看的全部范围。")

    if sees_everything(user):
        return ReportScope(town_id=town.id if town else None, department_id=department.id if department else None,
                           can_choose=True, town_name=town.name if town else "",
                           department_name=department.name if department else ""), message

    if user.has_role(Role.TOWN) and user.town_id is not None:
        own = user.town
        if town is not None and town.id != own.id:
            message = _("您只能查看本乡镇（%(town)s）的报表，已为您显示本乡镇。", town=own.name)
        return ReportScope(town_id=own.id, department_id=department.id if department else None,
                           town_name=own.name, department_name=department.name if department else ""), message

    if report != COVERAGE and user.has_role(Role.DEPARTMENT) and user.department_id is not None:
        own = user.department
        if department is not None and department.id != own.id:
            message = _("您只能查看本部门（%(department)s）的报表，已为您显示本部门。", department=own.name)
        return ReportScope(department_id=own.id, town_id=town.id if town else None,
                           department_name=own.name, town_name=town.name if town else ""), message

    if args.get("town") or args.get("department"):
        message = _("您只能查看本人的走访覆盖情况。")
    return ReportScope(liaison_id=user.id), message


def _load(model, raw: Optional[str]):
    if not raw:
        return None
    try:
        key = int(raw)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(select(model).where(model.id == key))
