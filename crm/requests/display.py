"""How requests read on a page: clock badges, deadline phrases, timeline lines (internal and public)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.clock import business_today
from crm.requests import deadlines
from crm.requests.models import Rating, Request, RequestEvent, RequestState

ACTION_LABELS = {
    "submit": _l("登记诉求"), "answer_on_site": _l("现场答复"), "assign": _l("交办"),
    "reject": _l("不予受理"), "accept": _l("签收"), "return": _l("退回"),
    "request_extension": _l("申请延期"), "approve_extension": _l("批准延期"),
    "deny_extension": _l("不予延期"), "escalate": _l("上报协调"), "reply": _l("答复"),
    "rate": _l("评价"), "close_unrated": _l("逾期未评价，自动办结"), "close": _l("复核办结"),
    "note": _l("备注"), "urge": _l("催办"), "link_reissued": _l("补发查询链接"),
}
NOTE_KIND_LABELS = {"note": _l("备注"), "input": _l("配合单位意见"), "explanation": _l("逾期说明")}
CLOCK_CSS = {deadlines.ON_TRACK: "text-bg-success", deadlines.DUE_SOON: "text-bg-warning",
             deadlines.OVERDUE: "text-bg-danger"}
STATE_CSS = {
    "submitted": "state-submitted", "answered_on_site": "state-done", "assigned": "state-assigned",
    "in_progress": "state-progress", "escalated": "state-escalated", "replied": "state-replied",
    "reviewing": "state-reviewing", "closed": "state-done", "rejected": "state-rejected",
}


def clock(req: Request, today: Optional[date] = None) -> Optional[dict]:
    """The clock badge of an open request: key, label, CSS class and the deadline phrase."""
    today = today or business_today()
    key = deadlines.clock_state(req, today)
    if key is None:
        return None
    return {"key": key, "label": str(deadlines.CLOCK_LABELS[key]), "css": CLOCK_CSS[key],
            "text": deadline_text(req, today), "not_accepted": deadlines.not_accepted(req, today),
            "provisional": req.deadline_provisional}


def deadline_text(req: Request, today: Optional[date] = None) -> str:
    """`2026-12-08，剩 3 个工作日` / `2026-12-08，逾期 2 个工作日`."""
    if req.deadline is None:
        return ""
    today = today or business_today()
    day = req.deadline.isoformat()
    if req.state_enum not in (RequestState.ASSIGNED, RequestState.IN_PROGRESS):
        return day
    if today > req.deadline:
        return _("%(d)s，逾期 %(n)s 个工作日", d=day, n=deadlines.days_overdue(req, today))
    left = deadlines.days_left(req, today)
    if left == 0:
        return _("%(d)s，今日到期", d=day)
    return _("%(d)s，剩 %(n)s 个工作日", d=day, n=left)


def event_title(event: RequestEvent) -> str:
    """The internal timeline's headline of an event."""
    label = str(ACTION_LABELS.get(event.action, event.action))
    data = event.data or {}
    if event.action == "note":
        return str(NOTE_KIND_LABELS.get(event.kind or "note", label))
    if event.action == "assign":
        text = (_("重新交办至 %(d)s", d=data.get("lead_department")) if data.get("again")
                else _("交办至 %(d)s", d=data.get("lead_department")))
        if data.get("cooperating"):
            text += _("，配合单位：%(c)s", c="、".join(data["cooperating"]))
        return text + _("（%(n)s 个工作日，%(date)s 前）", n=data.get("time_limit_days"), date=data.get("deadline"))
    if event.action == "return" and event.to_state == RequestState.ESCALATED.value:
        return _("第二次退回，转上报协调")
    if event.action in ("request_extension", "approve_extension") and data.get("days"):
        return label + _("（%(n)s 个工作日）", n=data["days"])
    if event.action == "urge" and data.get("number"):
        return data["number"] + (_("（自动）") if data.get("automatic") else "")
    if event.action == "rate" and data.get("rating"):
        return _("评价：%(r)s", r=Rating(data["rating"]).label)
    return label


def public_event_text(event: RequestEvent) -> str:
    """What the enterprise reads for a public event: department names only, never people."""
    data = event.data or {}
    if event.action == "submit":
        return _("已提交")
    if event.action == "assign":
        if data.get("again"):
            return _("已重新交办至 %(d)s", d=data.get("lead_department"))
        return _("已受理，交办至 %(d)s", d=data.get("lead_department"))
    if event.action == "accept":
        dept = event.actor_department.name if event.actor_department else ""
        return _("%(d)s 已签收，正在办理", d=dept)
    if event.action == "approve_extension":
        return _("办理时限延长至 %(d)s", d=data.get("deadline"))
    if event.action in ("escalate", "return"):
        return _("已上报协调")
    if event.action == "reply":
        return _("%(d)s 已答复", d=data["department"]) if data.get("department") else _("已答复")
    if event.action == "answer_on_site":
        return _("已现场答复")
    if event.action == "reject":
        return _("不予受理")
    if event.action == "rate":
        return _("企业评价：%(r)s", r=Rating(data["rating"]).label)
    if event.action == "close_unrated":
        return _("已办结（未评价）")
    if event.action == "close":
        return _("复核后办结")
    if event.action == "link_reissued":
        return _("已补发新的查询链接，原有链接仍然有效；如非本单位操作，请联系区经委")
    return str(ACTION_LABELS.get(event.action, ""))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(request_clock=clock, deadline_text=deadline_text)
    app.jinja_env.filters.update(event_title=event_title, public_event_text=public_event_text,
                                 state_css=lambda state: STATE_CSS.get(state, ""),
                                 state_label=lambda state: RequestState(state).label)
