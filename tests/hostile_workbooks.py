"""Hand-written .xlsx archives for the upload guard tests (zipfile + XML, no spreadsheet library).

Never hand these to calamine or pandas directly in the test process: the one reaching
XFD1048576 makes calamine allocate ~512 GB and the process aborts. They go through the app,
whose guard (crm.spreadsheet_guard) must refuse them first.
"""
from __future__ import annotations

import io
import struct
import zipfile

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEADER_CELLS = '<c r="A1" t="inlineStr"><is><t>企业名称</t></is></c><c r="B1" t="inlineStr"><is><t>统一社会信用代码</t></is></c>'


def xlsx(sheet_data: str, dimension: str = "") -> bytes:
    """A one-sheet workbook whose sheet XML holds `sheet_data` (the <row> elements)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '</Types>'),
        "_rels/.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
                        f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
                            '<sheets><sheet name="清单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
                                       f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                                       '</Relationships>'),
        "xl/worksheets/sheet1.xml": (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
                                     + (f'<dimension ref="{dimension}"/>' if dimension else "")
                                     + f"<sheetData>{sheet_data}</sheetData></worksheet>"),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def far_cell() -> bytes:
    """The issue's file: about 1.5 KB, a header in row 1 and one cell at XFD1048576."""
    return xlsx(f'<row r="1">{_HEADER_CELLS}</row>'
                '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
                dimension="A1:XFD1048576")


def declared_range_only() -> bytes:
    """Two real cells, but a <dimension> claiming the whole sheet."""
    return xlsx(f'<row r="1">{_HEADER_CELLS}</row>', dimension="A1:XFD1048576")


def cells_without_references(columns: int) -> bytes:
    """A header row, then a row of `columns` cells without r="..." (placed one after another)."""
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * columns
    return xlsx(f'<row r="1">{_HEADER_CELLS}</row><row>{cells}</row>')


def lying_about_its_size(unpacked_bytes: int) -> bytes:
    """A sheet of `unpacked_bytes` whose zip headers claim it unpacks to 100 bytes."""
    data = bytearray(xlsx(f'<row r="1">{_HEADER_CELLS}</row>' + " " * unpacked_bytes))
    sheet = b"xl/worksheets/sheet1.xml"
    # The uncompressed size sits 22 bytes into a local header, 24 into a central one.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(sheet)] == sheet:
                data[start + offset:start + offset + 4] = struct.pack("<I", 100)
            start += 4
    return bytes(data)


#: The first bytes of an Excel 97-2003 (.xls) file, an OLE compound document.
LEGACY_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
