"""Reading a key-list spreadsheet: find the header row, name the columns, keep Excel row numbers.

District sheets vary: a merged title row above the header, headers with a required-mark (*)
or stray spaces, other spellings (手机 for 联系电话), a two-row header whose upper cells are
merged (联系人 over 姓名 / 职务 / 电话). Everything is read as text (crm.spreadsheets).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from crm.enterprises.workbook import COLUMNS, KEY_COLUMNS, canonical_header
from crm.spreadsheets import HEADER_SEARCH_ROWS, Row, Spreadsheet, SpreadsheetError

#: Sub-header words under a merged 联系人 cell.
_SUBHEADERS = {"姓名": "联系人", "名字": "联系人"}


@dataclass
class Sheet:
    name: str
    columns: list[str]                               # our column names present, in file order
    ignored: list[str] = field(default_factory=list)  # headers we do not know
    rows: list[Row] = field(default_factory=list)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The first sheet with a recognisable header row; SpreadsheetError if there is none.

    Only a sheet's first rows are read to look for the header: a sheet without one costs
    little, and the whole grid is read once, for the sheet that has it.
    """
    book = Spreadsheet(data, filename)
    for sheet in book.sheet_names():
        found = _find_header(book.head(sheet))
        if found is not None:
            header_index, names = found
            # The raw grid: Spreadsheet rows would drop a merged two-row header.
            return _build(sheet, book.grid(sheet), header_index, names)
    raise SpreadsheetError(
        _("未找到表头：表格前 %(n)d 行中应有一行包含列“企业名称”和“统一社会信用代码”。"
          "请使用导入模板的表头。", n=HEADER_SEARCH_ROWS))


def _find_header(grid: list[list[str]]):
    for i, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        names = [canonical_header(c) if c else "" for c in cells]
        if all(key in names for key in KEY_COLUMNS):
            return i, names
    return None


def _is_subheader(cells: list[str], names: list[str]) -> bool:
    """The row under the header names columns, and fills at least one blank (merged) header."""
    filled = [(j, c) for j, c in enumerate(cells) if c]
    if not filled:
        return False
    known = all(_SUBHEADERS.get(c, canonical_header(c)) in COLUMNS for _j, c in filled)
    fills_gap = any(j >= len(names) or not names[j] or names[j] not in COLUMNS for j, _c in filled)
    return known and fills_gap


def _build(sheet: str, grid: list[list[str]], header_index: int, names: list[str]) -> Sheet:
    first_data = header_index + 1
    if first_data < len(grid) and _is_subheader(grid[first_data], names):
        sub = grid[first_data]
        names = list(names) + [""] * max(0, len(sub) - len(names))
        for j, cell in enumerate(sub):
            if cell:
                names[j] = _SUBHEADERS.get(cell, canonical_header(cell))
        first_data += 1
    seen: dict[str, int] = {}
    ignored = []
    for j, name in enumerate(names):
        if not name:
            continue
        if name not in COLUMNS:
            ignored.append(name)
            continue
        if name in seen:
            raise SpreadsheetError(
                _("表头中“%(name)s”列出现了两次（第%(a)d列和第%(b)d列），请只保留一列。",
                  name=name, a=seen[name] + 1, b=j + 1))
        seen[name] = j
    rows = []
    for offset, cells in enumerate(grid[first_data:], start=first_data + 1):
        if not any(cells):
            continue
        values = {name: cells[j] for name, j in seen.items() if j < len(cells)}
        if not any(values.values()):
            continue  # only notes in unknown columns, such as a 合计 line
        rows.append(Row(number=offset, values=values))
    columns = sorted(seen, key=seen.get)
    return Sheet(name=sheet, columns=columns, ignored=ignored, rows=rows)
