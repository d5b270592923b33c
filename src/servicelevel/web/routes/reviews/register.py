"""The review register in the browser (SLM5): every meeting with its state, the register as
a workbook or a PDF, and meetings scheduled — due ones for every agreement, or one by hand."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep
from servicelevel.reports import review_register as register_files
from servicelevel.reports.spreadsheets import XLSX
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import register as review_register
from servicelevel.services.reviews.meetings import MeetingData
from servicelevel.services.shared.errors import Invalid
from servicelevel.web import labels
from servicelevel.web.deps import UserDep
from servicelevel.web.forms import day
from servicelevel.web.pages import language, render, time_zone
from servicelevel.web.routes.reviews.meetings import local_instant
from servicelevel.web.submit import perform

router = APIRouter()
BIG = 2**63 - 1


@router.get("/reviews")
def register_page(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return _register(request, visitor, db, status, {}, {})


def _register(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: str,
    values: dict[str, str],
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    wanted = status if status in labels.MEETING_STATES else None
    rows = review_register.register(
        db, actor=visitor.actor, status=wanted, language=language(request)
    )
    if status == "overdue":
        rows = [r for r in rows if r.overdue]
    mine = agreements.list_agreements(db, actor=visitor.actor, limit=500).items
    return render(
        request,
        "reviews/register.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        rows=rows,
        state=status,
        choices=[a for a in mine if a.status in ("active", "expiring", "signed")],
        labels=labels,
        values=values,
        errors=errors,
        status=code,
    )


@router.get("/reviews/register.{kind}")
def register_file(request: Request, kind: str, visitor: UserDep, db: SessionDep) -> Response:
    """The register as XLSX or PDF in the page's language."""
    locale = language(request)
    rows = review_register.register(db, actor=visitor.actor, language=locale)
    if kind == "pdf":
        pdf = register_files.pdf_bytes(rows, locale, time_zone(request))
        return Response(pdf, media_type="application/pdf")
    if kind != "xlsx":
        raise Invalid("the register is offered as xlsx or pdf", "format")
    head = {"Content-Disposition": 'attachment; filename="review-register.xlsx"'}
    book = register_files.xlsx_of(rows, locale, time_zone(request))
    return Response(book, media_type=XLSX, headers=head)


class CsrfForm(BaseModel):
    csrf: str = ""


@router.post("/reviews/schedule")
def schedule(
    request: Request, visitor: UserDep, db: SessionDep, form: Annotated[CsrfForm, Form()]
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: reviews.schedule_due(db, actor=visitor.actor),
        then="/reviews?status=scheduled",
        failed=lambda e, c: _register(request, visitor, db, "", {}, {"form": e}, c),
    )


class MeetingForm(BaseModel):
    agreement_id: int = Field(default=0, ge=0, le=BIG)
    day: str = ""
    time: str = "10:00"
    period_start: str = ""
    period_end: str = ""
    location: str = ""
    csrf: str = ""


@router.post("/reviews")
def create(
    request: Request, visitor: UserDep, db: SessionDep, form: Annotated[MeetingForm, Form()]
) -> Response:
    def call() -> Any:
        agreement = agreements.get_agreement(
            db, actor=visitor.actor, agreement_id=form.agreement_id
        )
        zone = agreements.current(agreement).timezone
        data = MeetingData(
            local_instant(form.day, form.time, zone),
            day(form.period_start, "period_start"),
            day(form.period_end, "period_end"),
            None,
            form.location,
        )
        return reviews.create_meeting(db, actor=visitor.actor, agreement_id=agreement.id, data=data)

    values = form.model_dump(exclude={"csrf"})
    return perform(
        visitor,
        db,
        form.csrf,
        call,
        then=lambda m: f"/reviews/{m.id}",
        failed=lambda e, c: _register(
            request, visitor, db, "", {k: str(v) for k, v in values.items()}, _field_error(e), c
        ),
    )


def _field_error(error: object) -> dict[str, object]:
    field = getattr(error, "field", None) or "form"
    return {
        field if field in ("agreement_id", "day", "period_start", "period_end") else "form": error
    }
