"""Small builders for records tests need; each commits so views see the data."""
from __future__ import annotations

import itertools
from datetime import date

from crm.db import db
from crm.enterprises.credit_code import check_character
from crm.enterprises.models import Assignment, Enterprise, ListPeriod

_serial = itertools.count(1)


def valid_code(n: int | None = None) -> str:
    n = next(_serial) if n is None else n
    first17 = f"91310151{n:09d}"
    return first17 + check_character(first17)


def enterprise(town, name: str | None = None, listed_on: date | None = date(2024, 1, 1),
               removed_on: date | None = None, **fields) -> Enterprise:
    n = next(_serial)
    ent = Enterprise(name=name or f"上海测试企业{n}有限公司", credit_code=fields.pop("credit_code", valid_code(n)),
                     town=town, **fields)
    if listed_on is not None:
        ent.list_periods.append(ListPeriod(added_on=listed_on, removed_on=removed_on))
    db.session.add(ent)
    db.session.commit()
    return ent


def assign(liaison, ent, start_on: date = date(2024, 1, 1), end_on: date | None = None,
           role: str = "primary") -> Assignment:
    a = Assignment(liaison=liaison, enterprise=ent, start_on=start_on, end_on=end_on, role=role)
    db.session.add(a)
    db.session.commit()
    return a
