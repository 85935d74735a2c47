"""Excel workbooks of reports: a summary sheet, then one sheet per table (pandas + xlsxwriter).

Headers are the page's Chinese column names, every column gets a width that fits its
content, dates are real Excel dates and rates are numbers formatted as percentages, so a
reader can sort and recompute in Excel.
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Sequence

import pandas as pd

from crm.spreadsheet_writer import excel_writer

MAX_WIDTH, MIN_WIDTH = 60, 6
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass
class Sheet:
    name: str
    #: Columns already carry their Chinese headers.
    frame: pd.DataFrame
    #: Columns holding fractions (0.85) shown as percentages (85.0%).
    percent: Sequence[str] = field(default_factory=tuple)
    #: Shown above the table when it has no rows (e.g. "本期没有逾期诉求").
    empty_note: str = ""


def display_width(value: Any) -> int:
    """Columns in Excel's units: a CJK character is about two Latin ones wide."""
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def workbook(title: str, meta: Sequence[tuple[str, Any]], summary: Sequence[tuple[str, Any]],
             sheets: Sequence[Sheet], summary_name: str, item_header: str, value_header: str,
             percent_items: Sequence[str] = ()) -> bytes:
    """The .xlsx bytes: `summary_name` holds the title, `meta` lines and the `summary` figures."""
    buffer = io.BytesIO()
    with excel_writer(buffer, date_format="yyyy-mm-dd", datetime_format="yyyy-mm-dd hh:mm") as writer:
        book = writer.book
        bold = book.add_format({"bold": True, "font_size": 14})
        pct = book.add_format({"num_format": "0.0%"})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})

        # Summary: title, meta lines, then an (item, value) table starting below them.
        first_row = len(meta) + 2
        figures = pd.DataFrame(list(summary), columns=[item_header, value_header])
        figures.to_excel(writer, sheet_name=summary_name, index=False, startrow=first_row)
        ws = writer.sheets[summary_name]
        ws.write(0, 0, title, bold)
        for i, (label, value) in enumerate(meta, start=1):
            ws.write(i, 0, label)
            if isinstance(value, (date, datetime)):
                ws.write_datetime(i, 1, datetime.combine(value, datetime.min.time())
                                  if not isinstance(value, datetime) else value.replace(tzinfo=None), date_fmt)
            else:
                ws.write(i, 1, value)
        for i, (label, value) in enumerate(summary, start=first_row + 1):
            if label in percent_items and value is not None:
                ws.write_number(i, 1, value, pct)
        ws.set_column(0, 0, _width([item_header, *(m[0] for m in meta), *(s[0] for s in summary)]))
        ws.set_column(1, 1, max(_width([value_header, *(_shown(s[1]) for s in summary)]), 22))

        used = {summary_name}
        for sheet in sheets:
            name = _sheet_name(sheet.name, used)
            frame = sheet.frame
            start = 0
            if frame.empty and sheet.empty_note:
                start = 2
            frame.to_excel(writer, sheet_name=name, index=False, startrow=start)
            ws = writer.sheets[name]
            if start:
                ws.write(0, 0, sheet.empty_note)
            for col, header in enumerate(frame.columns):
                values = frame[header].dropna().tolist()
                width = _width([header, *values[:2000]])
                ws.set_column(col, col, width, pct if header in sheet.percent else None)
            ws.freeze_panes(start + 1, 0)
            if not frame.empty:
                ws.autofilter(start, 0, start + len(frame), max(len(frame.columns) - 1, 0))
    return buffer.getvalue()


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _width(values) -> int:
    widest = max((display_width(v) for v in values), default=MIN_WIDTH)
    return min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = name.translate(_BAD_SHEET_CHARS)[:31] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        suffix = f"({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate
