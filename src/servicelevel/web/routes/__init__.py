"""Page routes, one module per area; agreements, reporting and reviews are packages of their
own, one module per concern."""

from __future__ import annotations

from fastapi import APIRouter

from servicelevel.web.routes import (
    account,
    audit,
    auth,
    calendars,
    catalog,
    connections,
    document_templates,
    home,
    monitoring,
    parties,
    requirements,
    tickets,
    work,
)
from servicelevel.web.routes.agreements import actions as agreement_actions
from servicelevel.web.routes.agreements import editor as agreement_editor
from servicelevel.web.routes.agreements import pages as agreement_pages
from servicelevel.web.routes.agreements import versions as agreement_versions
from servicelevel.web.routes.reporting import pdfs as report_pdfs
from servicelevel.web.routes.reporting import reports
from servicelevel.web.routes.reporting import schedules as report_schedules
from servicelevel.web.routes.reviews import meetings as reviews
from servicelevel.web.routes.reviews import plans as improvement
from servicelevel.web.routes.reviews import register as review_register
from servicelevel.web.routes.reviews import survey_answers, survey_policies, survey_results

router = APIRouter(include_in_schema=False)
processes = (
    catalog,
    requirements,
    agreement_editor,  # before the pages: /agreements/draft is not /agreements/{id}
    agreement_pages,
    agreement_versions,
    agreement_actions,
    reports,
    document_templates,
    work,
    review_register,  # before the meetings: /reviews/register.xlsx is not /reviews/{id}
    reviews,
    improvement,
    survey_results,
    report_schedules,
    report_pdfs,
    survey_answers,
    survey_policies,
)
areas = (*processes, parties, calendars, tickets, monitoring, connections, audit, account)
for module in (auth, home, *areas):
    router.include_router(module.router)
