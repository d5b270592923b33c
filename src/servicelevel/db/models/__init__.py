"""Models, one module per context; importing this package registers them all on ``Base``."""

from servicelevel.db.models.agreements import (
    Agreement,
    AgreementCalendar,
    AgreementComment,
    AgreementTarget,
    AgreementVersion,
    CoveredService,
    CreditClause,
    Signature,
    Underpinning,
)
from servicelevel.db.models.alerts import Breach, ClockAlert
from servicelevel.db.models.audit import AuditEntry
from servicelevel.db.models.calendars import CalendarRecord
from servicelevel.db.models.catalog import OfferedTarget, Service, ServiceDependency, ServiceOption
from servicelevel.db.models.connectors import Connection, ConnectionRun, TicketMapping
from servicelevel.db.models.identity import ApiToken, RoleAssignment, User
from servicelevel.db.models.jobs import Job
from servicelevel.db.models.measurements import Measurement
from servicelevel.db.models.monitoring import EventInbox, Outage, Ticket, TicketEvent
from servicelevel.db.models.notifications import Notification, NotificationChannel
from servicelevel.db.models.parties import Contact, Party
from servicelevel.db.models.report_files import ReportFile
from servicelevel.db.models.reporting import ReportDelivery, ReportSchedule, ServiceReport
from servicelevel.db.models.requirements import (
    ChangeRequest,
    RequestedTarget,
    ServiceLevelRequirement,
)
from servicelevel.db.models.reviews import (
    ImprovementAction,
    ImprovementPlan,
    PlanGoal,
    ReviewMeeting,
    ReviewParticipant,
    SurveyResult,
)
from servicelevel.db.models.survey_invitations import SurveyInvitation, SurveyPolicy
from servicelevel.db.models.templates import DocumentTemplate
from servicelevel.db.models.work import WorkItem

__all__ = [
    "Agreement",
    "AgreementCalendar",
    "AgreementComment",
    "AgreementTarget",
    "AgreementVersion",
    "ApiToken",
    "AuditEntry",
    "Breach",
    "CalendarRecord",
    "ChangeRequest",
    "ClockAlert",
    "Connection",
    "ConnectionRun",
    "Contact",
    "CoveredService",
    "CreditClause",
    "DocumentTemplate",
    "EventInbox",
    "ImprovementAction",
    "ImprovementPlan",
    "Job",
    "Measurement",
    "Notification",
    "NotificationChannel",
    "OfferedTarget",
    "Outage",
    "Party",
    "PlanGoal",
    "ReportDelivery",
    "ReportFile",
    "ReportSchedule",
    "RequestedTarget",
    "ReviewMeeting",
    "ReviewParticipant",
    "RoleAssignment",
    "Service",
    "ServiceDependency",
    "ServiceLevelRequirement",
    "ServiceOption",
    "ServiceReport",
    "Signature",
    "SurveyInvitation",
    "SurveyPolicy",
    "SurveyResult",
    "Ticket",
    "TicketEvent",
    "TicketMapping",
    "Underpinning",
    "User",
    "WorkItem",
]
