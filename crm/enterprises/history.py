"""An enterprise's audit trail, in words a reader of the detail page understands.

Values are shown as recorded (names, not ids); phone numbers are masked for a reader who
only sees masked contacts, so the history cannot leak what the contact list hides.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.audit import AuditEntry
from crm.db import db
from crm.enterprises.contacts import mask_email, mask_phone
from crm.enterprises.industries import INDUSTRY_SECTIONS
from crm.enterprises.models import LEVEL_LABELS, ROLE_LABELS
from crm.enterprises.records import OBJECT_TYPE

ACTIONS = {
    "create": _l("新建"), "update": _l("修改"), "remove": _l("移出清单"), "relist": _l("重新列入"),
    "assign": _l("指派包保人"), "unassign": _l("解除包保"), "reassign": _l("更换包保人"),
    "export": _l("导出"),
}
FIELDS = {
    "name": _l("企业名称"), "credit_code": _l("统一社会信用代码"), "town": _l("属地"),
    "level": _l("级别"), "industry": _l("行业"), "address": _l("地址"), "notes": _l("备注"),
    "tags": _l("标签"), "contacts": _l("联系人"), "added_on": _l("列入日期"),
    "removed_on": _l("移出日期"), "relisted_on": _l("重新列入日期"), "liaison": _l("包保责任人"),
    "liaisons": _l("包保责任人"), "role": _l("角色"), "start_on": _l("开始日期"),
    "end_on": _l("结束日期"), "on": _l("日期"), "ended_liaisons": _l("同时解除"),
}
#: Bookkeeping keys kept in the audit row but not worth a line on the page.
HIDDEN = {"assignment_id", "ended_assignment_id"}


@dataclass
class HistoryLine:
    entry: AuditEntry
    action: str
    changes: list[tuple[str, str, str | None]]  # label, before (or value), after (None: a plain value)


def entries_for(enterprise_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == OBJECT_TYPE, AuditEntry.object_id == enterprise_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .options(joinedload(AuditEntry.actor))
    ))


def history(enterprise_id: int, masked: bool) -> list[HistoryLine]:
    lines = []
    for entry in entries_for(enterprise_id):
        changes = []
        for key, value in (entry.changes or {}).items():
            if key in HIDDEN:
                continue
            label = str(FIELDS.get(key, key))
            # Edits store [before, after]; a reassignment stores the liaison as [old, new].
            is_pair = isinstance(value, list) and len(value) == 2 and (
                entry.action == "update" or key == "liaison")
            if is_pair:
                before, after = value
                changes.append((label, _show(key, before, masked), _show(key, after, masked)))
            else:
                changes.append((label, _show(key, value, masked), None))
        lines.append(HistoryLine(entry, str(ACTIONS.get(entry.action, entry.action)), changes))
    return lines


def _show(key: str, value: Any, masked: bool) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if key == "level":
        return str(LEVEL_LABELS.get(value, value))
    if key == "role":
        return str(ROLE_LABELS.get(value, value))
    if key == "industry":
        name = INDUSTRY_SECTIONS.get(value)
        return f"{value} {name}" if name else str(value)
    if key == "contacts" and isinstance(value, list):
        return "；".join(_contact(c, masked) for c in value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _contact(c: Any, masked: bool) -> str:
    if not isinstance(c, dict):
        return str(c)
    phone = mask_phone(c.get("mobile")) if masked else (c.get("mobile") or "")
    email = mask_email(c.get("email")) if masked else (c.get("email") or "")
    title = f"（{c['title']}）" if c.get("title") else ""
    return " ".join(part for part in (f"{c.get('name', '')}{title}", phone, email) if part)
