"""Service level requirements: list, capture form, the requirement with its analysis, change
requests and what-if evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.parties import directory as parties
from servicelevel.services.requirements import capture as requirements
from servicelevel.services.requirements import change_requests, whatif
from servicelevel.services.shared.errors import Invalid, ServiceError
from servicelevel.web import labels, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.forms import percentage
from servicelevel.web.pages import render

router = APIRouter(prefix="/requirements")
ROWS = 6


@router.get("")
def requirement_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    page = requirements.list_requirements(
        db, actor=visitor.actor, status=status if status in requirements.STATES else None, limit=500
    )
    return render(
        request,
        "requirements/list.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        state=status,
        labels=labels,
        **_names(db, visitor),
    )


def _names(db: SessionDep, visitor: UserDep) -> dict[str, Any]:
    """Customers and services by id, to show names instead of numbers."""
    customers = parties.list_parties(db, actor=visitor.actor, kind="customer", limit=500).items
    services = catalog.list_services(db, actor=visitor.actor, limit=500).items
    return {"customers": {c.id: c for c in customers}, "services": {s.id: s for s in services}}


def _form(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    values: dict[str, Any],
    errors: dict[str, object],
    status: int = 200,
) -> Response:
    rows = list(values.get("targets", []))
    values = {**values, "targets": rows + [{}] * max(ROWS - len(rows), 2)}
    return render(
        request,
        "requirements/form.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        values=values,
        errors=errors,
        labels=labels,
        status=status,
        **_names(db, visitor),
    )


@router.get("/new")
def requirement_new(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    return _form(request, visitor, db, {}, {})


@router.post("/new")
async def requirement_create(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    form = await request.form()
    one = {
        k: str(form.get(k, ""))
        for k in (
            "code",
            "customer_id",
            "service_id",
            "title",
            "justification",
            "requester",
            "csrf",
        )
    }
    lists = {
        k: [str(v) for v in form.getlist(k)] for k in ("metric", "priority", "within", "objective")
    }
    count = max((len(v) for v in lists.values()), default=0)
    rows = [
        {k: (v[i].strip() if i < len(v) else "") for k, v in lists.items()} for i in range(count)
    ]
    rows = [r for r in rows if any(r.values())]
    values = {**one, "targets": rows}
    if not sessions.csrf_ok(visitor.session, one["csrf"]):
        return _form(request, visitor, db, values, {"form": "expired"}, 400)
    try:
        data = requirements.RequirementData(
            one["code"],
            _number(one["customer_id"]),
            _number(one["service_id"]),
            one["title"],
            one["justification"],
            one["requester"],
            tuple(_target(r, i) for i, r in enumerate(rows)),
        )
        found = requirements.capture(db, actor=visitor.actor, data=data)
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _form(request, visitor, db, values, _errors(exc), exc.status)
    return RedirectResponse(f"/requirements/{found.id}", status_code=303)


def _errors(exc: ServiceError) -> dict[str, object]:
    """The form's errors: ``targets.2.within`` marks the third row's duration alone (the row
    shows the message; ``target.2.within`` outlines only that input)."""
    field = (exc.field or "form").split(".")
    if field[0] != "targets" or len(field) < 2:
        return {field[0]: exc}
    row = f"target.{field[1]}"
    return {row: exc, f"{row}.{field[2]}": True} if len(field) > 2 else {row: exc}


def _number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _target(row: dict[str, str], index: int) -> requirements.RequestedTargetData:
    objective = percentage(row["objective"], f"targets.{index}.objective")
    return requirements.RequestedTargetData(
        row["metric"], objective, row["priority"], row["within"]
    )


@router.get("/{requirement_id}")
def requirement_detail(
    request: Request, requirement_id: int, visitor: UserDep, db: SessionDep
) -> Response:
    return _detail(request, requirement_id, visitor, db, None)


def _detail(
    request: Request,
    requirement_id: int,
    visitor: UserDep,
    db: SessionDep,
    error: ServiceError | str | None,
) -> Response:
    found = requirements.get_requirement(db, actor=visitor.actor, requirement_id=requirement_id)
    status = error.status if isinstance(error, ServiceError) else 400 if error else 200
    return render(
        request,
        "requirements/detail.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        r=found,
        labels=labels,
        error=error,
        status=status,
        changes=change_requests.of_requirement(db, found.id),
        options=_options(db, visitor, found.service_id),
        **_names(db, visitor),
    )


def _options(db: SessionDep, visitor: UserDep, service_id: int) -> dict[str, Any]:
    """The service's options by code, so an analysis names the option, not its code."""
    try:
        service = catalog.get_service(db, actor=visitor.actor, service_id=service_id)
    except ServiceError:  # a service the reader may not see: the code is all there is
        return {}
    return {o.code: o for o in service.options}


class ActionForm(BaseModel):
    decision: str = ""
    note: str = ""
    status: str = ""
    external_ref: str = ""
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    csrf: str = ""


ActionDep = Annotated[ActionForm, Form()]


def _act(
    request: Request,
    requirement_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionForm,
    call: Any,
) -> Response:
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _detail(request, requirement_id, visitor, db, "expired")
    try:
        call()
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _detail(request, requirement_id, visitor, db, exc)
    change_requests.deliver_pending(db)  # after commit: the outbox, if a webhook is configured
    commit(db)
    return RedirectResponse(f"/requirements/{requirement_id}", status_code=303)


@router.post("/{requirement_id}/analyse")
def requirement_analyse(
    request: Request, requirement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    return _act(
        request,
        requirement_id,
        visitor,
        db,
        form,
        lambda: requirements.analyse(
            db, actor=visitor.actor, requirement_id=requirement_id, version=form.version
        ),
    )


@router.post("/{requirement_id}/decide")
def requirement_decide(
    request: Request, requirement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    return _act(
        request,
        requirement_id,
        visitor,
        db,
        form,
        lambda: requirements.decide(
            db,
            actor=visitor.actor,
            requirement_id=requirement_id,
            version=form.version,
            decision=form.decision,
            note=form.note,
        ),
    )


@router.post("/{requirement_id}/changes/{change_id}")
def change_update(
    request: Request,
    requirement_id: int,
    change_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionDep,
) -> Response:
    return _act(
        request,
        requirement_id,
        visitor,
        db,
        form,
        lambda: change_requests.update_status(
            db,
            actor=visitor.actor,
            change_id=change_id,
            version=form.version,
            status=form.status,
            external_ref=form.external_ref,
        ),
    )


@router.get("/{requirement_id}/what-if")
def requirement_what_if(
    request: Request,
    requirement_id: int,
    visitor: UserDep,
    db: SessionDep,
    target: Annotated[int, Query(ge=0, le=1000)] = 0,
    period: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The evidence for one requested target over a past period (an HTMX fragment)."""
    found = requirements.get_requirement(db, actor=visitor.actor, requirement_id=requirement_id)
    if target >= len(found.targets):
        raise Invalid("no requested target {n}", "target", n=target)
    t = found.targets[target]
    try:
        answer = whatif.what_if(
            db,
            actor=visitor.actor,
            service_id=found.service_id,
            metric=t.metric,
            objective=t.objective,
            period=period,
            priority=t.priority,
            within=t.within,
            customer_id=found.customer_id,
        )
    except ServiceError as exc:
        return render(
            request, "requirements/whatif.html", actor=visitor.actor, error=exc, status=exc.status
        )
    return render(
        request, "requirements/whatif.html", actor=visitor.actor, answer=answer, error=None
    )
