"""Working-day arithmetic over the Chinese holiday schedule, with overrides checked first.

`WorkCalendar` is pure: it takes the overrides and the loaded years as data, so tests and
scheduled jobs decide what it knows. The functions that default to the database's calendar
live in `crm.calendar.store`, which depends on this module and not the other way round.

A date in a year that neither the override table nor the `chinesecalendar` package knows
falls back to Monday-Friday, and every result that looked at such a date is *provisional*.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Mapping, NamedTuple

import chinese_calendar

_DAY = timedelta(days=1)


@lru_cache(maxsize=None)
def package_knows(year: int) -> bool:
    """Whether the installed chinesecalendar package has the State Council schedule for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=16384)
def _package_is_workday(day: date) -> bool:
    # chinesecalendar validates its input on every call (slow); its data never changes.
    return chinese_calendar.is_workday(day)


class Deadline(NamedTuple):
    day: date
    #: True when the computation crossed a year without a known schedule.
    provisional: bool


@dataclass(frozen=True)
class WorkCalendar:
    #: day -> True for a working day (调休 workday), False for a holiday.
    overrides: Mapping[date, bool] = field(default_factory=dict)
    #: Years whose full schedule was loaded into the override table.
    loaded_years: frozenset[int] = frozenset()

    def knows(self, day: date) -> bool:
        return day.year in self.loaded_years or package_knows(day.year)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year not in self.loaded_years and package_knows(day.year):
            return _package_is_workday(day)
        return day.weekday() < 5  # a loaded year's plain days, or the fallback for an unknown year

    def deadline(self, start: date, n: int) -> Deadline:
        """The n-th working day after `start` (start itself not counted), and whether it is provisional."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, found, provisional = start, 0, False
        while found < n:
            day += _DAY
            provisional = provisional or not self.knows(day)
            if self.is_working_day(day):
                found += 1
        return Deadline(day, provisional)

    def add_working_days(self, start: date, n: int) -> date:
        return self.deadline(start, n).day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (0 when b <= a)."""
        count, day = 0, a
        while day < b:
            day += _DAY
            if self.is_working_day(day):
                count += 1
        return count

    def unknown_years(self, years) -> list[int]:
        return sorted(y for y in set(years) if y not in self.loaded_years and not package_knows(y))

