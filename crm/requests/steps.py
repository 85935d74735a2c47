"""The steps of the request workflow: each validates its input first, then changes the request.

Only `crm.requests.workflow.transition` calls these (after checking state and permission);
each returns a Step saying which state comes next and what the event row records.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Optional

from flask_babel import gettext as _
from sqlalchemy import select

from crm.db import db
from crm.org.models import Department
from crm.requests import deadlines, messages
from crm.requests.errors import NotAllowed, WorkflowError
from crm.requests.models import (CLOCK_STATES, ExtensionStatus, Outcome, Rating, Request,
                                 RequestAssignment, RequestState, UrgeNotice)
from crm.requests.numbering import urge_number

S = RequestState
#: Longest time limit anyone may set, in working days (about half a year).
MAX_TIME_LIMIT = 120
MAX_TEXT = 5000


@dataclass(frozen=True)
class Step:
    """What a handler decided: the new state and the event to write."""

    to_state: RequestState
    text: Optional[str] = None
    public: bool = False
    kind: Optional[str] = None
    data: Optional[dict] = None


class StepContext:
    """What a handler needs besides the request: who, when, how."""

    def __init__(self, actor, today: date, via: Optional[str]):
        self.actor, self.today, self.via = actor, today, via


# --- helpers ---------------------------------------------------------------------------------

def _text(data: dict, name: str, message: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (data.get(name) or "").strip()
    if required and not value:
        raise WorkflowError(message, field=name)
    if len(value) > limit:
        raise WorkflowError(_("不能超过 %(n)s 个字。", n=limit), field=name)
    return value


def _int(data: dict, name: str, message: str, low: int, high: int) -> int:
    try:
        value = int(data.get(name))
    except (TypeError, ValueError):
        raise WorkflowError(message, field=name) from None
    if not low <= value <= high:
        raise WorkflowError(message, field=name)
    return value


def _department(value, field: str) -> Department:
    dept = value if isinstance(value, Department) else (
        db.session.get(Department, int(value)) if str(value or "").isdigit() else None)
    if dept is None or not dept.active:
        raise WorkflowError(_("请选择有效的单位。"), field=field)
    return dept


def _end_round(req: Request, today: date, reason: str) -> None:
    for rnd in req.rounds:
        if rnd.ended_on is None:
            rnd.ended_on, rnd.end_reason = today, reason


def _clear_round(req: Request) -> None:
    req.lead_department_id = None
    req.cooperators = []
    for name in ("assigned_on", "time_limit_days", "accept_due_on", "accepted_on",
                 "original_deadline", "deadline", "extension_days", "extension_reason",
                 "extension_status", "escalated_on"):
        setattr(req, name, None)
    req.deadline_provisional = False


# --- handlers: validate everything first, then change ------------------------------------------

def answer_on_site(req: Request, ctx: StepContext, data: dict) -> Step:
    answer = _text(data, "answer", _("请填写现场答复内容。"))
    outcome = Outcome(data.get("outcome") or Outcome.RESOLVED.value)
    req.reply, req.outcome, req.replied_on, req.on_time = answer, outcome.value, ctx.today, True
    req.replied_by_department_id = getattr(ctx.actor, "department_id", None)
    return Step(S.ANSWERED_ON_SITE, public=True, data={"outcome": outcome.value})


def assign(req: Request, ctx: StepContext, data: dict) -> Step:
    lead = _department(data.get("lead_department"), "lead_department")
    cooperating = [_department(d, "cooperating") for d in data.get("cooperating") or []]
    if any(d.id == lead.id for d in cooperating):
        raise WorkflowError(_("牵头单位不能同时是配合单位。"), field="cooperating")
    default = deadlines.time_limit(req.category, req.urgent)
    limit = data.get("time_limit_days")
    limit = default if limit is None or limit == "" else limit
    limit = _int({"time_limit_days": limit}, "time_limit_days",
                 _("办理时限应为 1 至 %(n)s 个工作日。", n=MAX_TIME_LIMIT), 1, MAX_TIME_LIMIT)
    instructions = _text(data, "instructions", "", required=False)
    previous = {"reply": req.reply, "outcome": req.outcome, "rating": req.rating,
                "rating_comment": req.rating_comment} if req.state == S.REVIEWING.value else None

    _end_round(req, ctx.today, "reassigned")
    _clear_round(req)
    for name in ("reply", "outcome", "replied_on", "replied_by_department_id", "on_time", "rating",
                 "rating_comment", "rated_on", "rated_via", "closed_on"):
        setattr(req, name, None)
    req.lead_department_id = lead.id
    req.lead_department = lead
    req.cooperators = cooperating
    req.assigned_on, req.time_limit_days = ctx.today, limit
    req.accept_late_notified = req.due_soon_notified = False
    deadlines.apply_round_dates(req)
    req.rounds.append(RequestAssignment(
        lead_department_id=lead.id, cooperator_ids=[d.id for d in cooperating],
        assigned_on=ctx.today, time_limit_days=limit, deadline=req.deadline,
        instructions=instructions or None, assigned_by_id=getattr(ctx.actor, "id", None),
    ))
    messages.assigned(req, lead, cooperating, instructions)
    return Step(S.ASSIGNED, text=instructions or None, public=True, data={
        "lead_department_id": lead.id, "lead_department": lead.name,
        "cooperating": [d.name for d in cooperating], "time_limit_days": limit,
        "deadline": req.deadline.isoformat(), "provisional": req.deadline_provisional,
        "again": req.state != S.SUBMITTED.value, "previous": previous,
    })


def reject(req: Request, ctx: StepContext, data: dict) -> Step:
    reason = _text(data, "reason", _("请填写不予受理的理由（企业可以看到）。"))
    req.reject_reason, req.closed_on = reason, ctx.today
    return Step(S.REJECTED, text=reason, public=True)


def accept(req: Request, ctx: StepContext, data: dict) -> Step:
    req.accepted_on = ctx.today
    return Step(S.IN_PROGRESS, public=True, data={"late": deadlines.not_accepted(req, ctx.today)})


def return_request(req: Request, ctx: StepContext, data: dict) -> Step:
    reason = _text(data, "reason", _("请填写退回理由。"))
    if not deadlines.may_still_return(req, ctx.today):
        raise WorkflowError(_("交办已超过 %(n)s 个工作日，不能退回；如有争议请上报协调。",
                              n=deadlines.RETURN_WINDOW_DAYS), field="reason")
    lead = req.lead_department
    second = req.return_count >= 1
    req.return_count += 1
    _end_round(req, ctx.today, "returned")
    if second:
        # Rule 6: a repeated dispute goes up with the reasons written down.
        req.escalated_on = ctx.today
        req.extension_status = None if req.extension_status == "pending" else req.extension_status
        messages.escalated(req, reason, by_return=True)
        return Step(S.ESCALATED, text=reason, data={"department": lead.name, "returns": req.return_count})
    _clear_round(req)
    messages.returned(req, lead, reason)
    return Step(S.SUBMITTED, text=reason, data={"department": lead.name, "returns": req.return_count})


def request_extension(req: Request, ctx: StepContext, data: dict) -> Step:
    if req.extension_status is not None:
        raise WorkflowError(_("本次交办已申请过延期，只能申请一次。"), field="days")
    if ctx.today > req.deadline:
        raise WorkflowError(_("已超过办理时限，不能再申请延期。"), field="days")
    days = _int(data, "days", _("延期天数应为 1 至 %(n)s 个工作日（不超过原办理时限）。",
                                n=req.time_limit_days), 1, req.time_limit_days)
    reason = _text(data, "reason", _("请填写延期理由。"))
    req.extension_days, req.extension_reason = days, reason
    req.extension_status = ExtensionStatus.PENDING.value
    messages.extension_requested(req, days, reason)
    return Step(S.IN_PROGRESS, text=reason, data={"days": days})


def decide_extension(approve: bool) -> Callable[..., Step]:
    def handler(req: Request, ctx: StepContext, data: dict) -> Step:
        if req.extension_status != ExtensionStatus.PENDING.value:
            raise WorkflowError(_("没有待审批的延期申请。"))
        note = _text(data, "note", "", required=False)
        old = req.deadline
        if approve:
            req.extension_status = ExtensionStatus.APPROVED.value
            deadlines.apply_round_dates(req)
            req.due_soon_notified = False
            for rnd in req.rounds:
                if rnd.ended_on is None:
                    rnd.deadline = req.deadline
        else:
            req.extension_status = ExtensionStatus.DENIED.value
        messages.extension_decided(req, approve, note)
        return Step(S.IN_PROGRESS, text=note or None, public=approve, data={
            "days": req.extension_days, "old_deadline": old.isoformat(),
            "deadline": req.deadline.isoformat(), "approved": approve})
    return handler


def escalate(req: Request, ctx: StepContext, data: dict) -> Step:
    reasons = _text(data, "reasons", _("请列明各方理据。"))
    req.escalated_on = ctx.today
    if req.extension_status == ExtensionStatus.PENDING.value:
        req.extension_status = None
    _end_round(req, ctx.today, "escalated")
    messages.escalated(req, reasons, by_return=False)
    return Step(S.ESCALATED, text=reasons, public=True,
                data={"department": req.lead_department.name if req.lead_department else None})


def reply(req: Request, ctx: StepContext, data: dict) -> Step:
    answer = _text(data, "answer", _("请填写答复内容。"))
    try:
        outcome = Outcome(data.get("outcome"))
    except ValueError:
        raise WorkflowError(_("请选择办理结果。"), field="outcome") from None
    req.on_time = deadlines.on_time_reply(req, ctx.today)
    req.reply, req.outcome, req.replied_on = answer, outcome.value, ctx.today
    # After an escalation the commission answers itself: its own unit, never the lead's name.
    dept_id = getattr(ctx.actor, "department_id", None)
    if dept_id is None and req.state != RequestState.ESCALATED.value:
        dept_id = req.lead_department_id
    req.replied_by_department_id = dept_id
    if req.state != S.ESCALATED.value:
        _end_round(req, ctx.today, "replied")
    dept = db.session.get(Department, dept_id) if dept_id else None
    messages.replied(req, ctx.today)
    return Step(S.REPLIED, public=True, data={
        "outcome": outcome.value, "on_time": req.on_time, "department": dept.name if dept else None})


def rate(req: Request, ctx: StepContext, data: dict) -> Step:
    try:
        rating = Rating(data.get("rating"))
    except ValueError:
        raise WorkflowError(_("请选择评价。"), field="rating") from None
    comment = _text(data, "comment", "", required=False, limit=2000)
    req.rating, req.rating_comment, req.rated_on = rating.value, comment or None, ctx.today
    req.rated_via = "link" if ctx.actor is None else "call"
    if rating.satisfied:
        req.closed_on = ctx.today
        return Step(S.CLOSED, text=comment or None, public=True,
                    data={"rating": rating.value, "via": req.rated_via})
    messages.unsatisfied(req, rating, comment)
    return Step(S.REVIEWING, text=comment or None, public=True,
                data={"rating": rating.value, "via": req.rated_via})


def close_unrated(req: Request, ctx: StepContext, data: dict) -> Step:
    req.closed_on = ctx.today
    return Step(S.CLOSED, public=True, data={"unrated": True})


def close(req: Request, ctx: StepContext, data: dict) -> Step:
    explanation = _text(data, "explanation", _("请填写办结说明。"))
    req.closed_on = ctx.today
    return Step(S.CLOSED, text=explanation, public=True, data={"after_review": True})


NOTE_KINDS = ("note", "input", "explanation")


def note(req: Request, ctx: StepContext, data: dict) -> Step:
    text = _text(data, "text", _("请填写内容。"))
    kind = data.get("kind") or "note"
    if kind not in NOTE_KINDS:
        raise WorkflowError(_("未知的备注类型。"), field="kind")
    from crm.permissions.requests import is_cooperator, is_lead

    if kind == "input" and not (is_cooperator(ctx.actor, req) or is_lead(ctx.actor, req)):
        raise NotAllowed(_("只有牵头或配合单位可以填写办理意见。"), field="kind")
    if kind == "explanation" and not is_lead(ctx.actor, req):
        raise NotAllowed(_("只有牵头单位可以填写逾期说明。"), field="kind")
    if kind == "input":
        messages.input_added(req, ctx.actor)
    return Step(RequestState(req.state), text=text, kind=kind)


def urge(req: Request, ctx: StepContext, data: dict) -> Step:
    if req.state_enum not in CLOCK_STATES:
        raise WorkflowError(_("只能催办已交办或办理中的诉求。"))
    if ctx.today <= req.deadline and ctx.via != "tick":
        # Before the deadline a reminder is a note, not a formal urge notice.
        raise WorkflowError(_("尚未逾期，不能出具催办单。"))
    if db.session.scalar(select(UrgeNotice.id).where(UrgeNotice.request_id == req.id,
                                                     UrgeNotice.issued_on == ctx.today)) is not None:
        raise WorkflowError(_("该诉求今天已催办。"))
    instructions = _text(data, "instructions", "", required=False) or str(messages.DEFAULT_URGE_TEXT)
    notice = UrgeNotice(
        number=urge_number(ctx.today.year), department_id=req.lead_department_id,
        issued_on=ctx.today, assigned_on=req.assigned_on, deadline=req.deadline,
        overdue_days=deadlines.days_overdue(req, ctx.today), instructions=instructions,
        automatic=ctx.via == "tick", issued_by_id=getattr(ctx.actor, "id", None),
    )
    req.urge_notices.append(notice)
    db.session.flush()
    messages.urged(req, notice)
    return Step(RequestState(req.state), text=instructions,
                data={"urge_notice_id": notice.id, "number": notice.number,
                      "overdue_days": notice.overdue_days, "automatic": notice.automatic})
