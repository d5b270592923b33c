"""An agreement's report schedules in the browser: who gets the month's report, on which
working day, in which language, what each run sent — and, for managers, a button that runs a
schedule now (to try a distribution list without waiting for its day; the next run stays)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from servicelevel.api.deps import SessionDep
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.reporting import schedules as report_schedules
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render
from servicelevel.web.submit import perform

router = APIRouter()
SHOWN_RUNS = 10  # the latest runs listed under each schedule


@router.get("/agreements/{agreement_id}/report-schedules")
def schedules_page(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep
) -> Response:
    return _page(request, agreement_id, visitor, db, {})


def _page(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    agreement = agreements.get_agreement(db, actor=visitor.actor, agreement_id=agreement_id)
    found = report_schedules.list_schedules(db, actor=visitor.actor, agreement_id=agreement.id)
    runs = {
        s.id: report_schedules.deliveries(db, actor=visitor.actor, schedule_id=s.id)[:SHOWN_RUNS]
        for s in found
    }
    return render(
        request,
        "schedules/list.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        agreement=agreement,
        schedules=found,
        runs=runs,
        queued=request.query_params.get("queued", ""),
        errors=errors,
        status=code,
    )


class RunForm(BaseModel):
    csrf: str = ""


@router.post("/agreements/{agreement_id}/report-schedules/{schedule_id}/run")
def run_now(
    request: Request,
    agreement_id: int,
    schedule_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[RunForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: report_schedules.run_now(db, actor=visitor.actor, schedule_id=schedule_id),
        then=f"/agreements/{agreement_id}/report-schedules?queued={schedule_id}",
        failed=lambda e, c: _page(request, agreement_id, visitor, db, {"form": e}, c),
    )
