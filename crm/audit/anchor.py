"""Anchors: a daily JSON line committing to the whole trail, kept outside the database.

A line names, per chained table, the last id it covers, the rows up to it and a hash over every
stream's head (crm.audit.verify.heads_digest). Kept in a file on another machine or mailed out,
it lets `crm audit verify --anchor FILE` show that a database rewritten consistently — hashes
recomputed, triggers dropped, last rows deleted — no longer contains what it once did.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from flask import current_app
from sqlalchemy import func, select

from crm.audit.chain import CHAINS
from crm.audit.verify import Break, TableCheck, check_all, snapshot
from crm.db import db, utcnow


class AnchorFileError(ValueError):
    """An anchor file that cannot be read: the message names the line."""


def _cuts() -> dict[str, int]:
    """The last id of each table, once every transaction that could still add a lower one is over.

    On PostgreSQL an id is drawn when a row is inserted, and a writer may commit after one that
    drew a higher id; a SHARE lock waits for the writers in flight, held only for these reads.
    On SQLite writers are serialised, so committed ids have no gaps to fill later.
    """
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"LOCK TABLE {', '.join(c.table for c in CHAINS)} IN SHARE MODE")
        return {c.table: conn.scalar(select(func.coalesce(func.max(db.metadata.tables[c.table].c.id), 0)))
                for c in CHAINS}


def make_anchor(today: date) -> tuple[Optional[dict], list[Break]]:
    """The anchor of the trail as it stands, or None and the breaks when the chain is broken."""
    cuts = _cuts()
    with snapshot() as conn:
        checks = check_all(conn, cuts={table: [cut] for table, cut in cuts.items()})
    breaks = [c.first_break for c in checks.values() if c.first_break]
    if breaks:
        return None, breaks
    tables = {}
    for table, check in checks.items():
        rows, heads = check.at_cut[cuts[table]]
        tables[table] = {"last_id": cuts[table], "rows": rows, "heads": heads}
    return {"date": today.isoformat(), "at": utcnow().isoformat(timespec="seconds"), "tables": tables}, []


def line(anchor: dict) -> str:
    return json.dumps(anchor, ensure_ascii=False, sort_keys=True)


def append(path: Path, anchor: dict) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(line(anchor) + "\n")


@dataclass(frozen=True)
class Anchor:
    line_no: int
    date: str
    #: table -> (last_id, rows, heads)
    tables: dict[str, tuple[int, int, str]]


def read(path: Path) -> list[Anchor]:
    anchors = []
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            tables = {name: (int(t["last_id"]), int(t["rows"]), str(t["heads"]))
                      for name, t in data["tables"].items()}
            anchors.append(Anchor(n, str(data["date"]), tables))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AnchorFileError(f"锚点文件第 {n} 行不是有效的锚点（{exc.__class__.__name__}）") from exc
    return anchors


def cuts_of(anchors: list[Anchor]) -> dict[str, list[int]]:
    cuts: dict[str, list[int]] = {}
    for anchor in anchors:
        for table, (last_id, _rows, _heads) in anchor.tables.items():
            cuts.setdefault(table, []).append(last_id)
    return cuts


def mismatches(anchors: list[Anchor], checks: dict[str, TableCheck]) -> list[str]:
    """What each anchor committed to and the database no longer contains, one line per anchor."""
    problems = []
    for anchor in anchors:
        for table, (last_id, rows, heads) in sorted(anchor.tables.items()):
            if table not in checks:
                problems.append(f"第 {anchor.line_no} 行锚点（{anchor.date}）：未知的表 {table}")
                continue
            found_rows, found_heads = checks[table].at_cut[last_id]
            if (found_rows, found_heads) != (rows, heads):
                what = (f"id ≤ {last_id} 的记录应有 {rows} 条，现有 {found_rows} 条" if found_rows != rows
                        else f"id ≤ {last_id} 的 {rows} 条记录的流头哈希不同：有记录被改写")
                problems.append(f"第 {anchor.line_no} 行锚点（{anchor.date}）与 {table} 不符：{what}")
    return problems


def last_date(path: Path) -> Optional[str]:
    """The date of the file's last anchor, for writing one a day."""
    if not path.exists():
        return None
    anchors = read(path)
    return anchors[-1].date if anchors else None


def write_daily(today: date) -> Optional[str]:
    """For `crm tick`: append today's anchor to AUDIT_ANCHOR_FILE unless it has one already."""
    setting = current_app.config.get("AUDIT_ANCHOR_FILE")
    if not setting:
        return None
    path = Path(setting)
    try:
        if last_date(path) == today.isoformat():
            return None
    except AnchorFileError as exc:
        return f"未写审计锚点：{exc}"
    anchor, breaks = make_anchor(today)
    if anchor is None:
        return f"未写审计锚点：审计记录链不完整（{breaks[0].describe()}）"
    append(path, anchor)
    return f"审计锚点已追加到 {path}"
