"""Writing a request's history: one event row per step, plus the audit entry."""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from crm import audit
from crm.requests.models import Request, RequestEvent


def add_event(
    req: Request,
    action: str,
    actor,
    *,
    on: date,
    from_state: Optional[str] = None,
    to_state: Optional[str] = None,
    text: Optional[str] = None,
    public: bool = False,
    kind: Optional[str] = None,
    data: Optional[dict[str, Any]] = None,
    actor_label: Optional[str] = None,
) -> RequestEvent:
    event = RequestEvent(
        action=action, on=on, actor_id=getattr(actor, "id", None),
        actor_label=actor_label if actor is None else None,
        actor_department_id=getattr(actor, "department_id", None),
        from_state=from_state, to_state=to_state, text=text, public=public, kind=kind, data=data,
    )
    req.events.append(event)
    changes: dict[str, Any] = dict(data or {})
    if from_state != to_state:
        changes["state"] = [from_state, to_state]
    audit.record(f"request.{action}", "request", req.id, actor=actor,
                 actor_label=actor_label if actor is None else None, changes=changes, reason=text)
    return event
