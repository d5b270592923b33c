"""Everything as code: YAML documents of every kind, read from a file or a directory.

A file holds one document or several separated by ``---`` lines; a directory's ``*.yaml`` and
``*.yml`` files are read in name order. Each document says its ``kind``: ``party``,
``calendar``, ``service``, ``channel`` (a notification channel), ``user``, ``mapping`` (a stored
ticket mapping), ``connection`` (a source pulled, docs/connectors.md), or — in the agreement
file format — ``SLA``, ``OLA`` or ``UC``. Every document is read by the one bounded YAML reader
(:mod:`servicelevel.definitions.source`: size, depth, node count, no aliases), and a mistake
names its file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from servicelevel.definitions.source import DefinitionError, Located, max_bytes, parse_yaml

AGREEMENT_KINDS = ("SLA", "OLA", "UC")
# apply order
KINDS = (
    "party",
    "user",
    "calendar",
    "service",
    "mapping",
    "connection",
    *AGREEMENT_KINDS,
    "channel",
)
MAX_FILES = 500
SEPARATOR = re.compile(r"^---[ \t]*(?:#.*)?$", re.MULTILINE)


def percent(value: Any) -> Any:
    """``"99.9%"`` → 0.999; other values as they are (the services check them)."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:  # decimal: 99.9 / 100 is 0.9990000000000001 in binary floating point
            return float(Decimal(value.strip()[:-1].strip()) / 100)
        except (InvalidOperation, ValueError):
            raise ValueError(f"{value!r} is not a percentage") from None
    return value


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartyDoc(_Doc):
    kind: Literal["party"]
    code: str
    type: Literal["customer", "internal_team", "supplier"]
    name: str
    names: dict[str, str] = {}
    description: str = ""


class CalendarDoc(BaseModel):
    """A calendar in the calendar file format, with its code (the rest is its definition)."""

    model_config = ConfigDict(extra="allow")
    kind: Literal["calendar"]
    code: str


class TargetDoc(_Doc):
    metric: str
    objective: float
    priority: str = ""
    within: str = ""

    _percent = field_validator("objective", mode="before")(percent)


class OptionDoc(_Doc):
    code: str
    name: str
    names: dict[str, str] = {}
    targets: list[TargetDoc] = []


class ServiceDoc(_Doc):
    kind: Literal["service"]
    code: str
    name: str
    names: dict[str, str] = {}
    description: str = ""
    descriptions: dict[str, str] = {}
    category: str = ""
    calendar: str | None = None  # a calendar's code
    owner: str | None = None  # a username
    depends_on: list[str] = []  # party codes
    status: Literal["draft", "approved", "published"] = "draft"
    options: list[OptionDoc] = []


class ChannelDoc(_Doc):
    kind: Literal["channel"]
    name: str
    type: str  # email, webhook, wecom…
    address: str
    secret: str = ""
    locale: str = "en"
    timezone: str = "UTC"
    notices: list[str] = []
    agreement: str | None = None  # an agreement's id
    party: str | None = None  # a party's code
    hours: str | None = None  # a calendar's code
    active: bool = True


class MappingDoc(_Doc):
    """A stored ticket mapping: its name and the mapping itself (docs/formats.md), checked
    when it is stored."""

    kind: Literal["mapping"]
    name: str
    mapping: dict[str, Any]


class ConnectionDoc(_Doc):
    """A connection that pulls tickets (docs/connectors.md): ``type`` is the source's kind
    (``rt``, ``servicenow``…); ``settings.auth`` names where the secret is read from, never the
    secret. Settings are written as they are stored (``auth`` defaults to ``{kind: none}``), so
    a document that says what is stored changes nothing."""

    kind: Literal["connection"]
    name: str
    type: str
    base_url: str
    mapping: str
    settings: dict[str, Any] = {}
    interval_seconds: int | None = None
    backfill_from: dt.datetime | None = None
    enabled: bool = True
    write_back: bool = False

    @field_validator("settings")
    @classmethod
    def _auth_default(cls, settings: dict[str, Any]) -> dict[str, Any]:
        auth = settings.get("auth", {})
        if isinstance(auth, dict):
            return {**settings, "auth": {"kind": "none", **auth}}
        return settings


class UserDoc(_Doc):
    kind: Literal["user"]
    username: str
    display_name: str = ""
    email: str = ""
    locale: str = "en"
    roles: list[str] = []  # ROLE or ROLE:PARTY_CODE


MODELS: dict[str, type[BaseModel]] = {
    "party": PartyDoc,
    "calendar": CalendarDoc,
    "service": ServiceDoc,
    "channel": ChannelDoc,
    "user": UserDoc,
    "mapping": MappingDoc,
    "connection": ConnectionDoc,
}


@dataclass(frozen=True)
class Document:
    """One document: its kind, its data (validated for the kinds read here) and where it is."""

    kind: str
    data: dict[str, Any]
    located: Located

    @property
    def name(self) -> str:
        """How the document is named in messages: its kind and code."""
        d = self.data
        return f"{self.kind} {d.get('code') or d.get('id') or d.get('name') or d.get('username')}"

    def error(self, field: str, message: str) -> DefinitionError:
        """An error at the line of ``field`` (dotted, as the services name fields)."""
        path = [int(p) if p.isdigit() else p for p in field.split(".")] if field else []
        return self.located.error(path, message)


def read_documents(path: Path) -> list[Document]:
    """Every document of a file, or of a directory's YAML files, in apply order (parties,
    users, calendars, services, agreements, channels; file order within a kind)."""
    files = _files(path)
    found = [doc for file in files for doc in _file_documents(file)]
    return sorted(found, key=lambda d: KINDS.index(d.kind))


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise DefinitionError(str(path), "no .yaml or .yml file in the directory")
        if len(files) > MAX_FILES:
            raise DefinitionError(str(path), f"more than {MAX_FILES} files")
        return files
    if not path.exists():
        raise DefinitionError(str(path), "file not found")
    return [path]


def _file_documents(path: Path) -> list[Document]:
    text = _read(path)
    out: list[Document] = []
    start, offset = 0, 0
    for match in [*SEPARATOR.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[start:end]
        if chunk.strip() and not _only_comments(chunk):
            out.append(_document(chunk, str(path), offset))
        if match:
            offset = text.count("\n", 0, match.end()) + 1
            start = match.end() + 1
    return out


def _only_comments(chunk: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in chunk.splitlines())


def _read(path: Path) -> str:
    limit = max_bytes()
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise DefinitionError(
                str(path), f"the YAML is over {limit:,} bytes; at most {limit:,} are read"
            )
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(str(path), f"cannot read file: {exc}") from None


def _document(chunk: str, source: str, offset: int) -> Document:
    """A document of a file whose first line is line ``offset + 1``."""
    try:
        parsed = parse_yaml(chunk, source)
    except DefinitionError as exc:
        line = None if exc.line is None else exc.line + offset
        raise DefinitionError(source, exc.message, line, exc.field, exc.column) from None
    located = Located(parsed.data, {k: v + offset for k, v in parsed.lines.items()}, source)
    data = located.data
    if not isinstance(data, dict):
        raise located.error((), "a document is a mapping with a kind")
    kind = data.get("kind")
    if kind not in KINDS:
        raise located.error(("kind",), f"kind must be one of {', '.join(KINDS)}")
    if kind in AGREEMENT_KINDS:
        return Document(kind, data, located)
    model = located.validate(MODELS[kind])
    return Document(kind, model.model_dump(), located)
