"""Logging and editing visits: the only code that writes Visit rows.

`create_visit` and `update_visit` check the business rules (dates, who may log for whom, an
empty visit, text lengths), write the visit, its participants and an audit row, and turn each
problem raised into a request through crm.visits.problems — all in the caller's transaction.
They flush; the view (or the API) commits once, so a refused problem leaves no visit behind.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import select

from crm import audit
from crm.auth.models import User
from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.enterprises.models import Enterprise
from crm.permissions.roles import supervises
from crm.permissions.visits import assigned_on, earliest_visit_date
from crm.visits.errors import VisitError
from crm.visits.models import Policy, Visit, VisitMode, VisitParticipant
from crm.visits.problems import ProblemInput, raise_requests, requests_of

#: Longest text per field, in characters (the form says the same next to each field).
LIMITS = {"people_met": 200, "other_topics": 500, "findings": 2000}


@dataclass
class VisitInput:
    """What a visit form (or the API) submits."""

    visited_on: Optional[date]
    mode: str = VisitMode.ONSITE.value
    #: Liaisons who took part besides the one logging it (who is added when a liaison).
    liaison_ids: list[int] = field(default_factory=list)
    people_met: str = ""
    policy_ids: list[int] = field(default_factory=list)
    other_topics: str = ""
    findings: str = ""
    problems: list[ProblemInput] = field(default_factory=list)
    idempotency_key: Optional[str] = None


@dataclass
class Saved:
    visit: Visit
    #: The requests this save raised (on a replay: all the visit's requests).
    requests: list
    #: The idempotency key matched a visit saved before: nothing new was written.
    replayed: bool = False


def find_by_key(key: Optional[str], actor) -> Optional[Visit]:
    if not key:
        return None
    return db.session.scalar(select(Visit).where(Visit.idempotency_key == key,
                                                 Visit.author_id == actor.id))


def create_visit(enterprise: Enterprise, data: VisitInput, actor, *, today: Optional[date] = None) -> Saved:
    """Log a visit and raise its requests; flushes. Raises VisitError when refused."""
    today = today or business_today()
    earlier = find_by_key(data.idempotency_key, actor)
    if earlier is not None:
        return Saved(earlier, requests_of(earlier), replayed=True)
    errors = _check(enterprise, data, actor, today, existing_requests=0)
    participants = _participants(enterprise, data, actor, errors)
    policies = _policies(data, errors)
    if errors:
        raise VisitError(errors)
    visit = Visit(enterprise=enterprise, author_id=actor.id, idempotency_key=data.idempotency_key or None)
    _apply(visit, data, participants, policies)
    db.session.add(visit)
    db.session.flush()
    requests = raise_requests(visit, data.problems, actor, today)
    audit.record("create", "visit", visit.id, actor=actor,
                 changes={**snapshot(visit), "requests": [r.number for r in requests]})
    return Saved(visit, requests)


def update_visit(visit: Visit, data: VisitInput, actor, *, today: Optional[date] = None) -> Saved:
    """Change a visit (the caller checked can_edit_visit); new problems raise new requests.
    Records what changed. Raises VisitError when refused."""
    today = today or business_today()
    existing = requests_of(visit)
    errors = _check(visit.enterprise, data, actor, today, existing_requests=len(existing))
    participants = _participants(visit.enterprise, data, actor, errors, author=visit.author)
    policies = _policies(data, errors)
    if errors:
        raise VisitError(errors)
    before = snapshot(visit)
    _apply(visit, data, participants, policies)
    db.session.flush()
    requests = raise_requests(visit, data.problems, actor, today)
    changes = audit.diff(before, snapshot(visit))
    if requests:
        changes["requests"] = [None, [r.number for r in requests]]
    if changes:
        audit.record("edit", "visit", visit.id, actor=actor, changes=changes)
    return Saved(visit, requests)


def snapshot(visit: Visit) -> dict[str, Any]:
    """The visit as the history shows it: plain values, names rather than ids."""
    return {
        "visited_on": visit.visited_on.isoformat() if visit.visited_on else None,
        "mode": visit.mode,
        "liaisons": sorted(p.liaison.name for p in visit.participants if p.liaison is not None),
        "people_met": visit.people_met or "",
        "policies": [p.title for p in visit.policies],
        "other_topics": visit.other_topics or "",
        "findings": visit.findings or "",
    }


# --- rules ----------------------------------------------------------------------------------

def _check(enterprise: Enterprise, data: VisitInput, actor, today: date, existing_requests: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    on = data.visited_on
    earliest = earliest_visit_date(actor, today)
    if on is None:
        errors["visited_on"] = _("请填写走访日期。")
    elif on > today:
        errors["visited_on"] = _("走访日期不能晚于今天（%(today)s）。", today=today.isoformat())
    elif earliest is not None and on < earliest:
        errors["visited_on"] = _("%(date)s 之前的走访须由区经委补录。", date=earliest.isoformat())
    elif not supervises(actor) and not assigned_on(actor.id, enterprise.id, on):
        errors["visited_on"] = _("您在 %(date)s 不是该企业的包保责任人，不能登记这一天的走访。",
                                 date=on.isoformat())
    if data.mode not in {m.value for m in VisitMode}:
        errors["mode"] = _("请选择走访方式。")
    for name, limit in LIMITS.items():
        text = getattr(data, name) or ""
        if len(text) > limit:
            errors[name] = _("最多 %(max)d 个字（已输入 %(n)d 个）。", max=limit, n=len(text))
    has_content = ((data.findings or "").strip() or (data.other_topics or "").strip()
                   or data.policy_ids or data.problems or existing_requests)
    if not has_content and "findings" not in errors:
        errors["findings"] = _("请填写走访情况，或选择宣传政策，或登记企业诉求。")
    for i, problem in enumerate(data.problems):
        errors.update(problem.check(f"problems-{i}-"))
    return errors


def _participants(enterprise: Enterprise, data: VisitInput, actor, errors: dict[str, str],
                  author: Optional[User] = None) -> list[User]:
    """The liaisons who took part: the logging liaison (or the author) plus those named."""
    wanted = list(dict.fromkeys(data.liaison_ids))
    found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
    people = []
    for user in (author, actor):
        if user is not None and user.has_role(Role.LIAISON) and user not in people:
            people.append(user)
    for user_id in wanted:
        user = found.get(user_id)
        if user is None or not user.active or not user.has_role(Role.LIAISON):
            errors["liaisons"] = _("同行人员须是在册的包保责任人。")
            continue
        if user not in people:
            people.append(user)
    if not people and "liaisons" not in errors:
        errors["liaisons"] = _("请至少选择一名参加走访的包保责任人。")
    return people


def _policies(data: VisitInput, errors: dict[str, str]) -> list[Policy]:
    ids = list(dict.fromkeys(data.policy_ids))
    policies = list(db.session.scalars(select(Policy).where(Policy.id.in_(ids)))) if ids else []
    if len(policies) != len(ids):
        errors["policies"] = _("所选政策不存在，请刷新页面后重选。")
    return policies


def _apply(visit: Visit, data: VisitInput, participants: list[User], policies: list[Policy]) -> None:
    visit.visited_on = data.visited_on
    visit.mode = data.mode
    visit.people_met = (data.people_met or "").strip() or None
    visit.other_topics = (data.other_topics or "").strip() or None
    visit.findings = (data.findings or "").strip() or None
    visit.policies = policies
    keep = {p.liaison_id: p for p in visit.participants}
    rows = []
    for user in participants:
        row = keep.get(user.id) or VisitParticipant(liaison=user)
        # The copies the coverage engine reads follow the visit.
        row.enterprise_id, row.visited_on = visit.enterprise_id or visit.enterprise.id, data.visited_on
        rows.append(row)
    visit.participants = rows
