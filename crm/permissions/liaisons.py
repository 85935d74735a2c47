"""What a user sees of another official: which of a liaison's enterprises, and whose phone number.

A liaison page (or a report row) is about another principal's records: it lists only the
enterprises the viewer may see (`crm.permissions.enterprises.enterprise_condition`), and
counts over those alone. Officials' mobile numbers fall under rule 11 (privacy): the
commission and admins call any liaison, a town coordinator the liaisons of their own town;
everybody else sees the number masked.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Collection, Optional

from sqlalchemy import select

from crm.auth.roles import Role
from crm.clock import business_today
from crm.db import db
from crm.enterprises.contacts import mask_phone
from crm.enterprises.models import Assignment, Enterprise
from crm.permissions.enterprises import enterprise_condition
from crm.permissions.roles import sees_everything, supervises


def liaison_enterprise_ids(viewer, liaison_ids: Collection[int],
                           today: Optional[date] = None) -> Optional[list[int]]:
    """The enterprises ever assigned to these liaisons that `viewer` may see, for the coverage
    engine's `enterprise_ids` filter; None when the viewer sees them all (district-wide roles)."""
    if sees_everything(viewer):
        return None
    ids = list(liaison_ids)
    if not ids:
        return []
    stmt = select(Enterprise.id).where(
        Enterprise.id.in_(select(Assignment.enterprise_id).where(Assignment.liaison_id.in_(ids))),
        enterprise_condition(viewer, today or business_today()),
    )
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class LiaisonPhones:
    """Whose mobile numbers a viewer sees in full: every official's, one town's, or nobody's."""

    everyone: bool = False
    town_id: Optional[int] = None

    @property
    def any(self) -> bool:
        """Whether some number can be shown in full (a phone column is worth its place)."""
        return self.everyone or self.town_id is not None

    def visible(self, official_town_id: Optional[int]) -> bool:
        return self.everyone or (self.town_id is not None and official_town_id == self.town_id)

    def shown(self, official_town_id: Optional[int], mobile: Optional[str]) -> str:
        """The number as this viewer may read it: in full, or 138****5678."""
        if not mobile:
            return ""
        return mobile if self.visible(official_town_id) else mask_phone(mobile)


def liaison_phones(viewer) -> LiaisonPhones:
    """The one rule for officials' phones, used by liaison pages, reports and their exports."""
    if supervises(viewer):
        return LiaisonPhones(everyone=True)
    if viewer.has_role(Role.TOWN) and viewer.town_id is not None:
        return LiaisonPhones(town_id=viewer.town_id)
    return LiaisonPhones()


def can_see_liaison_phone(viewer, official) -> bool:
    return liaison_phones(viewer).visible(official.town_id)


def liaison_phone(viewer, official) -> str:
    """`official`'s mobile number as `viewer` may read it."""
    return liaison_phones(viewer).shown(official.town_id, official.mobile)
