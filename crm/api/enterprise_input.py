"""What a client may send to create or change an enterprise, turned into crm.enterprises' input.

The schemas here are the OpenAPI request bodies; `enterprise_data` resolves town codes and tag
names and fills a partial update from the stored record, so the enterprise services (the same
ones the form and the import call) always receive a complete, validated profile.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.api.errors import validation_error
from crm.api.schema import Choice, CreditCode, Date, ListOf, Schema, Str
from crm.db import db
from crm.enterprises.contacts import normalize_email, normalize_phone
from crm.enterprises.industries import INDUSTRY_SECTIONS
from crm.enterprises.models import Enterprise, Level, Tag
from crm.enterprises.records import ContactData, EnterpriseData
from crm.org.models import Town

CONTACT_INPUT = Schema("ContactInput", {
    "name": Str(64, required=True, description=_l("姓名")),
    "title": Str(64, nullable=True, description=_l("职务")),
    "mobile": Str(30, nullable=True, check=normalize_phone,
                  description=_l("手机或座机，如 13812345678、021-59612345")),
    "email": Str(120, nullable=True, check=normalize_email),
})

_FIELDS = {
    "name": Str(200, required=True, description=_l("企业名称")),
    "credit_code": CreditCode(required=True),
    "town": Str(20, required=True, description=_l("乡镇/园区代码")),
    "level": Choice([lv.value for lv in Level], default=Level.TOWN.value,
                    description=_l("district 区级，town 镇级（默认）")),
    "industry": Choice(list(INDUSTRY_SECTIONS), nullable=True,
                       description=_l("国民经济行业分类门类 A-T")),
    "address": Str(300, nullable=True),
    "notes": Str(2000, multiline=True, nullable=True),
    "tags": ListOf(Str(50), max_items=30, unique=True, description=_l("已有标签的名称")),
    "contacts": ListOf(CONTACT_INPUT, max_items=20, description=_l("联系人（修改时整体替换）")),
}

CREATE_BODY = Schema("EnterpriseCreate", {
    **_FIELDS,
    "listed_on": Date(description=_l("列入重点企业清单的日期，默认今天")),
    "listed_reason": Str(200, nullable=True, description=_l("列入原因")),
})

#: PATCH: the same fields, all optional and none defaulted (absent means unchanged).
UPDATE_BODY = Schema(None, {**_FIELDS, "reason": Str(200, nullable=True, description=_l("修改原因"))}
                     ).partial("EnterpriseUpdate")


def find_town(code: str) -> Town:
    town = db.session.scalar(select(Town).where(func.lower(Town.code) == code.lower(), Town.active))
    if town is None:
        raise validation_error({"town": _("没有代码为“%(code)s”的乡镇/园区", code=code)})
    return town


def find_tags(names: list[str]) -> list[Tag]:
    found = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names), Tag.active))}
    unknown = [n for n in names if n not in found]
    if unknown:
        raise validation_error({"tags": _("未知标签：%(names)s", names="、".join(unknown))})
    return [found[n] for n in names]


def _contacts(rows: list[dict]) -> list[ContactData]:
    return [ContactData(r["name"], r.get("title") or "", r.get("mobile") or "", r.get("email") or "")
            for r in rows]


def enterprise_data(body: dict, ent: Optional[Enterprise] = None) -> EnterpriseData:
    """The complete profile: the body's values, and for an update the stored ones it leaves out."""
    def value(key, current):
        return body[key] if key in body else current

    town = find_town(body["town"]) if "town" in body else None
    return EnterpriseData(
        name=value("name", ent.name if ent else None),
        credit_code=value("credit_code", ent.credit_code if ent else None),
        town_id=town.id if town is not None else ent.town_id,
        level=value("level", ent.level if ent else Level.TOWN.value),
        industry=value("industry", ent.industry if ent else None),
        address=value("address", ent.address if ent else None),
        notes=value("notes", ent.notes if ent else None),
        tags=find_tags(body["tags"]) if "tags" in body else list(ent.tags if ent else []),
        contacts=_contacts(body["contacts"]) if "contacts" in body else (
            [ContactData(c.name, c.title or "", c.mobile or "", c.email or "") for c in ent.contacts]
            if ent else []),
    )
