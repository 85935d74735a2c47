"""What each step tells whom: the notifications of the request workflow and the tick.

Who gets what: assignment -> lead and cooperating department users; sign-for late, due
soon, urge -> the lead department; returned / escalated / extension asked -> the commission;
replied -> liaisons, commission and the enterprise (email); unsatisfied rating -> commission;
a tracking link recovered at /track -> the enterprise (email).
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.notifications.outbox import notify
from crm.requests import recipients
from crm.requests.models import Rating, Request, UrgeNotice

DEFAULT_URGE_TEXT = _l("该诉求已超过办理时限，请于收到本催办单后 3 个工作日内办结并答复企业；"
                       "确有困难的，请书面说明原因。")


def _link(req: Request) -> str:
    return f"/requests/{req.id}"


def _head(req: Request) -> str:
    return f"{req.number} {req.title}"


def assigned(req: Request, lead, cooperating, instructions: str) -> None:
    body = _("牵头单位：%(lead)s；办理时限：%(d)s 个工作日，%(date)s 前答复。",
             lead=lead.name, d=req.time_limit_days, date=req.deadline.isoformat())
    if instructions:
        body += "\n" + _("督办意见：%(t)s", t=instructions)
    notify("assigned", users=recipients.department_users([lead.id] + [d.id for d in cooperating]),
           subject=_("新交办诉求：%(h)s", h=_head(req)), body=body, link=_link(req), request_id=req.id)


def returned(req: Request, department, reason: str) -> None:
    notify("returned", users=recipients.commission_users(),
           subject=_("诉求被退回：%(h)s", h=_head(req)),
           body=_("%(dept)s 退回，理由：%(r)s", dept=department.name, r=reason),
           link=_link(req), request_id=req.id)


def escalated(req: Request, reasons: str, by_return: bool) -> None:
    subject = (_("诉求第二次被退回，已上报协调：%(h)s", h=_head(req)) if by_return
               else _("诉求上报协调：%(h)s", h=_head(req)))
    notify("escalated", users=recipients.commission_users(), subject=subject, body=reasons,
           link=_link(req), request_id=req.id)


def extension_requested(req: Request, days: int, reason: str) -> None:
    notify("extension_requested", users=recipients.commission_users(),
           subject=_("延期申请待审批：%(h)s", h=_head(req)),
           body=_("申请延期 %(d)s 个工作日，理由：%(r)s", d=days, r=reason),
           link=_link(req), request_id=req.id)


def extension_decided(req: Request, approved: bool, note: str) -> None:
    subject = (_("延期已批准，新时限 %(date)s：%(h)s", date=req.deadline.isoformat(), h=_head(req))
               if approved else _("延期未获批准：%(h)s", h=_head(req)))
    notify("extension_decided", users=recipients.lead_users(req), subject=subject, body=note or "",
           link=_link(req), request_id=req.id)


def replied(req: Request, today: date) -> None:
    users = recipients.liaisons_of(req, today) + recipients.commission_users()
    notify("replied", users=users, subject=_("诉求已答复：%(h)s", h=_head(req)),
           body=req.reply or "", link=_link(req), request_id=req.id, webhook=True)
    if req.contact_email:
        # The enterprise's own mail: no internal link, no names; the reply and where to rate it.
        notify("replied_enterprise", emails=[req.contact_email], webhook=False,
               subject=_("您的诉求 %(n)s 已答复", n=req.number),
               body=_("您提交的诉求「%(t)s」已答复：\n\n%(r)s\n\n请使用提交时获得的查询链接查看详情并评价；"
                      "如链接遗失，可在“诉求进度查询”页用受理编号找回。", t=req.title, r=req.reply),
               link="/track", request_id=req.id)


def link_reissued(req: Request) -> None:
    if req.contact_email:
        # The only way to reach the enterprise outside the page: its links all still work.
        notify("link_reissued", emails=[req.contact_email], webhook=False,
               subject=_("您的诉求 %(n)s 已补发查询链接", n=req.number),
               body=_("有人在“诉求进度查询”页凭受理编号、信用代码和手机号码后 4 位，为您的诉求「%(t)s」"
                      "补发了新的查询链接。您原有的链接仍然有效。如非本单位操作，请联系区经委。", t=req.title),
               link="/track", request_id=req.id)


def unsatisfied(req: Request, rating: Rating, comment: str) -> None:
    notify("unsatisfied", users=recipients.commission_users(),
           subject=_("企业评价“%(r)s”，待复核：%(h)s", r=rating.label, h=_head(req)),
           body=comment or "", link=_link(req), request_id=req.id)


def input_added(req: Request, actor) -> None:
    dept = actor.department.name if actor is not None and actor.department else ""
    notify("input", users=recipients.lead_users(req), webhook=False,
           subject=_("配合单位 %(d)s 提交了办理意见：%(h)s", d=dept, h=_head(req)),
           link=_link(req), request_id=req.id)


def urged(req: Request, notice: UrgeNotice) -> None:
    notify("urged", users=recipients.lead_users(req),
           subject=_("催办单 %(no)s：%(h)s", no=notice.number, h=_head(req)),
           body=_("已逾期 %(d)s 个工作日。%(t)s", d=notice.overdue_days, t=notice.instructions),
           link=f"/requests/urge/{notice.id}", request_id=req.id)


def accept_late(req: Request) -> None:
    notify("accept_late", users=recipients.lead_users(req),
           subject=_("诉求逾期未签收：%(h)s", h=_head(req)),
           body=_("应于 %(d)s 前签收。", d=req.accept_due_on.isoformat()),
           link=_link(req), request_id=req.id,
           key=f"accept_late:{req.id}:{req.assigned_on.isoformat()}")


def due_soon(req: Request, days: int) -> None:
    notify("due_soon", users=recipients.lead_users(req),
           subject=_("诉求即将到期（剩 %(n)s 个工作日）：%(h)s", n=days, h=_head(req)),
           body=_("办理时限 %(d)s。", d=req.deadline.isoformat()),
           link=_link(req), request_id=req.id,
           key=f"due_soon:{req.id}:{req.deadline.isoformat()}")
