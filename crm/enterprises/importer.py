"""Checking a key-list spreadsheet row by row: every problem found, nothing changed.

check() reads the file, loads every lookup once (towns, tags, liaisons, the enterprises whose
codes appear) and turns each row into a RowPlan (crm.enterprises.import_plan), or into problems naming row, column and
reason. import_apply.apply_plan() then writes a clean plan in one transaction.

A blank cell leaves an existing enterprise's value unchanged (a sheet without contacts does
not wipe them). The list status is what the row says: listed, unless 移出日期 is filled.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

from flask_babel import gettext as _

from crm.auth.models import User
from crm.enterprises import workbook as wb
from crm.enterprises.contacts import normalize_email, normalize_phone
from crm.enterprises.credit_code import normalize as normalize_code
from crm.clock import business_today
from crm.enterprises.import_diff import describe
from crm.enterprises.import_lookups import Known, Lookups
from crm.enterprises.import_plan import ImportPlan, RowPlan
from crm.enterprises.models import Level, Tag
from crm.enterprises.records import ContactData
from crm.enterprises.sheet_reader import read_sheet
from crm.imports import ImportReport
from crm.org.models import Town
from crm.spreadsheets import Row, halfwidth

_FORMULA_ERROR = re.compile(r"^#(N/A|NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|GETTING_DATA|SPILL!|CALC!)$")
MAX_LENGTHS = {wb.NAME: 200, wb.ADDRESS: 300}


def check(data: bytes, filename: str, user=None, today: Optional[date] = None) -> tuple[ImportPlan, ImportReport]:
    """Every problem of the file (SpreadsheetError if it cannot be read at all) and the plan."""
    today = today or business_today()
    sheet = read_sheet(data, filename)
    report = ImportReport()
    plan = ImportPlan(filename=filename, today=today, columns=sheet.columns,
                      ignored_columns=sheet.ignored)
    codes = {}
    for row in sheet.rows:
        try:
            codes[row.number] = normalize_code(row.get(wb.CODE))
        except ValueError:
            pass
    lookups = Lookups(codes.values(), user, today)
    first_row_of: dict[str, int] = {}
    for row in sheet.rows:
        checker = RowChecker(row, sheet.columns, lookups, report)
        row_plan = checker.check(codes.get(row.number), first_row_of)
        if row_plan is not None:
            describe(row_plan, lookups)
            plan.rows.append(row_plan)
    report.problems.sort(key=lambda p: (p.row, _column_order(p.column)))
    return plan, report


def _column_order(column: str) -> int:
    return wb.COLUMNS.index(column) if column in wb.COLUMNS else len(wb.COLUMNS)


class RowChecker:
    """The checks of one row; each problem is added to the report, the row then yields no plan."""

    def __init__(self, row: Row, columns: list[str], lookups: Lookups, report: ImportReport):
        self.row, self.columns, self.lookups, self.report = row, columns, lookups, report
        self.failed = False

    def problem(self, column: str, message: str) -> None:
        self.report.add(self.row.number, column, message)
        self.failed = True

    def cell(self, column: str) -> Optional[str]:
        """The cell text; None when the column is absent or the cell holds a formula error."""
        if column not in self.columns:
            return None
        value = self.row.get(column)
        if _FORMULA_ERROR.match(value.strip()):
            self.problem(column, _("单元格是公式错误值（%(v)s），请改为实际内容", v=value))
            return None
        return value

    def check(self, code: Optional[str], first_row_of: dict[str, int]) -> Optional[RowPlan]:
        name = self._name()
        code = self._code(code, first_row_of)
        existing = self.lookups.existing.get(code) if code else None
        if existing is not None and not self.lookups.may_edit(existing):
            self.problem(wb.CODE, _("该企业属于“%(town)s”，您无权修改", town=existing.town_name))
            return None
        plan = RowPlan(row=self.row.number, code=code or "", name=name or "", existing=existing)
        plan.town = self._town(existing, code_known=code is not None)
        plan.level = self._parsed(wb.LEVEL, wb.parse_level)
        plan.industry = self._parsed(wb.INDUSTRY, lambda v: wb.parse_industry(v, self.lookups.industries))
        plan.address = self._text(wb.ADDRESS)
        plan.tags = self._tags(existing)
        plan.contacts = self._contacts()
        plan.liaisons = self._liaisons(existing)
        plan.added_on = self._date(wb.ADDED_ON)
        plan.removed_on = self._date(wb.REMOVED_ON)
        self._listing(plan)
        if existing is None and plan.level is None:
            plan.level = Level.TOWN.value
        return None if self.failed else plan

    def _name(self) -> Optional[str]:
        name = self.cell(wb.NAME)
        if name is not None and not name:
            self.problem(wb.NAME, _("企业名称不能为空"))
        elif name and len(name) > MAX_LENGTHS[wb.NAME]:
            self.problem(wb.NAME, _("企业名称不能超过%(n)d个字", n=MAX_LENGTHS[wb.NAME]))
        return name

    def _code(self, code: Optional[str], first_row_of: dict[str, int]) -> Optional[str]:
        raw = self.cell(wb.CODE)
        if raw is None:
            return None
        if code is None:
            try:
                normalize_code(raw)
            except ValueError as exc:
                self.problem(wb.CODE, str(exc))
            return None
        if code in first_row_of:
            self.problem(wb.CODE, _("统一社会信用代码与第%(row)d行重复", row=first_row_of[code]))
            return None
        first_row_of[code] = self.row.number
        return code

    def _text(self, column: str) -> Optional[str]:
        value = self.cell(column)
        if not value:
            return None
        if column in MAX_LENGTHS and len(value) > MAX_LENGTHS[column]:
            self.problem(column, _("不能超过%(n)d个字", n=MAX_LENGTHS[column]))
        return value

    def _parsed(self, column: str, parse):
        value = self.cell(column)
        if not value:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None

    def _town(self, existing: Optional[Known], code_known: bool) -> Optional[Town]:
        value = self.cell(wb.TOWN)
        if not value:
            if existing is None and code_known:
                self.problem(wb.TOWN, _("新企业须填写所属乡镇/园区"))
            return None
        town = self.lookups.towns.get(value) or self.lookups.towns.get(halfwidth(value).upper())
        if town is None:
            self.problem(wb.TOWN, _("未知乡镇/园区“%(v)s”", v=value))
            return None
        if not town.active and (existing is None or existing.town_id != town.id):
            self.problem(wb.TOWN, _("乡镇/园区“%(v)s”已停用", v=value))
            return None
        if not self.lookups.may_use_town(town):
            mine = self.lookups.user.town.name if self.lookups.user.town else ""
            self.problem(wb.TOWN, _("只能导入本乡镇/园区（%(mine)s）的企业，不能导入“%(v)s”",
                                    mine=mine, v=value))
            return None
        return town

    def _tags(self, existing: Optional[Known]) -> Optional[list[Tag]]:
        value = self.cell(wb.TAGS)
        if not value:
            return None
        had = existing.tag_ids if existing is not None else set()
        tags: list[Tag] = []
        for name in wb.split_list(value):
            tag = self.lookups.tags.get(name)
            if tag is None:
                self.problem(wb.TAGS, _("未知标签“%(v)s”（标签须先由管理员在标签管理中添加）", v=name))
            elif not tag.active and tag.id not in had:
                self.problem(wb.TAGS, _("标签“%(v)s”已停用", v=name))
            elif tag not in tags:
                tags.append(tag)
        return tags

    def _contacts(self) -> Optional[list[ContactData]]:
        cells = {c: self.cell(c) for c in (wb.CONTACT, wb.TITLE, wb.PHONE, wb.EMAIL)}
        if not any(cells.values()):
            return None
        parts = {c: wb.split_contacts(v or "") for c, v in cells.items()}
        names = parts[wb.CONTACT]
        if not names:
            self.problem(wb.CONTACT, _("填写了职务、电话或邮箱，但没有填写联系人姓名"))
            return None
        for column in (wb.TITLE, wb.PHONE, wb.EMAIL):
            if len(parts[column]) > len(names):
                self.problem(column, _("有%(a)d项，多于联系人（%(b)d人）；多个联系人请用“；”分隔并按顺序对应",
                                       a=len(parts[column]), b=len(names)))
                return None
        contacts = []
        for i, name in enumerate(names):
            title, phone, email = (parts[c][i] if i < len(parts[c]) else ""
                                   for c in (wb.TITLE, wb.PHONE, wb.EMAIL))
            if not name:
                self.problem(wb.CONTACT, _("第%(i)d位联系人的姓名为空", i=i + 1))
                continue
            if len(name) > 64 or len(title) > 64:
                self.problem(wb.CONTACT, _("联系人姓名和职务不能超过64个字"))
            try:
                phone = normalize_phone(phone)
            except ValueError as exc:
                self.problem(wb.PHONE, str(exc))
            try:
                email = normalize_email(email)
            except ValueError as exc:
                self.problem(wb.EMAIL, str(exc))
            contacts.append(ContactData(name, title, phone, email))
        return contacts

    def _liaisons(self, existing: Optional[Known]) -> Optional[list[tuple[User, str]]]:
        value = self.cell(wb.LIAISON)
        if not value:
            return None
        current = [self.lookups.users[a.liaison_id]
                   for a in existing.current_assignments(self.lookups.today)] if existing else []
        tokens = [wb.parse_liaison_token(t) for t in wb.split_list(value)]
        users: list[User] = []
        for label, _mark in tokens:
            user = self._find_liaison(label, current)
            if user is None:
                continue
            if user in users:
                self.problem(wb.LIAISON, _("包保责任人“%(v)s”重复", v=label))
            users.append(user)
        if len(users) != len(tokens):
            return None
        roles = wb.assign_roles([mark for _label, mark in tokens])
        wanted = list(zip(users, roles))
        if roles.count("primary") > 1:
            now = sorted((a.liaison_id, a.role) for a in existing.current_assignments(self.lookups.today)) \
                if existing else []
            if sorted((u.id, r) for u, r in wanted) != now:
                self.problem(wb.LIAISON, _("主要包保责任人只能有一位，其余请标注“（协助）”"))
        return wanted

    def _find_liaison(self, label: str, current: list[User]) -> Optional[User]:
        key = label.lower()
        for user in current:  # already assigned: always recognised, even if out of scope now
            if user.login.lower() == key or user.name == label:
                return user
        user = self.lookups.by_login.get(key)
        if user is None:
            same_name = self.lookups.by_name.get(label, [])
            if len(same_name) > 1:
                self.problem(wb.LIAISON, _("姓名“%(v)s”对应%(n)d名包保责任人，请改填登录名",
                                           v=label, n=len(same_name)))
                return None
            user = same_name[0] if same_name else None
        if user is None:
            self.problem(wb.LIAISON, _("未知包保责任人“%(v)s”（请填写已启用的包保责任人的登录名或姓名）", v=label))
            return None
        if self.lookups.assignable is not None and user.id not in self.lookups.assignable:
            self.problem(wb.LIAISON, _("无权指派包保责任人“%(v)s”（不属于本乡镇/园区）", v=label))
            return None
        return user

    def _date(self, column: str) -> Optional[date]:
        value = self._parsed(column, wb.parse_date)
        if value is None:
            return None
        if not 1990 <= value.year <= 2100:
            self.problem(column, _("日期“%(v)s”超出合理范围", v=value.isoformat()))
            return None
        if value > self.lookups.today:
            self.problem(column, _("日期不能晚于今天（%(d)s）", d=self.lookups.today.isoformat()))
            return None
        return value

    def _listing(self, plan: RowPlan) -> None:
        """The row's list status must fit the enterprise's history (periods never overlap)."""
        added, removed, ent = plan.added_on, plan.removed_on, plan.existing
        if added and removed and removed < added:
            self.problem(wb.REMOVED_ON, _("移出日期不能早于列入日期"))
            return
        latest = ent.latest_period if ent is not None else None
        if latest is None:
            if removed and not added:
                self.problem(wb.ADDED_ON, _("填写了移出日期时须填写列入日期"))
            plan.listing = "add"
            return
        open_period = ent.open_period
        earlier = [p for p in ent.list_periods if p is not latest]
        floor = max((p.removed_on for p in earlier if p.removed_on), default=None)
        if open_period is not None:
            start = added or open_period.added_on
            if floor and start < floor:
                self.problem(wb.ADDED_ON, _("列入日期不能早于上次移出日期（%(d)s）", d=floor.isoformat()))
            elif removed and removed < start:
                self.problem(wb.REMOVED_ON, _("移出日期不能早于列入日期（%(d)s）", d=start.isoformat()))
            plan.listing = "remove" if removed else ("correct" if start != open_period.added_on else None)
        elif removed:
            if removed != latest.removed_on or (added and added != latest.added_on):
                self.problem(wb.REMOVED_ON, _(
                    "该企业已于 %(d)s 移出清单（列入日期 %(a)s），表中的日期与之不符",
                    d=latest.removed_on.isoformat(), a=latest.added_on.isoformat()))
        elif added and added < latest.removed_on:
            self.problem(wb.ADDED_ON, _(
                "该企业已于 %(d)s 移出清单；重新列入时，列入日期不能早于移出日期（或留空表示今天）",
                d=latest.removed_on.isoformat()))
        else:
            plan.listing = "relist"


def count_problem_rows(report: ImportReport) -> int:
    return len({p.row for p in report.problems})
