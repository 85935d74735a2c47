"""Imports every model module, so metadata is complete for create_all and Alembic."""
from crm.audit import AuditEntry  # noqa: F401
from crm.auth.models import LoginAttempt, User, UserRole, UserSession  # noqa: F401
from crm.enterprises.models import Assignment, Contact, Enterprise, ListPeriod, Tag  # noqa: F401
from crm.org.models import Department, Town  # noqa: F401
from crm.visits.models import Policy, Visit, VisitParticipant  # noqa: F401
from crm.calendar.models import CalendarOverride, CalendarYear  # noqa: F401
from crm.data_version import DataVersion  # noqa: F401
from crm.notifications.models import Notification  # noqa: F401
from crm.requests.models import (Category, NumberCounter, Request, RequestAssignment,  # noqa: F401
                                 RequestEvent, TrackingLink, TrackingLookupFailure, UrgeNotice)
from crm.api.tokens import ApiToken  # noqa: F401
