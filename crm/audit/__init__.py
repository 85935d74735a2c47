"""The audit log: who did what to which record, when, and why.

Rows are never edited: they are hash-chained (crm.audit.chain) and the database refuses UPDATE
and DELETE on them (crm.audit.immutable); `flask crm audit verify` checks them (crm.audit.cli).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.audit import immutable  # noqa: F401  (installs the triggers with db.create_all())
from crm.audit.chain import AUDIT, watch
from crm.db import db, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_object", "object_type", "object_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Null for the command line and scheduled jobs; see actor_label.
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    #: How the change came in when not through a logged-in page: "cli", "tick", "api:<token>".
    actor_label: Mapped[Optional[str]] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[Optional[int]]
    #: Field -> [before, after] for edits; a plain dict for creations and exports.
    changes: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    reason: Mapped[Optional[str]] = mapped_column(Text)
    #: row_hash of the previous entry of its stream (crm.audit.chain); zeros for the first.
    prev_hash: Mapped[str] = mapped_column(String(64))
    #: sha256 of this entry's content and prev_hash.
    row_hash: Mapped[str] = mapped_column(String(64))

    actor = relationship("User")


watch(AuditEntry, AUDIT)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as field -> [before, after]."""
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def record(
    action: str,
    object_type: str,
    object_id: Optional[int] = None,
    *,
    actor: Any = None,
    actor_label: Optional[str] = None,
    changes: Optional[dict[str, Any]] = None,
    reason: Optional[str] = None,
) -> AuditEntry:
    """Add an audit row to the current transaction (the caller commits)."""
    if actor is None:
        actor, actor_label = _current_actor(actor_label)
    else:
        actor_label = actor_label or _request_label()
    entry = AuditEntry(
        action=action,
        object_type=object_type,
        object_id=object_id,
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label,
        changes=_jsonable(changes) if changes is not None else None,
        reason=reason,
    )
    db.session.add(entry)
    return entry


def _request_label() -> Optional[str]:
    """The channel of the current request, e.g. "api:<token name>" (set by the API's auth)."""
    from flask import g, has_request_context

    return getattr(g, "actor_label", None) if has_request_context() else None


def _current_actor(label: Optional[str]):
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context():
        label = label or _request_label()
        if getattr(current_user, "is_authenticated", False):
            return current_user._get_current_object(), label
        return None, label
    return None, label or "cli"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # dates, decimals, enums
