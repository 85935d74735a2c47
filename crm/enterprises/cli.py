"""`flask crm import-enterprises FILE [--dry-run]` and `flask crm export-enterprises FILE`.

The command line acts for the whole district (audit label "cli"). Import exits 0 when the file
was applied (or, with --dry-run, is clean) and 1 with one line per problem otherwise.
"""
from __future__ import annotations

import time
from pathlib import Path

import click
from sqlalchemy import select

from crm.audit import record
from crm.cli import crm_cli
from crm.clock import business_today
from crm.db import db
from crm.enterprises import exporter, import_apply
from crm.enterprises.filters import STATUSES, EnterpriseFilter
from crm.enterprises.importer import check
from crm.enterprises.models import Enterprise
from crm.imports import ImportRejected
from crm.org.models import Town
from crm.spreadsheets import SpreadsheetError


def _fail(problems) -> None:
    for problem in problems:
        click.echo(str(problem))
    rows = len({p.row for p in problems})
    click.echo(f"发现 {len(problems)} 处错误（涉及 {rows} 行），未导入任何数据。", err=True)
    raise SystemExit(1)


@crm_cli.command("import-enterprises")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; change nothing.")
def import_enterprises_command(path: Path, dry_run: bool):
    """Import the key-enterprise list FILE (.xlsx or .csv), all rows or none."""
    started = time.perf_counter()
    data = path.read_bytes()
    try:
        if dry_run:
            plan, report = check(data, path.name)
            if not report.ok:
                _fail(report.problems)
            click.echo(f"检查通过：{len(plan.rows)} 行，将新增 {len(plan.new)} 家、更新 {len(plan.changed)} 家、"
                       f"无变化 {len(plan.unchanged)} 家（未导入，--dry-run）。")
            return
        plan, result = import_apply.apply(data, path.name)
    except SpreadsheetError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        raise SystemExit(1)
    except ImportRejected as exc:
        db.session.rollback()
        _fail(exc.problems)
    record("import", "enterprises", changes={"file": path.name, "created": result.created,
                                             "updated": result.updated, "unchanged": result.unchanged})
    db.session.commit()
    click.echo(f"导入完成：新增 {result.created} 家，更新 {result.updated} 家，无变化 {result.unchanged} 家"
               f"（{time.perf_counter() - started:.1f} 秒）。")


@crm_cli.command("export-enterprises")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--status", type=click.Choice(list(STATUSES)), default="all", show_default=True,
              help="listed: on the key list today; removed: no longer on it; all: both.")
@click.option("--town", "town_code", help="Only this town/park (code or name).")
def export_enterprises_command(path: Path, status: str, town_code: str | None):
    """Write the key-enterprise list to FILE (.xlsx) in the import format."""
    today = business_today()
    filt = EnterpriseFilter(status=status)
    if town_code:
        town = db.session.scalar(select(Town).where((Town.code == town_code) | (Town.name == town_code)))
        if town is None:
            raise click.ClickException(f"未知乡镇/园区：{town_code}")
        filt.town = town.id
    stmt = filt.apply(select(Enterprise).join(Enterprise.town), today)
    data, count = exporter.export_xlsx(stmt, today)
    path.write_bytes(data)
    record("export", "enterprises", changes={"file": path.name, "rows": count, "status": status})
    db.session.commit()
    click.echo(f"已导出 {count} 家企业到 {path}")
