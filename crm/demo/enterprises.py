"""Demo enterprises: 600 with valid credit codes, tags, contacts, list history and liaisons."""
from __future__ import annotations

import random
from datetime import date, timedelta

from crm.audit import record
from crm.auth.roles import Role
from crm.db import db
from crm.demo.context import DemoContext
from crm.demo.names import (GIVEN, INDUSTRY_WORDS, PREFIXES, STREETS, SUFFIXES, SURNAMES,
                            TITLES, TRADE_NAMES)
from crm.enterprises.credit_code import ALPHABET, check_character
from crm.enterprises.models import AUDIT_TYPE, Assignment, Contact, Enterprise, ListPeriod, Tag

COUNT = 600
WITHOUT_LIAISON = 12
TAGS = ["专精特新", "高新技术企业", "科技型中小企业", "小巨人", "规上工业", "外资企业"]
#: A retired tag: still on a few enterprises, no longer offered (the tag page shows both).
RETIRED_TAG = "出口型企业"
RELISTED = 8
NOTES = ["企业计划明年扩建二期厂房。", "主要负责人常驻市区，走访前请电话预约。", "已纳入区级重点培育名单。"]
# Administrative division code of the demo district (崇明区).
DIVISION = "310151"
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def credit_code(ctx: DemoContext) -> str:
    """A valid code: 9 (工商) 1 (企业), division, GB 11714 organisation code, check character."""
    body = "".join(ctx.rng.choice("0123456789") for _ in range(8))
    c9 = 11 - sum(int(d) * w for d, w in zip(body, _ORG_WEIGHTS)) % 11
    org = body + {10: "X", 11: "0"}.get(c9, str(c9))
    first17 = "91" + DIVISION + org
    assert all(ch in ALPHABET for ch in first17)
    return first17 + check_character(first17)


def _name(ctx: DemoContext, industry: str, used: set[str]) -> str:
    while True:
        name = (ctx.rng.choice(PREFIXES) + ctx.rng.choice(TRADE_NAMES)
                + ctx.rng.choice(INDUSTRY_WORDS[industry]) + ctx.rng.choice(SUFFIXES))
        if name not in used:
            used.add(name)
            return name


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    tags = [Tag(name=n) for n in TAGS]
    db.session.add_all(tags)
    names: set[str] = set()
    codes: set[str] = set()
    quarter_start = date(ctx.today.year, 3 * ((ctx.today.month - 1) // 3) + 1, 1)
    for i in range(COUNT):
        industry = rng.choices(list(INDUSTRY_WORDS), weights=[3, 10, 1, 2, 3, 2, 1, 4, 2, 3, 1])[0]
        code = credit_code(ctx)
        while code in codes:
            code = credit_code(ctx)
        codes.add(code)
        town = ctx.towns[i % len(ctx.towns)]
        ent = Enterprise(
            name=_name(ctx, industry, names), credit_code=code, town=town,
            level="district" if rng.random() < 0.3 else "town", industry=industry,
            address=f"上海市崇明区{town.name}{rng.choice(STREETS)}{rng.randint(1, 2999)}号",
            tags=rng.sample(tags, k=rng.choice([0, 0, 1, 1, 2, 3])),
        )
        for _ in range(rng.choice([1, 1, 2])):
            ent.contacts.append(Contact(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN), title=rng.choice(TITLES),
                mobile=rng.choice(["138", "139", "136", "158", "187"]) + f"{rng.randrange(10**8):08d}",
                email=f"contact{i}@example.com" if rng.random() < 0.5 else None,
            ))
        added = date(2023, 1, 1) + timedelta(days=rng.randrange(900))
        if i % 60 == 7:
            added = ctx.today - timedelta(days=rng.randrange(5, 20))  # newly listed this quarter
        ent.list_periods.append(ListPeriod(added_on=min(added, ctx.today), added_reason="年度清单"))
        if i % 50 == 3:  # a few have left the list during the last two quarters
            removed = quarter_start - timedelta(days=rng.randrange(1, 120))
            period = ent.list_periods[0]
            if removed > period.added_on:
                period.removed_on, period.removed_reason = removed, "迁出本区"
        ctx.enterprises.append(ent)
    db.session.add_all(ctx.enterprises)
    db.session.flush()
    _assign(ctx, quarter_start)
    # A separate random source: the extra history below must not shift what later seeders draw.
    extra = random.Random(f"demo-enterprises-{ctx.today.isoformat()}")
    _details(ctx, extra)
    _relist_some(ctx, extra)
    _audit(ctx)


def _assign(ctx: DemoContext, quarter_start: date) -> None:
    rng = ctx.rng
    liaisons_by_town: dict[int, list] = {}
    for user in ctx.users_with(Role.LIAISON):
        liaisons_by_town.setdefault(user.town_id, []).append(user)
    all_liaisons = ctx.users_with(Role.LIAISON)
    # Enterprises left without a liaison on purpose: a gap the coverage report must show.
    listed = [e for e in ctx.enterprises if e.list_periods[0].removed_on is None]
    gaps = set(id(e) for e in rng.sample(listed, WITHOUT_LIAISON))
    demo_liaison = next(u for u in all_liaisons if u.login == ctx.logins[Role.LIAISON])
    for i, ent in enumerate(ctx.enterprises):
        if id(ent) in gaps:
            continue
        period = ent.list_periods[0]
        pool = liaisons_by_town.get(ent.town_id) or all_liaisons
        primary = demo_liaison if i % 30 == 0 else rng.choice(pool)
        start = period.added_on
        if i % 25 == 5 and start < quarter_start - timedelta(days=60):
            # Reassigned mid previous quarter: one period ends, another begins.
            change = quarter_start - timedelta(days=rng.randrange(20, 60))
            previous = rng.choice([u for u in all_liaisons if u is not primary])
            ctx.assignments.append(Assignment(liaison=previous, enterprise=ent, role="primary",
                                              start_on=start, end_on=change, end_reason="工作调整"))
            start = change
        ctx.assignments.append(Assignment(liaison=primary, enterprise=ent, role="primary",
                                          start_on=start, end_on=period.removed_on))
        if rng.random() < 0.2:
            helper = rng.choice([u for u in all_liaisons if u is not primary])
            ctx.assignments.append(Assignment(liaison=helper, enterprise=ent, role="assisting",
                                              start_on=start, end_on=period.removed_on))
    db.session.add_all(ctx.assignments)
    db.session.flush()


def _details(ctx: DemoContext, rng: random.Random) -> None:
    """Landline numbers, notes and a retired tag, so every page has something to show."""
    retired = Tag(name=RETIRED_TAG, active=False)
    db.session.add(retired)
    for i, ent in enumerate(ctx.enterprises):
        if i % 9 == 4:
            ent.contacts.append(Contact(name=rng.choice(SURNAMES) + rng.choice(GIVEN), title="办公室",
                                        mobile=f"021-59{rng.randrange(10**6):06d}"))
        if i % 23 == 2:
            ent.notes = rng.choice(NOTES)
        if i % 97 == 11:
            ent.tags.append(retired)
    db.session.flush()


def _relist_some(ctx: DemoContext, rng: random.Random) -> None:
    """Some enterprises left the list for a while and came back: two periods, liaisons paused."""
    candidates = [
        e for e in ctx.enterprises
        if len(e.list_periods) == 1 and e.list_periods[0].removed_on is None
        and e.list_periods[0].added_on < date(2024, 1, 1) and e.assignments
        and all(a.start_on == e.list_periods[0].added_on and a.end_on is None for a in e.assignments)
    ]
    for ent in rng.sample(candidates, min(RELISTED, len(candidates))):
        first = ent.list_periods[0]
        left = first.added_on + timedelta(days=rng.randrange(120, 240))
        back = left + timedelta(days=rng.randrange(60, 180))
        if back >= ctx.today:
            continue
        first.removed_on, first.removed_reason = left, "企业停产整顿，暂时移出"
        ent.list_periods.append(ListPeriod(added_on=back, added_reason="恢复生产，重新列入"))
        for old in list(ent.assignments):
            old.end_on, old.end_reason = left, "移出清单"
            again = Assignment(liaison=old.liaison, enterprise=ent, role=old.role, start_on=back)
            db.session.add(again)
            ctx.assignments.append(again)
    db.session.flush()


def _audit(ctx: DemoContext) -> None:
    """A creation row per enterprise and the list changes, as if typed in: the history is not empty."""
    for ent in ctx.enterprises:
        first = ent.list_periods[0]
        record("create", AUDIT_TYPE, ent.id, actor_label="demo", reason=first.added_reason,
               changes={"name": ent.name, "credit_code": ent.credit_code, "town": ent.town.name,
                        "level": ent.level, "added_on": first.added_on})
        for period in ent.list_periods:
            if period.removed_on:
                record("remove", AUDIT_TYPE, ent.id, actor_label="demo", reason=period.removed_reason,
                       changes={"removed_on": period.removed_on})
            if period is not first:
                record("relist", AUDIT_TYPE, ent.id, actor_label="demo", reason=period.added_reason,
                       changes={"added_on": period.added_on})
    db.session.flush()
