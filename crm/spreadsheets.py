"""Reading uploaded spreadsheets (.xlsx, .xls, .csv) as text, with Excel row numbers kept.

Every cell is read as a string (a phone number or a code keeps its leading zeros) and trimmed.
Names keep their full-width punctuation (（有限公司）is correct Chinese); importers fold codes,
phone numbers and dates to half-width with `halfwidth()` where a digit is a digit.
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO, Iterable

import pandas as pd
from flask_babel import gettext as _

#: How many rows from the top a header row may start at (titles often sit above it).
HEADER_SEARCH_ROWS = 10


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


def _is_csv(filename: str) -> bool:
    return filename.lower().endswith(".csv")


def sheet_names(data: bytes, filename: str) -> list[str]:
    if _is_csv(filename):
        return [""]
    try:
        return list(pd.ExcelFile(io.BytesIO(data), engine="calamine").sheet_names)
    except Exception as exc:  # calamine raises several kinds for a file that is not a workbook
        raise SpreadsheetError(_("无法读取该文件，请上传 .xlsx 或 .csv 格式的表格。")) from exc


def read_frame(data: bytes, filename: str, sheet: str | int = 0) -> pd.DataFrame:
    """The raw grid of one sheet, every cell as text (no header detection)."""
    try:
        if _is_csv(filename):
            text = _decode(data)
            return pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False)
        return pd.read_excel(io.BytesIO(data), sheet_name=sheet, header=None, dtype=str,
                             engine="calamine", keep_default_na=False)
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise SpreadsheetError(_("无法读取该文件，请上传 .xlsx 或 .csv 格式的表格。")) from exc


def _decode(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GBK; everything else is UTF-8 (maybe with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别该 CSV 文件的编码，请另存为 UTF-8 或 .xlsx 后重试。"))


def read_rows(
    data: bytes, filename: str, required: Iterable[str], sheet: str | int = 0,
) -> tuple[list[str], list[Row]]:
    """The header and the non-empty rows of one sheet, located by its required headers."""
    required = list(required)
    frame = read_frame(data, filename, sheet)
    grid = [[clean(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    header_index = None
    for i, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if all(name in cells for name in required):
            header_index = i
            break
    if header_index is None:
        raise SpreadsheetError(
            _("未找到表头：表格前 %(n)d 行中应有一行包含列 %(cols)s。",
              n=HEADER_SEARCH_ROWS, cols="、".join(required))
        )
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
