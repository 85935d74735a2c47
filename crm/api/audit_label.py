"""Every audit row written while serving an API request says which token made the change.

crm.audit.record takes the label from `g.actor_label` only when no actor is passed; services
that pass the actor explicitly (the request workflow does) would leave it empty. This hook
fills it in just before the rows are flushed, whatever service wrote them.
"""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.audit import AuditEntry


@event.listens_for(Session, "before_flush")
def _label_api_audit_rows(session, _flush_context, _instances) -> None:
    if not has_request_context():
        return
    label = g.get("actor_label")
    if not label or not label.startswith("api:"):
        return
    for obj in session.new:
        if isinstance(obj, AuditEntry) and obj.actor_label is None:
            obj.actor_label = label
