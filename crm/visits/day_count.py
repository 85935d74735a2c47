"""Whole days in portable SQL (SQLite keeps dates as ISO text, PostgreSQL as dates).

`day_number(d)` is Python's d.toordinal() (so `date.fromordinal` reads it back);
`days_between(start, end)` is end - start in days.
"""
from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

# julianday('0001-01-01') is 1721425.5; truncated and shifted it gives ordinal 1, like Python.
_SQLITE_OFFSET = 1721424


class day_number(FunctionElement):  # noqa: N801 (reads like the SQL function it stands for)
    """The date as Python's date.toordinal() would give it; NULL stays NULL."""

    type = Integer()
    name = "day_number"
    inherit_cache = True


@compiles(day_number)
def _compile_default(element, compiler, **kw):
    # PostgreSQL: date - date is a whole number of days.
    [value] = list(element.clauses)
    return f"(({compiler.process(value, **kw)}) - DATE '0001-01-01' + 1)"


@compiles(day_number, "sqlite")
def _compile_sqlite(element, compiler, **kw):
    # SQLite keeps dates as ISO text; julianday() turns them into day numbers.
    [value] = list(element.clauses)
    return f"(CAST(julianday({compiler.process(value, **kw)}) AS INTEGER) - {_SQLITE_OFFSET})"


class days_between(FunctionElement):  # noqa: N801
    """end - start in whole days (end exclusive, so [1 Jan, 2 Jan) is 1)."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_default(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(({compiler.process(end, **kw)}) - ({compiler.process(start, **kw)}))"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (f"CAST(julianday({compiler.process(end, **kw)}) - "
            f"julianday({compiler.process(start, **kw)}) AS INTEGER)")


class greatest(FunctionElement):  # noqa: N801
    """The larger of two values; SQLite's two-argument max() is the same function."""

    name = "greatest"
    inherit_cache = True

    @property
    def type(self):
        return list(self.clauses)[0].type


class least(FunctionElement):  # noqa: N801
    """The smaller of two values; SQLite's two-argument min()."""

    name = "least"
    inherit_cache = True

    @property
    def type(self):
        return list(self.clauses)[0].type


@compiles(greatest)
def _greatest_default(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least)
def _least_default(element, compiler, **kw):
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"min({compiler.process(element.clauses, **kw)})"
