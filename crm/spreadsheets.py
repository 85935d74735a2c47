"""Reading uploaded spreadsheets (.xlsx, .csv) as text, with Excel row numbers kept.

Every cell is read as a string (a phone number or a code keeps its leading zeros) and trimmed.
Names keep their full-width punctuation (（有限公司）is correct Chinese); importers fold codes,
phone numbers and dates to half-width with `halfwidth()` where a digit is a digit.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Optional

import pandas as pd
from flask import current_app
from flask_babel import gettext as _

from crm.spreadsheet_guard import Limits, WorkbookRefused, check_xlsx, too_large

#: How many rows from the top a header row may start at (titles often sit above it).
HEADER_SEARCH_ROWS = 10
#: Sheet rows allowed above the data: titles, the header and a sub-header under it.
HEADER_ROOM = HEADER_SEARCH_ROWS + 1


class SpreadsheetError(ValueError):
    """The file as a whole cannot be used; the message says why, in the user's language."""


@dataclass
class Row:
    number: int  # the row number a person sees in Excel (1-based, header included)
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


def clean(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip().strip("\u3000").strip()
    if text.lower() in ("nan", "none", "nat"):
        return ""
    return text


def halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation folded to ASCII (for codes, phones, dates)."""
    return unicodedata.normalize("NFKC", text).strip()


def import_limits() -> Limits:
    """The row, column and size limits of the current app (settings IMPORT_MAX_*)."""
    config = current_app.config
    data_rows = config["IMPORT_MAX_ROWS"]
    return Limits(rows=data_rows + HEADER_ROOM, data_rows=data_rows, columns=config["IMPORT_MAX_COLUMNS"],
                  unpacked_bytes=config["IMPORT_MAX_UNPACKED_MB"] * 1024 * 1024)


class Spreadsheet:
    """An uploaded .xlsx or .csv, checked against the limits once, then read sheet by sheet.

    The check comes before any parser sees the bytes (crm.spreadsheet_guard for .xlsx, a
    record count for .csv): a file over the limits costs a scan, never a full read.
    """

    def __init__(self, data: bytes, filename: str, limits: Optional[Limits] = None):
        self.data = data
        self.limits = limits or import_limits()
        self.is_csv = filename.lower().endswith(".csv")
        try:
            if self.is_csv:
                self.text = _decode(data)
                _check_csv(self.text, self.limits)
            else:
                check_xlsx(data, self.limits)
        except WorkbookRefused as exc:
            raise SpreadsheetError(str(exc)) from exc

    def sheet_names(self) -> list[str]:
        if self.is_csv:
            return [""]
        try:
            return list(pd.ExcelFile(io.BytesIO(self.data), engine="calamine").sheet_names)
        except Exception as exc:  # calamine raises several kinds for a file that is not a workbook
            raise SpreadsheetError(_unreadable()) from exc

    def grid(self, sheet: str | int = 0, nrows: Optional[int] = None) -> list[list[str]]:
        """The cells of one sheet (the first `nrows` rows only if given), cleaned text."""
        frame = self._frame(sheet, nrows)
        return [[clean(v) for v in row] for row in frame.itertuples(index=False, name=None)]

    def head(self, sheet: str | int = 0) -> list[list[str]]:
        """The rows a header may be in, and the one under it (a sub-header): cheap to read."""
        return self.grid(sheet, nrows=HEADER_SEARCH_ROWS + 1)

    def _frame(self, sheet: str | int, nrows: Optional[int]) -> pd.DataFrame:
        try:
            if self.is_csv:
                return pd.read_csv(io.StringIO(self.text), header=None, dtype=str, keep_default_na=False,
                                   nrows=nrows)
            return pd.read_excel(io.BytesIO(self.data), sheet_name=sheet or 0, header=None, dtype=str,
                                 engine="calamine", keep_default_na=False, nrows=nrows)
        except Exception as exc:
            raise SpreadsheetError(_unreadable()) from exc


def _unreadable() -> str:
    return _("无法读取该文件，请上传 .xlsx 或 .csv 格式的表格。")


def _check_csv(text: str, limits: Limits) -> None:
    """Count records and fields before pandas builds a frame of them."""
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
            if number > limits.rows or len(record) > limits.columns:
                raise too_large(limits, _("该 CSV 文件的第 %(row)s 行超出了限制", row=f"{number:,}"))
    except csv.Error as exc:
        raise SpreadsheetError(_unreadable()) from exc


def _decode(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GBK; everything else is UTF-8 (maybe with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别该 CSV 文件的编码，请另存为 UTF-8 或 .xlsx 后重试。"))


def find_header(head: list[list[str]], required: list[str]) -> int:
    """The index of the first of `head`'s rows holding every required header."""
    for i, cells in enumerate(head[:HEADER_SEARCH_ROWS]):
        if all(name in cells for name in required):
            return i
    raise SpreadsheetError(
        _("未找到表头：表格前 %(n)d 行中应有一行包含列 %(cols)s。",
          n=HEADER_SEARCH_ROWS, cols="、".join(required))
    )


def read_rows(
    book: Spreadsheet, required: Iterable[str], sheet: str | int = 0,
) -> tuple[list[str], list[Row]]:
    """The header and the non-empty rows of one sheet, located by its required headers.

    The header is looked for in the first rows only; a sheet without one is refused before
    the rest of it is read.
    """
    header_index = find_header(book.head(sheet), list(required))
    grid = book.grid(sheet)
    header = grid[header_index]
    rows = []
    for offset, cells in enumerate(grid[header_index + 1:], start=header_index + 2):
        if not any(cells):
            continue
        values = {name: cells[j] for j, name in enumerate(header) if name and j < len(cells)}
        rows.append(Row(number=offset, values=values))
    return header, rows


def read_upload(file: BinaryIO, max_bytes: int) -> bytes:
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetError(
            _("文件过大：上限为 %(mb)d MB。", mb=max_bytes // (1024 * 1024))
        )
    if not data:
        raise SpreadsheetError(_("上传的文件是空的。"))
    return data
