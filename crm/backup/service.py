"""Making a backup and restoring one, with the checks before and after."""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect

from crm.audit.verify import check_all
from crm.backup import archive, engines, tables
from crm.backup.archive import BackupError, Manifest
from crm.db import db


def attachments_dir() -> Path:
    return Path(current_app.config.get("ATTACHMENTS_DIR") or Path(current_app.instance_path) / "attachments")


def make_backup(target: Path) -> Manifest:
    """Write a backup of the application's database (and attachments) to `target`."""
    engine = db.engine
    with tempfile.TemporaryDirectory(prefix="crm-backup-") as tmp:
        copy = Path(tmp) / "database"
        member, counts, revision = engines.dump(engine, copy)
        files = attachments_dir()
        has_files = files.is_dir() and any(files.iterdir())
        manifest = Manifest(
            engine=engines.engine_name(engine),
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            revision=revision, tables=counts, database_member=member,
            database_sha256=archive.sha256_of(copy), database_bytes=copy.stat().st_size,
            attachments=sum(1 for p in files.rglob("*") if p.is_file()) if has_files else 0,
        )
        archive.write(target, manifest, copy, files if has_files else None)
    return manifest


@dataclass
class RestoreResult:
    manifest: Manifest
    tables: int
    rows: int


def restore_backup(source: Path) -> RestoreResult:
    """Restore `source` into the application's database, which must be empty; check the result."""
    engine = db.engine
    db.session.remove()
    with tempfile.TemporaryDirectory(prefix="crm-restore-") as tmp:
        manifest, copy, files = archive.unpack(Path(source), Path(tmp))
        here = engines.engine_name(engine)
        if manifest.engine != here:
            raise BackupError(f"备份来自 {manifest.engine} 数据库，不能恢复到 {here} 数据库。")
        with engine.connect() as conn:
            counts = tables.row_counts(conn)
        busy = tables.holding_data(counts)
        if busy:
            raise BackupError("目标数据库不是空的（" + "、".join(busy[:5]) + (" 等" if len(busy) > 5 else "")
                              + " 中已有数据），未做任何恢复。请恢复到新建的空数据库。")
        target_files = attachments_dir()
        if files is not None and target_files.is_dir() and any(target_files.iterdir()):
            raise BackupError(f"附件目录 {target_files} 不是空的，未做任何恢复。")
        engines.restore(engine, copy, has_tables=bool(counts))
        if files is not None:
            target_files.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(files, target_files, dirs_exist_ok=True)
    return _check(manifest)


def _check(manifest: Manifest) -> RestoreResult:
    """Row counts as in the manifest, the audit chains intact; then renew the data stamps."""
    with db.engine.begin() as conn:
        found = tables.row_counts(conn)
        wrong = tables.differences(manifest.tables, found)
        if wrong:
            raise BackupError("恢复后的行数与备份清单不符：" + "；".join(wrong[:10]))
        broken = [c.first_break.describe() for c in check_all(conn).values() if c.first_break]
        if broken:
            raise BackupError("恢复后的审计链校验未通过：" + "；".join(broken))
        tables.reset_data_stamps(conn)
        names = inspect(conn).get_table_names()
    return RestoreResult(manifest, tables=len(names), rows=sum(found.values()))

