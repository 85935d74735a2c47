"""Recomputing the chains (crm.audit.chain) from the rows as stored, and naming the first break.

One pass per table in id order, inside one snapshot, keeping only each stream's head: the
heads also give what an anchor (crm.audit.anchor) commits to at any id ("cuts").
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import select

from crm.audit.chain import CHAINS, GENESIS, Chain, ChainHead, row_hash
from crm.db import db


@dataclass(frozen=True)
class Break:
    table: str
    row_id: Optional[int]
    stream: str
    problem: str

    def describe(self) -> str:
        where = f"{self.table} id={self.row_id}" if self.row_id is not None else self.table
        return f"{where}（流 {self.stream}）：{self.problem}"


@dataclass
class TableCheck:
    table: str
    rows: int = 0
    #: Rows whose hash was recomputed (all, or those since --since).
    checked: int = 0
    #: stream -> (row_hash of its last row, rows in it)
    heads: dict[str, tuple[str, int]] = field(default_factory=dict)
    first_break: Optional[Break] = None
    #: cut (an id) -> (rows with an id up to it, heads_digest of the heads then)
    at_cut: dict[int, tuple[int, str]] = field(default_factory=dict)

    def broken(self, row_id: Optional[int], stream: str, problem: str) -> None:
        if self.first_break is None:
            self.first_break = Break(self.table, row_id, stream, problem)


def heads_digest(heads: dict[str, tuple[str, int]]) -> str:
    """One hash over every stream's head and length: what an anchor commits to."""
    digest = hashlib.sha256()
    for stream in sorted(heads):
        head, length = heads[stream]
        digest.update(f"{stream}\t{length}\t{head}\n".encode())
    return digest.hexdigest()


@contextmanager
def snapshot() -> Iterator:
    """A connection whose reads all see one state of the database, while others write."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        else:
            # pysqlite opens no transaction for reads: each SELECT would see the latest commit.
            conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def check_table(conn, chain: Chain, since: Optional[datetime] = None, cuts=()) -> TableCheck:
    table = db.metadata.tables[chain.table]
    result = TableCheck(chain.table)
    heads, last_ids = result.heads, {}
    pending_cuts = sorted(set(cuts))

    def passed_cuts(upto: Optional[int]) -> None:
        while pending_cuts and (upto is None or upto > pending_cuts[0]):
            result.at_cut[pending_cuts.pop(0)] = (result.rows, heads_digest(heads))

    for row in conn.execute(select(table).order_by(table.c.id).execution_options(yield_per=2000)):
        passed_cuts(row.id)
        stream = chain.stream_of(row)
        prev, length = heads.get(stream, (GENESIS, 0))
        if row.prev_hash != prev:
            before = f"id={last_ids[stream]}" if stream in last_ids else "流的开头"
            result.broken(row.id, stream, f"prev_hash 与本流上一行（{before}）的 row_hash 不符："
                                          "其前有行被删除、插入或改动")
        if since is None or row.at >= since:
            result.checked += 1
            if row_hash(chain.table, row.prev_hash, chain.content(row._mapping)) != row.row_hash:
                result.broken(row.id, stream, "内容与 row_hash 不符：此行写入后被改动过")
        heads[stream] = (row.row_hash, length + 1)
        last_ids[stream] = row.id
        result.rows += 1
    passed_cuts(None)
    _check_heads(conn, result, last_ids)
    return result


def _check_heads(conn, result: TableCheck, last_ids: dict[str, int]) -> None:
    """The rows must end where chain_heads says each stream ends: else its last rows were deleted."""
    stored = {stream: (head, length) for stream, head, length in conn.execute(
        select(ChainHead.stream, ChainHead.head_hash, ChainHead.length)
        .where(ChainHead.chain == result.table))}
    for stream in sorted(set(stored) | set(result.heads)):
        if stream not in stored:
            result.broken(last_ids[stream], stream, "该流不在 chain_heads 中")
        elif stored[stream] != result.heads.get(stream, (GENESIS, 0)):
            found = result.heads.get(stream, ("", 0))[1]
            result.broken(last_ids.get(stream), stream,
                          f"chain_heads 记录该流有 {stored[stream][1]} 行，表中是 {found} 行"
                          "（末尾的行被删除或改动过）")


def check_all(conn, since: Optional[datetime] = None, cuts: Optional[dict[str, list[int]]] = None
              ) -> dict[str, TableCheck]:
    cuts = cuts or {}
    return {chain.table: check_table(conn, chain, since, cuts.get(chain.table, ())) for chain in CHAINS}
