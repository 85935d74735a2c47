"""Hostile spreadsheets are refused before they are parsed, on every import (issue 17, item 1).

The enterprise import (page and command) and the org import (page and command) share the
reader in crm.spreadsheets, whose guard checks an .xlsx archive and its cell references
against IMPORT_MAX_ROWS / IMPORT_MAX_COLUMNS / IMPORT_MAX_UNPACKED_MB before calamine sees it.
"""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.auth.models import User
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises.models import Enterprise
from crm.org.models import Town
from crm.spreadsheets import Spreadsheet
from tests import hostile_workbooks as hostile
from tests.enterprises.conftest import sheet
from tests.factories import valid_code

LIMITS_MESSAGE = "每个工作表最多 50,000 行数据、200 列"


@pytest.fixture(autouse=True)
def pinned(app, today, tmp_path):
    today(date(2026, 11, 24))
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield
    app.config.pop("UPLOAD_DIR", None)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def upload_enterprises(client, data: bytes, name: str = "清单.xlsx"):
    return client.post("/enterprises/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def upload_org(client, data: bytes, name: str = "org.xlsx"):
    return client.post("/admin/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


HOSTILE = {
    "A1 and XFD1048576": (hostile.far_cell, "XFD1048576"),
    "a dimension claiming the whole sheet": (hostile.declared_range_only, "XFD1048576"),
    "201 cells without references": (lambda: hostile.cells_without_references(201), "GS2"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_town_coordinator_uploading_a_hostile_workbook_gets_a_chinese_error(client, users, login_as, name):
    build, cell = HOSTILE[name]
    data = build()
    assert len(data) < 2048  # the file is 1.4 KB
    login_as(users[Role.TOWN])
    response = upload_enterprises(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert LIMITS_MESSAGE in page and cell in page
    assert count(Enterprise) == 0


def test_enterprise_import_command_refuses_the_hostile_workbook(app, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(hostile.far_cell())
    result = app.test_cli_runner().invoke(args=["crm", "import-enterprises", str(path)])
    assert result.exit_code == 1
    assert LIMITS_MESSAGE in result.output and "XFD1048576" in result.output
    assert count(Enterprise) == 0


def test_org_import_page_and_command_refuse_the_hostile_workbook(app, client, users, login_as, tmp_path):
    before = (count(User), count(Town))
    login_as(users[Role.ADMIN])
    response = upload_org(client, hostile.far_cell())
    assert response.status_code == 422
    assert LIMITS_MESSAGE in response.get_data(as_text=True)
    path = tmp_path / "org.xlsx"
    path.write_bytes(hostile.far_cell())
    result = app.test_cli_runner().invoke(args=["crm", "import-org", str(path)])
    assert result.exit_code != 0 and LIMITS_MESSAGE in result.output
    assert (count(User), count(Town)) == before


def test_an_archive_lying_about_its_unpacked_size_is_measured_not_believed(app, client, users, login_as):
    app.config["IMPORT_MAX_UNPACKED_MB"] = 1
    try:
        login_as(users[Role.COMMISSION])
        response = upload_enterprises(client, hostile.lying_about_its_size(2 * 1024 * 1024))
    finally:
        app.config["IMPORT_MAX_UNPACKED_MB"] = 200
    assert response.status_code == 422
    assert "该文件解压后超过 1 MB" in response.get_data(as_text=True)


def test_a_legacy_xls_file_is_refused_with_what_to_do(client, users, login_as):
    login_as(users[Role.COMMISSION])
    response = upload_enterprises(client, hostile.LEGACY_XLS, name="清单.xls")
    assert response.status_code == 422
    assert "不支持旧版 Excel 97-2003（.xls）文件" in response.get_data(as_text=True)


def rows(n: int) -> list[dict]:
    return [{"企业名称": f"测试企业{i}有限公司", "统一社会信用代码": valid_code(5000 + i), "所属乡镇": "城桥镇"}
            for i in range(n)]


@pytest.mark.parametrize("csv", [False, True], ids=["xlsx", "csv"])
def test_rows_over_the_setting_are_refused_naming_the_limit(app, client, users, login_as, town, csv):
    """IMPORT_MAX_ROWS counts data rows; titles and the header get 11 rows of room above them."""
    app.config["IMPORT_MAX_ROWS"] = 20
    try:
        login_as(users[Role.COMMISSION])
        name = "清单.csv" if csv else "清单.xlsx"
        fits = upload_enterprises(client, sheet(rows(30), csv=csv), name)  # header + 30 rows: row 31
        too_many = upload_enterprises(client, sheet(rows(31), csv=csv), name)
    finally:
        app.config["IMPORT_MAX_ROWS"] = 50_000
    assert fits.status_code == 200, fits.get_data(as_text=True)
    assert too_many.status_code == 422
    assert "每个工作表最多 20 行数据、200 列" in too_many.get_data(as_text=True)


@pytest.fixture
def reads(monkeypatch):
    """The `nrows` of every sheet read: None is a whole sheet."""
    seen: list = []
    original = Spreadsheet.grid

    def grid(self, sheet=0, nrows=None):
        seen.append(nrows)
        return original(self, sheet, nrows)

    monkeypatch.setattr(Spreadsheet, "grid", grid)
    return seen


def test_a_sheet_without_the_required_headers_is_refused_after_reading_its_first_rows(
        client, users, login_as, reads):
    data = sheet([{"甲": str(i), "乙": "x"} for i in range(3000)], columns=["甲", "乙"])
    login_as(users[Role.COMMISSION])
    response = upload_enterprises(client, data)
    assert response.status_code == 422
    assert "未找到表头" in response.get_data(as_text=True)
    assert reads and None not in reads  # only the first rows were read


def test_org_import_without_headers_reads_only_the_first_rows(client, users, login_as, reads):
    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        for name in ("乡镇园区", "部门", "用户"):
            pd.DataFrame({"甲": range(3000)}).to_excel(writer, sheet_name=name, index=False)
    login_as(users[Role.ADMIN])
    response = upload_org(client, buffer.getvalue())
    assert response.status_code == 422
    assert "未找到表头" in response.get_data(as_text=True)
    assert reads and None not in reads
