"""The service catalog: staff's service list, detail and forms, and the published catalog."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.process_status import process_status
from servicelevel.services.shared.errors import Invalid, ServiceError
from servicelevel.services.workspace import portfolio as dashboard
from servicelevel.services.workspace import service_page as catalog_views
from servicelevel.web import labels, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.forms import percentage
from servicelevel.web.pages import render

router = APIRouter()
LANGS = (("zh-Hans", "zh_hans"), ("zh-Hant", "zh_hant"))


@router.get("/services")
def service_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    page = catalog.list_services(
        db,
        actor=visitor.actor,
        search=q or None,
        status=status if status in catalog.STATES else None,
        limit=500,
    )
    template = "services/rows.html" if request.headers.get("hx-request") else "services/list.html"
    return render(
        request,
        template,
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        process=process_status(db, page.items),
        q=q,
        state=status,
        states=labels.SERVICE_STATES,
    )


@router.get("/catalog")
def published_catalog(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    services = catalog.published_catalog(db, actor=visitor.actor)
    return render(
        request,
        "services/catalog.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        services=services,
        labels=labels,
    )


class ServiceForm(BaseModel):
    """The fields of the add and edit forms, as typed (kept to show them again on an error)."""

    code: str = ""
    name: str = ""
    name_zh_hans: str = ""
    name_zh_hant: str = ""
    description: str = ""
    description_zh_hans: str = ""
    description_zh_hant: str = ""
    category: str = ""
    calendar_id: str = ""
    owner_id: str = ""
    depends_on: list[str] = []
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    csrf: str = ""

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude={"csrf"})

    def changes(self) -> dict[str, Any]:
        """The form as service fields (a reference that is not a number is an unknown one)."""
        return {
            "code": self.code,
            "name": self.name,
            "names": {lang: getattr(self, f"name_{key}") for lang, key in LANGS},
            "description": self.description,
            "descriptions": {lang: getattr(self, f"description_{key}") for lang, key in LANGS},
            "category": self.category,
            "calendar_id": _ref(self.calendar_id),
            "owner_id": _ref(self.owner_id),
            "depends_on": tuple(r for r in map(_ref, self.depends_on) if r is not None),
        }


def _ref(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


FormDep = Annotated[ServiceForm, Form()]


def _form(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    values: dict[str, Any],
    errors: dict[str, object],
    status: int = 200,
    service_id: int | None = None,
) -> Response:
    cals, providers, users = catalog_views.form_choices(db, actor=visitor.actor)
    return render(
        request,
        "services/form.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        service_id=service_id,
        values=values,
        errors=errors,
        calendars=[(c.id, c.name or c.code) for c in cals],
        providers=providers,
        users=users,
        status=status,
    )


@router.get("/services/new")
def service_new(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    return _form(request, visitor, db, {}, {})


@router.post("/services/new")
def service_create(request: Request, visitor: UserDep, db: SessionDep, form: FormDep) -> Response:
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _form(request, visitor, db, form.values(), {"form": "expired"}, 400)
    try:
        data = catalog.ServiceData(**form.changes())
        service = catalog.create_service(db, actor=visitor.actor, data=data)
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _form(request, visitor, db, form.values(), _errors(exc), exc.status)
    return RedirectResponse(f"/services/{service.id}", status_code=303)


def _errors(exc: ServiceError) -> dict[str, object]:
    field = (exc.field or "form").split(".")[0]
    return {"form" if field == "version" else field: exc}


@router.get("/services/{service_id}")
def service_detail(request: Request, service_id: int, visitor: UserDep, db: SessionDep) -> Response:
    return _detail(request, service_id, visitor, db, None)


def _detail(
    request: Request,
    service_id: int,
    visitor: UserDep,
    db: SessionDep,
    error: ServiceError | str | None,
) -> Response:
    view = catalog_views.describe_service(db, actor=visitor.actor, service_id=service_id)
    steps = [
        name
        for name, (_, sources, _) in catalog_lifecycle.TRANSITIONS.items()
        if view.service.status in sources
    ]
    return render(
        request,
        "services/detail.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        status=error.status if isinstance(error, ServiceError) else 400 if error else 200,
        view=view,
        s=view.service,
        steps=steps,
        process=process_status(db, [view.service])[view.service.id],
        health=dashboard.portfolio(db, actor=visitor.actor, service_id=view.service.id),
        labels=labels,
        error=error,
    )


def _values(service: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        name: getattr(service, name) for name in ("code", "name", "description", "category")
    }
    for lang, key in LANGS:
        out[f"name_{key}"] = service.names.get(lang, "")
        out[f"description_{key}"] = service.descriptions.get(lang, "")
    out["calendar_id"] = str(service.calendar_id or "")
    out["owner_id"] = str(service.owner_id or "")
    out["depends_on"] = [str(d.party_id) for d in service.dependencies]
    out["version"] = service.version
    return out


@router.get("/services/{service_id}/edit")
def service_edit(request: Request, service_id: int, visitor: UserDep, db: SessionDep) -> Response:
    service = catalog.get_service(db, actor=visitor.actor, service_id=service_id)
    return _form(request, visitor, db, _values(service), {}, service_id=service_id)


@router.post("/services/{service_id}/edit")
def service_update(
    request: Request, service_id: int, visitor: UserDep, db: SessionDep, form: FormDep
) -> Response:
    values = form.values()
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _form(request, visitor, db, values, {"form": "expired"}, 400, service_id)
    try:
        catalog.update_service(
            db,
            actor=visitor.actor,
            service_id=service_id,
            version=form.version,
            changes=form.changes(),
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _form(request, visitor, db, values, _errors(exc), exc.status, service_id)
    return RedirectResponse(f"/services/{service_id}", status_code=303)


class StepForm(BaseModel):
    transition: str = ""
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    csrf: str = ""


@router.post("/services/{service_id}/lifecycle")
def service_step(
    request: Request,
    service_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[StepForm, Form()],
) -> Response:
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _detail(request, service_id, visitor, db, "expired")
    try:
        catalog_lifecycle.change_status(
            db,
            actor=visitor.actor,
            service_id=service_id,
            version=form.version,
            transition=form.transition,
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _detail(request, service_id, visitor, db, exc)
    return RedirectResponse(f"/services/{service_id}", status_code=303)


OPTION_ROWS = 6
TARGET_ROWS = 12


@router.get("/services/{service_id}/options")
def options_edit(request: Request, service_id: int, visitor: UserDep, db: SessionDep) -> Response:
    service = catalog.get_service(db, actor=visitor.actor, service_id=service_id)
    options = [
        {
            "code": o.code,
            "name": o.name,
            **{f"name_{k}": o.names.get(lang, "") for lang, k in LANGS},
        }
        for o in service.options
    ]
    targets = [
        {
            "option": o.code,
            "metric": t.metric,
            "priority": t.priority,
            "within": t.within,
            "objective": f"{t.objective * 100:g}",
        }
        for o in service.options
        for t in o.targets
    ]
    return _options_form(request, visitor, service, options, targets, {})


def _options_form(
    request: Request,
    visitor: UserDep,
    service: Any,
    options: list[dict[str, str]],
    targets: list[dict[str, str]],
    errors: dict[str, object],
    status: int = 200,
) -> Response:
    blank_options = max(OPTION_ROWS - len(options), 2)
    blank_targets = max(TARGET_ROWS - len(targets), 4)
    return render(
        request,
        "services/options.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        s=service,
        options=options + [{}] * blank_options,
        targets=targets + [{}] * blank_targets,
        errors=errors,
        labels=labels,
        status=status,
    )


@router.post("/services/{service_id}/options")
async def options_save(
    request: Request, service_id: int, visitor: UserDep, db: SessionDep
) -> Response:
    form = await request.form()
    rows = {k: [str(v) for v in form.getlist(k)] for k in form}
    options = _rows(rows, ("code", "name", "name_zh_hans", "name_zh_hant"), "option_")
    targets = _rows(rows, ("option", "metric", "priority", "within", "objective"), "target_")
    service = catalog.get_service(db, actor=visitor.actor, service_id=service_id)
    if not sessions.csrf_ok(visitor.session, str(form.get("csrf", ""))):
        return _options_form(request, visitor, service, options, targets, {"form": "expired"}, 400)
    try:
        data = _option_data(options, targets)
        version = _ref(str(form.get("version", ""))) or 0
        catalog.set_options(
            db, actor=visitor.actor, service_id=service_id, version=version, options=data
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        service = catalog.get_service(db, actor=visitor.actor, service_id=service_id)
        errors: dict[str, object] = {_option_row(exc.field or "", options, targets): exc}
        return _options_form(request, visitor, service, options, targets, errors, exc.status)
    return RedirectResponse(f"/services/{service_id}", status_code=303)


def _rows(form: dict[str, list[str]], names: tuple[str, ...], prefix: str) -> list[dict[str, str]]:
    """Parallel lists of form fields as rows, empty rows dropped."""
    columns = [form.get(prefix + n, []) for n in names]
    count = max((len(c) for c in columns), default=0)
    rows = [
        {n: (c[i].strip() if i < len(c) else "") for n, c in zip(names, columns, strict=True)}
        for i in range(count)
    ]
    return [r for r in rows if any(r.values())]


def _option_data(
    options: list[dict[str, str]], targets: list[dict[str, str]]
) -> list[catalog.OptionData]:
    """The rows as options; a target row naming no listed option is an error on its row."""
    codes = [o["code"] for o in options]
    for i, t in enumerate(targets):
        if t["option"] not in codes:
            raise _row_error(i, "option", "choose one of the options listed above")
    out = []
    for o in options:
        mine = tuple(_target(t, i) for i, t in enumerate(targets) if t["option"] == o["code"])
        names = {lang: o[f"name_{k}"] for lang, k in LANGS}
        out.append(catalog.OptionData(o["code"], o["name"], names, mine))
    return out


def _target(row: dict[str, str], index: int) -> catalog.OfferedTargetData:
    objective = percentage(row["objective"], f"target.{index}.objective")
    return catalog.OfferedTargetData(row["metric"], objective, row["priority"], row["within"])


def _row_error(index: int, column: str, message: str) -> ServiceError:
    return Invalid(message, f"target.{index}.{column}")


def _option_row(field: str, options: list[dict[str, str]], targets: list[dict[str, str]]) -> str:
    """Which row of the form an error belongs to: ``option.N`` or ``target.N`` (else form)."""
    parts = field.split(".")
    if parts[0] == "target":
        return f"target.{parts[1]}"
    if parts[0] == "options" and len(parts) > 1 and parts[1].isdigit():
        option = options[int(parts[1])] if int(parts[1]) < len(options) else {}
        if len(parts) > 3 and parts[2] == "targets" and parts[3].isdigit():
            mine = [i for i, t in enumerate(targets) if t["option"] == option.get("code")]
            if int(parts[3]) < len(mine):
                return f"target.{mine[int(parts[3])]}"
        return f"option.{parts[1]}"
    return "form"
