"""Page routes, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from servicelevel.web.routes import (
    account,
    agreement_editor,
    agreements,
    audit,
    auth,
    calendars,
    catalog,
    connections,
    document_templates,
    home,
    improvement,
    monitoring,
    parties,
    report_pdfs,
    report_schedules,
    requirements,
    reviews,
    survey_answers,
    survey_policies,
    tickets,
    work,
)

router = APIRouter(include_in_schema=False)
processes = (
    catalog,
    requirements,
    agreement_editor,  # before agreements: /agreements/draft is not /agreements/{id}
    agreements,
    document_templates,
    work,
    reviews,
    improvement,
    report_schedules,
    report_pdfs,
    survey_answers,
    survey_policies,
)
areas = (*processes, parties, calendars, tickets, monitoring, connections, audit, account)
for module in (auth, home, *areas):
    router.include_router(module.router)
