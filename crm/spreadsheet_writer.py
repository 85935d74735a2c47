"""Every workbook the app writes holds text as text: never a formula, a link or a number.

xlsxwriter's write() turns a string starting with "=" into a live formula and "http://..."
into a hyperlink. A name or a title typed on the public form such as
=HYPERLINK("http://...?"&A1,"点击") would then run in the reader's Excel. Every workbook is
opened here with those conversions off, so pandas' to_excel and our own write() calls alike
write the string as it is.
"""
from __future__ import annotations

from typing import Any, BinaryIO

import pandas as pd
import xlsxwriter

#: xlsxwriter options for every workbook the app writes.
TEXT_AS_TEXT = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def xlsx_workbook(buffer: BinaryIO, **options: Any) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook writing into `buffer` (`options` add to TEXT_AS_TEXT)."""
    return xlsxwriter.Workbook(buffer, {**options, **TEXT_AS_TEXT})


def excel_writer(buffer: BinaryIO, **kwargs: Any) -> pd.ExcelWriter:
    """A pandas ExcelWriter (xlsxwriter engine) whose to_excel writes strings as text."""
    return pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": dict(TEXT_AS_TEXT)}, **kwargs)
