"""The key-list spreadsheet format shared by the import and the export.

One row per enterprise under Chinese headers. Cells holding several values use separators a
district clerk types: tags and liaisons 、, contacts ； (名字、职务、电话、邮箱 line up by
position). A liaison may carry （主要） or （协助）; without marks the first is the primary.
Export writes what import reads, so export -> import changes nothing.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Optional

from flask_babel import force_locale
from flask_babel import gettext as _

from crm.enterprises.industries import INDUSTRY_SECTIONS
from crm.enterprises.models import AssignmentRole, Level

NAME, CODE, TOWN, LEVEL, INDUSTRY, TAGS, ADDRESS = (
    "企业名称", "统一社会信用代码", "所属乡镇", "级别", "行业", "标签", "地址")
CONTACT, TITLE, PHONE, EMAIL, LIAISON, ADDED_ON = (
    "联系人", "职务", "联系电话", "邮箱", "包保责任人", "列入日期")
#: Not in the commission's own sheet, but written by the export so that an enterprise that
#: left the list comes back as "left the list" instead of being listed again.
REMOVED_ON = "移出日期"

COLUMNS = [NAME, CODE, TOWN, LEVEL, INDUSTRY, TAGS, ADDRESS, CONTACT, TITLE, PHONE, EMAIL,
           LIAISON, ADDED_ON, REMOVED_ON]
#: The headers that locate the header row (titles and notes often sit above it).
KEY_COLUMNS = [NAME, CODE]
#: Other spellings seen in district sheets -> our header.
ALIASES = {
    "统一信用代码": CODE, "社会信用代码": CODE, "信用代码": CODE,
    "乡镇": TOWN, "乡镇/园区": TOWN, "所属乡镇/园区": TOWN, "乡镇园区": TOWN, "属地": TOWN,
    "所属园区": TOWN, "企业级别": LEVEL, "行业分类": INDUSTRY, "所属行业": INDUSTRY,
    "企业标签": TAGS, "企业地址": ADDRESS, "注册地址": ADDRESS, "经营地址": ADDRESS,
    "联系人姓名": CONTACT, "联系人职务": TITLE, "手机": PHONE, "手机号": PHONE, "手机号码": PHONE,
    "电话": PHONE, "联系方式": PHONE, "电子邮箱": EMAIL, "邮件": EMAIL, "包保人": LIAISON,
    "包保责任人（登录名或姓名）": LIAISON, "服务专员": LIAISON, "列入时间": ADDED_ON,
    "移出时间": REMOVED_ON,
}

LIST_SPLIT = re.compile(r"[、,，;；/\n]+")
CONTACT_SPLIT = re.compile(r"[;；\n]")
LEVEL_WORDS = {Level.DISTRICT.value: "区级", Level.TOWN.value: "镇级"}
LEVEL_READ = {"区级": Level.DISTRICT.value, "区": Level.DISTRICT.value, "district": Level.DISTRICT.value,
              "镇级": Level.TOWN.value, "镇": Level.TOWN.value, "town": Level.TOWN.value,
              "乡镇级": Level.TOWN.value, "园区级": Level.TOWN.value}
ROLE_MARKS = {AssignmentRole.PRIMARY.value: "（主要）", AssignmentRole.ASSISTING.value: "（协助）"}
_MARK = re.compile(r"[（(]\s*(主要|主|协助|协)\s*[)）]$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = date(1899, 12, 30)


def canonical_header(text: str) -> str:
    """Our name for a header cell: full-width folded, spaces and required-marks (*) dropped."""
    key = unicodedata.normalize("NFKC", text or "")
    key = re.sub(r"[\s*＊]", "", key).replace("(", "（").replace(")", "）")
    return key if key in COLUMNS else ALIASES.get(key, key)


def industry_names() -> dict[str, str]:
    """Section letter -> Chinese name, whatever the UI language (the file is always Chinese)."""
    with force_locale("zh_Hans_CN"):
        return {letter: str(name) for letter, name in INDUSTRY_SECTIONS.items()}


def parse_industry(text: str, names: dict[str, str]) -> str:
    """"C", "制造业", "C 制造业" or "C-制造业" -> "C"; ValueError otherwise."""
    value = unicodedata.normalize("NFKC", text).strip()
    by_name = {n: letter for letter, n in names.items()}
    if value in by_name:
        return by_name[value]
    letter = value[:1].upper()
    rest = value[1:].strip(" -:：、.")
    if letter in names and (not rest or rest == names[letter]):
        return letter
    raise ValueError(_("未知行业“%(v)s”：请填写国民经济行业门类字母（A-T）或名称，如“C”或“制造业”", v=text))


def parse_level(text: str) -> str:
    value = LEVEL_READ.get(unicodedata.normalize("NFKC", text).strip().lower())
    if value is None:
        raise ValueError(_("级别应为“区级”或“镇级”，不能是“%(v)s”", v=text))
    return value


def parse_date(text: str) -> date:
    """2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105, or an Excel serial number."""
    value = unicodedata.normalize("NFKC", text).strip()
    match = _DATE.match(value) or _COMPACT_DATE.match(value)
    try:
        if match:
            return date(*(int(part) for part in match.groups()))
        if value.isdigit() and 20000 <= int(value) <= 80000:  # a date cell stored as a number
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    raise ValueError(_("日期“%(v)s”无法识别，请写成 2024-01-05 的格式", v=text))


def split_list(text: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(text or "") if part.strip()]


def split_contacts(text: str) -> list[str]:
    """Positional: "张三；；李四" keeps the empty middle value."""
    if not text:
        return []
    return [part.strip() for part in CONTACT_SPLIT.split(text)]


def parse_liaison_token(token: str) -> tuple[str, Optional[str]]:
    """"王伟（协助）" -> ("王伟", "assisting"); an unmarked name -> (name, None)."""
    match = _MARK.search(token)
    if not match:
        return token.strip(), None
    role = AssignmentRole.PRIMARY.value if match.group(1).startswith("主") else AssignmentRole.ASSISTING.value
    return token[:match.start()].strip(), role


def assign_roles(marks: list[Optional[str]]) -> list[str]:
    """Unmarked liaisons: the first is the primary unless someone is marked 主要; the rest assist."""
    primary_taken = AssignmentRole.PRIMARY.value in marks
    roles = []
    for mark in marks:
        if mark is None:
            mark = AssignmentRole.ASSISTING.value if primary_taken else AssignmentRole.PRIMARY.value
            primary_taken = True
        roles.append(mark)
    return roles


def format_liaisons(entries: list[tuple[str, str]]) -> str:
    """(label, role) pairs -> the cell text that parses back to the same roles."""
    entries = sorted(entries, key=lambda e: e[1] != AssignmentRole.PRIMARY.value)
    primaries = sum(1 for _label, role in entries if role == AssignmentRole.PRIMARY.value)
    if primaries == 1:
        return "、".join(label for label, _role in entries)
    return "、".join(label + ROLE_MARKS[role] for label, role in entries)


def format_date(value: Optional[date]) -> str:
    return value.isoformat() if value else ""
