"""What a user may see and do: one place per kind of record, used by pages, exports and the API.

Each `scope_*` function narrows a select to the rows a user may see; each `get_*_or_404`
loads one record through that scope, so an out-of-scope record looks exactly like a missing one.
"""
from crm.permissions.roles import (require_roles, roles_required_for, sees_everything,
                                   supervises)
from crm.permissions.enterprises import (can_edit_enterprise, enterprise_condition,
                                         get_enterprise_or_404, masks_contacts,
                                         scope_enterprises, scope_users_liaisons)

__all__ = [
    "require_roles", "roles_required_for", "sees_everything", "supervises",
    "can_edit_enterprise", "enterprise_condition", "get_enterprise_or_404",
    "masks_contacts", "scope_enterprises", "scope_users_liaisons",
]
