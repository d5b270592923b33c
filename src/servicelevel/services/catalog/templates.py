"""Document templates (SLM1): the standard SLA, OLA, UC and service report documents.

Templates are Markdown with ``{{ placeholders }}`` (Jinja2, sandboxed: a template can read the
values it is given and nothing else). servicelevel ships a standard template for every kind and
language; a manager's edited template for a kind and language, marked default, replaces it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy.orm import Session

from servicelevel.db.models import DocumentTemplate
from servicelevel.db.models.templates import LANGUAGES, TEMPLATE_KINDS
from servicelevel.db.repositories import templates as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import text

KINDS = TEMPLATE_KINDS
FIELDS = ("code", "kind", "language", "name", "is_default")
sandbox = SandboxedEnvironment(autoescape=False, trim_blocks=False)


def builtin(kind: str, language: str) -> str:
    """The standard template shipped with servicelevel for ``kind`` in ``language``."""
    name = f"{kind.lower()}.{language}.md"
    return resources.files("servicelevel.documents").joinpath(name).read_text("utf-8")


def check_body(body: str) -> None:
    """A template must parse; a mistake names its line."""
    try:
        sandbox.parse(body)
    except TemplateSyntaxError as exc:
        raise Invalid(
            "line {line}: {reason}", "body", line=exc.lineno, reason=exc.message
        ) from None


def _clean(kind: str, language: str, name: str, body: str) -> tuple[str, str, str, str]:
    if kind not in TEMPLATE_KINDS:
        raise Invalid("kind must be one of SLA, OLA, UC, report", "kind")
    if language not in LANGUAGES:
        raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")
    body = text(body, "body", required=True, limit=200_000)
    check_body(body)
    return kind, language, text(name, "name", required=True, limit=200), body


def create_template(
    session: Session,
    *,
    actor: Actor,
    code: str,
    kind: str,
    language: str,
    name: str,
    body: str | None = None,
    is_default: bool = False,
) -> DocumentTemplate:
    """A new template (by default a copy of the standard one for its kind and language)."""
    require(actor, "template.write")
    code = text(code, "code", required=True, limit=64)
    if kind in TEMPLATE_KINDS and language in LANGUAGES and body is None:
        body = builtin(kind, language)
    kind, language, name, body = _clean(kind, language, name, body or "")
    if repo.template_by_code(session, code) is not None:
        raise Conflict("a template with code {code} exists already", "code", code=code)
    made = DocumentTemplate(code=code, kind=kind, language=language, name=name, body=body)
    if is_default:
        _make_default(session, made)
    session.add(made)
    audit.record(session, actor, "create", made, None, audit.snapshot(made, FIELDS))
    return made


def _make_default(session: Session, chosen: DocumentTemplate) -> None:
    for other in repo.defaults_for(session, chosen.kind, chosen.language):
        if other.id != chosen.id:
            other.is_default = False
    chosen.is_default = True


def update_template(
    session: Session, *, actor: Actor, template_id: int, version: int, changes: dict[str, Any]
) -> DocumentTemplate:
    require(actor, "template.write")
    found = get_template(session, actor=actor, template_id=template_id)
    audit.check_version(found, version)
    before = audit.snapshot(found, FIELDS)
    _, _, name, body = _clean(
        found.kind, found.language, changes.get("name", found.name), changes.get("body", found.body)
    )
    found.name, found.body = name, body
    if changes.get("is_default"):
        _make_default(session, found)
    elif changes.get("is_default") is False:
        found.is_default = False
    audit.record_update(session, actor, found, before, audit.snapshot(found, FIELDS))
    return found


def get_template(session: Session, *, actor: Actor, template_id: int) -> DocumentTemplate:
    require(actor, "template.read")
    found = repo.template_by_id(session, template_id)
    if found is None:
        raise NotFound("no template {id}", id=template_id)
    return found


def list_templates(
    session: Session, *, actor: Actor, kind: str | None = None, offset: int = 0, limit: int = 50
) -> Page[DocumentTemplate]:
    require(actor, "template.read")
    return repo.list_templates(session, kind=kind, offset=offset, limit=limit)


def body_for(session: Session, kind: str, language: str, template_id: int | None) -> str:
    """The template text to render: the one asked for, else the default stored template for
    the kind and language, else the standard one."""
    if template_id is not None:
        found = repo.template_by_id(session, template_id)
        if found is None or found.kind != kind:
            raise NotFound("no {kind} template {id}", kind=kind, id=template_id)
        return found.body
    defaults = repo.defaults_for(session, kind, language)
    return defaults[0].body if defaults else builtin(kind, language)
