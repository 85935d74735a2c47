"""The Quarter value type."""
from datetime import date

import pytest

from crm.visits.quarters import Quarter


@pytest.mark.parametrize("text", ["2026Q4", "2026q4", "2026-Q4", " 2026 Q4 "])
def test_parse(text):
    assert Quarter.parse(text) == Quarter(2026, 4)
    assert str(Quarter.parse(text)) == "2026Q4"


@pytest.mark.parametrize("text", ["", "2026Q5", "2026Q0", "26Q1", "Q4", "2026-12"])
def test_parse_refuses_what_is_not_a_quarter(text):
    with pytest.raises(ValueError):
        Quarter.parse(text)


def test_days_and_boundaries():
    q1 = Quarter(2026, 1)
    assert (q1.first_day, q1.last_day, q1.end, q1.days) == (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1), 90)
    assert Quarter(2024, 1).days == 91  # leap year
    assert Quarter(2026, 4).last_day == date(2026, 12, 31)
    assert Quarter.of(date(2026, 3, 31)) == q1 and Quarter.of(date(2026, 4, 1)) == Quarter(2026, 2)
    assert Quarter(2026, 1).previous == Quarter(2025, 4) and Quarter(2025, 4).next == q1
    assert q1.contains(date(2026, 3, 31)) and not q1.contains(date(2026, 4, 1))
    assert sorted([Quarter(2026, 2), Quarter(2025, 4), q1]) == [Quarter(2025, 4), q1, Quarter(2026, 2)]


def test_days_left(app):
    q4 = Quarter(2026, 4)
    assert q4.days_left(date(2026, 11, 24)) == 37
    assert q4.days_left(date(2026, 12, 31)) == 0
    assert q4.days_left(date(2027, 1, 5)) == 0 and q4.is_over(date(2027, 1, 1))
    assert q4.days_left(date(2026, 9, 1)) == 92 and not q4.is_over(date(2026, 12, 31))
    with app.test_request_context():
        assert q4.label == "2026年第四季度"
