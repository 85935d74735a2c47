"""The roles a user can hold, and their Chinese names."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(str, enum.Enum):
    ADMIN = "admin"            # 系统管理员
    COMMISSION = "commission"  # 区经委: sees and supervises everything
    TOWN = "town"              # 乡镇/园区 coordinator, scoped to one town
    DEPARTMENT = "department"  # 承办部门 handler, scoped to one department
    LIAISON = "liaison"        # 包保责任人
    LEADER = "leader"          # 区领导: read-only, everything

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("系统管理员"),
    Role.COMMISSION: _l("区经委"),
    Role.TOWN: _l("乡镇/园区"),
    Role.DEPARTMENT: _l("承办部门"),
    Role.LIAISON: _l("包保责任人"),
    Role.LEADER: _l("区领导"),
}

#: The words a district spreadsheet uses in its 角色 column, mapped to roles.
ROLE_ALIASES = {
    **{r.value: r for r in Role},
    "系统管理员": Role.ADMIN, "管理员": Role.ADMIN,
    "区经委": Role.COMMISSION, "经委": Role.COMMISSION, "经济委员会": Role.COMMISSION,
    "乡镇": Role.TOWN, "园区": Role.TOWN, "乡镇/园区": Role.TOWN, "乡镇园区": Role.TOWN,
    "部门": Role.DEPARTMENT, "承办部门": Role.DEPARTMENT, "承办单位": Role.DEPARTMENT,
    "包保责任人": Role.LIAISON, "包保人": Role.LIAISON, "服务专员": Role.LIAISON,
    "区领导": Role.LEADER, "领导": Role.LEADER,
}


def parse_role(text: str) -> Role:
    """A role from its code or Chinese name; ValueError when unknown."""
    key = text.strip()
    role = ROLE_ALIASES.get(key) or ROLE_ALIASES.get(key.lower())
    if role is None:
        raise ValueError(text)
    return role
