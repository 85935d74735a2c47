"""What each demo seeder hands to the next: the random source, the date, and what was made."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from crm.auth.roles import Role

DEMO_PASSWORD = "demo-2026-pass"  # demo data only; printed by `flask crm demo` and `make run`
#: The login printed for each role: one line per role.
DEMO_LOGINS = {
    Role.ADMIN: "admin", Role.COMMISSION: "commission1", Role.TOWN: "town1",
    Role.DEPARTMENT: "dept5", Role.LIAISON: "liaison1", Role.LEADER: "leader1",
}


@dataclass
class DemoContext:
    rng: random.Random
    today: date
    password_hash: str
    towns: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    users: list = field(default_factory=list)
    enterprises: list = field(default_factory=list)
    assignments: list = field(default_factory=list)
    logins: dict[Role, str] = field(default_factory=lambda: dict(DEMO_LOGINS))

    def users_with(self, role: Role) -> list:
        return [u for u in self.users if u.has_role(role)]
