"""Demo visits: the current and previous quarter, joint visits, problems raised (some answered on
site), the policy list, and deliberate coverage gaps the reports must show:

- about one pair in ten missed the previous quarter, and two liaisons (liaison5, liaison17)
  have not visited anyone yet this quarter;
- 横沙乡 (town HS) lags behind: its liaisons visit half as often;
- the demo liaison (liaison1) stands in at one more enterprise until ten days from today, so
  their most urgent card is a pair about to end, still unvisited.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from crm.auth.roles import Role
from crm.db import db
from crm.demo.context import DemoContext
from crm.enterprises.models import Assignment, Tag
from crm.visits.models import Policy, Visit, VisitMode, VisitParticipant
from crm.visits.quarters import Quarter

#: (title, tags): policies without tags concern every enterprise.
POLICIES = [
    ("专精特新中小企业奖励", ["专精特新", "小巨人"]),
    ("高新技术企业认定奖励", ["高新技术企业"]),
    ("研发费用加计扣除", ["科技型中小企业", "高新技术企业"]),
    ("规上工业企业技术改造补贴", ["规上工业"]),
    ("首台（套）装备保险补偿", ["规上工业"]),
    ("外资研发中心支持政策", ["外资企业"]),
    ("稳岗返还", []),
    ("创业担保贷款贴息", []),
    ("人才安居政策", []),
]
RETIRED = "2023年度防疫物资补贴"
FINDINGS = [
    "生产经营正常，订单较去年同期增长。", "企业反映原材料价格上涨，利润空间收窄。",
    "新厂房已完成主体施工，计划明年投产。", "企业正在筹备申报高新技术企业。",
    "近期出口订单减少，企业在开拓国内市场。", "企业用工基本稳定，技术工人仍有缺口。",
    "了解企业年度产值和纳税情况，整体平稳。", "企业有扩大产能意向，关注用地指标。",
]
#: Category name -> problems a liaison writes down under it.
PROBLEMS = {
    "政策咨询": ["咨询研发费用加计扣除口径", "咨询专精特新申报条件"],
    "人才用工": ["技术工人招聘困难", "人才公寓申请咨询"],
    "水电气网": ["厂区电力增容", "雨天厂区道路积水"],
    "审批办证": ["新建仓库消防验收进度"],
    "融资": ["流动资金贷款需求"],
    "用地规划": ["扩建用地指标"],
}
MODES = [VisitMode.ONSITE.value] * 6 + [VisitMode.PHONE.value] * 2 + [VisitMode.VIDEO.value, VisitMode.MEETING.value]
#: Liaisons who have not started this quarter's visits (a gap on purpose).
IDLE_NOW = {"liaison5", "liaison17"}
LAGGING_TOWN = "HS"
STAND_IN = "临时代管"


def seed(ctx: DemoContext) -> None:
    policies = _policies()
    current = Quarter.of(ctx.today)
    _stand_in(ctx, current)
    by_enterprise: dict[int, list[Assignment]] = {}
    for a in ctx.assignments:
        by_enterprise.setdefault(a.enterprise_id, []).append(a)
    visits: list[Visit] = []
    for quarter in (current.previous, current):
        for ent in ctx.enterprises:
            for a in by_enterprise.get(ent.id, []):
                visit = _maybe_visit(ctx, quarter, ent, a, by_enterprise[ent.id], policies, len(visits))
                if visit is not None:
                    visits.append(visit)
    db.session.add_all(visits)
    db.session.flush()
    _problems(ctx, visits)


def _policies() -> list[Policy]:
    tags = {t.name: t for t in db.session.scalars(select(Tag))}
    policies = [Policy(title=title, tags=[tags[n] for n in names if n in tags]) for title, names in POLICIES]
    db.session.add_all(policies + [Policy(title=RETIRED, active=False)])
    return policies


def _stand_in(ctx: DemoContext, quarter: Quarter) -> None:
    """liaison1 covers one more enterprise since last quarter, until ten days from today."""
    me = next(u for u in ctx.users if u.login == ctx.logins[Role.LIAISON])
    mine = {a.enterprise_id for a in ctx.assignments if a.liaison_id == me.id}
    target = next(e for e in ctx.enterprises
                  if e.id not in mine and e.town_id == me.town_id and e.list_periods[0].removed_on is None
                  and any(a.enterprise_id == e.id for a in ctx.assignments))
    until = min(ctx.today + timedelta(days=10), quarter.end)
    a = Assignment(liaison=me, enterprise=target, role="assisting",
                   start_on=quarter.previous.first_day, end_on=until, end_reason=STAND_IN)
    db.session.add(a)
    db.session.flush()
    ctx.assignments.append(a)


def _maybe_visit(ctx: DemoContext, quarter: Quarter, ent, a: Assignment, colleagues: list[Assignment],
                 policies: list[Policy], serial: int):
    rng = ctx.rng
    start = max(a.start_on, quarter.first_day)
    end = min(a.end_on or quarter.end, quarter.end, ctx.today + timedelta(days=1))
    current = quarter.contains(ctx.today)
    if end <= start or (current and a.end_reason == STAND_IN):
        return None  # not assigned in the quarter, or the stand-in pair left unvisited on purpose
    chance = 0.9
    if current:
        elapsed = (ctx.today - quarter.first_day).days / quarter.days
        chance = 0.25 + 0.6 * elapsed
        if a.liaison.login in IDLE_NOW:
            return None
    if ent.town.code == LAGGING_TOWN:
        chance /= 2
    if a.role == "assisting":
        chance /= 2
    if rng.random() > chance:
        return None
    on = start + timedelta(days=rng.randrange((end - start).days))
    people = [a.liaison]
    others = [c.liaison for c in colleagues if c is not a and c.liaison is not a.liaison
              and c.start_on <= on and (c.end_on is None or c.end_on > on)]
    if others and rng.random() < 0.35:  # a joint visit: 进一次门、查多项事
        people.append(rng.choice(others))
    matching = [p for p in policies if not p.tags or set(p.tags) & set(ent.tags)]
    # Ids rather than relationships: no backref bookkeeping for a thousand demo rows.
    visit = Visit(
        enterprise_id=ent.id, visited_on=on, mode=rng.choice(MODES), author_id=a.liaison_id,
        people_met=(ent.contacts[0].name + (f"（{ent.contacts[0].title}）" if ent.contacts[0].title else ""))
        if ent.contacts else None,
        findings=rng.choice(FINDINGS), idempotency_key=f"demo-{serial}",
        policies=rng.sample(matching, k=min(len(matching), rng.choice([0, 1, 1, 2]))),
        created_at=datetime(on.year, on.month, on.day, 9, 30, tzinfo=timezone.utc),
    )
    visit.participants = [VisitParticipant(liaison_id=u.id, enterprise_id=ent.id, visited_on=on) for u in people]
    return visit


def _problems(ctx: DemoContext, visits: list[Visit]) -> None:
    """About one visit in twenty raised a problem; a third of those were answered on site."""
    from crm.requests.categories import ensure_default_categories
    from crm.requests.errors import WorkflowError
    from crm.requests.intake import create_request
    from crm.requests.workflow import transition

    categories = {c.name: c for c in ensure_default_categories()}
    enterprises = {e.id: e for e in ctx.enterprises}
    users = {u.id: u for u in ctx.users}
    rng = ctx.rng
    for visit in sorted(visits, key=lambda v: (v.visited_on, v.id)):
        if rng.random() > 0.05:
            continue
        name = rng.choice(sorted(PROBLEMS))
        title = rng.choice(PROBLEMS[name])
        ent, author = enterprises[visit.enterprise_id], users[visit.author_id]
        req = create_request(enterprise=ent, source="visit", category=categories[name],
                             title=title, description=f"{ent.name}：{title}。",
                             actor=author, visit_id=visit.id, submitted_on=visit.visited_on)
        if rng.random() < 0.33:
            try:
                transition(req, "answer_on_site", author, today=ctx.today,
                           answer="已现场讲解相关政策和办理流程，企业表示清楚。")
            except WorkflowError:
                pass  # the liaison no longer covers the enterprise today: left for triage
