"""Which page is home for a user, and the navigation each role sees."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from crm.auth.roles import Role

# First match wins: a town coordinator who is also a liaison lands on the dashboard.
_HOMES = [
    ((Role.COMMISSION, Role.TOWN, Role.LEADER), "main.dashboard"),
    ((Role.DEPARTMENT,), "requests.inbox"),
    ((Role.LIAISON,), "visits.my_enterprises"),
    ((Role.ADMIN,), "org.users"),
]


def home_endpoint(user) -> str:
    for roles, endpoint in _HOMES:
        if user.has_role(*roles):
            return endpoint
    return "main.home"


@dataclass(frozen=True)
class NavItem:
    label: object
    endpoint: str
    roles: tuple[Role, ...]


NAV = [
    NavItem(_l("工作台"), "main.dashboard", (Role.COMMISSION, Role.TOWN, Role.LEADER)),
    NavItem(_l("我的企业"), "visits.my_enterprises", (Role.LIAISON,)),
    NavItem(_l("待办诉求"), "requests.inbox", (Role.DEPARTMENT,)),
    NavItem(_l("重点企业"), "enterprises.index", (Role.ADMIN, Role.COMMISSION, Role.TOWN, Role.LEADER)),
    NavItem(_l("诉求督办"), "requests.board", (Role.COMMISSION, Role.TOWN, Role.LEADER)),
    NavItem(_l("企业诉求"), "requests.index", (Role.LIAISON,)),
    NavItem(_l("走访记录"), "visits.index", (Role.COMMISSION, Role.TOWN, Role.LEADER, Role.DEPARTMENT, Role.LIAISON)),
    NavItem(_l("包保人"), "visits.liaisons", (Role.COMMISSION, Role.TOWN, Role.LEADER)),
    NavItem(_l("政策库"), "visits.policies", (Role.ADMIN, Role.COMMISSION)),
    NavItem(_l("报表"), "reports.index", (Role.COMMISSION, Role.TOWN, Role.LEADER, Role.DEPARTMENT, Role.LIAISON)),
    NavItem(_l("系统管理"), "org.users", (Role.ADMIN,)),
    NavItem(_l("工作日历"), "calendar.index", (Role.ADMIN,)),
    NavItem(_l("接口令牌"), "api_admin.tokens", (Role.ADMIN,)),
]


def nav_for(user) -> list[NavItem]:
    return [item for item in NAV if user.has_role(*item.roles)]
