"""Writing enterprises to .xlsx in the import format, so that export -> import changes nothing.

Every cell is written as text in a text-formatted column, so a code or a phone number keeps
its leading zeros, and a clerk adding a row in Excel types text too.
"""
from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Iterable, Iterator, Optional

from sqlalchemy import Select, select

from crm.auth.models import User, UserRole
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises import workbook as wb
from crm.enterprises.contacts import mask_email, mask_phone
from crm.enterprises.import_lookups import CHUNK, Known, load_known
from crm.enterprises.models import Enterprise
from crm.spreadsheet_writer import xlsx_workbook

SHEET_NAME = "重点企业"
_WIDTHS = {wb.NAME: 36, wb.CODE: 22, wb.ADDRESS: 40, wb.TAGS: 24, wb.LIAISON: 20, wb.PHONE: 16,
           wb.EMAIL: 24, wb.INDUSTRY: 20}


def _ambiguous_liaison_names() -> set[str]:
    """Names two active liaisons share: those are exported as logins."""
    names = db.session.scalars(
        select(User.name).join(UserRole).where(User.active, UserRole.role == Role.LIAISON.value)
    ).all()
    return {name for name, n in Counter(names).items() if n > 1}


def rows(stmt: Select, today: date, visible: Optional[set[int]] = None) -> Iterator[list[str]]:
    """One list of cell texts per enterprise of `stmt` (a scoped, filtered select(Enterprise)).

    `visible`: ids whose contacts the reader sees in full; None means all. Others are masked.
    Read as plain rows in chunks (import_lookups.load_known): 50,000 enterprises export
    without building an ORM object for each contact and assignment.
    """
    ids = list(db.session.scalars(stmt.with_only_columns(Enterprise.id)))
    industries = wb.industry_names()
    ambiguous = _ambiguous_liaison_names()
    users: dict[int, User] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        known = load_known(Enterprise.id.in_(chunk))
        wanted = {a.liaison_id for k in known.values() for a in k.assignments} - set(users)
        if wanted:
            users.update((u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(wanted))))
        for ent_id in chunk:
            masked = visible is not None and ent_id not in visible
            yield _row(known[ent_id], today, industries, ambiguous, users, masked)


def _row(ent: Known, today: date, industries, ambiguous, users, masked: bool) -> list[str]:
    period = ent.open_period or ent.latest_period
    contacts = ent.contacts
    liaisons = []
    for a in ent.current_assignments(today):
        user = users[a.liaison_id]
        liaisons.append((user.login if user.name in ambiguous else user.name, a.role))
    phone = mask_phone if masked else (lambda v: v or "")
    email = mask_email if masked else (lambda v: v or "")
    values = {
        wb.NAME: ent.name,
        wb.CODE: ent.credit_code,
        wb.TOWN: ent.town_name,
        wb.LEVEL: wb.LEVEL_WORDS.get(ent.level, ent.level),
        wb.INDUSTRY: industries.get(ent.industry, "") if ent.industry else "",
        wb.TAGS: "、".join(ent.tag_names),
        wb.ADDRESS: ent.address or "",
        wb.CONTACT: _joined(c["name"] for c in contacts),
        wb.TITLE: _joined(c["title"] for c in contacts),
        wb.PHONE: _joined(phone(c["mobile"]) for c in contacts),
        wb.EMAIL: _joined(email(c["email"]) for c in contacts),
        wb.LIAISON: wb.format_liaisons(liaisons) if liaisons else "",
        wb.ADDED_ON: wb.format_date(period.added_on if period else None),
        wb.REMOVED_ON: wb.format_date(period.removed_on if period else None),
    }
    return [values[c] for c in wb.COLUMNS]


def _joined(values: Iterable[str]) -> str:
    """Contacts line up by position: keep empty slots unless every slot is empty."""
    items = list(values)
    return "；".join(items) if any(items) else ""


def write_xlsx(data_rows: Iterable[list[str]]) -> tuple[bytes, int]:
    """The workbook bytes and the number of enterprise rows written."""
    buffer = io.BytesIO()
    book = xlsx_workbook(buffer, constant_memory=True, in_memory=True)
    sheet = book.add_worksheet(SHEET_NAME)
    text = book.add_format({"num_format": "@"})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "num_format": "@"})
    for j, column in enumerate(wb.COLUMNS):
        sheet.set_column(j, j, _WIDTHS.get(column, 12), text)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, wb.COLUMNS, header)
    count = 0
    for i, values in enumerate(data_rows, start=1):
        for j, value in enumerate(values):
            if value:
                sheet.write_string(i, j, value, text)
        count = i
    book.close()
    return buffer.getvalue(), count


def export_xlsx(stmt: Select, today: date, visible: Optional[set[int]] = None) -> tuple[bytes, int]:
    return write_xlsx(rows(stmt, today, visible))
