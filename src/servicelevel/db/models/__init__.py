"""Models, one module per context; importing this package registers them all on ``Base``."""

from servicelevel.db.models.audit import AuditEntry
from servicelevel.db.models.calendars import CalendarRecord
from servicelevel.db.models.identity import ApiToken, RoleAssignment, User
from servicelevel.db.models.monitoring import Outage, Ticket, TicketEvent
from servicelevel.db.models.parties import Contact, Party

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CalendarRecord",
    "Contact",
    "Outage",
    "Party",
    "RoleAssignment",
    "Ticket",
    "TicketEvent",
    "User",
]
