"""Hash chains over the audit trail and request histories: each row stores the hash of its own
content and of the previous row of its stream, so an edited, removed or inserted row shows.

A stream is a short chain that few writers share: one per request for its events, one of
AUDIT_BUCKETS buckets (picked from the audited object) for audit entries. There is no global
head every writer would queue on; the daily anchor (crm.audit.anchor) hashes all stream heads.

The hash is computed in the writing transaction, in the ORM's flush, for every row the ORM
inserts; a Core insert without it fails on the NOT NULL columns. Writers of one stream are
serialised by its row in chain_heads: an INSERT ... ON CONFLICT DO UPDATE that locks it (and on
SQLite, being a write, takes the database's write lock before the head is read), once per
transaction; the new heads are written back once, at commit.

The content is hashed as it reads back from either database: timestamps in UTC with
microseconds, dates in ISO form, JSON after a JSON round trip, keys sorted.
"""
from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable, Optional

from sqlalchemy import String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session
from sqlalchemy.types import JSON

from crm.db import db

#: The prev_hash of a stream's first row.
GENESIS = "0" * 64
#: Audit streams: enough that two concurrent writers rarely share one, few enough that
#: verifying and anchoring keep every head in memory.
AUDIT_BUCKETS = 4096
#: Columns that are the chain itself, not hashed content.
CHAIN_COLUMNS = ("id", "prev_hash", "row_hash")


class ChainHead(db.Model):
    """The last hash and row count of one stream: the lock its writers queue on."""

    __tablename__ = "chain_heads"

    #: The chained table: audit_entries or request_events.
    chain: Mapped[str] = mapped_column(String(30), primary_key=True)
    stream: Mapped[str] = mapped_column(String(40), primary_key=True)
    length: Mapped[int]
    head_hash: Mapped[str] = mapped_column(String(64))


def audit_bucket(object_type: Optional[str], object_id: Optional[int]) -> str:
    """The audit stream of an object: stable across processes and databases (no hash())."""
    digest = hashlib.sha256(f"{object_type}:{object_id}".encode()).digest()
    return f"b{int.from_bytes(digest[:4], 'big') % AUDIT_BUCKETS:04d}"


@dataclass(frozen=True)
class Chain:
    table: str
    #: The stream of a row, from anything with the table's columns as attributes (an ORM
    #: object, a Core row); None while it cannot be known yet (a request not yet flushed).
    stream_of: Callable[[Any], Optional[str]]

    def content(self, row: Any) -> dict[str, Any]:
        """The hashed fields of an ORM object or of a Core row's _mapping."""
        get = row.__getitem__ if isinstance(row, Mapping) else lambda name: getattr(row, name)
        return {name: canonical(get(name), is_json) for name, is_json in _hashed_columns(self.table)}


def _request_stream(row: Any) -> Optional[str]:
    request_id = row.request_id
    if request_id is None and getattr(row, "request", None) is not None:
        request_id = row.request.id
    return None if request_id is None else str(request_id)


AUDIT = Chain("audit_entries", lambda row: audit_bucket(row.object_type, row.object_id))
EVENTS = Chain("request_events", _request_stream)
CHAINS = (AUDIT, EVENTS)


@functools.cache
def _hashed_columns(table: str) -> tuple[tuple[str, bool], ...]:
    """(name, is JSON) of the content columns, worked out once: this runs for every row written."""
    return tuple((c.name, isinstance(c.type, JSON)) for c in db.metadata.tables[table].columns
                 if c.name not in CHAIN_COLUMNS)


@functools.cache
def _defaults(table: str) -> tuple:
    return tuple((c.key, c.default) for c in db.metadata.tables[table].columns
                 if c.default is not None and c.name not in CHAIN_COLUMNS)


def canonical(value: Any, is_json: bool = False) -> Any:
    """A value as JSON, the same whether it was just written or read back from either database."""
    if is_json and value is not None:
        value = json.loads(json.dumps(value))  # what the JSON column gives back
    if isinstance(value, datetime):
        if value.tzinfo is None:  # crm.db.UTCDateTime refuses naive values; read-backs are aware
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_hash(table: str, prev_hash: str, content: dict[str, Any]) -> str:
    payload = json.dumps({"table": table, "prev": prev_hash, "row": content},
                         sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


# Lock the stream's head row and read it. The no-op DO UPDATE is what locks an existing row on
# PostgreSQL; a concurrent writer waits here until the first commits, then reads its head.
# Sent as driver SQL (?, or %s for psycopg): these run a few times in every audited
# transaction, and skipping SQLAlchemy's statement compilation halves their client cost.
_LOCK_HEAD = (
    "INSERT INTO chain_heads (chain, stream, length, head_hash) VALUES (?, ?, 0, ?) "
    "ON CONFLICT (chain, stream) DO UPDATE SET length = chain_heads.length "
    "RETURNING head_hash, length")
_WRITE_HEAD = "UPDATE chain_heads SET head_hash = ?, length = ? WHERE chain = ? AND stream = ?"


def _driver_sql(connection, sql: str) -> str:
    return sql if connection.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


#: session.info key: (chain, stream) -> [head_hash, length, changed] of the heads this
#: transaction holds locked. Kept across its flushes (a visit POST appends to one stream in
#: several) and written to chain_heads once, at commit: two statements fewer per visit POST.
_HEADS = "crm_chain_heads"
#: session.info key: savepoint -> copy of _HEADS when it began, put back if it rolls back.
_SAVEPOINTS = "crm_chain_savepoints"


def _lock(connection, heads: dict, chain: str, stream: str) -> list:
    key = (chain, stream)
    if key not in heads:
        head, length = connection.exec_driver_sql(_driver_sql(connection, _LOCK_HEAD),
                                                  (chain, stream, GENESIS)).one()
        heads[key] = [head, length, False]
    return heads[key]


def _fill_defaults(target: Any, table: str) -> None:
    """Apply Python-side column defaults now (the INSERT would, after hashing)."""
    for key, default in _defaults(table):
        if getattr(target, key, None) is not None:
            continue
        if default.is_scalar:
            setattr(target, key, default.arg)
        elif default.is_callable:
            setattr(target, key, default.arg(None))


def _chain_row(chain: Chain, connection, target: Any) -> None:
    heads = object_session(target).info.setdefault(_HEADS, {})
    _fill_defaults(target, chain.table)
    head = _lock(connection, heads, chain.table, chain.stream_of(target))
    target.prev_hash = head[0]
    target.row_hash = head[0] = row_hash(chain.table, head[0], chain.content(target))
    head[1] += 1
    head[2] = True


def watch(model: type, chain: Chain) -> None:
    """Chain every row the ORM inserts into `model`'s table."""
    def before_insert(_mapper, connection, target) -> None:
        _chain_row(chain, connection, target)

    event.listen(model, "before_insert", before_insert)
    _WATCHED[model] = chain
    _INSERT_LISTENERS[model] = before_insert  # bench/audit_chain_bench.py switches them off


_WATCHED: dict[type, Chain] = {}
_INSERT_LISTENERS: dict[type, Callable] = {}


@event.listens_for(Session, "before_flush")
def _lock_in_order(session: Session, _context, _instances) -> None:
    """Lock the heads this flush appends to in one sorted order, so two transactions appending to
    the same two streams queue instead of deadlocking."""
    heads = session.info.setdefault(_HEADS, {})
    keys = set()
    for obj in session.new:
        chain = _WATCHED.get(type(obj))
        stream = chain.stream_of(obj) if chain else None
        if stream is not None and (chain.table, stream) not in heads:
            keys.add((chain.table, stream))
    if keys:
        connection = session.connection()
        for chain_name, stream in sorted(keys):
            _lock(connection, heads, chain_name, stream)


@event.listens_for(Session, "before_commit")
def _write_heads(session: Session) -> None:
    """Write the changed heads with the rows, in the committing transaction (or savepoint)."""
    session.flush()  # commit flushes after this hook: rows still pending would miss their head
    changed = [(key, head) for key, head in session.info.get(_HEADS, {}).items() if head[2]]
    if changed:
        connection = session.connection()
        connection.exec_driver_sql(_driver_sql(connection, _WRITE_HEAD), [
            (head[0], head[1], chain, stream) for (chain, stream), head in changed])
        for _key, head in changed:
            head[2] = False


def _copy(heads: dict) -> dict:
    return {key: list(head) for key, head in heads.items()}


@event.listens_for(Session, "after_transaction_create")
def _remember_at_savepoint(session: Session, transaction) -> None:
    if transaction.nested:  # begin_nested() has flushed by now: the copy includes those rows
        session.info.setdefault(_SAVEPOINTS, {})[transaction] = _copy(session.info.get(_HEADS, {}))


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, previous) -> None:
    if previous.nested:
        # Heads locked inside the savepoint are unlocked again and must be read afresh.
        session.info[_HEADS] = _copy(session.info.get(_SAVEPOINTS, {}).get(previous, {}))
    elif previous.parent is None:
        session.info.pop(_HEADS, None)
    # A failed flush's own inner transaction: the savepoint or transaction around it follows.


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HEADS, None)
        session.info.pop(_SAVEPOINTS, None)
    elif transaction.nested:
        session.info.get(_SAVEPOINTS, {}).pop(transaction, None)
