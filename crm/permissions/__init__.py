"""What a user may see and do: one place per kind of record, used by pages, exports and the API.

Each `scope_*` function narrows a select to the rows a user may see; each `get_*_or_404`
loads one record through that scope, so an out-of-scope record looks exactly like a missing one.
"""
from crm.permissions.roles import (require_roles, roles_required_for, sees_everything,
                                   supervises)
from crm.permissions.enterprises import (can_edit_enterprise, enterprise_condition,
                                         get_enterprise_or_404, masks_contacts,
                                         scope_enterprises, scope_users_liaisons)
from crm.permissions.enterprises import (contact_search_condition, contacts_visible_condition, editable_condition,
                                         get_editable_enterprise_or_404, keeps_list)

__all__ = [
    "require_roles", "roles_required_for", "sees_everything", "supervises",
    "can_edit_enterprise", "enterprise_condition", "get_enterprise_or_404",
    "masks_contacts", "scope_enterprises", "scope_users_liaisons",
    "contact_search_condition", "contacts_visible_condition", "editable_condition", "get_editable_enterprise_or_404", "keeps_list",
]
from crm.permissions.visits import can_edit_visit, get_visit_or_404, scope_visits, visit_condition  # noqa: E402
__all__ += ["can_edit_visit", "get_visit_or_404", "scope_visits", "visit_condition"]
from crm.permissions.requests import (get_request_or_404, request_condition, scope_requests,  # noqa: E402
                                      may as may_act_on_request)
from crm.permissions.requests import masks_request_contacts  # noqa: E402
__all__ += ["get_request_or_404", "request_condition", "scope_requests", "may_act_on_request",
            "masks_request_contacts"]
from crm.permissions.reports import ReportScope, may_open, report_scope  # noqa: E402
__all__ += ["ReportScope", "may_open", "report_scope"]
from crm.permissions.liaisons import (LiaisonPhones, can_see_liaison_phone, liaison_enterprise_ids,  # noqa: E402
                                      liaison_phone, liaison_phones)
__all__ += ["LiaisonPhones", "can_see_liaison_phone", "liaison_enterprise_ids", "liaison_phone", "liaison_phones"]
