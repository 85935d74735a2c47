"""The working-day calendar against the State Council schedules for 2025 and 2026.

Sources: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号) and
关于2026年部分节假日安排的通知. Make-up working days (调休上班) fall on weekends.
"""
from datetime import date

import pytest

from crm.calendar.workdays import WorkCalendar

CAL = WorkCalendar()  # the packaged schedule, no overrides


@pytest.mark.parametrize("day,working", [
    # 2025 Spring Festival: 1-28 .. 2-4 off; Sunday 1-26 and Saturday 2-8 worked.
    (date(2025, 1, 26), True), (date(2025, 1, 28), False), (date(2025, 2, 4), False),
    (date(2025, 2, 5), True), (date(2025, 2, 8), True), (date(2025, 2, 9), False),
    # 2025 Labour Day: 5-1 .. 5-5 off; Sunday 4-27 worked.
    (date(2025, 4, 27), True), (date(2025, 5, 5), False),
    # 2025 National Day + Mid-Autumn: 10-1 .. 10-8 off; Sunday 9-28 and Saturday 10-11 worked.
    (date(2025, 9, 28), True), (date(2025, 10, 1), False), (date(2025, 10, 8), False),
    (date(2025, 10, 9), True), (date(2025, 10, 11), True),
    # 2026 New Year: 1-1 .. 1-3 off; Sunday 1-4 worked.
    (date(2026, 1, 2), False), (date(2026, 1, 4), True),
    # 2026 Spring Festival: 2-15 .. 2-23 off; Saturdays 2-14 and 2-28 worked.
    (date(2026, 2, 14), True), (date(2026, 2, 16), False), (date(2026, 2, 23), False),
    (date(2026, 2, 24), True), (date(2026, 2, 28), True),
    # 2026 Labour Day: 5-1 .. 5-5 off; Saturday 5-9 worked.
    (date(2026, 5, 4), False), (date(2026, 5, 9), True),
    # 2026 Mid-Autumn 9-25 off; National Day 10-1 .. 10-7 off; Sunday 9-20 and Saturday 10-10 worked.
    (date(2026, 9, 20), True), (date(2026, 9, 25), False), (date(2026, 10, 7), False),
    (date(2026, 10, 8), True), (date(2026, 10, 10), True),
    # Plain days.
    (date(2026, 11, 24), True), (date(2026, 11, 28), False),
])
def test_official_schedule(day, working):
    assert CAL.is_working_day(day) is working


def test_add_working_days_counts_from_the_next_day_and_skips_the_spring_festival():
    # Friday 13 Feb 2026: the make-up Saturday 14 Feb is the first working day after it.
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert CAL.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert CAL.add_working_days(date(2026, 2, 13), 6) == date(2026, 2, 28)


def test_add_working_days_over_national_day():
    assert CAL.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert CAL.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # make-up Saturday
    assert CAL.add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)   # make-up Sunday
    assert CAL.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_a_start_on_a_holiday_counts_from_the_next_working_day():
    assert CAL.add_working_days(date(2025, 1, 28), 1) == date(2025, 2, 5)
    assert CAL.add_working_days(date(2026, 11, 28), 5) == date(2026, 12, 4)  # Saturday start


def test_working_days_between_is_half_open():
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert CAL.working_days_between(date(2026, 11, 24), date(2026, 11, 24)) == 0
    assert CAL.working_days_between(date(2026, 11, 24), date(2026, 11, 25)) == 1
    assert CAL.working_days_between(date(2026, 11, 25), date(2026, 11, 24)) == 0
    # 2026: 261 weekdays - 19 weekday holidays + 6 make-up weekend days.
    assert CAL.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 248


def test_n_must_be_positive():
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 11, 24), 0)


def test_unknown_year_falls_back_to_monday_to_friday_and_is_provisional():
    inside = CAL.deadline(date(2026, 11, 24), 5)
    assert inside == (date(2026, 12, 1), False)
    # Wednesday 30 Dec 2026 + 3: Thu 31 Dec, then 2027 is unknown: Fri 1 Jan counts as a working day.
    across = CAL.deadline(date(2026, 12, 30), 3)
    assert across.day == date(2027, 1, 4) and across.provisional is True
    assert CAL.is_working_day(date(2027, 1, 1)) is True
    assert CAL.is_working_day(date(2027, 1, 2)) is False
    assert CAL.unknown_years([2025, 2026, 2027]) == [2027]


def test_overrides_come_first_and_a_loaded_year_is_no_longer_provisional():
    cal = WorkCalendar(overrides={date(2027, 1, 1): False, date(2026, 12, 31): False},
                       loaded_years=frozenset({2027}))
    assert cal.is_working_day(date(2026, 12, 31)) is False  # override beats the package
    result = cal.deadline(date(2026, 12, 30), 3)
    assert result == (date(2027, 1, 6), False)
