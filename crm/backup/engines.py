"""Taking a consistent copy of the database, and putting one back, per engine.

SQLite: the online backup API (safe while the app runs, WAL mode). PostgreSQL: `pg_dump -Fc`
inside an exported snapshot, so the row counts in the manifest are those of the dump, and
`pg_restore --single-transaction`, so a failed restore leaves nothing behind.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from crm.backup import tables
from crm.backup.archive import BackupError


def engine_name(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else engine.dialect.name


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复。")
    return path


def _libpq_env(engine: Engine) -> dict[str, str]:
    """Connection settings for pg_dump/pg_restore in the environment, not on the command line
    (where `ps` would show the password)."""
    url = make_url(engine.url)
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def _tool(name: str) -> str:
    tool = current_app.config.get(f"{name.upper()}_PATH") or name
    if shutil.which(tool) is None:
        raise BackupError(f"找不到 {tool}：请安装与数据库服务器版本一致的 PostgreSQL 客户端工具"
                          f"（或设置 {name.upper()}_PATH）。")
    return tool


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} 失败：{done.stderr.strip()[-800:]}")


def dump(engine: Engine, out: Path) -> tuple[str, dict[str, int], object]:
    """Copy the database into `out`; return the archive member name, the row counts and the
    schema revision of that same snapshot."""
    if engine.dialect.name == "sqlite":
        with closing(sqlite3.connect(_sqlite_path(engine))) as source, closing(sqlite3.connect(out)) as copy:
            source.backup(copy)
        copy_engine = create_engine(f"sqlite:///{out}")
        try:
            with copy_engine.connect() as conn:
                return "database.sqlite3", tables.row_counts(conn), tables.revision(conn)
        finally:
            copy_engine.dispose()
    if engine.dialect.name == "postgresql":
        tool = _tool("pg_dump")
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts, rev = tables.row_counts(conn), tables.revision(conn)
            _run([tool, "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  "-f", str(out)], _libpq_env(engine))
            conn.rollback()
        return "database.pgdump", counts, rev
    raise BackupError(f"不支持的数据库类型：{engine.dialect.name}")


def restore(engine: Engine, copy: Path, has_tables: bool) -> None:
    """Replace the (empty) database by the copy, all or nothing."""
    if engine.dialect.name == "sqlite":
        path = _sqlite_path(engine)
        engine.dispose()
        with closing(sqlite3.connect(copy)) as source, closing(sqlite3.connect(path)) as target:
            source.backup(target)  # one step: the target is written in one transaction
        return
    tool = _tool("pg_restore")
    args = [tool, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if has_tables:  # a schema made by `flask db upgrade`, with no data: replaced in the same transaction
        args += ["--clean", "--if-exists"]
    engine.dispose()
    _run(args + ["-d", _libpq_env(engine)["PGDATABASE"], str(copy)], _libpq_env(engine))
