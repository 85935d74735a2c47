"""How a visit looks in the API, and what a client may send to log or change one (turned into
crm.visits.service.VisitInput, which applies the same rules as the phone form)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.api.components import component
from crm.api.pagination import page_meta_schema
from crm.api.schema import Bool, Choice, Date, Int, ListOf, Schema, Str
from crm.visits.forms import MAX_PROBLEMS
from crm.visits.models import Visit, VisitMode
from crm.visits.problems import LIMITS as PROBLEM_LIMITS
from crm.visits.problems import ProblemInput
from crm.visits.service import LIMITS, VisitInput

_STR = {"type": "string"}
_STR_OR_NULL = {"type": ["string", "null"]}
_NAMED = {"type": "object", "required": ["id", "name"], "additionalProperties": False,
          "properties": {"id": {"type": "integer"}, "name": _STR}}


def _object(properties: dict) -> dict:
    return {"type": "object", "required": list(properties), "additionalProperties": False,
            "properties": properties}


def visit_schema() -> dict:
    return _object({
        "id": {"type": "integer"},
        "enterprise": _object({"id": {"type": "integer"}, "name": _STR, "credit_code": _STR}),
        "visited_on": {"type": "string", "format": "date"},
        "mode": {"type": "string", "enum": [m.value for m in VisitMode]},
        "mode_label": _STR,
        "author": _NAMED,
        "liaisons": {"type": "array", "items": _NAMED, "description": str(_l("参加走访的包保责任人"))},
        "people_met": _STR_OR_NULL,
        "policies": {"type": "array", "items": _object({"id": {"type": "integer"}, "title": _STR})},
        "other_topics": _STR_OR_NULL,
        "findings": _STR_OR_NULL,
        "requests": {"type": "array", "items": _object({"number": _STR, "title": _STR, "state": _STR}),
                     "description": str(_l("本次走访产生、且令牌所属用户可见的诉求"))},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    })


def page_schema() -> dict:
    return _object({"items": {"type": "array", "items": component("Visit", visit_schema)},
                    "meta": component("PageMeta", page_meta_schema)})


def present(visit: Visit, requests: list) -> dict:
    return {
        "id": visit.id,
        "enterprise": {"id": visit.enterprise.id, "name": visit.enterprise.name,
                       "credit_code": visit.enterprise.credit_code},
        "visited_on": visit.visited_on.isoformat(),
        "mode": visit.mode,
        "mode_label": visit.mode_label,
        "author": {"id": visit.author.id, "name": visit.author.name},
        "liaisons": [{"id": p.liaison.id, "name": p.liaison.name} for p in visit.participants],
        "people_met": visit.people_met,
        "policies": [{"id": p.id, "title": p.title} for p in visit.policies],
        "other_topics": visit.other_topics,
        "findings": visit.findings,
        "requests": [{"number": r.number, "title": r.title, "state": r.state} for r in requests],
        "created_at": visit.created_at.isoformat(),
        "updated_at": visit.updated_at.isoformat(),
    }


PROBLEM = Schema("VisitProblem", {
    "title": Str(PROBLEM_LIMITS["title"], required=True),
    "category_id": Int(required=True, description=_l("诉求类别编号（见 GET /request-categories）")),
    "description": Str(PROBLEM_LIMITS["description"], multiline=True, nullable=True),
    "answered_on_site": Bool(default=False, description=_l("现场已答复（须填 answer）")),
    "answer": Str(PROBLEM_LIMITS["answer"], multiline=True, nullable=True),
}, description=_l("企业诉求：每条生成一件诉求"))

_FIELDS = {
    "visited_on": Date(description=_l("走访日期，默认今天；不能晚于今天")),
    "mode": Choice([m.value for m in VisitMode], default=VisitMode.ONSITE.value,
                   description=_l("onsite 上门（默认）、video 视频、phone 电话、meeting 座谈")),
    "liaison_ids": ListOf(Int(), max_items=20, unique=True, description=_l("同行包保责任人的用户编号")),
    "people_met": Str(LIMITS["people_met"], nullable=True, description=_l("企业接待人")),
    "policy_ids": ListOf(Int(), max_items=50, unique=True, description=_l("宣传政策编号（见 GET /policies）")),
    "other_topics": Str(LIMITS["other_topics"], nullable=True),
    "findings": Str(LIMITS["findings"], multiline=True, nullable=True, description=_l("走访情况")),
    "problems": ListOf(PROBLEM, max_items=MAX_PROBLEMS,
                       description=_l("企业诉求；修改时为新增的诉求（已生成的诉求不变）")),
}

CREATE_BODY = Schema("VisitCreate", {"enterprise_id": Int(required=True), **_FIELDS})
UPDATE_BODY = Schema(None, _FIELDS).partial("VisitUpdate")


def _problems(rows: list[dict]) -> list[ProblemInput]:
    return [ProblemInput(title=r["title"], category_id=r["category_id"], description=r.get("description") or "",
                         answered_on_site=r["answered_on_site"], answer=r.get("answer") or "")
            for r in rows]


def visit_input(body: dict, *, today, key=None, visit: Visit | None = None) -> VisitInput:
    """The service's input: the body's values, and for an update the stored ones it leaves out."""
    def value(name, current):
        return body[name] if name in body else current

    if visit is None:
        return VisitInput(
            visited_on=body.get("visited_on") or today, mode=body["mode"],
            liaison_ids=body.get("liaison_ids") or [], people_met=body.get("people_met") or "",
            policy_ids=body.get("policy_ids") or [], other_topics=body.get("other_topics") or "",
            findings=body.get("findings") or "", problems=_problems(body.get("problems") or []),
            idempotency_key=key)
    others = [p.liaison_id for p in visit.participants if p.liaison_id != visit.author_id]
    return VisitInput(
        visited_on=value("visited_on", visit.visited_on), mode=value("mode", visit.mode),
        liaison_ids=value("liaison_ids", others) or [],
        people_met=value("people_met", visit.people_met) or "",
        policy_ids=value("policy_ids", [p.id for p in visit.policies]) or [],
        other_topics=value("other_topics", visit.other_topics) or "",
        findings=value("findings", visit.findings) or "",
        problems=_problems(body.get("problems") or []))


def api_field(name: str) -> str:
    """The service names fields as the form does ("problems-0-title"); the API as "problems.0.title"."""
    if name.startswith("problems-"):
        return name.replace("-", ".", 2)
    return {"liaisons": "liaison_ids", "policies": "policy_ids"}.get(name, name)
