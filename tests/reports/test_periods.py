"""Report periods from the URL: every form, and a clear message for everything else."""
from __future__ import annotations

from datetime import date

import pytest

from crm.reports.periods import (CUSTOM, MONTH, QUARTER, YEAR, Period, PeriodError, parse_period,
                                 period_from_args, quarter_from_args, recent)
from crm.visits.quarters import Quarter

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize("text,kind,start,end", [
    ("2026", YEAR, date(2026, 1, 1), date(2027, 1, 1)),
    ("2026-11", MONTH, date(2026, 11, 1), date(2026, 12, 1)),
    ("2026-2", MONTH, date(2026, 2, 1), date(2026, 3, 1)),
    ("2025-12", MONTH, date(2025, 12, 1), date(2026, 1, 1)),
    ("2026Q4", QUARTER, date(2026, 10, 1), date(2027, 1, 1)),
    ("2026q1", QUARTER, date(2026, 1, 1), date(2026, 4, 1)),
    ("2026-10-01..2026-11-24", CUSTOM, date(2026, 10, 1), date(2026, 11, 25)),
    (" 2026-10-01 至 2026-10-01 ", CUSTOM, date(2026, 10, 1), date(2026, 10, 2)),
])
def test_periods_parse_and_round_trip(text, kind, start, end):
    period = parse_period(text, TODAY)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert parse_period(period.key, TODAY) == period


def test_labels_and_the_current_period_counts_up_to_today():
    assert parse_period("2026-11", TODAY).label == "2026年11月"
    assert parse_period("2026Q4", TODAY).label == "2026年第四季度"
    assert parse_period("2026", TODAY).label == "2026年"
    assert parse_period("2026Q4", TODAY).until(TODAY) == date(2026, 11, 25)
    assert parse_period("2026Q3", TODAY).until(TODAY) == date(2026, 10, 1)


@pytest.mark.parametrize("text,message", [
    ("", "无法识别的期间"),
    ("Q4", "无法识别的期间"),
    ("2026Q5", "无法识别的期间"),
    ("x" * 500, "无法识别的期间"),
    ("2026-13", "没有 13 月"),
    ("2026-00", "没有 0 月"),
    ("1999", "太早"),
    ("2027", "还没有开始"),
    ("2026-12", "还没有开始"),
    ("2027Q1", "还没有开始"),
    ("2026-11-25..2026-11-30", "还没有开始"),
    ("2026-11-01..2026-11-25", "晚于今天"),
    ("2026-11-20..2026-11-01", "晚于结束日期"),
    ("2026-02-29..2026-03-01", "不存在"),
])
def test_bad_periods(text, message):
    with pytest.raises(PeriodError) as err:
        parse_period(text, TODAY)
    assert message in str(err.value)
    assert len(str(err.value)) < 200  # a long input is not echoed in full


def test_from_args():
    assert period_from_args({}, TODAY, default=MONTH) == Period.of_month(2026, 11)
    assert period_from_args({}, TODAY) == Period.of_quarter(Quarter(2026, 4))
    assert period_from_args({"quarter": "2026Q2"}, TODAY).key == "2026Q2"
    assert period_from_args({"start": "2026-11-01", "end": "2026-11-06"}, TODAY).key == "2026-11-01..2026-11-06"
    with pytest.raises(PeriodError):
        period_from_args({"end": "2026-11-06"}, TODAY)
    assert quarter_from_args({}, TODAY) == Quarter(2026, 4)
    with pytest.raises(PeriodError, match="按季度"):
        quarter_from_args({"quarter": "2026"}, TODAY)


def test_recent_periods_oldest_first():
    assert [p.key for p in recent(QUARTER, TODAY, 3)] == ["2026Q2", "2026Q3", "2026Q4"]
    assert [p.key for p in recent(MONTH, TODAY, 3)] == ["2026-09", "2026-10", "2026-11"]
    assert [p.key for p in recent(MONTH, date(2026, 1, 5), 2)] == ["2025-12", "2026-01"]
    assert Period(CUSTOM, date(2026, 11, 1), date(2026, 11, 8)).previous() == \
        Period(CUSTOM, date(2026, 10, 25), date(2026, 11, 1))
