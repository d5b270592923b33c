"""Checks of an agreement document against the file format (docs/formats.md), before anything
is read from it: the schema, with a mistake naming its field; no NUL characters or runaway
nesting; lengths the database keeps. A document typed as YAML in a form is checked here too,
a mistake naming its line.
"""

from __future__ import annotations

from typing import Any

from servicelevel.definitions.agreements import AgreementModel
from servicelevel.definitions.source import DefinitionError, Located, parse_yaml
from servicelevel.services.agreements.files import english_text
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Invalid
from servicelevel.services.shared.validation import time_zone


def _invalid(exc: DefinitionError) -> Invalid:
    return Invalid("{reason}", exc.field or "document", reason=exc.message)


def validate(document: Any) -> AgreementModel:
    """The document against the file format's schema; a mistake names its field."""
    if not isinstance(document, dict):
        raise Invalid("an agreement document is a mapping of keys such as id and targets")
    _check_texts(document, "")
    try:
        model = Located(document, {}, "agreement").validate(AgreementModel)
    except DefinitionError as exc:
        raise _invalid(exc) from None
    _check_sizes(model)
    return model


def _check_texts(value: Any, path: str) -> None:
    """No NUL characters anywhere (databases refuse them), and no runaway nesting."""
    if path.count(".") > 12:
        raise Invalid("the document nests too deeply", path)
    if isinstance(value, str) and "\x00" in value:
        raise Invalid("text cannot contain NUL characters", path or "document")
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            raise Invalid("text cannot contain NUL characters", path or "document")
        _check_texts(item, f"{path}.{key}" if path else str(key))


def _check_sizes(model: AgreementModel) -> None:
    """Lengths the database keeps, checked here so that no backend truncates or refuses."""
    checks: list[tuple[str, str, int]] = [
        ("id", model.id, 64),
        ("provider", model.provider, 200),
        ("title", english_text(model.title), 300),
        ("description", english_text(model.description), 4000),
    ]
    if model.fee:
        checks.append(("fee.currency", model.fee.currency, 8))
    for i, t in enumerate(model.targets):
        where = f"targets.{i}"
        checks += [
            (f"{where}.id", t.id, 64),
            (f"{where}.name", english_text(t.name), 300),
            (f"{where}.within", t.within, 40),
            (f"{where}.calendar", t.calendar, 64),
            (f"{where}.clock", t.clock, 64),
        ]
    for i, a in enumerate(model.availability):
        where = f"availability.{i}"
        checks += [
            (f"{where}.id", a.id, 64),
            (f"{where}.name", english_text(a.name), 300),
            (f"{where}.service", a.service, 64),
            (f"{where}.calendar", a.calendar, 64),
        ]
    for i, c in enumerate(model.credits):
        where = f"credits.{i}"
        checks += [
            (f"{where}.id", c.id, 64),
            (f"{where}.target", c.target, 64),
            (f"{where}.description", english_text(c.description), 2000),
        ]
    checks += [(f"calendars.{k}", k, 64) for k in model.calendars]
    for where, value, limit in checks:
        if len(value) > limit:
            raise Invalid(
                "{name} is longer than {limit} characters", where, name=where, limit=limit
            )
    if model.timezone is not None:
        time_zone(model.timezone)


def document_from_text(text: str, *, actor: Actor) -> dict[str, Any]:
    """An agreement document typed as YAML (a form's text area); a mistake names its line.

    Only someone who may write agreements gets their text parsed at all."""
    require(actor, "agreement.write")
    try:
        located = parse_yaml(text, "document")
    except DefinitionError as exc:
        raise Invalid(
            "line {line}: {reason}", "document", line=exc.line or 1, reason=_at(exc)
        ) from None
    if not isinstance(located.data, dict):
        raise Invalid("an agreement document is a mapping of keys such as id and targets")
    try:
        validate(located.data)
    except Invalid as exc:
        path = [int(p) if p.isdigit() else p for p in (exc.field or "").split(".") if p]
        line = located.line_of(path) if path else None
        if line is None:
            raise
        raise Invalid("line {line}: {reason}", "document", line=line, reason=exc.message) from None
    data: dict[str, Any] = located.data
    return data


def _at(exc: DefinitionError) -> str:
    return exc.message if exc.column is None else f"column {exc.column}: {exc.message}"
