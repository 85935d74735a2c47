"""The list page's search, filters and sort, read from the query string.

The same filter drives the list, the bulk assignment and the export, so "export what I see"
and "assign all of these" act on exactly the rows on screen.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from typing import Mapping, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, not_, or_, select

from crm.enterprises.credit_code import ALPHABET, clean as clean_code
from crm.enterprises.industries import INDUSTRY_SECTIONS
from crm.enterprises.models import Enterprise, Level, enterprise_tags
from crm.enterprises.queries import (assigned_to, contact_name_matches, contact_phone_matches, listed_on,
                                     without_liaison_on)
from crm.org.models import Town

STATUSES = {"listed": _l("在册"), "removed": _l("已移出"), "all": _l("全部")}
SORTS = {
    "name": _l("按企业名称"),
    "town": _l("按属地"),
    "code": _l("按信用代码"),
    "updated": _l("最近更新"),
}
_CODE_LIKE = re.compile(f"^[{ALPHABET}]{{4,18}}$")
_LIKE_SPECIAL = re.compile(r"([\\%_])")


def _int(value: Optional[str]) -> Optional[int]:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _like(text: str) -> str:
    return "%" + _LIKE_SPECIAL.sub(r"\\\1", text) + "%"


@dataclass
class EnterpriseFilter:
    q: str = ""
    town: Optional[int] = None
    level: str = ""
    industry: str = ""
    tag: Optional[int] = None
    liaison: Optional[int] = None
    status: str = "listed"
    no_liaison: bool = False
    sort: str = "name"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "EnterpriseFilter":
        """Unknown or malformed values fall back to "no filter": a bad link never errors."""
        level = args.get("level", "")
        industry = args.get("industry", "")
        status = args.get("status", "listed")
        sort = args.get("sort", "name")
        return cls(
            q=(args.get("q") or "").strip()[:100],
            town=_int(args.get("town")),
            level=level if level in {lv.value for lv in Level} else "",
            industry=industry if industry in INDUSTRY_SECTIONS else "",
            tag=_int(args.get("tag")),
            liaison=_int(args.get("liaison")),
            status=status if status in STATUSES else "listed",
            no_liaison=args.get("no_liaison") in ("1", "on", "true"),
            sort=sort if sort in SORTS else "name",
        )

    def to_args(self) -> dict[str, str]:
        """The query-string form, without defaults (for links and hidden fields)."""
        default = EnterpriseFilter()
        out = {}
        for key, value in asdict(self).items():
            if value != getattr(default, key) and value not in (None, ""):
                out[key] = "1" if value is True else str(value)
        return out

    @property
    def active(self) -> bool:
        """Whether anything narrows the list beyond the default view."""
        return any(k != "sort" for k in self.to_args())

    def select(self, user, today: date) -> Select:
        """The enterprises `user` may see that pass this filter, sorted, joined to Town."""
        from crm.permissions import scope_enterprises

        stmt = select(Enterprise).join(Enterprise.town)
        return self.apply(scope_enterprises(stmt, user, today), today, user)

    def apply(self, stmt: Select, today: date, user=None) -> Select:
        """Narrow and sort a select(Enterprise) that already joins Town, searching as `user`
        (None: the server's operator on the command line, who reads every number)."""
        if self.q:
            stmt = stmt.where(self._search_condition(user, today))
        if self.town:
            stmt = stmt.where(Enterprise.town_id == self.town)
        if self.level:
            stmt = stmt.where(Enterprise.level == self.level)
        if self.industry:
            stmt = stmt.where(Enterprise.industry == self.industry)
        if self.tag:
            stmt = stmt.where(exists().where(enterprise_tags.c.enterprise_id == Enterprise.id,
                                             enterprise_tags.c.tag_id == self.tag))
        if self.liaison:
            stmt = stmt.where(assigned_to(self.liaison, today))
        if self.no_liaison:
            # A coverage gap only exists for a listed enterprise, whatever the status filter says.
            stmt = stmt.where(without_liaison_on(today))
        elif self.status == "listed":
            stmt = stmt.where(listed_on(today))
        elif self.status == "removed":
            stmt = stmt.where(not_(listed_on(today)))
        return stmt.order_by(*self._order())

    def _search_condition(self, user, today: date):
        from crm.permissions import contact_search_condition

        like = _like(self.q)
        phone = _like(unicodedata.normalize("NFKC", self.q).replace(" ", ""))
        if user is None:
            contacts = or_(contact_name_matches(like), contact_phone_matches(phone))
        else:
            # What a masked number hides is no search key for its reader (crm.permissions).
            contacts = contact_search_condition(user, like, phone, today)
        conditions = [Enterprise.name.ilike(like, escape="\\"), contacts]
        code = clean_code(self.q)
        if _CODE_LIKE.match(code):
            conditions.append(Enterprise.credit_code.like(_like(code), escape="\\"))
        return or_(*conditions)

    def _order(self):
        if self.sort == "town":
            return [Town.code, Enterprise.name, Enterprise.id]
        if self.sort == "code":
            return [Enterprise.credit_code]
        if self.sort == "updated":
            return [Enterprise.updated_at.desc(), Enterprise.id.desc()]
        return [Enterprise.name, Enterprise.id]

