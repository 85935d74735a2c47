"""Report periods from the URL: a month (2026-11), a quarter (2026Q4), a year (2026) or dates.

Reports count what already happened, so a period that has not started is refused, and the
current period is counted up to today. Every refusal is a `PeriodError` carrying a Chinese
message for the page; nothing here ever raises anything else on bad input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Optional

from flask_babel import gettext as _

from crm.visits.quarters import Quarter

MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|~|～|至|/)\s*(\d{4}-\d{1,2}-\d{1,2})$")
_MAX_TEXT = 40  # longer input is not a period; do not echo it back in full


class PeriodError(ValueError):
    """A period the user asked for that cannot be reported on; str() is the message to show."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    #: Exclusive: the first day after the period.
    end: date

    @classmethod
    def of_quarter(cls, quarter: Quarter) -> "Period":
        return cls(QUARTER, quarter.first_day, quarter.end)

    @classmethod
    def of_month(cls, year: int, month: int) -> "Period":
        end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return cls(MONTH, date(year, month, 1), end)

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(YEAR, date(year, 1, 1), date(year + 1, 1, 1))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def quarter(self) -> Optional[Quarter]:
        return Quarter.of(self.start) if self.kind == QUARTER else None

    @property
    def key(self) -> str:
        """The URL form, which parse_period reads back."""
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == QUARTER:
            return str(self.quarter)
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return _("%(year)d年", year=self.start.year)
        if self.kind == MONTH:
            return _("%(year)d年%(month)d月", year=self.start.year, month=self.start.month)
        if self.kind == QUARTER:
            return self.quarter.label
        return _("%(start)s 至 %(end)s", start=self.start.isoformat(), end=self.last_day.isoformat())

    def until(self, today: date) -> date:
        """Exclusive end of what can be counted: the period's end, or tomorrow while it runs."""
        return min(self.end, today + timedelta(days=1))

    def is_current(self, today: date) -> bool:
        return self.start <= today < self.end

    def previous(self) -> "Period":
        if self.kind == YEAR:
            return Period.of_year(self.start.year - 1)
        if self.kind == MONTH:
            prev = self.start - timedelta(days=1)
            return Period.of_month(prev.year, prev.month)
        if self.kind == QUARTER:
            return Period.of_quarter(self.quarter.previous)
        length = self.end - self.start
        return Period(CUSTOM, self.start - length, self.start)


def parse_period(text: str, today: date) -> Period:
    """A period from its URL form; PeriodError with a message for anything else."""
    raw = (text or "").strip()
    period = _parse(raw)
    return _check(period, today)


def _parse(raw: str) -> Period:
    if len(raw) <= _MAX_TEXT:
        if match := _YEAR.match(raw):
            return Period.of_year(_year(match.group(1)))
        if match := _MONTH.match(raw):
            year, month = _year(match.group(1)), int(match.group(2))
            if not 1 <= month <= 12:
                raise PeriodError(_("没有 %(month)d 月：月份应为 1 到 12。", month=month))
            return Period.of_month(year, month)
        if match := _RANGE.match(raw):
            start, last = _day(match.group(1)), _day(match.group(2))
            if start > last:
                raise PeriodError(_("开始日期 %(start)s 晚于结束日期 %(end)s。",
                                    start=start.isoformat(), end=last.isoformat()))
            return Period(CUSTOM, start, last + timedelta(days=1))
        try:
            quarter = Quarter.parse(raw)
        except ValueError:
            pass
        else:
            _year(str(quarter.year))
            return Period.of_quarter(quarter)
    shown = raw if len(raw) <= _MAX_TEXT else raw[:_MAX_TEXT] + "…"
    raise PeriodError(_("无法识别的期间“%(text)s”。请写成 2026-11（月）、2026Q4（季度）、"
                        "2026（年）或 2026-10-01..2026-11-24（自定义日期）。", text=shown))


def _year(text: str) -> int:
    year = int(text)
    if year < 2000:
        raise PeriodError(_("%(year)d 年太早了：系统只统计 2000 年以后的数据。", year=year))
    return year


def _day(text: str) -> date:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        _year(str(year))
        return date(year, month, day)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(_("日期 %(day)s 不存在。", day=text)) from None


def _check(period: Period, today: date) -> Period:
    if period.start > today:
        raise PeriodError(_("%(period)s 还没有开始（今天是 %(today)s）：报表只统计已经发生的情况。",
                            period=period.label, today=today.isoformat()))
    if period.kind == CUSTOM and period.last_day > today:
        raise PeriodError(_("结束日期 %(end)s 晚于今天（%(today)s）：报表只统计已经发生的情况。",
                            end=period.last_day.isoformat(), today=today.isoformat()))
    return period


def period_from_args(args: Mapping[str, str], today: date, default: str = QUARTER) -> Period:
    """The period a report URL asks for: ?period=..., ?quarter=..., or ?start=...&end=...

    Without any, the current month, quarter or year (`default`).
    """
    start, end = (args.get("start") or "").strip(), (args.get("end") or "").strip()
    if start or end:
        if not (start and end):
            raise PeriodError(_("自定义期间需要同时填写开始日期和结束日期。"))
        return parse_period(f"{start}..{end}", today)
    text = args.get("period") or args.get("quarter")
    if text is not None:
        return parse_period(text, today)
    return current_period(default, today)


def quarter_from_args(args: Mapping[str, str], today: date) -> Quarter:
    """The quarter a coverage URL asks for (?quarter=2026Q4); the current one without any."""
    text = args.get("quarter") or args.get("period")
    if text is None:
        return Quarter.of(today)
    period = parse_period(text, today)
    if period.kind != QUARTER:
        raise PeriodError(_("走访覆盖按季度统计：请选择一个季度，例如 %(example)s。",
                            example=str(Quarter.of(today))))
    return period.quarter


def current_period(kind: str, today: date) -> Period:
    if kind == MONTH:
        return Period.of_month(today.year, today.month)
    if kind == YEAR:
        return Period.of_year(today.year)
    return Period.of_quarter(Quarter.of(today))


def recent(kind: str, today: date, count: int) -> list[Period]:
    """The last `count` months, quarters or years up to the current one, oldest first."""
    periods = [current_period(kind, today)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


def recent_quarters(today: date, count: int) -> list[Quarter]:
    quarters = [Quarter.of(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous)
    return quarters[::-1]
