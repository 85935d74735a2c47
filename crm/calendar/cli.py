"""`flask crm calendar load FILE` and `flask crm calendar deadline START N`."""
from __future__ import annotations

from pathlib import Path

import click

from crm.calendar.loading import ScheduleError, load_schedule, parse_schedule
from crm.calendar.store import deadline
from crm.cli import crm_cli
from crm.db import db


@crm_cli.group("calendar")
def calendar_cli():
    """Working-day calendar (holiday schedule overrides)."""


@calendar_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_command(file: Path):
    """Load a CSV of date,kind,name (kind: holiday or workday); recomputes provisional deadlines."""
    try:
        rows = parse_schedule(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise click.ClickException("文件不是 UTF-8 编码的 CSV。") from None
    except ScheduleError as e:
        raise click.ClickException(f"文件有错误，未导入：\n{e}") from None
    result = load_schedule(rows, source=file.name)
    db.session.commit()
    click.echo(f"loaded {', '.join(map(str, result.years))}: {result.added} added, "
               f"{result.updated} updated, {result.recomputed} provisional deadlines recomputed")


@calendar_cli.command("deadline")
@click.argument("start", type=click.DateTime(["%Y-%m-%d"]))
@click.argument("n", type=click.IntRange(min=1))
def deadline_command(start, n: int):
    """Print the N-th working day after START (and `provisional` when a year is unknown)."""
    result = deadline(start.date(), n)
    click.echo(result.day.isoformat() + (" provisional" if result.provisional else ""))
