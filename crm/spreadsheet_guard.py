"""Refusing an uploaded .xlsx too big to read, before calamine allocates for it.

calamine sizes a sheet from its furthest cell, so a 1.4 KB workbook holding cells A1 and
XFD1048576 asks for ~512 GB and the process aborts: no Python exception, the worker just dies.
So the archive is checked first (member count, compression, unpacked size) and every XML part
is inflated by us, byte-counted against the limit whatever the zip headers declare, and scanned
for cell positions (<c r="...">, or counted along the row when r is missing, as calamine does)
and <dimension ref="...">. The scan is a byte-level regular expression rather than an XML
parser: it only has to find where cells are, and it stops at the first one out of bounds.
When every cell carries its reference (Excel, WPS and xlsxwriter write them) the furthest
one is found without a Python step per cell: 50,000 rows x 14 columns scan in about 0.5 s.
"""
from __future__ import annotations

import copy
import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from flask_babel import gettext as _

#: Excel 97-2003 (.xls) files are OLE compound documents starting with these bytes.
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: A workbook has a dozen parts; many sheets, images and comments reach a few hundred.
MAX_MEMBERS = 2000
_CHUNK = 1 << 16
#: A cell, row or dimension start tag, with or without a namespace prefix (<x:c ...>).
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_TAG = re.compile(_PREFIX + rb"(c|row|dimension)(?=[\s/>])([^>]*)>")
_R = re.compile(rb"""\sr\s*=\s*["']([^"']*)["']""")
_REF = re.compile(rb"""\sref\s*=\s*["']([^"']*)["']""")
#: Fast path, for parts where every cell is written <c r="A1" ...>: literal patterns only.
_ANY_CELL = re.compile(rb"<c[\s/>]")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_REF_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_REF_LONG_COLUMN = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
_DIMENSION = re.compile(_PREFIX + rb"(dimension)(?=[\s/>])([^>]*)>")
_CELL = re.compile(rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
#: Longest tag we wait for across chunk boundaries; a real cell tag is under 100 bytes.
_MAX_TAG = 1 << 16


class WorkbookRefused(ValueError):
    """The upload is refused before parsing; the message says why, in the user's language."""


@dataclass(frozen=True)
class Limits:
    #: Sheet rows accepted, rows above the data (titles, header) included.
    rows: int
    #: The data rows named in the message (rows minus the room left for titles and header).
    data_rows: int
    columns: int
    unpacked_bytes: int


def too_large(limits: Limits, where: str) -> WorkbookRefused:
    return WorkbookRefused(_(
        "表格过大：每个工作表最多 %(rows)s 行数据、%(cols)s 列，而%(where)s。请删除多余的行和列，或分成几个文件导入。",
        rows=f"{limits.data_rows:,}", cols=f"{limits.columns:,}", where=where))


def _malformed() -> WorkbookRefused:
    return WorkbookRefused(_("该文件不是有效的 .xlsx 工作簿（压缩包结构异常），请在 Excel 中另存为 .xlsx 后重试。"))


def _unpacked_too_large(limits: Limits) -> WorkbookRefused:
    return WorkbookRefused(_("该文件解压后超过 %(mb)d MB，无法导入：请删除多余的工作表、图片或行列后重试。",
                             mb=limits.unpacked_bytes // (1024 * 1024)))


def check_xlsx(data: bytes, limits: Limits) -> None:
    """WorkbookRefused unless `data` is an .xlsx archive whose sheets fit in `limits`."""
    if data.startswith(_CFB_MAGIC):
        raise WorkbookRefused(_("不支持旧版 Excel 97-2003（.xls）文件：请在 Excel 中另存为 .xlsx 后再上传。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise WorkbookRefused(_("无法读取该文件，请上传 .xlsx 或 .csv 格式的表格。")) from exc
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:  # .ods, .xlsb or any other zip: not a workbook we read
        raise WorkbookRefused(_("无法读取该文件，请上传 .xlsx 或 .csv 格式的表格。"))
    if len(members) > MAX_MEMBERS or len(names) != len(members):
        raise _malformed()
    if sum(m.file_size for m in members) > limits.unpacked_bytes:
        raise _unpacked_too_large(limits)
    budget = limits.unpacked_bytes
    for member in members:
        if member.filename.lower().endswith((".xml", ".rels")):
            budget -= _scan_member(archive, member, budget, limits)


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int, limits: Limits) -> int:
    """Inflate one part ourselves (a zip header may lie about its size); return the bytes seen."""
    try:
        return _inflate_and_scan(archive, member, budget, _CellScan(limits, fast=True))
    except _CellsWithoutReference:  # positions must be counted cell by cell: start again
        return _inflate_and_scan(archive, member, budget, _CellScan(limits, fast=False))


def _inflate_and_scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int, scan: _CellScan) -> int:
    limits = scan.limits
    if member.flag_bits & 0x1 or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _malformed()
    raw = copy.copy(member)  # read the stored bytes as they are: we inflate and count them
    raw.compress_type, raw.file_size, raw.CRC = zipfile.ZIP_STORED, member.compress_size, None
    inflate = zlib.decompressobj(-zlib.MAX_WBITS) if member.compress_type == zipfile.ZIP_DEFLATED else None
    seen = 0
    try:
        with archive.open(raw) as stream:
            while chunk := stream.read(_CHUNK):
                while chunk:
                    if inflate is None:
                        out, chunk = chunk, b""
                    else:
                        out = inflate.decompress(chunk, _CHUNK * 4)
                        chunk = inflate.unconsumed_tail
                    seen += len(out)
                    if seen > budget:
                        raise _unpacked_too_large(limits)
                    scan.feed(out)
                if inflate is not None and inflate.eof:
                    break
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise _malformed() from exc
    scan.finish()
    return seen


class _CellsWithoutReference(Exception):
    """Some cell has no readable r="A1": the fast scan cannot place it."""


class _CellScan:
    """Cell positions in one XML part, fed in chunks, checked against the limits as they come."""

    def __init__(self, limits: Limits, fast: bool):
        self.limits = limits
        self.fast = fast and limits.columns >= 26  # the fast path only checks two-letter columns
        self.row = 0      # the current <row>, 1-based
        self.column = 0   # the last cell's column in it, 1-based
        self.carry = b""  # an unfinished tag at the end of the previous chunk

    def feed(self, data: bytes) -> None:
        buffer = self.carry + data
        cut = buffer.rfind(b"<")
        if cut < 0 or buffer.find(b">", cut) >= 0:
            cut = len(buffer)
        self.carry = buffer[cut:]
        if len(self.carry) > _MAX_TAG:
            raise _malformed()
        self._scan(buffer[:cut] if cut < len(buffer) else buffer)

    def finish(self) -> None:
        self._scan(self.carry)

    def _scan(self, text: bytes) -> None:
        if not self.fast:
            for match in _TAG.finditer(text):
                self._tag(match.group(1), match.group(2))
            return
        rows = _REF_ROW.findall(text)
        if len(rows) != len(_ANY_CELL.findall(text)) or _PREFIXED_CELL.search(text):
            raise _CellsWithoutReference
        if rows:
            columns = _REF_LONG_COLUMN.findall(text)  # A-Z need no check with 26 columns allowed
            widest = max(columns, key=lambda c: (len(c), c), default=b"A")
            if max(map(int, rows)) > self.limits.rows or _column(widest) > self.limits.columns:
                self.fast = False  # name the first cell out of bounds
                self._scan(text)
        if b"dimension" in text:
            for match in _DIMENSION.finditer(text):
                self._tag(match.group(1), match.group(2))

    def _tag(self, name: bytes, attrs: bytes) -> None:
        if name == b"c":
            found = _R.search(attrs)
            if found:
                self.column, row = _position(found.group(1))
            else:  # no reference: the next column of the current row
                self.column, row = self.column + 1, self.row
            self._check(row, self.column)
        elif name == b"row":
            found = _R.search(attrs)
            self.row = _number(found.group(1)) if found else self.row + 1
            self.column = 0
        else:  # dimension: calamine reserves room for the declared range
            found = _REF.search(attrs)
            for part in (found.group(1).split(b":") if found else ()):
                column, row = _position(part)
                self._check(row, column)

    def _check(self, row: int, column: int) -> None:
        if row > self.limits.rows or column > self.limits.columns:
            cell = f"{_letters(column)}{row}"
            raise too_large(self.limits, _("表格用到了单元格 %(cell)s（第 %(row)s 行、第 %(col)s 列）",
                                           cell=cell, row=f"{row:,}", col=f"{column:,}"))


def _position(ref: bytes) -> tuple[int, int]:
    """b"XFD1048576" -> (16384, 1048576); a reference we cannot read is refused."""
    match = _CELL.fullmatch(ref.strip())
    if not match:
        raise _malformed()
    return _column(match.group(1)), int(match.group(2))


def _column(letters: bytes) -> int:
    column = 0
    for letter in letters.upper():
        column = column * 26 + letter - 64
    return column


def _number(text: bytes) -> int:
    if not text.strip().isdigit() or len(text.strip()) > 7:
        raise _malformed()
    return int(text)


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
