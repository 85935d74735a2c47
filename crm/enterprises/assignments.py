"""Liaison assignments (包保关系): assign, end, reassign, bulk assign. History is never overwritten.

An assignment is "current" on a date when it has not ended by then (it may start later).
Ending sets end_on (exclusive: the last day of responsibility is the day before); reassigning
ends one row and starts another on the same day. Every change is audited on the enterprise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Optional

from flask_babel import gettext as _

from crm.audit import record
from crm.db import db
from crm.enterprises.models import AUDIT_TYPE as OBJECT_TYPE
from crm.enterprises.models import Assignment, AssignmentRole, Enterprise


class AssignmentError(ValueError):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _describe(a: Assignment) -> dict:
    return {"assignment_id": a.id, "liaison": a.liaison.name, "role": a.role,
            "start_on": a.start_on, "end_on": a.end_on}


def check_assign(ent: Enterprise, liaison, role: str, start_on: date,
                 ignore: Iterable[Assignment] = ()) -> None:
    """Raise AssignmentError when `liaison` cannot start as `role` on `start_on`."""
    ignored = {id(a) for a in ignore}
    current = [a for a in ent.current_assignments(start_on) if id(a) not in ignored]
    if any(a.liaison_id == liaison.id for a in current):
        raise AssignmentError(_("%(name)s 已是该企业的包保责任人", name=liaison.name), "liaison_id")
    if role == AssignmentRole.PRIMARY.value:
        primary = next((a for a in current if a.role == AssignmentRole.PRIMARY.value), None)
        if primary is not None:
            raise AssignmentError(
                _("该企业已有主要包保责任人 %(name)s：请选择“协助”，或使用“更换”", name=primary.liaison.name),
                "role")


def _start(ent: Enterprise, liaison, role: str, start_on: date, flush: bool = True) -> Assignment:
    assignment = Assignment(liaison=liaison, enterprise=ent, role=role, start_on=start_on)
    db.session.add(assignment)
    if flush:
        db.session.flush()
    return assignment


def assign(ent: Enterprise, liaison, role: str, start_on: date, reason: Optional[str] = None) -> Assignment:
    check_assign(ent, liaison, role, start_on)
    assignment = _start(ent, liaison, role, start_on)
    record("assign", OBJECT_TYPE, ent.id, changes=_describe(assignment), reason=reason)
    return assignment


def end_silently(assignment: Assignment, end_on: date, reason: Optional[str]) -> Assignment:
    """End without an audit row of its own (the caller records the change that caused it).

    An assignment that had not started yet by `end_on` ends on its own first day.
    """
    assignment.end_on = max(end_on, assignment.start_on)
    assignment.end_reason = reason or None
    return assignment


def end(assignment: Assignment, end_on: date, reason: Optional[str] = None) -> Assignment:
    if assignment.end_on is not None:
        raise AssignmentError(_("该包保关系已于 %(d)s 解除", d=assignment.end_on.isoformat()), "end_on")
    if end_on < assignment.start_on:
        raise AssignmentError(
            _("解除日期不能早于开始日期（%(d)s）", d=assignment.start_on.isoformat()), "end_on")
    end_silently(assignment, end_on, reason)
    db.session.flush()
    record("unassign", OBJECT_TYPE, assignment.enterprise_id, changes=_describe(assignment),
           reason=reason)
    return assignment


def reassign(assignment: Assignment, liaison, on: date, reason: Optional[str] = None) -> Assignment:
    """End `assignment` on `on` and start `liaison` in the same role that day."""
    if assignment.end_on is not None:
        raise AssignmentError(_("该包保关系已于 %(d)s 解除", d=assignment.end_on.isoformat()), "on")
    if on < assignment.start_on:
        raise AssignmentError(
            _("更换日期不能早于原包保关系的开始日期（%(d)s）", d=assignment.start_on.isoformat()), "on")
    ent = assignment.enterprise
    check_assign(ent, liaison, assignment.role, on, ignore=[assignment])
    end_silently(assignment, on, reason)
    successor = _start(ent, liaison, assignment.role, on)
    record("reassign", OBJECT_TYPE, ent.id, reason=reason, changes={
        "liaison": [assignment.liaison.name, liaison.name], "role": assignment.role, "on": on,
        "ended_assignment_id": assignment.id, "assignment_id": successor.id,
    })
    return successor


@dataclass
class BulkResult:
    assigned: list[Enterprise] = field(default_factory=list)
    skipped: list[Enterprise] = field(default_factory=list)  # the liaison already had them
    conflicts: list[tuple[Enterprise, str]] = field(default_factory=list)


def plan_bulk(enterprises: Iterable[Enterprise], liaison, role: str, start_on: date,
              replace: bool) -> BulkResult:
    """What bulk_assign would do, without changing anything: used to refuse before acting."""
    result = BulkResult()
    for ent in enterprises:
        current = ent.current_assignments(start_on)
        if any(a.liaison_id == liaison.id and a.role == role for a in current):
            result.skipped.append(ent)
            continue
        displaced = [a for a in current if a.role == role or a.liaison_id == liaison.id] if replace else []
        late = [a for a in displaced if a.start_on > start_on]
        try:
            if late:
                raise AssignmentError(_("现有包保关系开始于 %(d)s，晚于本次开始日期",
                                        d=late[0].start_on.isoformat()))
            check_assign(ent, liaison, role, start_on, ignore=displaced)
        except AssignmentError as exc:
            result.conflicts.append((ent, str(exc)))
            continue
        result.assigned.append(ent)
    return result


def bulk_assign(enterprises: list[Enterprise], liaison, role: str, start_on: date,
                replace: bool, reason: Optional[str] = None) -> BulkResult:
    """Assign (or, with `replace`, hand over to) `liaison` on every enterprise, all or nothing.

    With `replace`, the current holders of `role` (and any other role the liaison held there)
    end on `start_on`. Raises AssignmentError naming each enterprise that cannot take it.
    """
    result = plan_bulk(enterprises, liaison, role, start_on, replace)
    if result.conflicts:
        lines = "；".join(f"{ent.name}：{message}" for ent, message in result.conflicts[:20])
        more = len(result.conflicts) - 20
        raise AssignmentError(
            _("%(n)d 家企业无法指派，未做任何修改。%(lines)s", n=len(result.conflicts), lines=lines)
            + (_("……等 %(m)d 家", m=more) if more > 0 else ""), "enterprises")
    made = []
    for ent in result.assigned:
        ended = []
        if replace:
            for a in ent.current_assignments(start_on):
                if a.role == role or a.liaison_id == liaison.id:
                    ended.append(end_silently(a, start_on, reason))
        made.append((ent, ended, _start(ent, liaison, role, start_on, flush=False)))
    db.session.flush()  # one flush for the whole batch, then the audit rows with their ids
    for ent, ended, assignment in made:
        changes = _describe(assignment)
        if ended:
            changes["ended_liaisons"] = [a.liaison.name for a in ended]
        record("reassign" if ended else "assign", OBJECT_TYPE, ent.id, changes=changes,
               reason=reason)
    return result
