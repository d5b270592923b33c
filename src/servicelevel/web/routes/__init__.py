"""Page routes, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from servicelevel.web.routes import (
    account,
    audit,
    auth,
    calendars,
    catalog,
    home,
    parties,
    tickets,
    work,
)

router = APIRouter(include_in_schema=False)
for module in (auth, home, catalog, work, parties, calendars, tickets, audit, account):
    router.include_router(module.router)
