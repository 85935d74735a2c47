"""What a checked key-list import would do: one RowPlan per clean row, gathered in an ImportPlan.

The checker (importer) builds them, import_diff fills in the changes, import_apply writes them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from crm.auth.models import User
from crm.enterprises.import_lookups import Known
from crm.enterprises.models import Tag
from crm.enterprises.records import ContactData
from crm.org.models import Town


@dataclass
class RowPlan:
    """One row, checked. None means "leave as it is" for an existing enterprise."""

    row: int
    code: str
    name: str
    existing: Optional[Known]
    town: Optional[Town] = None
    level: Optional[str] = None
    industry: Optional[str] = None
    address: Optional[str] = None
    tags: Optional[list[Tag]] = None
    contacts: Optional[list[ContactData]] = None
    liaisons: Optional[list[tuple[User, str]]] = None
    added_on: Optional[date] = None
    removed_on: Optional[date] = None
    #: What happens to the key-list periods: "add", "remove", "correct", "relist" or None.
    listing: Optional[str] = None
    #: Field -> [before, after] for an existing enterprise (filled by import_apply.describe).
    changes: dict = field(default_factory=dict)


@dataclass
class ImportPlan:
    filename: str
    today: date
    rows: list[RowPlan] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def new(self) -> list[RowPlan]:
        return [r for r in self.rows if r.existing is None]

    @property
    def changed(self) -> list[RowPlan]:
        return [r for r in self.rows if r.existing is not None and r.changes]

    @property
    def unchanged(self) -> list[RowPlan]:
        return [r for r in self.rows if r.existing is not None and not r.changes]
