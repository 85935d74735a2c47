"""Problems raised on a visit become requests (诉求), through the requests feature's services.

Each problem is registered with crm.requests.intake.create_request (source "visit", linked by
visit_id) and, when the liaison answered it on the spot, moved on with
crm.requests.workflow.transition(req, "answer_on_site", ...). Both only flush: the visit and
its requests are committed together by the caller, or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select

from crm.db import db
from crm.visits.errors import VisitError

#: Longest text per problem field, in characters.
LIMITS = {"title": 200, "description": 2000, "answer": 2000}
#: The requests feature's field names -> the problem row's.
_FIELDS = {"category": "category_id", "title": "title", "description": "description", "answer": "answer"}


@dataclass
class ProblemInput:
    """One problem row of the visit form."""

    title: str
    category_id: Optional[int]
    description: str = ""
    answered_on_site: bool = False
    answer: str = ""

    def check(self, prefix: str) -> dict[str, str]:
        """Errors keyed by the row's form field names (prefix + field)."""
        errors: dict[str, str] = {}
        if not (self.title or "").strip():
            errors[prefix + "title"] = _("请填写诉求标题。")
        if not self.category_id:
            errors[prefix + "category_id"] = _("请选择诉求类别。")
        if self.answered_on_site and not (self.answer or "").strip():
            errors[prefix + "answer"] = _("已勾选现场答复，请填写答复内容。")
        for name, limit in LIMITS.items():
            text = getattr(self, name) or ""
            if len(text) > limit:
                errors[prefix + name] = _("最多 %(max)d 个字（已输入 %(n)d 个）。", max=limit, n=len(text))
        return errors


def raise_requests(visit, problems: list[ProblemInput], actor, today: date) -> list:
    """One request per problem, linked to the visit; answered on site where marked. Flushes."""
    from crm.requests.errors import WorkflowError
    from crm.requests.intake import create_request
    from crm.requests.workflow import transition

    created = []
    for i, problem in enumerate(problems):
        try:
            req = create_request(
                enterprise=visit.enterprise, source="visit", category=int(problem.category_id),
                title=problem.title.strip(),
                # A phone user often types only a title: it is the description too.
                description=(problem.description or "").strip() or problem.title.strip(),
                actor=actor, visit_id=visit.id,
            )
            if problem.answered_on_site:
                transition(req, "answer_on_site", actor, today=today, answer=problem.answer.strip())
        except WorkflowError as e:
            raise VisitError({f"problems-{i}-{_FIELDS.get(e.field or '', 'title')}": e.message}) from None
        created.append(req)
    return created


def requests_of(visit) -> list:
    """The requests a visit raised, oldest first."""
    from crm.requests.models import Request

    return list(db.session.scalars(select(Request).where(Request.visit_id == visit.id).order_by(Request.id)))
