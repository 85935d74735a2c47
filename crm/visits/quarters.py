"""Calendar quarters (2026Q4): the period a liaison owes each of their enterprises a visit."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

_PATTERN = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]\s*([1-4])\s*$")
_NAMES = {1: _l("第一季度"), 2: _l("第二季度"), 3: _l("第三季度"), 4: _l("第四季度")}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  #: 1-4

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number out of range: {self.number}")

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """'2026Q4' (also '2026-Q4', '2026q4'); ValueError otherwise."""
        match = _PATTERN.match(text or "")
        if not match:
            raise ValueError(f"not a quarter: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> "Quarter":
        """The quarter a date falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day of the next quarter: quarters are half-open [first_day, end)."""
        return self.next.first_day

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        """Number of calendar days in the quarter (90-92)."""
        return (self.end - self.first_day).days

    @property
    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day < self.end

    def is_over(self, today: date) -> bool:
        return today > self.last_day

    def days_left(self, today: date) -> int:
        """Calendar days after `today` up to and including the last day (0 on the last day).

        Clamped: the whole quarter before it starts, 0 once it is over.
        """
        if today < self.first_day:
            return self.days
        return max((self.last_day - today).days, 0)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        """2026年第四季度 (or 2026 Q4 in English)."""
        return _("%(year)d年%(quarter)s", year=self.year, quarter=_NAMES[self.number])
