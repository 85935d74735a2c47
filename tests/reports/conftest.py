"""Hand-built districts for report tests, with figures worked out by hand in the docstrings."""
from __future__ import annotations

import re
from datetime import date

import pytest

from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Tag
from crm.org.models import Town
from tests.factories import assign, enterprise
from tests.visits.helpers import visit

TODAY = date(2026, 11, 24)  # Tuesday; 2026Q4 has 37 days left


@pytest.fixture
def coverage_world(app, today, town, make_user):
    """Two towns, three liaisons, nine enterprises; today 2026-11-24.

    城桥镇: E1 (区级, C, 专精特新) — L1, visited by L1 10-15.
            E2 (镇级, C) — L1 and L2 (协助), one joint phone visit by L1+L2 on 11-02.
            E3 (镇级, I) — L2; "visited" on 11-05 by L3 alone, who is not its liaison: no credit.
    堡镇:   E6 (I) — L3 from 2026-09-01 (30 days of Q3: owes Q3).
            E7 (I) — L3 from 2026-09-02 (29 days of Q3: owes nothing in Q3).
            E8 (区级, no industry) — listed from 2026-09-01 (30 days of Q3), L3; visited by L3 09-15.
            E10 — listed from 2026-09-02 (29 days of Q3), L3.
            E9 — listed, no liaison at all.

    2026Q4: pairs owed 8 = visited 3 (L1E1, L1E2, L2E2) + due 5 (L2E3, L3E6, L3E7, L3E8, L3E10);
            enterprises 8 = visited 2 (E1, E2) + due 5 + no liaison 1 (E9).
    2026Q3: pairs owed 6 = visited 1 (L3E8) + missed 5 (L1E1, L1E2, L2E2, L2E3, L3E6);
            enterprises 7 = visited 1 (E8) + missed 4 (E1, E2, E3, E6) + no liaison 2 (E7, E9);
            E10 was listed only 29 days: not counted.
    """
    today(TODAY)
    bao = Town(code="BZ", name="堡镇")
    tag = Tag(name="专精特新")
    db.session.add_all([bao, tag])
    db.session.commit()
    l1 = make_user(Role.LIAISON, login="l1", name="张一", town=town, mobile="13800000001")
    l2 = make_user(Role.LIAISON, login="l2", name="李二", town=town, mobile="13800000002")
    l3 = make_user(Role.LIAISON, login="l3", name="王三", town=bao, mobile="13800000003")
    e1 = enterprise(town, name="城桥一号有限公司", level="district", industry="C")
    e1.tags.append(tag)
    db.session.commit()
    e2 = enterprise(town, name="城桥二号有限公司", level="town", industry="C")
    e3 = enterprise(town, name="城桥三号有限公司", level="town", industry="I")
    e6 = enterprise(bao, name="堡镇六号有限公司", industry="I")
    e7 = enterprise(bao, name="堡镇七号有限公司", industry="I")
    e8 = enterprise(bao, name="堡镇八号有限公司", level="district", listed_on=date(2026, 9, 1))
    e9 = enterprise(bao, name="堡镇九号有限公司")
    e10 = enterprise(bao, name="堡镇十号有限公司", listed_on=date(2026, 9, 2))
    assign(l1, e1)
    assign(l1, e2)
    assign(l2, e2, role="assisting")
    assign(l2, e3)
    assign(l3, e6, start_on=date(2026, 9, 1))
    assign(l3, e7, start_on=date(2026, 9, 2))
    assign(l3, e8)
    assign(l3, e10)
    visit(e1, l1, date(2026, 10, 15))
    visit(e2, [l1, l2], date(2026, 11, 2), mode="phone")
    visit(e3, l3, date(2026, 11, 5))
    visit(e8, l3, date(2026, 9, 15))
    return {"towns": (town, bao), "liaisons": (l1, l2, l3), "tag": tag,
            "enterprises": {n: e for n, e in zip((1, 2, 3, 6, 7, 8, 9, 10), (e1, e2, e3, e6, e7, e8, e9, e10))}}


def figures_on(page: str) -> dict[str, str]:
    """The headline figures of a report page: data-figure name -> data-value."""
    return dict(re.findall(r'class="tile[^"]*"[^>]*data-figure="([^"]+)" data-value="([^"]*)"', page))


def tile_hrefs(page: str) -> set[str]:
    """The links of the counted figures (data-figure with a data-value): tiles and list headings."""
    hrefs = set()
    for tag in re.findall(r"<a [^>]*data-figure=[^>]*>", page):
        if "data-value=" in tag:
            hrefs.add(re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&"))
    return hrefs


def all_links(page: str, path_prefix: str) -> list[tuple[str, str]]:
    """Every (href, data-value) of linked numbers that lead to `path_prefix`."""
    found = []
    for tag in re.findall(r"<a [^>]*data-value=[^>]*>", page):
        href = re.search(r'href="([^"]+)"', tag)
        value = re.search(r'data-value="([^"]*)"', tag).group(1)
        if href and href.group(1).startswith(path_prefix) and value != "":
            found.append((href.group(1).replace("&amp;", "&"), value))
    return found


def list_total(page: str) -> int:
    return int(re.search(r'data-total="(\d+)"', page).group(1))


@pytest.fixture
def requests_world(app, today, town, department, make_user):
    """Nine requests run through the real workflow; today 2026-11-24, period 2026-11.

    Working days in November 2026 are Monday-Friday (no holiday). 政策咨询, 5 working days.
    R1 区人社局: assigned 11-02 (due 11-09), replied 11-06 resolved: on time, 4 days; rated 满意.
    R2 区人社局: assigned 11-02, extension of 3 approved 11-05 (due 11-12), replied 11-11 partly:
       on time only thanks to the extension, 7 days; rated 不满意 (-> 差评复核, open).
    R3 区人社局: assigned 11-02, escalated 11-06, the commission replied 11-16 resolved: on time
       (the escalated days do not count), 4 days (to the escalation).
    R4 区规划资源局 (堡镇): assigned 11-03 (due 11-10), replied 11-13 resolved: late, 8 days.
    R5 区规划资源局 (堡镇): assigned 11-10 (due 11-17), open, urged 11-18: overdue 5 working days.
    R6 区人社局: assigned 11-20, sign-for due 11-23, not signed for.
    R7: answered on site 11-16, rated 非常满意 11-17.
    R8 区人社局: October (submitted, assigned 10-15, replied 10-20): outside the period.
    R9 区人社局: assigned 11-05, returned 11-06 (back to 待受理).
    R10 区规划资源局: assigned 11-09, returned 11-10, assigned again 11-10, returned again 11-11:
       the second return escalates (rule 6).

    November: received 9; replies 4, on time 3 (75%), resolved 3 (75%); ratings 3, satisfied 2;
    区人社局 received 5 rounds, replied 3, all on time, resolved 2, median 4 days, extension 1,
    return 1, escalation 1, ratings 2 (1 satisfied); 区规划资源局 received 4 rounds, replied 1
    late, urged 1, returns 2, escalation 1. Open today 5 (R2, R5, R6, R9, R10); overdue 1; not
    signed for 1; ages 0-5: 1 (R6), 6-10: 1 (R5), 11-20: 3 (R2 16, R9 13, R10 11).
    """
    from crm.org.models import Department
    from crm.requests.categories import ensure_default_categories
    from crm.requests.intake import create_request
    from crm.requests.workflow import transition

    today(TODAY)
    bao = Town(code="BZ", name="堡镇")
    other = Department(code="GHZY", name="区规划资源局")
    db.session.add_all([bao, other])
    categories = {c.name: c for c in ensure_default_categories()}
    db.session.commit()
    commission = make_user(Role.COMMISSION, login="commission")
    hr = make_user(Role.DEPARTMENT, login="hr", department=department)
    planning = make_user(Role.DEPARTMENT, login="planning", department=other)
    liaison = make_user(Role.LIAISON, login="liaison", town=town)
    ent = enterprise(town, name="城桥某某有限公司")
    ent_bao = enterprise(bao, name="堡镇某某有限公司")
    assign(liaison, ent)

    def new(on, enterprise_=ent, category="政策咨询", source="visit"):
        req = create_request(enterprise=enterprise_, source=source, category=categories[category],
                             title=f"诉求{on.isoformat()}", description="内容", actor=liaison, submitted_on=on)
        return req

    def step(req, action, actor, on, **data):
        transition(req, action, actor, today=on, **data)

    d = lambda m, n: date(2026, m, n)  # noqa: E731
    r1 = new(d(11, 2))
    step(r1, "assign", commission, d(11, 2), lead_department=department, time_limit_days=5)
    step(r1, "accept", hr, d(11, 3))
    step(r1, "reply", hr, d(11, 6), answer="已答复", outcome="resolved")
    transition(r1, "rate", None, today=d(11, 10), via="link", rating="satisfied")

    r2 = new(d(11, 2), category="融资")
    step(r2, "assign", commission, d(11, 2), lead_department=department, time_limit_days=5)
    step(r2, "accept", hr, d(11, 3))
    step(r2, "request_extension", hr, d(11, 5), days=3, reason="需要会商")
    step(r2, "approve_extension", commission, d(11, 5))
    step(r2, "reply", hr, d(11, 11), answer="部分解决", outcome="partly")
    transition(r2, "rate", None, today=d(11, 13), via="link", rating="unsatisfied")

    r3 = new(d(11, 2), source="phone")
    step(r3, "assign", commission, d(11, 2), lead_department=department, time_limit_days=5)
    step(r3, "accept", hr, d(11, 3))
    step(r3, "escalate", hr, d(11, 6), reasons="涉及多个部门")
    step(r3, "reply", commission, d(11, 16), answer="协调后答复", outcome="resolved")

    r4 = new(d(11, 3), enterprise_=ent_bao)
    step(r4, "assign", commission, d(11, 3), lead_department=other, time_limit_days=5)
    step(r4, "accept", planning, d(11, 4))
    step(r4, "reply", planning, d(11, 13), answer="已答复", outcome="resolved")

    r5 = new(d(11, 10), enterprise_=ent_bao)
    step(r5, "assign", commission, d(11, 10), lead_department=other, time_limit_days=5)
    step(r5, "accept", planning, d(11, 11))
    step(r5, "urge", commission, d(11, 18))

    r6 = new(d(11, 20))
    step(r6, "assign", commission, d(11, 20), lead_department=department, time_limit_days=5)

    r7 = new(d(11, 16))
    step(r7, "answer_on_site", liaison, d(11, 16), answer="现场解答")
    transition(r7, "rate", None, today=d(11, 17), via="link", rating="very_satisfied")

    r8 = new(d(10, 15))
    step(r8, "assign", commission, d(10, 15), lead_department=department, time_limit_days=5)
    step(r8, "accept", hr, d(10, 16))
    step(r8, "reply", hr, d(10, 20), answer="已答复", outcome="resolved")

    r9 = new(d(11, 5))
    step(r9, "assign", commission, d(11, 5), lead_department=department, time_limit_days=5)
    step(r9, "return", hr, d(11, 6), reason="不属于本部门职责")

    r10 = new(d(11, 9))
    step(r10, "assign", commission, d(11, 9), lead_department=other, time_limit_days=5)
    step(r10, "return", planning, d(11, 10), reason="不属于本部门职责")
    step(r10, "assign", commission, d(11, 10), lead_department=other, time_limit_days=5)
    step(r10, "return", planning, d(11, 11), reason="仍不属于本部门职责")
    db.session.commit()
    return {"commission": commission, "hr": hr, "planning": planning, "liaison": liaison,
            "departments": (department, other), "towns": (town, bao),
            "requests": dict(zip(range(1, 11), (r1, r2, r3, r4, r5, r6, r7, r8, r9, r10)))}
