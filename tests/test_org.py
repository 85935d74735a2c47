"""Towns, departments and users: admin pages, the org workbook import, and create-user."""
import io

import pandas as pd
from sqlalchemy import func, select

from crm.audit import AuditEntry
from crm.auth.models import User
from crm.auth.roles import Role
from crm.db import db
from crm.org.models import Department, Town


def workbook(towns, departments, users) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        pd.DataFrame(towns, columns=["代码", "名称"]).to_excel(xw, sheet_name="乡镇园区", index=False)
        pd.DataFrame(departments, columns=["代码", "名称"]).to_excel(xw, sheet_name="部门", index=False)
        pd.DataFrame(users, columns=["登录名", "姓名", "角色", "所属乡镇", "所属部门", "手机"]).to_excel(
            xw, sheet_name="用户", index=False)
    return buf.getvalue()


GOOD = dict(
    towns=[["CQ", "城桥镇"], ["BZ", "堡镇"]],
    departments=[["JW", "区经委"], ["RSJ", "区人社局"]],
    users=[["wang", "王伟", "包保责任人、乡镇", "城桥镇", "", "13812345678"],
           ["li", "李娜", "department", "", "RSJ", "13912345678"],
           ["zhao", "赵敏", "区经委,区领导", "", "JW", ""]],
)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_org_command_applies_everything_and_prints_one_time_passwords(app, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(workbook(**GOOD))
    result = app.test_cli_runner().invoke(args=["crm", "import-org", str(path)])
    assert result.exit_code == 0, result.output
    assert count(Town) == 2 and count(Department) == 2 and count(User) == 3
    wang = db.session.scalar(select(User).where(User.login == "wang"))
    assert wang.roles == {Role.LIAISON, Role.TOWN} and wang.town.name == "城桥镇"
    assert wang.must_change_password
    otp_lines = [line.split("\t") for line in result.output.splitlines() if line.startswith("wang\t")]
    otp = otp_lines[0][2]
    c = app.test_client()
    assert c.post("/login", data={"login": "wang", "password": otp}).headers["Location"] == "/account/password"


def test_import_with_bad_rows_changes_nothing_and_names_each_row(app, tmp_path):
    bad = dict(GOOD)
    bad["towns"] = GOOD["towns"] + [["CQ", "重复代码镇"]]
    bad["users"] = GOOD["users"] + [
        ["qian", "钱", "巡视员", "", "", ""],
        ["sun", "孙", "乡镇", "不存在镇", "", "12345"],
    ]
    path = tmp_path / "org.xlsx"
    path.write_bytes(workbook(**bad))
    result = app.test_cli_runner().invoke(args=["crm", "import-org", str(path)])
    assert result.exit_code != 0
    out = result.output
    assert "乡镇园区 第4行 [代码]" in out
    assert "用户 第5行 [角色] 未知角色“巡视员”" in out
    assert "用户 第6行 [所属乡镇]" in out and "用户 第6行 [手机]" in out
    assert count(Town) == 0 and count(User) == 0


def test_reimport_updates_instead_of_duplicating(app, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(workbook(**GOOD))
    runner = app.test_cli_runner()
    runner.invoke(args=["crm", "import-org", str(path)])
    changed = dict(GOOD, towns=[["CQ", "城桥镇（新）"], ["BZ", "堡镇"]])
    path.write_bytes(workbook(**changed))
    result = runner.invoke(args=["crm", "import-org", str(path)])
    assert result.exit_code == 0, result.output
    assert count(Town) == 2 and count(User) == 3
    assert db.session.scalar(select(Town.name).where(Town.code == "CQ")) == "城桥镇（新）"


def test_import_page_rejects_a_file_that_is_not_a_workbook(client, users, login_as):
    login_as(users[Role.ADMIN])
    response = client.post("/admin/import", data={"file": (io.BytesIO(b"hello"), "org.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "无法读取该文件" in response.get_data(as_text=True)


def test_import_page_shows_one_time_passwords_once(client, users, login_as):
    login_as(users[Role.ADMIN])
    data = workbook(towns=[["XH", "新河镇"]], departments=[], users=[["newone", "新人", "包保责任人", "XH", "", ""]])
    response = client.post("/admin/import", data={"file": (io.BytesIO(data), "org.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "newone" in page and "一次性密码" in page


def test_create_user_command_reads_the_password_from_stdin(app, town):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "create-user", "chen", "--name", "陈静", "--role", "town",
                                 "--role", "liaison", "--town", "CQ"], input="a-good-password\n")
    assert result.exit_code == 0, result.output
    c = app.test_client()
    assert c.post("/login", data={"login": "chen", "password": "a-good-password"}).status_code == 302


def test_create_user_command_refuses_a_short_password_and_a_missing_town(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["crm", "create-user", "x1", "--name", "X", "--role", "liaison"], input="short\n")
    assert short.exit_code != 0 and "10" in short.output
    no_town = runner.invoke(args=["crm", "create-user", "x2", "--name", "X", "--role", "town"],
                            input="long-enough-pass\n")
    assert no_town.exit_code != 0 and "所属乡镇" in no_town.output
    assert count(User) == 0


def test_admin_creates_a_user_and_sees_the_one_time_password(client, users, login_as, town):
    login_as(users[Role.ADMIN])
    response = client.post("/admin/users/new", data={
        "login": "zhou", "name": "周杰", "roles": ["liaison"], "town_id": town.id, "department_id": 0,
        "mobile": "13800001111", "email": "", "active": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="otp"' in page
    assert db.session.scalar(select(User).where(User.login == "zhou")).must_change_password


def test_user_form_errors_sit_next_to_fields_and_keep_input(client, users, login_as):
    login_as(users[Role.ADMIN])
    response = client.post("/admin/users/new", data={
        "login": "bad login!", "name": "有名字", "roles": ["town"], "town_id": 0, "department_id": 0,
        "mobile": "123", "email": "not-an-email"})
    page = response.get_data(as_text=True)
    assert "登录名应为2-64位字母" in page
    assert "手机号码应为11位大陆手机号" in page
    assert "邮箱格式不正确" in page
    assert 'value="有名字"' in page and 'value="bad login!"' in page


def test_admin_deactivates_a_town_and_records_it(client, users, login_as, town):
    login_as(users[Role.ADMIN])
    client.post(f"/admin/towns/{town.id}/active")
    db.session.refresh(town)
    assert town.active is False
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "town"))
    assert entry.action == "deactivate" and entry.actor_id == users[Role.ADMIN].id


def test_duplicate_department_code_is_refused_next_to_the_field(client, users, login_as, department):
    login_as(users[Role.ADMIN])
    response = client.post("/admin/departments", data={"code": department.code, "name": "别的部门"})
    assert "代码已被使用" in response.get_data(as_text=True)
    assert count(Department) == 1


def test_user_list_query_count_does_not_grow_with_the_page(client, users, login_as, make_user, town,
                                                             count_queries):
    login_as(users[Role.ADMIN])
    with count_queries() as small:
        client.get("/admin/users?per_page=5")
    for _ in range(30):
        make_user(Role.LIAISON, town=town)
    with count_queries() as large:
        page = client.get("/admin/users?per_page=40").get_data(as_text=True)
    assert page.count("城桥镇") >= 30
    assert large.count == small.count
