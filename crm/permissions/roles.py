"""Role checks shared by every kind of record."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort
from flask_login import current_user, login_required

from crm.auth.roles import Role

#: Roles that see every record of the district.
ALL_SEEING = (Role.ADMIN, Role.COMMISSION, Role.LEADER)


def sees_everything(user) -> bool:
    return user.has_role(*ALL_SEEING)


def supervises(user) -> bool:
    """The commission (and admins) supervise: triage, urge, approve, change anything."""
    return user.has_role(Role.ADMIN, Role.COMMISSION)


def require_roles(*roles: Role) -> Callable:
    """A view decorator: logged in, and holding at least one of `roles` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def roles_required_for(view: Callable) -> tuple[Role, ...]:
    return getattr(view, "required_roles", ())
