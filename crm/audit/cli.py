"""`flask crm audit verify|anchor`: check the tamper-evident trail and write its daily anchor."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import click
from flask.cli import AppGroup

from crm.audit import anchor as anchors
from crm.audit.verify import check_all, snapshot
from crm.cli import crm_cli
from crm.clock import SHANGHAI, business_today

audit_cli = AppGroup("audit", help="审计记录链：校验与锚点。")
crm_cli.add_command(audit_cli)


@audit_cli.command("verify")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Recompute the hashes of rows written from this (Asia/Shanghai) date on only.")
@click.option("--anchor", "anchor_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also check that the database still holds what each anchor in FILE committed to.")
def verify_command(since: Optional[datetime], anchor_file: Optional[Path]):
    """Recompute the chains; exit 1 naming the first broken row of each table."""
    read = _read_anchors(anchor_file) if anchor_file else []
    start = since.replace(tzinfo=SHANGHAI).astimezone(timezone.utc) if since else None
    with snapshot() as conn:
        checks = check_all(conn, since=start, cuts=anchors.cuts_of(read))
    problems = [f"链已断开：{c.first_break.describe()}" for c in checks.values() if c.first_break]
    problems += anchors.mismatches(read, checks)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.exceptions.Exit(1)
    checked = sum(c.checked for c in checks.values())
    detail = "，".join(f"{table} {c.checked} 条" for table, c in checks.items())
    suffix = f"；与 {len(read)} 个锚点一致" if read else ""
    click.echo(f"已校验 {checked} 条记录，链完整（{detail}）{suffix}")


def _read_anchors(path: Path) -> list[anchors.Anchor]:
    if not path.is_file():
        raise click.ClickException(f"找不到锚点文件：{path}")
    try:
        return anchors.read(path)
    except anchors.AnchorFileError as exc:
        raise click.ClickException(str(exc)) from exc


@audit_cli.command("anchor")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Append the anchor line to FILE (default: print it).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Date the anchor as if today were this date.")
def anchor_command(out: Optional[Path], today: Optional[datetime]):
    """Write the chain heads as one JSON line, to keep or send off the server."""
    anchor, breaks = anchors.make_anchor(today.date() if today else business_today())
    if anchor is None:
        for brk in breaks:
            click.echo(f"链已断开：{brk.describe()}", err=True)
        raise click.ClickException("审计记录链不完整，未写锚点。")
    if out:
        anchors.append(out, anchor)
        click.echo(f"锚点已追加到 {out}", err=True)
    else:
        click.echo(anchors.line(anchor))

