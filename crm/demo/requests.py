"""Demo requests over two quarters, run day by day through the real workflow and tick.

Every request gets a plan (dated steps: assign, sign for, extension, reply, rating ...);
the plans are replayed in date order up to the demo's today, with the scheduled job run
for each day in between. Steps dated after today simply have not happened yet, which
leaves requests in every state: in triage, not signed for, overdue with urge notices,
escalated, under review, waiting for a rating. A few showcase requests are scripted.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Optional

import click
from sqlalchemy import select

from crm.auth.roles import Role
from crm.calendar.store import add_working_days, is_working_day
from crm.db import db
from crm.demo.context import DemoContext
from crm.requests.categories import ensure_default_categories
from crm.requests.errors import WorkflowError
from crm.requests.intake import create_request
from crm.requests.models import Request, RequestState
from crm.requests.tick import tick_requests
from crm.requests.tracking import set_token
from crm.requests.workflow import transition

#: Category -> the department codes that usually lead it (see crm/demo/names.py DEPARTMENTS).
LEADS = {
    "政策咨询": ["FGW", "JW", "KW"], "审批办证": ["XZFW", "SCJG"], "人才用工": ["RSJ"],
    "法律服务": ["SFJ"], "水电气网": ["GD", "SWU"], "融资": ["JRB", "CZJ"], "市场拓展": ["SWW"],
    "用地规划": ["GHZY"], "其他": ["JW", "YJGL"],
}
PUBLIC_TITLES = {
    "人才用工": ["技术工人招聘难", "稳岗补贴申领咨询", "高校毕业生见习基地申报"],
    "融资": ["流动资金贷款贴息", "知识产权质押融资咨询"],
    "审批办证": ["食品经营许可证延续", "扩建项目环评审批进度"],
    "水电气网": ["厂区双回路供电改造", "园区燃气管道接入"],
    "用地规划": ["厂房加层规划许可", "工业用地容积率调整"],
    "政策咨询": ["专精特新申报条件", "研发费用加计扣除政策"],
    "市场拓展": ["参加进博会配套活动", "出口信用保险补贴"],
    "法律服务": ["劳动争议调解", "合同违约法律咨询"],
    "其他": ["厂区周边道路破损", "员工通勤班车站点设置"],
}
CONTACTS = ["王经理", "李女士", "张总", "陈主任", "刘先生", "周会计"]
ANSWERS = ["已与企业对接，明确了申报条件和时间节点，企业将按要求准备材料。",
           "经协调，相关手续已办结，企业已确认。",
           "已组织专题协调会，明确了解决路径和责任分工。",
           "已向企业解释现行政策规定，并提供了替代方案。"]
#: The public request whose tracking link the demo prints (its token is derived from the seed).
SHOWCASE_TOKEN_SEED = "demo-showcase-public"


@dataclass
class Plan:
    req: Request
    #: (date, action, actor, data) in order; steps after today never run.
    steps: list[tuple[date, str, Any, dict]] = field(default_factory=list)


class _World:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng
        self.commission = ctx.users_with(Role.COMMISSION)
        self.towns = {u.town_id: u for u in ctx.users_with(Role.TOWN)}
        by_code = {d.code: d for d in ctx.departments}
        self.dept_by_code = by_code
        self.handler = {u.department_id: u for u in ctx.users_with(Role.DEPARTMENT)}
        self.categories = {c.name: c for c in ensure_default_categories()}

    def wd(self, day: date, n: int) -> date:
        """n working days after day (n = 0: day itself if working, else the next working day)."""
        if n == 0:
            return day if is_working_day(day) else add_working_days(day, 1)
        return add_working_days(day, n)

    def lead_for(self, req: Request):
        return self.dept_by_code[self.rng.choice(LEADS[req.category.name])]

    def wrong_lead(self, right):
        return self.rng.choice([d for d in self.ctx.departments if d.id != right.id and d.code != "JW"])

    def boss(self):
        return self.rng.choice(self.commission)


def _plan(w: _World, req: Request, fate: str) -> Plan:
    """The dated steps of one request's life, following `fate`."""
    rng, plan = w.rng, Plan(req)
    add = plan.steps.append
    c = w.boss()
    lead = w.lead_for(req)
    handler = w.handler[lead.id]
    start = w.wd(req.submitted_on, rng.choice([0, 0, 1]))
    if fate == "reject":
        add((start, "reject", c, {"reason": "该事项属于企业间民事纠纷，建议通过司法途径解决。"}))
        return plan
    limit = req.category.limit_for(req.urgent)
    assign_on = start
    if fate == "returned":
        wrong = w.wrong_lead(lead)
        add((assign_on, "assign", c, {"lead_department": wrong}))
        add((w.wd(assign_on, 1), "return", w.handler[wrong.id], {"reason": "该事项不属于本单位职责，建议交"
                                                                            f"{lead.name}办理。"}))
        assign_on = w.wd(assign_on, 2)
    add((assign_on, "assign", c, {"lead_department": lead,
                                  "cooperating": [w.wrong_lead(lead)] if rng.random() < 0.25 else []}))
    deadline = add_working_days(assign_on, limit)
    accept_on = w.wd(assign_on, 0 if rng.random() < 0.6 else 1)
    if fate == "late_accept":
        accept_on = w.wd(assign_on, 3)
    add((accept_on, "accept", handler, {}))
    if fate == "escalated":
        add((w.wd(accept_on, 2), "escalate", handler, {"reasons": "涉及用地指标和规划调整，需区政府统筹协调。"
                                                                  "我局意见：需规划资源局先行调整控规。"}))
        add((w.wd(accept_on, 15), "reply", c, {"answer": "经区政府专题会议研究，已明确由规划资源局牵头推进。",
                                               "outcome": "partly"}))
        _rating(w, plan, w.wd(accept_on, 17), req)
        return plan
    reply_on = w.wd(accept_on, rng.randint(1, max(1, limit - 1)))
    if fate == "extension":
        ask = w.wd(accept_on, max(1, limit - 2))
        add((ask, "request_extension", handler, {"days": min(limit, 5), "reason": "需等待市级部门出具意见。"}))
        add((w.wd(ask, 1), "approve_extension", c, {"note": "同意延期，请按期办结。"}))
        reply_on = add_working_days(deadline, rng.randint(1, min(limit, 5)))
    elif fate == "late":
        reply_on = add_working_days(deadline, rng.randint(2, 9))
        if rng.random() < 0.4:
            add((add_working_days(deadline, 1), "note", handler,
                 {"kind": "explanation", "text": "企业补充材料尚未提交，预计下周答复。"}))
    if rng.random() < 0.2:
        add((w.wd(accept_on, 1), "note", handler, {"text": "已电话联系企业，约定现场踏勘时间。"}))
    add((reply_on, "reply", handler, {"answer": rng.choice(ANSWERS),
                                      "outcome": rng.choices(["resolved", "partly", "not_solvable"],
                                                             [7, 2, 1])[0]}))
    if fate != "unrated":
        _rating(w, plan, w.wd(reply_on, rng.randint(1, 6)), req,
                unsatisfied=fate == "unsatisfied")
    if fate == "unsatisfied":
        review_on = w.wd(reply_on, 8)
        if rng.random() < 0.5:
            add((review_on, "assign", c, {"lead_department": lead, "time_limit_days": max(1, limit // 2),
                                          "instructions": "企业不满意，请重新办理并加强沟通。"}))
            add((w.wd(review_on, 1), "accept", handler, {}))
            add((w.wd(review_on, 3), "reply", handler, {"answer": "已再次上门沟通并落实。",
                                                        "outcome": "resolved"}))
        else:
            add((review_on, "close", c, {"explanation": "经复核，答复符合政策规定，已向企业当面解释。"}))
    return plan


def _rating(w: _World, plan: Plan, on: date, req: Request, unsatisfied: bool = False) -> None:
    rating = (w.rng.choice(["unsatisfied", "very_unsatisfied"]) if unsatisfied else
              w.rng.choices(["very_satisfied", "satisfied", "basically"], [4, 5, 1])[0])
    if req.source == "public":
        plan.steps.append((on, "rate", None, {"rating": rating, "via": "link", "comment": ""}))
    else:
        liaison = next((a.liaison for a in w.ctx.assignments if a.enterprise_id == req.enterprise_id
                        and a.end_on is None), None)
        plan.steps.append((on, "rate", liaison or w.boss(), {"rating": rating, "comment": "回访记录"}))


def _new_public(w: _World, ent, on: date, title: Optional[str] = None, category: Optional[str] = None) -> Request:
    name = category or w.rng.choice(sorted(PUBLIC_TITLES))
    req = create_request(
        enterprise=None, enterprise_name=ent.name, credit_code=ent.credit_code, source="public",
        category=w.categories[name], title=title or w.rng.choice(PUBLIC_TITLES[name]),
        description="我公司希望相关部门协助了解办理条件和流程，谢谢。", actor=None, submitted_on=on,
        contact_name=w.rng.choice(CONTACTS), contact_mobile=f"139{w.rng.randrange(10**8):08d}",
        contact_email=None)
    set_token(req, hashlib.sha256(f"{SHOWCASE_TOKEN_SEED}:{req.number}".encode()).hexdigest()[:43])
    return req


def _new_phone(w: _World, ent, on: date) -> Request:
    name = w.rng.choice(sorted(PUBLIC_TITLES))
    return create_request(enterprise=ent, source="phone", category=w.categories[name],
                          title=w.rng.choice(PUBLIC_TITLES[name]), description="企业来电反映。",
                          actor=w.boss(), submitted_on=on, urgent=w.rng.random() < 0.1,
                          contact_name=w.rng.choice(CONTACTS))


def _replay(w: _World, plans: list[Plan], first: date) -> None:
    """Run every planned step in date order, with the scheduled job for each day."""
    by_day: dict[date, list[tuple[Plan, str, Any, dict]]] = defaultdict(list)
    for plan in plans:
        for on, action, actor, data in plan.steps:
            if on <= w.ctx.today:
                by_day[on].append((plan, action, actor, data))
    day = first
    while day <= w.ctx.today:
        for plan, action, actor, data in by_day.get(day, []):
            data = dict(data)
            via = data.pop("via", None)
            try:
                transition(plan.req, action, actor, today=day, via=via, **data)
            except WorkflowError:
                pass  # an earlier step did not happen (e.g. a late rating after the tick closed it)
        # The real job runs every 15 minutes; once per working day gives the same results here
        # (urge notices go out on working days only) at a fraction of the cost.
        if is_working_day(day) or day == w.ctx.today:
            tick_requests(day)
        day += timedelta(days=1)


def _showcase(w: _World, plans: list[Plan]) -> None:
    """Scripted requests near today, so each screen has something to show."""
    today = w.ctx.today
    ents = w.ctx.enterprises
    c = w.commission[0]
    rsj = w.dept_by_code["RSJ"]
    handler = w.handler[rsj.id]

    def scripted(req, steps):
        plans.append(Plan(req, steps))

    # The whole loop from the public form: assign, sign for, extension, reply, rating.
    back = today - timedelta(days=30)
    req = _new_public(w, ents[1], back, "高技能人才引进落户咨询", "人才用工")
    a = w.wd(back, 1)
    scripted(req, [
        (a, "assign", c, {"lead_department": rsj}), (w.wd(a, 1), "accept", handler, {}),
        (w.wd(a, 7), "request_extension", handler, {"days": 5, "reason": "需市人社局出具认定意见。"}),
        (w.wd(a, 8), "approve_extension", c, {"note": "同意。"}),
        (w.wd(a, 13), "reply", handler, {"answer": "已完成人才认定，落户材料清单已告知企业。",
                                          "outcome": "resolved"}),
        (w.wd(a, 15), "rate", None, {"rating": "very_satisfied", "via": "link", "comment": "非常及时"}),
    ])
    # Overdue, never explained: an urge notice every 3 working days.
    back = today - timedelta(days=28)
    req = _new_phone(w, ents[2], back)
    a = w.wd(back, 1)
    scripted(req, [(a, "assign", c, {"lead_department": rsj, "time_limit_days": 5}),
                   (w.wd(a, 1), "accept", handler, {})])
    # Escalated and still with the commission; under review after an unsatisfied rating.
    back = today - timedelta(days=14)
    req = _new_phone(w, ents[3], back)
    a = w.wd(back, 1)
    scripted(req, [(a, "assign", c, {"lead_department": rsj}), (w.wd(a, 1), "accept", handler, {}),
                   (w.wd(a, 3), "escalate", handler, {"reasons": "涉及户籍和住房两个部门，需区里协调。"})])
    req = _new_public(w, ents[4], back, "稳岗补贴未到账", "人才用工")
    scripted(req, [(a, "assign", c, {"lead_department": rsj}), (a, "accept", handler, {}),
                   (w.wd(a, 2), "reply", handler, {"answer": "补贴已按规定核发，请企业核对账户。",
                                                   "outcome": "partly"}),
                   (w.wd(a, 4), "rate", None, {"rating": "unsatisfied", "via": "link",
                                                "comment": "至今未到账"})])
    # Waiting for the commission's decision on an extension; not signed for in time.
    req = _new_phone(w, ents[5], back)
    scripted(req, [(a, "assign", c, {"lead_department": rsj, "time_limit_days": 10}),
                   (w.wd(a, 1), "accept", handler, {}),
                   (w.wd(a, 5), "request_extension", handler, {"days": 5, "reason": "企业材料需补正。"})])
    late = w.wd(today - timedelta(days=7), 0)
    scripted(_new_phone(w, ents[6], late), [(late, "assign", c, {"lead_department": rsj})])
    # Fresh from the public form, waiting for triage: its tracking link is printed.
    fresh = _new_public(w, ents[7], today, "厂区门口公交站点设置", "其他")
    token = hashlib.sha256(f"{SHOWCASE_TOKEN_SEED}:{fresh.number}".encode()).hexdigest()[:43]
    click.echo(f"demo tracking link for {fresh.number}: /track/{token}", err=True)


def seed(ctx: DemoContext) -> None:
    w = _World(ctx)
    rng = ctx.rng
    first = ctx.today - timedelta(days=150)  # two quarters back
    fates = ["normal"] * 9 + ["late"] * 3 + ["extension"] * 2 + ["returned"] * 2 + ["unsatisfied"] * 2 + \
        ["unrated"] * 2 + ["escalated", "reject", "late_accept"]
    plans: list[Plan] = []
    # The requests the visits raised and left in triage.
    for req in db.session.scalars(select(Request).where(Request.state == RequestState.SUBMITTED.value,
                                                        Request.submitted_on >= first).order_by(Request.id)):
        plans.append(_plan(w, req, rng.choice(fates)))
    # The public form and the phone, spread over the period.
    listed = [e for e in ctx.enterprises if e.list_periods]
    for i in range(30):
        on = first + timedelta(days=rng.randrange((ctx.today - first).days + 1))
        ent = rng.choice(listed)
        req = _new_public(w, ent, on) if i % 3 else _new_phone(w, ent, on)
        if (ctx.today - on).days > 3:
            plans.append(_plan(w, req, rng.choice(fates)))
    _showcase(w, plans)
    db.session.flush()
    _replay(w, plans, first)
    db.session.flush()
