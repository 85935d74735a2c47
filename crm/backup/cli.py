"""`flask crm backup FILE` and `flask crm restore FILE --yes`."""
from __future__ import annotations

from pathlib import Path

import click

from crm import audit
from crm.backup.archive import BackupError
from crm.backup.service import make_backup, restore_backup
from crm.cli import crm_cli
from crm.db import db


@crm_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a backup (database and attachments) to FILE."""
    try:
        manifest = make_backup(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record("backup", "database", changes={"file": file.name, "tables": len(manifest.tables),
                                               "rows": sum(manifest.tables.values())})
    db.session.commit()
    click.echo(f"已备份 {len(manifest.tables)} 张表、{sum(manifest.tables.values())} 行"
               f"、{manifest.attachments} 个附件到 {file}（{manifest.engine}，版本 {manifest.revision}）")


@crm_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: restore into this (empty) database.")
def restore_command(file: Path, yes: bool) -> None:
    """Restore FILE into the configured database, which must be empty; then check it."""
    if not yes:
        raise click.ClickException("恢复会写入当前配置的数据库：确认无误后加 --yes 再运行。")
    try:
        result = restore_backup(file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    audit.record("restore", "database", changes={"file": file.name, "backup_created_at": result.manifest.created_at,
                                                "rows": result.rows})
    db.session.commit()
    click.echo(f"已恢复 {result.tables} 张表、{result.rows} 行（备份时间 {result.manifest.created_at}），"
               "行数与备份清单一致，审计链完整；数据戳已重置。请重启应用进程。")
