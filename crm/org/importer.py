"""The district's organisation workbook: sheets 乡镇园区, 部门 and 用户, applied all or nothing."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.auth.accounts import AccountError, create_user, update_user
from crm.auth.models import User
from crm.auth.roles import Role, parse_role
from crm.db import db
from crm.imports import ImportRejected, ImportReport
from crm.org.models import Department, Town
from crm.spreadsheets import Row, Spreadsheet, SpreadsheetError, halfwidth, read_rows

SHEET_TOWNS = "乡镇园区"
SHEET_DEPARTMENTS = "部门"
SHEET_USERS = "用户"
USER_COLUMNS = ["登录名", "姓名", "角色", "所属乡镇", "所属部门", "手机"]
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LOGIN = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
ROLE_SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass
class UserRow:
    row: int
    login: str
    name: str
    roles: set[Role]
    town_key: str
    department_key: str
    mobile: str


@dataclass
class OrgPlan:
    towns: list[tuple[int, str, str]] = field(default_factory=list)        # row, code, name
    departments: list[tuple[int, str, str]] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)


@dataclass
class OrgImportResult:
    towns_created: int = 0
    towns_updated: int = 0
    departments_created: int = 0
    departments_updated: int = 0
    users_updated: int = 0
    #: (login, name, one-time password) for each new user: shown once, never stored in clear.
    new_users: list[tuple[str, str, str]] = field(default_factory=list)


def check(data: bytes, filename: str) -> tuple[OrgPlan, ImportReport]:
    """Read and check every row of the workbook without changing anything."""
    book = Spreadsheet(data, filename)
    names = book.sheet_names()
    report = ImportReport()
    plan = OrgPlan()
    for sheet in (SHEET_TOWNS, SHEET_DEPARTMENTS, SHEET_USERS):
        if sheet not in names:
            raise SpreadsheetError(
                _("工作簿缺少工作表“%(sheet)s”（应有：乡镇园区、部门、用户）。", sheet=sheet)
            )
    plan.towns = _code_name_rows(book, SHEET_TOWNS, report)
    plan.departments = _code_name_rows(book, SHEET_DEPARTMENTS, report)
    _header, rows = read_rows(book, USER_COLUMNS[:3], sheet=SHEET_USERS)
    town_keys = _known_keys(Town, plan.towns)
    department_keys = _known_keys(Department, plan.departments)
    seen: dict[str, int] = {}
    for row in rows:
        user_row = _user_row(row, report, town_keys, department_keys, seen)
        if user_row is not None:
            plan.users.append(user_row)
    return plan, report


def _code_name_rows(book: Spreadsheet, sheet, report) -> list[tuple[int, str, str]]:
    _header, rows = read_rows(book, ["代码", "名称"], sheet=sheet)
    out, codes, names = [], {}, {}
    for row in rows:
        code, name = row.get("代码"), row.get("名称")
        if not code:
            report.add(row.number, "代码", _("代码不能为空"), sheet)
        elif len(code) > 20:
            report.add(row.number, "代码", _("代码不能超过20个字符"), sheet)
        elif code in codes:
            report.add(row.number, "代码", _("代码“%(code)s”与第%(row)d行重复", code=code, row=codes[code]), sheet)
        if not name:
            report.add(row.number, "名称", _("名称不能为空"), sheet)
        elif len(name) > 100:
            report.add(row.number, "名称", _("名称不能超过100个字符"), sheet)
        elif name in names:
            report.add(row.number, "名称", _("名称“%(name)s”与第%(row)d行重复", name=name, row=names[name]), sheet)
        codes.setdefault(code, row.number)
        names.setdefault(name, row.number)
        out.append((row.number, code, name))
    return out


def _known_keys(model, rows) -> set[str]:
    """Codes and names a user row may refer to: those in the database plus those in the file."""
    keys = set()
    for code, name in db.session.execute(select(model.code, model.name)):
        keys.update((code, name))
    for _row, code, name in rows:
        keys.update((code, name))
    return keys


def _user_row(row: Row, report, town_keys, department_keys, seen) -> Optional[UserRow]:
    sheet = SHEET_USERS
    before = len(report.problems)
    login, name = row.get("登录名"), row.get("姓名")
    if not LOGIN.match(login):
        report.add(row.number, "登录名", _("登录名应为2-64位字母、数字或 _ . @ -"), sheet)
    elif login.lower() in seen:
        report.add(row.number, "登录名", _("登录名与第%(row)d行重复", row=seen[login.lower()]), sheet)
    seen.setdefault(login.lower(), row.number)
    if not name:
        report.add(row.number, "姓名", _("姓名不能为空"), sheet)
    roles: set[Role] = set()
    for part in filter(None, ROLE_SPLIT.split(row.get("角色"))):
        try:
            roles.add(parse_role(part))
        except ValueError:
            report.add(row.number, "角色", _("未知角色“%(role)s”", role=part), sheet)
    if not row.get("角色"):
        report.add(row.number, "角色", _("角色不能为空"), sheet)
    town_key, department_key = row.get("所属乡镇"), row.get("所属部门")
    if town_key and town_key not in town_keys:
        report.add(row.number, "所属乡镇", _("未知乡镇/园区“%(v)s”", v=town_key), sheet)
    if department_key and department_key not in department_keys:
        report.add(row.number, "所属部门", _("未知部门“%(v)s”", v=department_key), sheet)
    if Role.TOWN in roles and not town_key:
        report.add(row.number, "所属乡镇", _("乡镇/园区角色必须指定所属乡镇"), sheet)
    if Role.DEPARTMENT in roles and not department_key:
        report.add(row.number, "所属部门", _("承办部门角色必须指定所属部门"), sheet)
    mobile = halfwidth(row.get("手机"))
    if mobile and not MOBILE.match(mobile):
        report.add(row.number, "手机", _("手机号码应为11位大陆手机号"), sheet)
    if len(report.problems) > before:
        return None
    return UserRow(row.number, login, name, roles, town_key, department_key, mobile)


def apply(data: bytes, filename: str) -> OrgImportResult:
    """Check, then apply everything in the current transaction; ImportRejected if any row is bad."""
    plan, report = check(data, filename)
    if not report.ok:
        raise ImportRejected(report.problems)
    result = OrgImportResult()
    towns = _upsert(Town, plan.towns, result, "towns")
    departments = _upsert(Department, plan.departments, result, "departments")
    for row in plan.users:
        town = towns.get(row.town_key) if row.town_key else None
        department = departments.get(row.department_key) if row.department_key else None
        existing = db.session.scalar(select(User).where(func.lower(User.login) == row.login.lower()))
        try:
            if existing is None:
                user, otp = create_user(row.login, row.name, row.roles, town=town,
                                        department=department, mobile=row.mobile or None)
                result.new_users.append((user.login, user.name, otp or ""))
            else:
                update_user(existing, name=row.name, roles=row.roles, town=town,
                            department=department, mobile=row.mobile or None,
                            reason=_("组织架构导入"))
                result.users_updated += 1
        except AccountError as exc:
            raise ImportRejected(_rejection(row.row, str(exc))) from exc
    db.session.flush()
    return result


def _rejection(row: int, message: str):
    report = ImportReport()
    report.add(row, "登录名", message, SHEET_USERS)
    return report.problems


def _upsert(model, rows, result: OrgImportResult, kind: str) -> dict[str, object]:
    from crm.audit import record

    by_key: dict[str, object] = {}
    for obj in db.session.scalars(select(model)):
        by_key[obj.code] = obj
        by_key[obj.name] = obj
    for _row, code, name in rows:
        obj = db.session.scalar(select(model).where(model.code == code))
        if obj is None:
            obj = model(code=code, name=name)
            db.session.add(obj)
            db.session.flush()
            record("create", kind[:-1], obj.id, changes={"code": code, "name": name})
            setattr(result, f"{kind}_created", getattr(result, f"{kind}_created") + 1)
        elif obj.name != name:
            record("update", kind[:-1], obj.id, changes={"name": [obj.name, name]})
            obj.name = name
            setattr(result, f"{kind}_updated", getattr(result, f"{kind}_updated") + 1)
        by_key[code] = obj
        by_key[name] = obj
    db.session.flush()
    return by_key
