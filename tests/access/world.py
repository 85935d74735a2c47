"""A two-town district for the access matrix, and who may see what in it — written down from
the rules in README/DOMAIN (rule 11), not read from crm.permissions.

Town 甲 (TA) and town 乙 (TB); departments DA and DB. Liaison 甲 has an enterprise in each town
(the cross-town case), liaison 乙 one in town 乙. One request per department, a visit per
enterprise, an internal note on each request, an urge notice on the late one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from crm.api.tokens import Scope, create_token
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Contact
from crm.org.models import Department, Town
from crm.requests.categories import ensure_default_categories
from crm.requests.intake import create_request
from crm.requests.models import RequestSource
from crm.requests.tracking import set_token
from crm.requests.workflow import transition
from crm.visits.models import Visit, VisitParticipant
from tests.factories import assign, enterprise

TODAY = date(2026, 11, 24)
ASSIGNED_ON = date(2026, 11, 2)


@dataclass
class Record:
    kind: str  # enterprise, request, visit
    id: int
    #: Texts that only someone who may see the record can find on any page.
    markers: tuple[str, ...]
    #: The enterprise's full contact phone: only for those who see its contacts unmasked.
    phone: str | None = None
    extra: dict = field(default_factory=dict)


#: Principal -> the records (by short name) they may see; everything else is out of their scope.
VISIBLE = {
    "admin": {"EA", "EB", "EX", "RA", "RB", "VA", "VB", "VX"},
    "commission": {"EA", "EB", "EX", "RA", "RB", "VA", "VB", "VX"},
    "leader": {"EA", "EB", "EX", "RA", "RB", "VA", "VB", "VX"},
    # A town sees its own town's enterprises, their visits and requests.
    "town_a": {"EA", "RA", "VA"},
    "town_b": {"EB", "EX", "RB", "VB", "VX"},
    # A liaison sees the enterprises assigned to them, their requests and every visit to them.
    "liaison_a": {"EA", "EX", "RA", "VA", "VX"},
    "liaison_b": {"EB", "RB", "VB"},
    # A department sees its requests, their enterprises and the visits that raised them.
    "dept_a": {"EA", "RA", "VA"},
    "dept_b": {"EB", "RB", "VB"},
    # Town coordinator of 甲 who is also a liaison (with no enterprise of their own).
    "town_liaison": {"EA", "RA", "VA"},
    "anonymous": set(),
}
#: Principal -> enterprises whose contacts they see in full (departments see them masked).
FULL_CONTACTS = {
    "admin": {"EA", "EB", "EX"}, "commission": {"EA", "EB", "EX"}, "leader": {"EA", "EB", "EX"},
    "town_a": {"EA"}, "town_b": {"EB", "EX"}, "liaison_a": {"EA", "EX"}, "liaison_b": {"EB"},
    "dept_a": set(), "dept_b": set(), "town_liaison": {"EA"}, "anonymous": set(),
}
PRINCIPALS = list(VISIBLE)


@dataclass
class World:
    users: dict
    records: dict[str, Record]
    towns: dict
    departments: dict
    tracking_tokens: dict[str, str]
    officials: dict[str, tuple[str, str]]  # login -> (name, mobile)
    ids: dict[str, int]

    def out_of_scope(self, principal: str) -> list[Record]:
        return [r for name, r in self.records.items() if name not in VISIBLE[principal]]

    def markers_hidden_from(self, principal: str) -> list[str]:
        hidden = [m for r in self.out_of_scope(principal) for m in r.markers]
        hidden += [r.phone for name, r in self.records.items()
                   if r.phone and name not in FULL_CONTACTS[principal]]
        return hidden

    def visible(self, principal: str, kind: str, record_id: int) -> bool:
        return any(r.kind == kind and r.id == record_id and name in VISIBLE[principal]
                   for name, r in self.records.items())

    def name_of(self, kind: str, record_id: int) -> str | None:
        return next((n for n, r in self.records.items() if r.kind == kind and r.id == record_id), None)


def build(make_user) -> World:
    ta, tb = Town(code="TA", name="甲镇"), Town(code="TB", name="乙镇")
    da, dbb = Department(code="DA", name="甲局"), Department(code="DB", name="乙局")
    db.session.add_all([ta, tb, da, dbb])
    db.session.commit()
    cats = {c.name: c for c in ensure_default_categories()}
    u = {
        "admin": make_user(Role.ADMIN, login="admin", name="管理员赵"),
        "commission": make_user(Role.COMMISSION, login="commission", name="经委钱", mobile="13800000001"),
        "leader": make_user(Role.LEADER, login="leader", name="领导孙"),
        "town_a": make_user(Role.TOWN, login="town_a", name="甲镇李", town=ta),
        "town_b": make_user(Role.TOWN, login="town_b", name="乙镇周", town=tb),
        "liaison_a": make_user(Role.LIAISON, login="liaison_a", name="包保吴", town=ta, mobile="13800001111"),
        "liaison_b": make_user(Role.LIAISON, login="liaison_b", name="包保郑", town=tb, mobile="13800002222"),
        "dept_a": make_user(Role.DEPARTMENT, login="dept_a", name="承办王", department=da),
        "dept_b": make_user(Role.DEPARTMENT, login="dept_b", name="承办冯", department=dbb),
        "town_liaison": make_user(Role.TOWN, Role.LIAISON, login="town_liaison", name="镇兼包保陈", town=ta),
    }
    ents = {
        "EA": enterprise(ta, name="甲镇鸿远机械有限公司"),
        "EB": enterprise(tb, name="乙镇澄波海产有限公司"),
        "EX": enterprise(tb, name="乙镇栖霞农业有限公司"),
    }
    phones = {"EA": "13911110001", "EB": "13922220002", "EX": "13933330003"}
    for key, ent in ents.items():
        db.session.add(Contact(enterprise=ent, name=f"联系人{key}", mobile=phones[key], email=f"{key.lower()}@corp.example"))
    db.session.commit()
    assign(u["liaison_a"], ents["EA"])
    assign(u["liaison_b"], ents["EB"])
    assign(u["liaison_a"], ents["EX"])

    visits = {}
    for key, ent_key, author in (("VA", "EA", "liaison_a"), ("VB", "EB", "liaison_b"), ("VX", "EX", "liaison_a")):
        v = Visit(enterprise=ents[ent_key], visited_on=date(2026, 10, 20), mode="onsite", author=u[author],
                  findings=f"走访发现{key}号情况", people_met=f"接待人{key}")
        v.participants.append(VisitParticipant(liaison=u[author], enterprise_id=ents[ent_key].id,
                                               visited_on=v.visited_on))
        db.session.add(v)
        visits[key] = v
    db.session.commit()

    reqs, tokens = {}, {}
    for key, ent_key, dept, visit in (("RA", "EA", da, "VA"), ("RB", "EB", dbb, "VB")):
        r = create_request(enterprise=ents[ent_key], source=RequestSource.VISIT, category=cats["政策咨询"],
                           title=f"诉求{key}厂房审批", description=f"诉求{key}的具体内容描述", actor=u["commission"],
                           visit_id=visits[visit].id, contact_name=f"申请人{key}",
                           contact_mobile=f"1370000{key == 'RA' and '1111' or '2222'}", submitted_on=ASSIGNED_ON)
        tokens[key] = set_token(r)
        transition(r, "assign", u["commission"], today=ASSIGNED_ON, lead_department=dept, time_limit_days=5)
        transition(r, "note", u["commission"], today=ASSIGNED_ON, text=f"内部备注{key}不得外传")
        reqs[key] = r
    db.session.commit()
    transition(reqs["RB"], "urge", u["commission"], today=TODAY)
    db.session.commit()

    records = {k: Record("enterprise", e.id, (e.name, e.credit_code), phones[k]) for k, e in ents.items()}
    records |= {k: Record("visit", v.id, (f"走访发现{k}号情况",)) for k, v in visits.items()}
    records |= {k: Record("request", r.id, (f"诉求{k}厂房审批", f"诉求{k}的具体内容描述", f"内部备注{k}不得外传"),
                          extra={"number": r.number}) for k, r in reqs.items()}
    from crm.requests.models import UrgeNotice
    from sqlalchemy import select

    from crm.enterprises.models import Assignment
    from crm.notifications.models import Notification

    note = Notification(channel="app", kind="assigned", user_id=u["dept_a"].id, subject="新交办：诉求RA厂房审批",
                        link=f"/requests/{reqs['RA'].id}", request_id=reqs["RA"].id, status="sent")
    db.session.add(note)
    db.session.commit()
    ids = {
        "notice_RB": db.session.scalar(select(UrgeNotice.id).where(UrgeNotice.request_id == reqs["RB"].id)),
        "town": ta.id, "department": da.id, "category": cats["政策咨询"].id, "notification_DA": note.id,
        "assignments": {a.enterprise_id: a.id for a in db.session.scalars(select(Assignment))},
    }
    officials = {user.login: (user.name, user.mobile) for user in u.values()}
    return World(u, records, {"TA": ta, "TB": tb}, {"DA": da, "DB": dbb}, tokens, officials, ids)


def token_for(user, scope: Scope) -> str:
    _token, secret = create_token(f"矩阵-{user.login}-{scope.value}", user, scope, None, today=TODAY)
    db.session.commit()
    return secret
