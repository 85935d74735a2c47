"""Importing the key list: preview every bad row, apply all or nothing, update by credit code."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.auth.roles import Role
from crm.db import db
from crm.enterprises import import_apply
from crm.enterprises.importer import check
from crm.enterprises.models import Assignment, Enterprise
from tests.conftest import PASSWORD
from tests.enterprises.conftest import sheet
from tests.factories import assign, enterprise, valid_code

A, B, C = valid_code(9001), valid_code(9002), valid_code(9003)


def good_rows(liaison_login="liaison"):
    return [
        {"企业名称": "上海海联船舶配套有限公司", "统一社会信用代码": A, "所属乡镇": "城桥镇", "级别": "区级",
         "行业": "制造业", "标签": "专精特新、小巨人", "地址": "八一路1号", "联系人": "陈静；李强",
         "职务": "总经理；", "联系电话": "13812345678；021-59612345", "邮箱": "；li@example.com",
         "包保责任人": liaison_login, "列入日期": "2024-01-05"},
        {"企业名称": "崇明瀛通物流有限公司", "统一社会信用代码": B.lower(), "所属乡镇": "CQ", "级别": "镇级",
         "行业": "G", "联系人": "王芳", "联系电话": "01012345678", "列入日期": "2024/3/1"},
    ]


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def upload(client, data, name="清单.xlsx"):
    return client.post("/enterprises/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_preview_then_apply_in_the_browser(client, users, login_as, town, tags):
    login_as(users[Role.COMMISSION])
    preview = upload(client, sheet(good_rows()))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "全部 2 行检查通过：将新增 2 家" in html
    assert count(Enterprise) == 0  # the preview changes nothing
    token = html.split("/enterprises/import/")[1].split('"')[0]
    done = client.post(f"/enterprises/import/{token}")
    assert done.status_code == 302
    assert "新增 2 家" in client.get(done.headers["Location"]).get_data(as_text=True)
    a = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == A))
    assert (a.level, a.industry, sorted(t.name for t in a.tags)) == ("district", "C", ["专精特新", "小巨人"])
    assert [(c.name, c.title, c.mobile, c.email) for c in a.contacts] == [
        ("陈静", "总经理", "13812345678", None), ("李强", None, "021-59612345", "li@example.com")]
    assert a.list_periods[0].added_on == date(2024, 1, 5)
    [assignment] = a.assignments
    assert (assignment.liaison.login, assignment.role, assignment.start_on) == ("liaison", "primary", date(2024, 1, 5))
    b = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == B))
    assert b.contacts[0].mobile == "010-12345678" and b.assignments == []
    assert client.post(f"/enterprises/import/{token}").status_code == 302  # a used token is gone
    assert count(Enterprise) == 2


def test_preview_lists_every_bad_row_with_column_and_reason(client, users, login_as, town, tags, other_town):
    other_town.active = False
    db.session.commit()
    bad = good_rows() + [
        {"企业名称": "", "统一社会信用代码": C, "所属乡镇": "城桥镇"},                                  # row 4
        {"企业名称": "坏代码", "统一社会信用代码": "91350100M000100Y44", "所属乡镇": "城桥镇"},          # row 5
        {"企业名称": "重复", "统一社会信用代码": A, "所属乡镇": "城桥镇"},                              # row 6
        {"企业名称": "未知乡镇", "统一社会信用代码": valid_code(9004), "所属乡镇": "火星镇"},             # row 7
        {"企业名称": "停用乡镇", "统一社会信用代码": valid_code(9005), "所属乡镇": "堡镇"},               # row 8
        {"企业名称": "坏电话", "统一社会信用代码": valid_code(9006), "所属乡镇": "城桥镇",
         "联系人": "张三", "联系电话": "12345", "邮箱": "zhang@"},                                        # row 9
        {"企业名称": "坏日期", "统一社会信用代码": valid_code(9007), "所属乡镇": "城桥镇",
         "列入日期": "2024-02-30", "级别": "市级", "行业": "Z"},                                           # row 10
        {"企业名称": "未知人员", "统一社会信用代码": valid_code(9008), "所属乡镇": "城桥镇",
         "包保责任人": "查无此人", "标签": "不存在标签"},                                                  # row 11
        {"企业名称": "无乡镇", "统一社会信用代码": valid_code(9009)},                                     # row 12
        {"企业名称": "将来", "统一社会信用代码": valid_code(9010), "所属乡镇": "城桥镇", "列入日期": "2027-01-01"},
    ]
    login_as(users[Role.COMMISSION])
    response = upload(client, sheet(bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    expected = [
        ("第4行", "企业名称", "企业名称不能为空"),
        ("第5行", "统一社会信用代码", "第18位应为“3”"),
        ("第6行", "统一社会信用代码", "与第2行重复"),
        ("第7行", "所属乡镇", "未知乡镇/园区“火星镇”"),
        ("第8行", "所属乡镇", "已停用"),
        ("第9行", "联系电话", "电话号码“12345”格式不正确"),
        ("第9行", "邮箱", "邮箱“zhang@”格式不正确"),
        ("第10行", "级别", "级别应为“区级”或“镇级”"),
        ("第10行", "行业", "未知行业“Z”"),
        ("第10行", "列入日期", "日期“2024-02-30”无法识别"),
        ("第11行", "标签", "未知标签“不存在标签”"),
        ("第11行", "包保责任人", "未知包保责任人“查无此人”"),
        ("第12行", "所属乡镇", "新企业须填写所属乡镇"),
        ("第13行", "列入日期", "日期不能晚于今天"),
    ]
    rows = html.split("<tbody>")[1]
    for row, column, words in expected:
        assert f"<td>{row}</td><td>{column}</td><td>" in rows and words in rows, (row, column, words)
    assert "发现 14 处错误，涉及 10 行" in html
    assert "确认导入" not in html and count(Enterprise) == 0


def test_apply_is_all_or_nothing(app, users, town, tags):
    rows = good_rows() + [{"企业名称": "坏代码", "统一社会信用代码": "123", "所属乡镇": "城桥镇"}]
    from crm.imports import ImportRejected

    with pytest.raises(ImportRejected) as rejected:
        import_apply.apply(sheet(rows), "x.xlsx")
    assert [(p.row, p.column) for p in rejected.value.problems] == [(4, "统一社会信用代码")]
    db.session.rollback()
    assert count(Enterprise) == 0 and count(AuditEntry) == 0


def test_a_failure_half_way_leaves_nothing(client, users, login_as, town, tags, monkeypatch):
    login_as(users[Role.COMMISSION])
    html = upload(client, sheet(good_rows())).get_data(as_text=True)
    token = html.split("/enterprises/import/")[1].split('"')[0]

    def explode(*args, **kwargs):  # the audit rows come after the enterprises were flushed
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_apply, "record", explode)
    response = client.post(f"/enterprises/import/{token}")
    assert response.status_code == 500 and "disk full" not in response.get_data(as_text=True)
    db.session.rollback()
    assert count(Enterprise) == 0 and count(Assignment) == 0


def test_reimport_updates_by_code_instead_of_duplicating(app, users, town, tags, make_user):
    zhao = make_user(Role.LIAISON, login="zhao", name="赵敏", town=town)
    import_apply.apply(sheet(good_rows()), "v1.xlsx")
    db.session.commit()
    changed = good_rows(liaison_login="赵敏")
    changed[0].update({"企业名称": "上海海联船舶配套股份有限公司", "标签": "专精特新", "联系电话": "13912345678；021-59612345"})
    changed[1] = {"企业名称": "崇明瀛通物流有限公司", "统一社会信用代码": B}  # blank cells: unchanged
    plan, result = import_apply.apply(sheet(changed), "v2.xlsx")
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert count(Enterprise) == 2
    a = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == A))
    assert a.name == "上海海联船舶配套股份有限公司" and [t.name for t in a.tags] == ["专精特新"]
    assert a.contacts[0].mobile == "13912345678"
    old, new = sorted(a.assignments, key=lambda x: x.id)
    assert (old.liaison.login, old.end_on) == ("liaison", date(2026, 11, 24))
    assert (new.liaison_id, new.start_on, new.end_on) == (zhao.id, date(2026, 11, 24), None)
    update = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update",
                                                        AuditEntry.object_id == a.id))
    assert update.changes["name"] == ["上海海联船舶配套有限公司", "上海海联船舶配套股份有限公司"]
    assert update.changes["liaisons"] == [[f"{users[Role.LIAISON].name}（主要）"], ["赵敏（主要）"]]
    assert update.reason == "表格导入：v2.xlsx"
    b = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == B))
    assert b.level == "town" and b.contacts[0].name == "王芳"


def test_text_stays_text_and_messy_sheets_are_read(app, town):
    """Title row above a merged header, * marks, trailing spaces, full-width digits, a date cell,
    numbers typed as numbers, a formula, a 手机 header for 联系电话."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.merge_cells("A1:F1")
    ws["A1"] = "崇明区2026年重点企业清单"
    ws.append(["序号", "企业名称* ", " 统一社会信用代码", "所属乡镇", "联系人", "手机", "列入日期", "备注"])
    ws.append([1, "上海明珠有限公司 ", "９１３５０１００Ｍ０００１００Ｙ４３", "城桥镇 ", "陈静", 13812345678,
               date(2024, 1, 5), "=A3&\"号\""])
    ws.append([2, "上海零号有限公司", valid_code(42), "城桥镇", "王芳", "０２１５９６１２３４５", 45292, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    plan, report = check(buffer.getvalue(), "messy.xlsx")
    assert report.ok, [str(p) for p in report.problems]
    assert plan.ignored_columns == ["序号", "备注"]
    first, second = plan.rows
    assert (first.row, first.name, first.code) == (3, "上海明珠有限公司", "91350100M000100Y43")
    assert first.contacts[0].mobile == "13812345678" and first.added_on == date(2024, 1, 5)
    assert second.contacts[0].mobile == "021-59612345"
    assert second.added_on == date(2024, 1, 1)  # 45292 is an Excel date serial


def test_phone_without_contact_and_formula_errors_are_reported(app, town):
    rows = [{"企业名称": "甲", "统一社会信用代码": A, "所属乡镇": "城桥镇", "联系电话": "13812345678"},
            {"企业名称": "#N/A", "统一社会信用代码": B, "所属乡镇": "城桥镇"}]
    _plan, report = check(sheet(rows), "x.xlsx")
    assert [str(p) for p in report.problems] == [
        "第2行 [联系人] 填写了职务、电话或邮箱，但没有填写联系人姓名",
        "第3行 [企业名称] 单元格是公式错误值（#N/A），请改为实际内容",
    ]


def test_csv_in_gbk_is_read_too(app, town):
    frame = "企业名称,统一社会信用代码,所属乡镇,联系人,联系电话\n甲公司," + A + ",城桥镇,张三,013812345678\n"
    _plan, report = check(frame.encode("gb18030"), "清单.csv")
    assert [str(p) for p in report.problems] == [
        "第2行 [联系电话] 电话号码“013812345678”格式不正确（手机应为11位，座机如 021-59612345）"]


@pytest.mark.parametrize("data, name, words", [
    (b"not a spreadsheet", "x.xlsx", "无法读取该文件"),
    (b"", "x.xlsx", "上传的文件是空的"),
    (None, "x.xlsx", "未找到表头"),
    (b"a,b\n1,2\n", "x.txt", "只能导入 .xlsx 或 .csv 文件"),
])
def test_unusable_files_get_a_clear_message(client, users, login_as, data, name, words):
    if data is None:
        data = sheet([{"名称": "甲"}], columns=["名称", "代码"])
    login_as(users[Role.COMMISSION])
    response = upload(client, data, name)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)


def test_too_large_an_upload_is_refused_with_a_message(client, users, login_as, app):
    login_as(users[Role.COMMISSION])
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = upload(client, b"x" * 4096)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
    assert response.status_code == 413 and "文件过大" in response.get_data(as_text=True)


def test_town_user_cannot_import_into_another_town(client, users, login_as, town, other_town):
    theirs = enterprise(other_town, name="外镇企业")
    login_as(users[Role.TOWN])
    rows = [{"企业名称": "新企业", "统一社会信用代码": A, "所属乡镇": "堡镇"},
            {"企业名称": "改外镇", "统一社会信用代码": theirs.credit_code, "所属乡镇": "城桥镇"},
            {"企业名称": "本镇", "统一社会信用代码": B, "所属乡镇": "城桥镇"}]
    html = upload(client, sheet(rows)).get_data(as_text=True)
    assert "只能导入本乡镇/园区（城桥镇）的企业，不能导入“堡镇”" in html
    assert "该企业属于“堡镇”，您无权修改" in html
    assert count(Enterprise) == 1


@pytest.mark.parametrize("role", [Role.LIAISON, Role.DEPARTMENT, Role.LEADER])
def test_other_roles_cannot_import(client, users, login_as, role):
    login_as(users[role])
    assert client.get("/enterprises/import").status_code == 403
    assert upload(client, sheet(good_rows())).status_code == 403


def test_someone_elses_or_a_forged_token_is_refused(client, users, login_as, make_user, town, tags):
    login_as(users[Role.COMMISSION])
    html = upload(client, sheet(good_rows())).get_data(as_text=True)
    token = html.split("/enterprises/import/")[1].split('"')[0]
    make_user(Role.COMMISSION, login="other")
    other_client = client.application.test_client()
    assert other_client.post("/login", data={"login": "other", "password": PASSWORD}).status_code == 302
    refused = other_client.post(f"/enterprises/import/{token}", follow_redirects=True)
    assert "已过期或不存在" in refused.get_data(as_text=True)
    assert other_client.post("/enterprises/import/..%2F..%2Fsecret_key").status_code in (302, 404)
    assert count(Enterprise) == 0


def test_command_line_dry_run_and_apply(app, users, tmp_path, town, tags):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(sheet(good_rows() + [{"企业名称": "坏", "统一社会信用代码": "1", "所属乡镇": "城桥镇"}]))
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["crm", "import-enterprises", str(path), "--dry-run"])
    assert bad.exit_code == 1
    assert "第4行 [统一社会信用代码] 统一社会信用代码应为18位，当前为1位" in bad.output
    path.write_bytes(sheet(good_rows()))
    dry = runner.invoke(args=["crm", "import-enterprises", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "将新增 2 家" in dry.output and count(Enterprise) == 0
    done = runner.invoke(args=["crm", "import-enterprises", str(path)])
    assert done.exit_code == 0, done.output
    assert count(Enterprise) == 2
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "create"))
    assert entry.actor_id is None and entry.actor_label == "cli"


def test_checking_does_not_query_per_row(app, town, tags):
    from tests.enterprises.test_list_page import counting_queries

    def rows(n, offset):
        return [{"企业名称": f"企业{i}", "统一社会信用代码": valid_code(offset + i), "所属乡镇": "城桥镇",
                 "标签": "专精特新", "包保责任人": "liaison"} for i in range(n)]

    for i in range(50):
        enterprise(town, credit_code=valid_code(20000 + i))
    with counting_queries() as few:
        check(sheet(rows(10, 20000)), "x.xlsx")
    with counting_queries() as many:
        check(sheet(rows(300, 20000)), "x.xlsx")
    assert len(many) == len(few)


def test_a_two_row_header_with_a_merged_group_is_understood(app, town):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["企业名称", "统一社会信用代码", "所属乡镇", "联系人", None, None])
    ws.append([None, None, None, "姓名", "职务", "联系电话"])
    ws.merge_cells("D1:F1")
    for column in "ABC":
        ws.merge_cells(f"{column}1:{column}2")
    ws.append(["甲公司", A, "城桥镇", "陈静", "总经理", "13812345678"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan, report = check(buffer.getvalue(), "two-rows.xlsx")
    assert report.ok, [str(p) for p in report.problems]
    [row] = plan.rows
    assert row.row == 3 and [(c.name, c.title, c.mobile) for c in row.contacts] == [("陈静", "总经理", "13812345678")]


def test_list_status_follows_the_row(app, users, town):
    from crm.enterprises.models import ListPeriod

    listed = enterprise(town, name="在册企业", credit_code=A, listed_on=date(2024, 1, 1))
    gone = enterprise(town, name="已移出企业", credit_code=B, listed_on=date(2023, 1, 1),
                      removed_on=date(2025, 1, 1))
    assign(users[Role.LIAISON], listed)
    rows = [{"企业名称": "在册企业", "统一社会信用代码": A, "移出日期": "2026-11-01"},   # leaves the list
            {"企业名称": "已移出企业", "统一社会信用代码": B}]                          # back on it today
    plan, result = import_apply.apply(sheet(rows), "status.xlsx")
    db.session.commit()
    assert result.updated == 2
    periods = lambda ent: [(p.added_on, p.removed_on) for p in db.session.scalars(
        select(ListPeriod).where(ListPeriod.enterprise_id == ent.id).order_by(ListPeriod.added_on))]
    assert periods(listed) == [(date(2024, 1, 1), date(2026, 11, 1))]
    assert periods(gone) == [(date(2023, 1, 1), date(2025, 1, 1)), (date(2026, 11, 24), None)]
    ended = db.session.scalar(select(Assignment).where(Assignment.enterprise_id == listed.id))
    assert ended.end_on == date(2026, 11, 1)
    update = db.session.scalar(select(AuditEntry).where(AuditEntry.object_id == listed.id,
                                                        AuditEntry.action == "update"))
    assert update.changes["removed_on"] == [None, "2026-11-01"]
    assert update.changes["liaisons"] == [[f"{users[Role.LIAISON].name}（主要）"], []]


def test_list_dates_that_contradict_history_are_reported(app, users, town):
    enterprise(town, credit_code=A, listed_on=date(2023, 1, 1), removed_on=date(2025, 1, 1))
    enterprise(town, credit_code=B, listed_on=date(2024, 6, 1))
    rows = [{"企业名称": "甲", "统一社会信用代码": A, "列入日期": "2024-01-01"},
            {"企业名称": "乙", "统一社会信用代码": B, "列入日期": "2024-06-01", "移出日期": "2024-05-01"},
            {"企业名称": "丙", "统一社会信用代码": C, "所属乡镇": "城桥镇", "移出日期": "2025-01-01"}]
    _plan, report = check(sheet(rows), "x.xlsx")
    assert [str(p) for p in report.problems] == [
        "第2行 [列入日期] 该企业已于 2025-01-01 移出清单；重新列入时，列入日期不能早于移出日期（或留空表示今天）",
        "第3行 [移出日期] 移出日期不能早于列入日期",
        "第4行 [列入日期] 填写了移出日期时须填写列入日期",
    ]
