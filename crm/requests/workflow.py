"""The request workflow: the ONLY code that changes Request.state.

`transition(req, action, actor, **data)` looks the action up in TRANSITIONS, checks the
state, asks the permission guard, lets the step (crm.requests.steps) validate and act, then
writes the event row and audit entry; notifications are queued in the same transaction.
It flushes; the caller commits. A refused step raises WorkflowError before changing anything.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.clock import business_today
from crm.db import db
from crm.permissions.requests import may
from crm.requests import deadlines, steps
from crm.requests.errors import NotAllowed, WorkflowError
from crm.requests.events import add_event
from crm.requests.models import (RATEABLE_STATES, ExtensionStatus, Request, RequestEvent,
                                 RequestState)
from crm.requests.steps import MAX_TEXT, MAX_TIME_LIMIT, NOTE_KINDS, Step, StepContext

__all__ = ["TRANSITIONS", "Transition", "allowed_actions", "transition", "transition_many",
           "MAX_TEXT", "MAX_TIME_LIMIT", "NOTE_KINDS"]

S = RequestState


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[RequestState, ...]
    handler: Callable[..., Step]
    label: object  # a lazy Chinese string


_OPEN = (S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS, S.ESCALATED, S.REVIEWING)

TRANSITIONS: dict[str, Transition] = {t.action: t for t in [
    Transition("answer_on_site", (S.SUBMITTED,), steps.answer_on_site, _l("现场答复")),
    Transition("assign", (S.SUBMITTED, S.ESCALATED, S.REVIEWING), steps.assign, _l("交办")),
    Transition("reject", (S.SUBMITTED,), steps.reject, _l("不予受理")),
    Transition("accept", (S.ASSIGNED,), steps.accept, _l("签收")),
    Transition("return", (S.ASSIGNED, S.IN_PROGRESS), steps.return_request, _l("退回")),
    Transition("request_extension", (S.IN_PROGRESS,), steps.request_extension, _l("申请延期")),
    Transition("approve_extension", (S.IN_PROGRESS,), steps.decide_extension(True), _l("批准延期")),
    Transition("deny_extension", (S.IN_PROGRESS,), steps.decide_extension(False), _l("不予延期")),
    Transition("escalate", (S.ASSIGNED, S.IN_PROGRESS), steps.escalate, _l("上报协调")),
    Transition("reply", (S.IN_PROGRESS, S.ESCALATED), steps.reply, _l("答复")),
    Transition("rate", RATEABLE_STATES, steps.rate, _l("评价")),
    Transition("close_unrated", RATEABLE_STATES, steps.close_unrated, _l("逾期未评价办结")),
    Transition("close", (S.REVIEWING,), steps.close, _l("复核办结")),
    Transition("note", _OPEN, steps.note, _l("备注")),
    Transition("urge", (S.ASSIGNED, S.IN_PROGRESS), steps.urge, _l("催办")),
]}


def allowed_actions(req: Request, actor, today: Optional[date] = None, via: Optional[str] = None,
                    only: Optional[Iterable[str]] = None) -> list[str]:
    """The actions `actor` could take on `req` now, for showing buttons (`only`: just these).

    Besides state and permission, cheap checks hide buttons that would certainly be
    refused (a return after the window, a second extension, an urge before the deadline).
    """
    today = today or business_today()
    names = list(only) if only is not None else list(TRANSITIONS)
    return [name for name in names
            if RequestState(req.state) in TRANSITIONS[name].sources and _feasible(name, req, today)
            and may(name, actor, req, today, via)]


def _feasible(action: str, req: Request, today: date) -> bool:
    if action == "return":
        return deadlines.may_still_return(req, today)
    if action == "request_extension":
        return req.extension_status is None and req.deadline is not None and today <= req.deadline
    if action in ("approve_extension", "deny_extension"):
        return req.extension_status == ExtensionStatus.PENDING.value
    if action == "urge":
        return req.deadline is not None and today > req.deadline
    return True


def transition(req: Request, action: str, actor, *, today: Optional[date] = None,
               via: Optional[str] = None, **data) -> RequestEvent:
    """Take `action` on `req` as `actor` and return the event written.

    `actor` is a User, or None for the enterprise (via="link") or a scheduled job (via="tick").
    Raises WorkflowError (NotAllowed for permissions) and changes nothing when refused.
    """
    t = TRANSITIONS.get(action)
    if t is None:
        raise WorkflowError(_("未知操作：%(a)s", a=action))
    today = today or business_today()
    state = RequestState(req.state)
    if state not in t.sources:
        raise WorkflowError(_("诉求当前状态为「%(s)s」，不能%(a)s。", s=state.label, a=t.label))
    if not may(action, actor, req, today, via):
        raise NotAllowed(_("您无权对此诉求执行「%(a)s」。", a=t.label))
    with db.session.no_autoflush:
        step = t.handler(req, StepContext(actor, today, via), data)
    req.state = step.to_state.value
    event = add_event(req, action, actor, on=today, from_state=state.value, to_state=step.to_state.value,
                      text=step.text, public=step.public, kind=step.kind, data=step.data,
                      actor_label=via if actor is None else None)
    db.session.flush()
    return event


def transition_many(reqs: Iterable[Request], action: str, actor, **kwargs) -> tuple[list, list]:
    """Bulk steps (e.g. 批量催办): returns (done requests, [(request, message)] refused)."""
    done, refused = [], []
    for req in reqs:
        try:
            with db.session.begin_nested():
                transition(req, action, actor, **kwargs)
            done.append(req)
        except WorkflowError as e:
            refused.append((req, e.message))
    return done, refused
