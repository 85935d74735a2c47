"""What a checked import row would change on an enterprise already in the database.

The preview lists these changes; apply writes exactly them, and the audit row records them
as field -> [before, after].
"""
from __future__ import annotations

from datetime import date

from crm.enterprises.import_lookups import Known, Lookups
from crm.enterprises.import_plan import RowPlan
from crm.enterprises.workbook import ROLE_MARKS


def liaison_labels(pairs) -> list[str]:
    """(name, role) pairs as the history shows them: 王伟（主要）, primary first."""
    return [name + ROLE_MARKS[role] for name, role in sorted(pairs, key=lambda p: (p[1] != "primary", p[0]))]


def _current_pairs(ent: Known, today: date) -> list[tuple[int, str]]:
    return sorted((a.liaison_id, a.role) for a in ent.current_assignments(today))


def describe(plan: RowPlan, lookups: Lookups) -> None:
    """Fill plan.changes with field -> [before, after] for an existing enterprise."""
    ent = plan.existing
    if ent is None:
        return
    changes: dict = {}

    def compare(key, before, after):
        if after is not None and before != after:
            changes[key] = [before, after]

    compare("name", ent.name, plan.name or None)
    compare("town", ent.town_name, plan.town.name if plan.town else None)
    compare("level", ent.level, plan.level)
    compare("industry", ent.industry, plan.industry)
    compare("address", ent.address, plan.address)
    if plan.tags is not None:
        compare("tags", sorted(ent.tag_names), sorted(t.name for t in plan.tags))
    if plan.contacts is not None:
        compare("contacts", ent.contacts, [c.as_dict() for c in plan.contacts])
    today = lookups.today
    if plan.listing == "remove":
        changes["removed_on"] = [None, plan.removed_on]
    if plan.listing in ("remove", "correct") and plan.added_on and plan.added_on != ent.open_period.added_on:
        changes["added_on"] = [ent.open_period.added_on, plan.added_on]
    if plan.listing in ("relist", "add"):
        changes["relisted_on"] = [None, plan.added_on or today]
        if plan.removed_on:
            changes["removed_on"] = [None, plan.removed_on]
    if plan.listing == "remove" and ent.current_assignments(plan.removed_on):
        # Leaving the list ends the liaisons too, as on the enterprise page.
        before = [(lookups.users[a.liaison_id].name, a.role) for a in ent.current_assignments(plan.removed_on)]
        changes["liaisons"] = [liaison_labels(before), []]
    elif plan.liaisons is not None:
        wanted = sorted((u.id, role) for u, role in plan.liaisons)
        if wanted != _current_pairs(ent, today):
            before = [(lookups.users[a.liaison_id].name, a.role) for a in ent.current_assignments(today)]
            after = [(u.name, role) for u, role in plan.liaisons]
            changes["liaisons"] = [liaison_labels(before), liaison_labels(after)]
    plan.changes = changes
