"""Fixtures for the key-list tests: a second town, an upload folder, spreadsheet builders."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from crm.db import db
from crm.enterprises.models import Tag
from crm.enterprises.workbook import COLUMNS
from crm.org.models import Town

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def pinned(app, today, tmp_path):
    """Every test here runs on 24 Nov 2026, with uploads in a temporary folder."""
    today(TODAY)
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield
    app.config.pop("UPLOAD_DIR", None)


@pytest.fixture
def other_town(app):
    t = Town(code="BZ", name="堡镇")
    db.session.add(t)
    db.session.commit()
    return t


@pytest.fixture
def tags(app):
    made = {name: Tag(name=name) for name in ("专精特新", "高新技术企业", "小巨人")}
    db.session.add_all(made.values())
    db.session.commit()
    return made


def sheet(rows: list[dict], columns: list[str] | None = None, csv: bool = False) -> bytes:
    """A spreadsheet with our headers (or `columns`) and one row per dict (missing keys blank)."""
    columns = columns or COLUMNS
    frame = pd.DataFrame([[r.get(c, "") for c in columns] for r in rows], columns=columns, dtype=str)
    buffer = io.BytesIO()
    if csv:
        buffer.write(frame.to_csv(index=False).encode("utf-8-sig"))
    else:
        with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
            frame.to_excel(writer, index=False, sheet_name="清单")
    return buffer.getvalue()
