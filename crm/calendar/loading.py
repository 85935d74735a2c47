"""Loading a year's State Council schedule (a CSV of date,kind,name) into the override table.

The whole file is checked first; one bad line rejects it with every problem listed, and
nothing is saved. Each year in the file counts as loaded afterwards, and every provisional
deadline is recomputed with the new data.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from crm import audit
from crm.calendar.models import CalendarOverride, CalendarYear
from crm.calendar.store import invalidate, load_calendar
from crm.db import db

#: The words accepted in the kind column.
KINDS = {"holiday": "holiday", "workday": "workday", "休": "holiday", "假": "holiday",
         "放假": "holiday", "节假日": "holiday", "班": "workday", "上班": "workday", "调休上班": "workday"}
MAX_ROWS = 2000


@dataclass
class ScheduleRow:
    line: int
    day: date
    kind: str
    name: str


@dataclass
class ScheduleError(Exception):
    problems: list[tuple[int, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(_("第 %(n)s 行：%(m)s", n=line, m=msg) for line, msg in self.problems)


@dataclass
class LoadResult:
    years: list[int]
    added: int
    updated: int
    recomputed: int


def _parse_day(text: str) -> date:
    text = text.strip().replace("/", "-").replace(".", "-")
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), int(parts[2]))


def parse_schedule(text: str) -> list[ScheduleRow]:
    """Rows of `date,kind,name`; a header line (date/日期) is skipped. Raises ScheduleError."""
    text = text.lstrip("\ufeff")
    rows: list[ScheduleRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[date, int] = {}
    for line, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if line == 1 and cells[0].lower() in ("date", "日期"):
            continue
        if len(cells) < 2:
            problems.append((line, _("每行应为：日期,类型,名称")))
            continue
        try:
            day = _parse_day(cells[0])
        except ValueError:
            problems.append((line, _("日期“%(v)s”无法识别，应为 YYYY-MM-DD", v=cells[0])))
            continue
        kind = KINDS.get(cells[1].lower())
        if kind is None:
            problems.append((line, _("类型“%(v)s”无法识别，应为 holiday 或 workday", v=cells[1])))
            continue
        if day in seen:
            problems.append((line, _("日期 %(d)s 与第 %(n)s 行重复", d=day.isoformat(), n=seen[day])))
            continue
        seen[day] = line
        rows.append(ScheduleRow(line, day, kind, (cells[2] if len(cells) > 2 else "")[:50]))
    if len(rows) > MAX_ROWS:
        problems.append((0, _("行数过多（最多 %(n)s 行）", n=MAX_ROWS)))
    if not rows and not problems:
        problems.append((0, _("文件中没有任何日期")))
    if problems:
        raise ScheduleError(problems)
    return rows


def load_schedule(rows: list[ScheduleRow], *, source: str, actor=None) -> LoadResult:
    """Upsert the rows, mark their years loaded, recompute provisional deadlines; flushes."""
    from crm.requests.deadlines import recompute_provisional  # the calendar serves requests, not vice versa

    existing = {o.day: o for o in db.session.scalars(
        select(CalendarOverride).where(CalendarOverride.day.in_([r.day for r in rows])))}
    added = updated = 0
    for row in rows:
        override = existing.get(row.day)
        if override is None:
            db.session.add(CalendarOverride(day=row.day, kind=row.kind, name=row.name,
                                            created_by_id=getattr(actor, "id", None)))
            added += 1
        elif (override.kind, override.name) != (row.kind, row.name):
            override.kind, override.name = row.kind, row.name
            updated += 1
    years = sorted({r.day.year for r in rows})
    for year in years:
        entry = db.session.get(CalendarYear, year)
        if entry is None:
            db.session.add(CalendarYear(year=year, source=source[:200],
                                        loaded_by_id=getattr(actor, "id", None)))
        else:
            entry.source = source[:200]
    db.session.flush()
    invalidate()
    recomputed = recompute_provisional(load_calendar())
    audit.record("calendar.load", "calendar", None, actor=actor,
                 actor_label=None if actor is not None else "cli",
                 changes={"years": years, "added": added, "updated": updated, "recomputed": recomputed,
                          "source": source})
    return LoadResult(years, added, updated, recomputed)
