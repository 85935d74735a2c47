"""Loading a year's schedule: the CLI, the admin page, and recomputing provisional deadlines."""
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from crm.auth.roles import Role
from crm.calendar.models import CalendarOverride, CalendarYear
from crm.calendar.store import current_calendar, invalidate
from crm.calendar.store import add_working_days, deadline
from crm.db import db

SCHEDULE_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,workday,春节调休
"""


def test_cli_deadline_prints_provisional_across_an_unknown_year(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "calendar", "deadline", "2026-11-24", "5"])
    assert result.exit_code == 0 and result.output.strip() == "2026-12-01"
    result = runner.invoke(args=["crm", "calendar", "deadline", "2026-12-30", "3"])
    assert result.output.strip() == "2027-01-04 provisional"


def test_cli_load_marks_the_year_known_and_recomputes_provisional_deadlines(app, tmp_path, assigned_request):
    req = assigned_request(on=date(2026, 12, 30), days=3)
    assert (req.deadline, req.deadline_provisional) == (date(2027, 1, 4), True)
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["crm", "calendar", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "loaded 2027: 3 added, 0 updated, 1 provisional deadlines recomputed" in result.output
    db.session.refresh(req)
    # 1 Jan 2027 is now a holiday: Thu 31 Dec, Mon 4 Jan, Tue 5 Jan.
    assert (req.deadline, req.deadline_provisional) == (date(2027, 1, 5), False)
    assert req.rounds[-1].deadline == date(2027, 1, 4)  # history keeps what was said at the time
    invalidate()
    assert deadline(date(2027, 2, 5), 1) == (date(2027, 2, 7), False)  # make-up Sunday
    # Loading the same file again changes nothing.
    result = app.test_cli_runner().invoke(args=["crm", "calendar", "load", str(path)])
    assert "0 added, 0 updated, 0 provisional" in result.output


def test_cli_load_rejects_a_bad_file_entirely(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("2027-01-01,holiday,元旦\n2027-13-01,holiday,x\n2027-01-02,dayoff,x\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["crm", "calendar", "load", str(path)])
    assert result.exit_code != 0
    assert "第 2 行" in result.output and "第 3 行" in result.output
    assert db.session.scalar(select(func.count()).select_from(CalendarOverride)) == 0
    assert db.session.scalar(select(func.count()).select_from(CalendarYear)) == 0


def test_admin_page_uploads_a_schedule(client, users, login_as, today):
    today(date(2026, 11, 24))
    login_as(users[Role.ADMIN])
    page = client.get("/admin/calendar/").get_data(as_text=True)
    assert "尚未加载 2027 年国务院节假日安排" in page and "未知（暂定）" in page
    response = client.post("/admin/calendar/load", data={
        "file": (io.BytesIO(SCHEDULE_2027.encode("utf-8")), "2027.csv")}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已加载 2027 年：新增 3 天" in page
    assert "尚未加载 2027 年" not in page
    assert current_calendar().is_working_day(date(2027, 1, 1)) is False


def test_admin_page_shows_file_problems_next_to_the_field(client, users, login_as):
    login_as(users[Role.ADMIN])
    response = client.post("/admin/calendar/load", data={
        "file": (io.BytesIO("2027-01-01,vacation,x\n".encode("utf-8")), "x.csv")})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "文件有错误，未导入任何日期。" in page and "类型“vacation”无法识别" in page


def test_admin_sets_and_deletes_a_single_day(client, users, login_as):
    login_as(users[Role.ADMIN])
    response = client.post("/admin/calendar/overrides", data={
        "one-day": "2026-12-25", "one-kind": "holiday", "one-name": "临时调整"}, follow_redirects=True)
    assert "已保存 2026-12-25 的设置。" in response.get_data(as_text=True)
    assert add_working_days(date(2026, 12, 24), 1, current_calendar()) == date(2026, 12, 28)
    override = db.session.scalar(select(CalendarOverride))
    client.post(f"/admin/calendar/overrides/{override.id}/delete")
    invalidate()
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 25)


@pytest.mark.parametrize("role", [Role.COMMISSION, Role.DEPARTMENT, Role.LEADER])
def test_only_admins_manage_the_calendar(client, users, login_as, role):
    login_as(users[role])
    assert client.get("/admin/calendar/").status_code == 403
    assert client.post("/admin/calendar/overrides", data={"one-day": "2026-12-25",
                                                          "one-kind": "holiday"}).status_code == 403
