"""Working days between two columns of dates, for thousands of requests at once.

The calendar module answers one day at a time (`is_working_day`); a report asks the same
question for every pair of dates in a frame. This asks the calendar once per calendar day
of the span, keeps the running count, and then `between(a, b)` is a subtraction per row —
by construction the same number as `crm.calendar.store.working_days_between(a, b)`.
"""
from __future__ import annotations

from datetime import date
from typing import Optional

import numpy as np
import pandas as pd

from crm.calendar.store import is_working_day
from crm.calendar.workdays import WorkCalendar


class WorkdayIndex:
    def __init__(self, first: date, last: date, cal: Optional[WorkCalendar] = None):
        self.first, self.last = first, max(first, last)
        days = pd.date_range(self.first, self.last, freq="D")
        flags = np.fromiter((is_working_day(d.date(), cal) for d in days), dtype=np.int64, count=len(days))
        #: Working days d with first < d <= day, per calendar day.
        self._running = pd.Series(np.cumsum(flags) - flags[0], index=days)

    @classmethod
    def spanning(cls, columns, today: date, cal: Optional[WorkCalendar] = None) -> "WorkdayIndex":
        """An index wide enough for every date in the given Series and for today."""
        known = [pd.to_datetime(c, errors="coerce").dropna() for c in columns]
        lows = [k.min().date() for k in known if len(k)]
        highs = [k.max().date() for k in known if len(k)]
        return cls(min([today, *lows]), max([today, *highs]), cal)

    def between(self, a: pd.Series, b: pd.Series) -> pd.Series:
        """Working days d with a < d <= b per row (0 when b <= a); NA where either is missing."""
        start = self._running.reindex(pd.to_datetime(a, errors="coerce")).to_numpy(dtype=float)
        end = self._running.reindex(pd.to_datetime(b, errors="coerce")).to_numpy(dtype=float)
        counts = np.clip(end - start, 0, None)
        return pd.Series(counts, index=a.index).round().astype("Int64")
