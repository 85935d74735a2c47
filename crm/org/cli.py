"""`flask crm import-org FILE`: load towns, departments and users from the district workbook."""
from __future__ import annotations

from pathlib import Path

import click

from crm.audit import record
from crm.cli import crm_cli
from crm.db import db
from crm.imports import ImportRejected
from crm.org import importer
from crm.spreadsheets import SpreadsheetError


@crm_cli.command("import-org")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_org_command(path: Path):
    """Apply FILE (sheets 乡镇园区, 部门, 用户) all or nothing; print one-time passwords."""
    try:
        result = importer.apply(path.read_bytes(), path.name)
    except SpreadsheetError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc))
    except ImportRejected as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{len(exc.problems)} 处错误，未导入任何数据。")
    record("import", "org", changes={"file": path.name, "new_users": len(result.new_users)})
    db.session.commit()
    click.echo(
        f"towns: {result.towns_created} created, {result.towns_updated} updated; "
        f"departments: {result.departments_created} created, {result.departments_updated} updated; "
        f"users: {len(result.new_users)} created, {result.users_updated} updated"
    )
    for login, name, otp in result.new_users:
        click.echo(f"{login}\t{name}\t{otp}")
