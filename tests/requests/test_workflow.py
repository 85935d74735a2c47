"""Every transition allowed and refused per role; returns, extensions, escalation, on-time."""
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.auth.roles import Role
from crm.db import db
from crm.notifications.models import Notification
from crm.requests.errors import NotAllowed, WorkflowError
from crm.requests.models import RequestEvent
from crm.requests.workflow import allowed_actions, transition

from .conftest import TUESDAY, cooperate

EVERYONE = ["admin", "commission", "town", "other_town", "lead", "other_dept", "liaison",
            "other_liaison", "leader"]


def _events(req) -> int:
    return db.session.scalar(select(func.count()).select_from(RequestEvent)
                             .where(RequestEvent.request_id == req.id))


@pytest.fixture
def in_state(world, new_request, assigned_request):
    """A request brought (through the workflow itself) into the named state."""
    c = world["users"][Role.COMMISSION]
    lead = world["users"][Role.DEPARTMENT]

    def make(state):
        if state == "submitted":
            return new_request()
        if state in ("replied_on_site",):
            req = new_request()
            transition(req, "answer_on_site", c, today=TUESDAY, answer="现场答复")
            return req
        req = assigned_request()
        if state == "assigned":
            return req
        transition(req, "accept", lead, today=TUESDAY)
        if state == "in_progress":
            return req
        if state == "extension_pending":
            transition(req, "request_extension", lead, today=TUESDAY, days=2, reason="需要现场踏勘")
            return req
        if state == "escalated":
            transition(req, "escalate", lead, today=TUESDAY, reasons="涉及多个部门职责")
            return req
        transition(req, "reply", lead, today=TUESDAY, answer="已办理", outcome="resolved")
        if state == "replied":
            return req
        transition(req, "rate", None, today=TUESDAY, via="link", rating="unsatisfied")
        assert state == "reviewing"
        return req

    return make


# (action, starting state, data, roles allowed); every other role in EVERYONE is refused.
MATRIX = [
    ("answer_on_site", "submitted", {"answer": "当场解答"}, {"admin", "commission", "town", "liaison"}),
    ("assign", "submitted", "assign", {"admin", "commission", "town"}),
    ("assign", "escalated", "assign", {"admin", "commission"}),
    ("assign", "reviewing", "assign", {"admin", "commission"}),
    ("reject", "submitted", {"reason": "不属于企业诉求"}, {"admin", "commission", "town"}),
    ("accept", "assigned", {}, {"lead"}),
    ("return", "assigned", {"reason": "不属于本部门职责"}, {"lead"}),
    ("request_extension", "in_progress", {"days": 2, "reason": "需要会商"}, {"lead"}),
    ("approve_extension", "extension_pending", {}, {"admin", "commission"}),
    ("deny_extension", "extension_pending", {}, {"admin", "commission"}),
    ("escalate", "in_progress", {"reasons": "各方意见不一"}, {"admin", "commission", "lead"}),
    ("reply", "in_progress", {"answer": "已解决", "outcome": "resolved"}, {"lead"}),
    ("reply", "escalated", {"answer": "区政府研究决定", "outcome": "partly"}, {"admin", "commission"}),
    ("rate", "replied", {"rating": "satisfied"}, {"admin", "commission", "town", "liaison"}),
    ("close", "reviewing", {"explanation": "已向企业解释"}, {"admin", "commission"}),
    ("note", "in_progress", {"text": "已电话联系企业"},
     {"admin", "commission", "town", "lead", "liaison"}),
    ("urge", "in_progress", {"instructions": "请抓紧办理"}, {"admin", "commission"}),
]


def _data(data, world):
    if data == "assign":
        return {"lead_department": world["other"], "time_limit_days": 5}
    return dict(data)


@pytest.mark.parametrize("action,state,data,allowed", MATRIX,
                         ids=[f"{m[0]}-from-{m[1]}" for m in MATRIX])
@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_take_each_step(world, actors, in_state, today, action, state, data, allowed, who):
    req = in_state(state)
    db.session.commit()
    # Urge notices are only for overdue requests: run that one well after the deadline.
    on = date(2026, 12, 10) if action == "urge" else TUESDAY
    if action == "reply" and state == "in_progress" and who == "lead":
        pass
    before = (req.state, _events(req))
    actor = actors[who]
    if who in allowed:
        transition(req, action, actor, today=on, **_data(data, world))
        db.session.commit()
        assert _events(req) == before[1] + 1
        assert action in {"note", "urge", "request_extension", "approve_extension", "deny_extension"} \
            or req.state != before[0]
    else:
        with pytest.raises(NotAllowed) as refused:
            transition(req, action, actor, today=on, **_data(data, world))
        assert "您无权" in refused.value.message
        db.session.rollback()
        assert (req.state, _events(req)) == before


def test_the_enterprise_rates_only_through_its_link_and_the_tick_only_closes(in_state):
    req = in_state("replied")
    with pytest.raises(NotAllowed):
        transition(req, "rate", None, today=TUESDAY, rating="satisfied")
    with pytest.raises(NotAllowed):
        transition(req, "close_unrated", None, today=TUESDAY, via="link")
    transition(req, "rate", None, today=TUESDAY, via="link", rating="basically")
    assert (req.state, req.rated_via) == ("closed", "link")


@pytest.mark.parametrize("action,state", [
    ("accept", "submitted"), ("reply", "assigned"), ("assign", "in_progress"), ("rate", "in_progress"),
    ("answer_on_site", "assigned"), ("request_extension", "assigned"), ("close", "replied"),
    ("escalate", "submitted"), ("note", "replied"), ("urge", "escalated"),
])
def test_steps_from_the_wrong_state_are_refused_with_the_state_named(actors, in_state, action, state):
    req = in_state(state)
    db.session.commit()
    events = _events(req)
    with pytest.raises(WorkflowError) as refused:
        transition(req, action, actors["commission"], today=TUESDAY, answer="x", reason="x",
                   rating="satisfied", outcome="resolved")
    assert "不能" in refused.value.message and req.state_label in refused.value.message
    assert _events(req) == events


def test_unknown_action_is_refused(in_state, actors):
    with pytest.raises(WorkflowError, match="未知操作"):
        transition(in_state("submitted"), "delete", actors["admin"])


def test_allowed_actions_lists_what_the_pages_offer(in_state, actors):
    req = in_state("assigned")
    assert allowed_actions(req, actors["lead"], TUESDAY) == ["accept", "return", "escalate", "note"]
    assert allowed_actions(req, actors["leader"], TUESDAY) == []
    assert "urge" not in allowed_actions(req, actors["commission"], TUESDAY)  # not overdue yet
    assert "urge" in allowed_actions(req, actors["commission"], date(2026, 12, 2))
    # Past the return window the button is not offered.
    assert allowed_actions(req, actors["lead"], date(2026, 11, 27)) == ["accept", "escalate", "note"]
    assert allowed_actions(req, actors["lead"], TUESDAY, only=("accept", "reply")) == ["accept"]


# --- assignment ------------------------------------------------------------------------------

def test_assign_uses_the_category_limit_halved_when_urgent(world, assigned_request, new_request):
    req = assigned_request(category="政策咨询")
    assert (req.time_limit_days, req.deadline) == (5, date(2026, 12, 1))
    assert req.accept_due_on == date(2026, 11, 25)
    urgent = assigned_request(category="融资", urgent=True)
    assert (urgent.time_limit_days, urgent.deadline) == (7, date(2026, 12, 3))
    tiny = new_request(category="政策咨询", urgent=True)
    transition(tiny, "assign", world["users"][Role.COMMISSION], today=TUESDAY, lead_department=world["lead"])
    assert tiny.time_limit_days == 2


def test_assign_refuses_bad_input_and_changes_nothing(world, new_request, department):
    req = new_request()
    c = world["users"][Role.COMMISSION]
    with pytest.raises(WorkflowError) as e:
        transition(req, "assign", c, today=TUESDAY, lead_department=None)
    assert e.value.field == "lead_department"
    with pytest.raises(WorkflowError) as e:
        transition(req, "assign", c, today=TUESDAY, lead_department=department, cooperating=[department])
    assert e.value.field == "cooperating"
    with pytest.raises(WorkflowError) as e:
        transition(req, "assign", c, today=TUESDAY, lead_department=department, time_limit_days=0)
    assert e.value.field == "time_limit_days"
    assert req.state == "submitted" and req.lead_department_id is None and req.rounds == []


def test_assignment_notifies_lead_and_cooperating_department_users(world, new_request):
    req = new_request()
    transition(req, "assign", world["users"][Role.COMMISSION], today=TUESDAY,
               lead_department=world["lead"], cooperating=[world["other"]], instructions="请一周内答复")
    db.session.commit()
    bells = db.session.scalars(select(Notification).where(Notification.channel == "app",
                                                          Notification.kind == "assigned")).all()
    assert {n.user_id for n in bells} == {world["users"][Role.DEPARTMENT].id, world["other_handler"].id}
    assert "督办意见：请一周内答复" in bells[0].body


def test_the_lead_department_is_one_column_enforced_by_the_database(world, assigned_request):
    from sqlalchemy.exc import IntegrityError

    req = assigned_request()
    req.lead_department_id = None
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    from crm.requests.models import RequestAssignment

    db.session.add(RequestAssignment(request_id=req.id, lead_department_id=None, assigned_on=TUESDAY,
                                     time_limit_days=5, deadline=TUESDAY))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- returns ---------------------------------------------------------------------------------

def test_first_return_goes_back_to_triage_second_escalates(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    c = world["users"][Role.COMMISSION]
    req = assigned_request()
    transition(req, "return", lead, today=TUESDAY, reason="属于规划资源局职责")
    assert (req.state, req.lead_department_id, req.deadline, req.return_count) == ("submitted", None, None, 1)
    transition(req, "assign", c, today=date(2026, 11, 25), lead_department=world["lead"])
    transition(req, "return", lead, today=date(2026, 11, 26), reason="仍不属于本部门")
    assert (req.state, req.return_count, req.escalated_on) == ("escalated", 2, date(2026, 11, 26))
    assert [r.end_reason for r in req.rounds] == ["returned", "returned"]
    db.session.commit()
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.channel == "app")))
    assert {"returned", "escalated"} <= kinds
    # The commission settles it: assigns again with a new limit.
    transition(req, "assign", c, today=date(2026, 11, 30), lead_department=world["other"], time_limit_days=10)
    assert req.state == "assigned" and req.lead_department_id == world["other"].id


def test_return_only_within_two_working_days_of_assignment(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    req = assigned_request(on=date(2026, 11, 26))  # Thursday
    # Thu -> Fri (1), Mon (2): still allowed on Monday 30 November...
    transition(req, "accept", lead, today=date(2026, 11, 27))
    with pytest.raises(WorkflowError) as e:
        transition(req, "return", lead, today=date(2026, 12, 1), reason="不属于本部门")
    assert "不能退回" in e.value.message and e.value.field == "reason"
    assert req.state == "in_progress" and req.return_count == 0
    transition(req, "return", lead, today=date(2026, 11, 30), reason="不属于本部门")
    assert req.state == "submitted"


def test_return_needs_a_reason(world, assigned_request):
    with pytest.raises(WorkflowError) as e:
        transition(assigned_request(), "return", world["users"][Role.DEPARTMENT], today=TUESDAY, reason="  ")
    assert e.value.field == "reason"


# --- extensions ------------------------------------------------------------------------------

def test_extension_once_before_the_deadline_at_most_the_original_limit(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    c = world["users"][Role.COMMISSION]
    req = assigned_request()  # 5 working days: deadline Tuesday 1 December
    transition(req, "accept", lead, today=TUESDAY)
    with pytest.raises(WorkflowError) as e:
        transition(req, "request_extension", lead, today=TUESDAY, days=6, reason="x")
    assert e.value.field == "days" and "不超过原办理时限" in e.value.message
    with pytest.raises(WorkflowError):
        transition(req, "request_extension", lead, today=date(2026, 12, 2), days=2, reason="x")
    transition(req, "request_extension", lead, today=date(2026, 12, 1), days=5, reason="需要专家论证")
    assert req.extension_status == "pending" and req.deadline == date(2026, 12, 1)
    with pytest.raises(WorkflowError, match="只能申请一次"):
        transition(req, "request_extension", lead, today=date(2026, 12, 1), days=1, reason="再延")
    transition(req, "approve_extension", c, today=date(2026, 12, 1))
    assert (req.deadline, req.original_deadline) == (date(2026, 12, 8), date(2026, 12, 1))
    assert req.extension_status == "approved"
    with pytest.raises(WorkflowError, match="没有待审批"):
        transition(req, "deny_extension", c, today=date(2026, 12, 1))
    # Replied on the extended deadline: on time.
    transition(req, "reply", lead, today=date(2026, 12, 8), answer="已解决", outcome="resolved")
    assert req.on_time is True


def test_denied_extension_keeps_the_deadline(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    req = assigned_request()
    transition(req, "accept", lead, today=TUESDAY)
    transition(req, "request_extension", lead, today=TUESDAY, days=3, reason="人手不足")
    transition(req, "deny_extension", world["users"][Role.COMMISSION], today=TUESDAY, note="请按期办结")
    assert (req.extension_status, req.deadline) == ("denied", date(2026, 12, 1))
    with pytest.raises(WorkflowError, match="只能申请一次"):
        transition(req, "request_extension", lead, today=TUESDAY, days=1, reason="再试")
    transition(req, "reply", lead, today=date(2026, 12, 2), answer="晚了一天", outcome="partly")
    assert req.on_time is False


# --- escalation and on-time --------------------------------------------------------------------

def test_time_spent_escalated_does_not_count_against_the_department(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    c = world["users"][Role.COMMISSION]
    req = assigned_request()  # deadline 1 December
    transition(req, "accept", lead, today=TUESDAY)
    transition(req, "escalate", lead, today=date(2026, 11, 27), reasons="需区政府协调用地指标")
    # The clock stopped: not overdue while escalated, whatever the date.
    from crm.requests.deadlines import clock_state, overdue_condition
    from crm.requests.models import Request

    assert clock_state(req, date(2026, 12, 20)) is None
    db.session.commit()
    assert db.session.scalar(select(Request.id).where(overdue_condition(date(2026, 12, 20)))) is None
    # The commission answers itself three weeks later: still on time for the department.
    transition(req, "reply", c, today=date(2026, 12, 18), answer="经协调，已解决", outcome="resolved")
    assert (req.state, req.on_time) == ("replied", True)


def test_after_escalation_a_new_assignment_starts_a_new_clock(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    c = world["users"][Role.COMMISSION]
    req = assigned_request()
    transition(req, "accept", lead, today=TUESDAY)
    transition(req, "escalate", c, today=date(2026, 11, 30), reasons="职责不清")
    transition(req, "assign", c, today=date(2026, 12, 14), lead_department=world["lead"], time_limit_days=5)
    assert req.deadline == date(2026, 12, 21) and req.escalated_on is None
    transition(req, "accept", lead, today=date(2026, 12, 14))
    transition(req, "reply", lead, today=date(2026, 12, 21), answer="已解决", outcome="resolved")
    assert req.on_time is True
    assert [r.end_reason for r in req.rounds] == ["escalated", "replied"]


def test_late_reply_is_not_on_time(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    req = assigned_request()
    transition(req, "accept", lead, today=TUESDAY)
    transition(req, "reply", lead, today=date(2026, 12, 2), answer="已解决", outcome="resolved")
    assert req.on_time is False


def test_reply_needs_an_outcome_and_an_answer(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    req = assigned_request()
    transition(req, "accept", lead, today=TUESDAY)
    with pytest.raises(WorkflowError) as e:
        transition(req, "reply", lead, today=TUESDAY, answer="x", outcome="great")
    assert e.value.field == "outcome"
    with pytest.raises(WorkflowError) as e:
        transition(req, "reply", lead, today=TUESDAY, answer="", outcome="resolved")
    assert e.value.field == "answer"
    assert req.state == "in_progress" and req.reply is None


def test_reply_notifies_liaison_commission_and_the_enterprise_by_email(world, assigned_request):
    lead = world["users"][Role.DEPARTMENT]
    world["users"][Role.LIAISON].email = "liaison@example.test"
    req = assigned_request(contact_email="boss@enterprise.test")
    transition(req, "accept", lead, today=TUESDAY)
    transition(req, "reply", lead, today=TUESDAY, answer="已解决", outcome="resolved")
    db.session.commit()
    rows = db.session.scalars(select(Notification).where(Notification.kind.like("replied%"))).all()
    assert {n.user_id for n in rows if n.channel == "app"} == {world["users"][Role.LIAISON].id,
                                                              world["users"][Role.COMMISSION].id}
    emails = {n.address: n for n in rows if n.channel == "email"}
    assert set(emails) == {"liaison@example.test", "boss@enterprise.test"}
    assert "已解决" in emails["boss@enterprise.test"].body
    assert emails["boss@enterprise.test"].link == "/track"  # never an internal page


# --- rating and review ---------------------------------------------------------------------------

@pytest.mark.parametrize("rating,state", [("very_satisfied", "closed"), ("satisfied", "closed"),
                                          ("basically", "closed"), ("unsatisfied", "reviewing"),
                                          ("very_unsatisfied", "reviewing")])
def test_rating_closes_or_sends_to_review(in_state, rating, state):
    req = in_state("replied")
    transition(req, "rate", None, today=TUESDAY, via="link", rating=rating, comment="意见")
    assert req.state == state and req.rating == rating


def test_unsatisfied_rating_tells_the_commission_and_review_can_reassign(world, in_state, actors):
    req = in_state("reviewing")
    db.session.commit()
    assert db.session.scalar(select(Notification.id).where(Notification.kind == "unsatisfied")) is not None
    transition(req, "assign", actors["commission"], today=date(2026, 11, 25),
               lead_department=world["other"], time_limit_days=3)
    assert (req.state, req.reply, req.rating, req.deadline) == ("assigned", None, None, date(2026, 11, 30))
    assign_event = req.events[-1]
    assert assign_event.data["previous"]["rating"] == "unsatisfied"


def test_review_can_close_with_an_explanation(in_state, actors):
    req = in_state("reviewing")
    with pytest.raises(WorkflowError):
        transition(req, "close", actors["commission"], today=TUESDAY, explanation="")
    transition(req, "close", actors["commission"], today=TUESDAY, explanation="政策不允许，已解释")
    assert req.state == "closed" and req.closed_on == TUESDAY


def test_answered_on_site_requests_are_rated_too(in_state, actors):
    req = in_state("replied_on_site")
    transition(req, "rate", actors["liaison"], today=TUESDAY, rating="satisfied")
    assert (req.state, req.rated_via) == ("closed", "call")


# --- notes ---------------------------------------------------------------------------------------

def test_note_kinds_depend_on_the_unit(world, in_state, actors):
    req = in_state("in_progress")
    cooperate(req, world["other"])
    transition(req, "note", actors["other_dept"], today=TUESDAY, text="我局意见：可以支持", kind="input")
    with pytest.raises(NotAllowed):
        transition(req, "note", actors["other_dept"], today=TUESDAY, text="x", kind="explanation")
    with pytest.raises(NotAllowed):
        transition(req, "note", actors["commission"], today=TUESDAY, text="x", kind="input")
    transition(req, "note", actors["lead"], today=TUESDAY, text="因材料不全延误", kind="explanation")
    assert [e.kind for e in req.events[-2:]] == ["input", "explanation"]
    assert req.state == "in_progress"


def test_reject_shows_the_reason_to_the_enterprise(in_state, actors):
    req = in_state("submitted")
    transition(req, "reject", actors["town"], today=TUESDAY, reason="属于民事纠纷，请通过司法途径解决")
    assert req.state == "rejected" and req.events[-1].public is True
