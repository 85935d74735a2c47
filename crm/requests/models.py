"""Requests (诉求), their categories, handling rounds, events, urge notices, number counters,
recovered tracking links and failed link lookups."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import (JSON, CheckConstraint, Column, ForeignKey, Index, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.audit.chain import EVENTS, watch
from crm.db import db, utcnow


class RequestState(str, enum.Enum):
    SUBMITTED = "submitted"                # 待受理
    ANSWERED_ON_SITE = "answered_on_site"  # 现场答复
    ASSIGNED = "assigned"                  # 已交办
    IN_PROGRESS = "in_progress"            # 办理中
    ESCALATED = "escalated"                # 上报协调
    REPLIED = "replied"                    # 已答复
    REVIEWING = "reviewing"                # 差评复核
    CLOSED = "closed"                      # 已办结
    REJECTED = "rejected"                  # 不予受理

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    RequestState.SUBMITTED: _l("待受理"),
    RequestState.ANSWERED_ON_SITE: _l("现场答复"),
    RequestState.ASSIGNED: _l("已交办"),
    RequestState.IN_PROGRESS: _l("办理中"),
    RequestState.ESCALATED: _l("上报协调"),
    RequestState.REPLIED: _l("已答复"),
    RequestState.REVIEWING: _l("差评复核"),
    RequestState.CLOSED: _l("已办结"),
    RequestState.REJECTED: _l("不予受理"),
}

#: States in which somebody still owes the enterprise something.
OPEN_STATES = (RequestState.SUBMITTED, RequestState.ASSIGNED, RequestState.IN_PROGRESS,
               RequestState.ESCALATED, RequestState.REVIEWING)
#: States in which the lead department's clock runs.
CLOCK_STATES = (RequestState.ASSIGNED, RequestState.IN_PROGRESS)
#: States waiting for the enterprise's rating.
RATEABLE_STATES = (RequestState.REPLIED, RequestState.ANSWERED_ON_SITE)


class RequestSource(str, enum.Enum):
    VISIT = "visit"    # 走访
    PUBLIC = "public"  # 网上提交
    PHONE = "phone"    # 电话
    API = "api"        # 接口

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])


SOURCE_LABELS = {
    RequestSource.VISIT: _l("走访"),
    RequestSource.PUBLIC: _l("网上提交"),
    RequestSource.PHONE: _l("电话"),
    RequestSource.API: _l("接口"),
}


class Outcome(str, enum.Enum):
    RESOLVED = "resolved"          # 已解决
    PARTLY = "partly"              # 部分解决
    NOT_SOLVABLE = "not_solvable"  # 未能解决（已说明）

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Outcome.RESOLVED: _l("已解决"),
    Outcome.PARTLY: _l("部分解决"),
    Outcome.NOT_SOLVABLE: _l("未能解决（已说明）"),
}


class Rating(str, enum.Enum):
    VERY_SATISFIED = "very_satisfied"      # 非常满意
    SATISFIED = "satisfied"                # 满意
    BASICALLY = "basically"                # 基本满意
    UNSATISFIED = "unsatisfied"            # 不满意
    VERY_UNSATISFIED = "very_unsatisfied"  # 非常不满意

    @property
    def label(self) -> str:
        return str(RATING_LABELS[self])

    @property
    def satisfied(self) -> bool:
        """Basically satisfied or better closes the request; worse sends it to review."""
        return self in (Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.BASICALLY)


RATING_LABELS = {
    Rating.VERY_SATISFIED: _l("非常满意"),
    Rating.SATISFIED: _l("满意"),
    Rating.BASICALLY: _l("基本满意"),
    Rating.UNSATISFIED: _l("不满意"),
    Rating.VERY_UNSATISFIED: _l("非常不满意"),
}


class ExtensionStatus(str, enum.Enum):
    PENDING = "pending"    # 待审批
    APPROVED = "approved"  # 已批准
    DENIED = "denied"      # 未批准


def _values(e: type[enum.Enum]) -> str:
    return ", ".join(f"'{m.value}'" for m in e)


class Category(db.Model):
    """An admin-managed kind of request with its default time limit in working days."""

    __tablename__ = "request_categories"
    __table_args__ = (CheckConstraint("time_limit_days >= 1", name="positive_limit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    #: Default time limit in working days (halved, at least 1, for urgent requests).
    time_limit_days: Mapped[int]
    #: Order in pick lists.
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default="1")

    def limit_for(self, urgent: bool) -> int:
        return max(1, self.time_limit_days // 2) if urgent else self.time_limit_days

    def __repr__(self) -> str:
        return f"<Category {self.name} {self.time_limit_days}>"


#: The cooperating departments (配合单位) of the current handling round.
request_cooperators = Table(
    "request_cooperators",
    db.metadata,
    Column("request_id", ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id"), primary_key=True, index=True),
)


class Request(db.Model):
    """One problem or need of an enterprise, from intake to feedback."""

    __tablename__ = "requests"
    __table_args__ = (
        CheckConstraint(f"state IN ({_values(RequestState)})", name="known_state"),
        CheckConstraint(f"source IN ({_values(RequestSource)})", name="known_source"),
        CheckConstraint(f"outcome IS NULL OR outcome IN ({_values(Outcome)})", name="known_outcome"),
        CheckConstraint(f"rating IS NULL OR rating IN ({_values(Rating)})", name="known_rating"),
        CheckConstraint(f"extension_status IS NULL OR extension_status IN ({_values(ExtensionStatus)})",
                        name="known_extension_status"),
        # Rule 4: a request being handled has exactly one lead department.
        CheckConstraint("state NOT IN ('assigned', 'in_progress') OR "
                        "(lead_department_id IS NOT NULL AND deadline IS NOT NULL)",
                        name="lead_while_handled"),
        Index("ix_requests_state_deadline", "state", "deadline"),
        Index("ix_requests_lead_state", "lead_department_id", "state"),
        Index("ix_requests_submitted_on", "submitted_on"),
        # The requests report reads a period's closings, rounds, events and urge notices by date.
        Index("ix_requests_closed_on", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Readable tracking number, sequential per year: 2026-000123.
    number: Mapped[str] = mapped_column(String(20), unique=True)
    #: The enterprise when known (listed, or matched by credit code); null for an unknown one.
    enterprise_id: Mapped[Optional[int]] = mapped_column(ForeignKey("enterprises.id"), index=True)
    #: As given (or copied from the enterprise): keeps unlisted enterprises identifiable.
    enterprise_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[Optional[str]] = mapped_column(String(18), index=True)
    #: The enterprise's town at intake: scope and filters for town users.
    town_id: Mapped[Optional[int]] = mapped_column(ForeignKey("towns.id"), index=True)
    #: The visit that raised it (source "visit"); null for every other source.
    visit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("visits.id"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    category_id: Mapped[int] = mapped_column(ForeignKey("request_categories.id"))
    #: 紧急: half the category's time limit, at least one working day.
    urgent: Mapped[bool] = mapped_column(default=False, server_default="0")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[Optional[str]] = mapped_column(String(64))
    contact_mobile: Mapped[Optional[str]] = mapped_column(String(20))
    contact_email: Mapped[Optional[str]] = mapped_column(String(120))
    state: Mapped[str] = mapped_column(String(20), default=RequestState.SUBMITTED.value)
    #: Business (Asia/Shanghai) date of intake.
    submitted_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    # The current handling round (mirrors the open RequestAssignment row).
    lead_department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    assigned_on: Mapped[Optional[date]]
    #: Time limit of the current round in working days (before any extension).
    time_limit_days: Mapped[Optional[int]]
    #: Sign-for (签收) is due by the end of this date: the first working day after assignment.
    accept_due_on: Mapped[Optional[date]]
    accepted_on: Mapped[Optional[date]]
    #: The deadline before any extension (the urge notice prints it as 原定时限).
    original_deadline: Mapped[Optional[date]]
    #: The deadline in force, approved extension included.
    deadline: Mapped[Optional[date]]
    #: True when the deadline was computed across a year without a loaded holiday schedule.
    deadline_provisional: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Working days asked for (pending) or granted (approved); one extension per round.
    extension_days: Mapped[Optional[int]]
    extension_reason: Mapped[Optional[str]] = mapped_column(Text)
    extension_status: Mapped[Optional[str]] = mapped_column(String(10))
    #: Returns (退回) so far; the second one escalates instead of going back to triage.
    return_count: Mapped[int] = mapped_column(default=0, server_default="0")
    escalated_on: Mapped[Optional[date]]
    #: Tick flags: set once so each reminder goes out exactly once per round.
    accept_late_notified: Mapped[bool] = mapped_column(default=False, server_default="0")
    due_soon_notified: Mapped[bool] = mapped_column(default=False, server_default="0")

    # Feedback.
    reply: Mapped[Optional[str]] = mapped_column(Text)
    outcome: Mapped[Optional[str]] = mapped_column(String(20))
    replied_on: Mapped[Optional[date]]
    #: The unit that answered (the commission when it replied itself after escalation).
    replied_by_department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    #: Replied on or before the deadline in force; time spent escalated is not counted.
    on_time: Mapped[Optional[bool]]
    reject_reason: Mapped[Optional[str]] = mapped_column(Text)
    rating: Mapped[Optional[str]] = mapped_column(String(20))
    rating_comment: Mapped[Optional[str]] = mapped_column(Text)
    rated_on: Mapped[Optional[date]]
    #: "link" (the enterprise, through its tracking link) or "call" (a liaison's 回访).
    rated_via: Mapped[Optional[str]] = mapped_column(String(10))
    closed_on: Mapped[Optional[date]]
    #: sha256 of the secret tracking token; the token itself is never stored.
    tracking_token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    #: sha256 of the public form's one-time token: a double submit finds the first request.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)

    enterprise = relationship("Enterprise")
    town = relationship("Town")
    category: Mapped[Category] = relationship()
    lead_department = relationship("Department", foreign_keys=[lead_department_id])
    replied_by_department = relationship("Department", foreign_keys=[replied_by_department_id])
    created_by = relationship("User")
    cooperators = relationship("Department", secondary=request_cooperators, order_by="Department.name")
    #: Events are append-only (crm.audit.immutable): never cascade a delete or null their key;
    #: the database refuses to delete a request that has any.
    events: Mapped[list["RequestEvent"]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="save-update, merge",
        passive_deletes="all",
    )
    rounds: Mapped[list["RequestAssignment"]] = relationship(
        back_populates="request", order_by="RequestAssignment.id", cascade="all, delete-orphan"
    )
    urge_notices: Mapped[list["UrgeNotice"]] = relationship(
        back_populates="request", order_by="UrgeNotice.id", cascade="all, delete-orphan"
    )

    @property
    def state_enum(self) -> RequestState:
        return RequestState(self.state)

    @property
    def state_label(self) -> str:
        return self.state_enum.label

    @property
    def source_label(self) -> str:
        return RequestSource(self.source).label

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label if self.outcome else ""

    @property
    def rating_label(self) -> str:
        return Rating(self.rating).label if self.rating else ""

    @property
    def is_open(self) -> bool:
        return self.state_enum in OPEN_STATES

    def __repr__(self) -> str:
        return f"<Request {self.number} {self.state}>"


class RequestAssignment(db.Model):
    """One handling round: who leads, with which time limit. Rows are kept as history."""

    __tablename__ = "request_assignments"
    __table_args__ = (
        Index("ix_request_assignments_assigned_on", "assigned_on"),
        Index("ix_request_assignments_ended_on", "ended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    #: Exactly one lead unit per round (rule 4), enforced by NOT NULL.
    lead_department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    #: Names of the cooperating departments at the time, for the history view.
    cooperator_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    assigned_on: Mapped[date]
    time_limit_days: Mapped[int]
    deadline: Mapped[date]
    #: 督办意见 given with the assignment.
    instructions: Mapped[Optional[str]] = mapped_column(Text)
    assigned_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    ended_on: Mapped[Optional[date]]
    #: returned / escalated / replied / reassigned
    end_reason: Mapped[Optional[str]] = mapped_column(String(20))

    request: Mapped[Request] = relationship(back_populates="rounds")
    lead_department = relationship("Department")
    assigned_by = relationship("User")


class RequestEvent(db.Model):
    """One step in a request's history: who, when, from which state to which, and why."""

    __tablename__ = "request_events"
    __table_args__ = (
        Index("ix_request_events_request_at", "request_id", "id"),
        Index("ix_request_events_on_action", "on", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Business date of the step (the date clocks are computed from).
    on: Mapped[date]
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    #: Who acted when not a user: "public" (the enterprise), "tick", "cli".
    actor_label: Mapped[Optional[str]] = mapped_column(String(50))
    #: The actor's unit at the time: the only actor information the enterprise ever sees.
    actor_department_id: Mapped[Optional[int]] = mapped_column(ForeignKey("departments.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[Optional[str]] = mapped_column(String(20))
    to_state: Mapped[Optional[str]] = mapped_column(String(20))
    text: Mapped[Optional[str]] = mapped_column(Text)
    #: note kind for notes: "note", "input" (配合意见), "explanation" (逾期说明).
    kind: Mapped[Optional[str]] = mapped_column(String(20))
    #: Shown on the enterprise's tracking page (never notes or urge notices).
    public: Mapped[bool] = mapped_column(default=False, server_default="0")
    #: Structured details (department ids, days, deadlines) for display and reports.
    data: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    #: row_hash of the request's previous event (crm.audit.chain); zeros for the first.
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: sha256 of this event's content and prev_hash.
    row_hash: Mapped[str] = mapped_column(String(64))

    request: Mapped[Request] = relationship(back_populates="events")
    actor = relationship("User")
    actor_department = relationship("Department")


watch(RequestEvent, EVENTS)


class UrgeNotice(db.Model):
    """催办单: a formal reminder to a late lead department, with its own number."""

    __tablename__ = "urge_notices"
    __table_args__ = (
        # At most one per request per day, whatever runs concurrently.
        UniqueConstraint("request_id", "issued_on", name="uq_urge_notices_request_day"),
        Index("ix_urge_notices_issued_on", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 催办〔2026〕0012号
    number: Mapped[str] = mapped_column(String(30), unique=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    issued_on: Mapped[date]
    assigned_on: Mapped[Optional[date]]
    #: The deadline in force when issued.
    deadline: Mapped[date]
    overdue_days: Mapped[int]
    #: 督办要求
    instructions: Mapped[str] = mapped_column(Text)
    #: Issued by `crm tick` rather than by a commission user.
    automatic: Mapped[bool] = mapped_column(default=False, server_default="0")
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[Request] = relationship(back_populates="urge_notices")
    department = relationship("Department")
    issued_by = relationship("User")


class NumberCounter(db.Model):
    """The last number handed out per series and year (requests, urge notices).

    Incremented with UPDATE ... RETURNING inside the caller's transaction, so two
    concurrent intakes serialise on the row and never get the same number.
    """

    __tablename__ = "number_counters"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class TrackingLink(db.Model):
    """A further tracking link, issued when the enterprise recovers a lost one at /track.

    The links issued before stay valid (Request.tracking_token_hash and earlier rows): recovery
    must never cut the enterprise off its own link; instead it is told of each new link.
    """

    __tablename__ = "tracking_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    #: sha256 of the secret token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackingLookupFailure(db.Model):
    """One wrong answer at /track for a tracking number; a few within a day lock the number.

    Counted per number (not only per address) and in the database, so neither many addresses
    nor many gunicorn workers give a guesser more tries at one request.
    """

    __tablename__ = "tracking_lookup_failures"
    __table_args__ = (Index("ix_tracking_lookup_failures_number_at", "number", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The tracking number as typed (well-formed, whether or not such a request exists).
    number: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
