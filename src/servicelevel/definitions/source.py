"""Reading definition files so that every error names the file, the line and the field.

YAML is read with YAML 1.2-like scalars: only ``true``/``false`` are booleans (so the country
code ``NO`` stays a string), ``9:00`` is not a sexagesimal number, and dates and times stay
strings until the schema reads them with their time zone in mind.

This is the one reader of YAML (files, the CLI, the web forms), and it is bounded, because its
input may come from anyone who can post a form: anchors and aliases are refused (a few hundred
bytes of nested aliases expand to gigabytes), as are documents nested more than
:data:`MAX_DEPTH` levels or holding more than :data:`MAX_NODES` values (a 1 MiB flow list of
``1,1,1…`` took a minute and 435 MB to read), texts over ``SLM_YAML_MAX_BYTES`` (256 KiB by
default; an agreement is a few KB), a key given twice in one mapping (the second would silently
win), explicit tags (``!!bool``, ``!!python/…``: the formats need none, and a tag on a mapping
or list was silently dropped) and texts holding a lone surrogate (``"\\ud800"``: no database
stores it). A value the reader cannot make (a 5,000-digit number) is an error at its line and
column, like every other.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, PlainValidator, ValidationError

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 32  # nested mappings and lists; the formats need fewer than ten
MAX_NODES = 20_000  # values, keys included; the demo agreement has about 200
YAML_MAX_BYTES = 256 << 10  # unless SLM_YAML_MAX_BYTES says otherwise (settings.Settings)
SURROGATE = re.compile(r"[\ud800-\udfff]")


class DefinitionError(ValueError):
    """A definition file that cannot be used, with where and why."""

    def __init__(
        self,
        source: str,
        message: str,
        line: int | None = None,
        field: str = "",
        column: int | None = None,
    ):
        self.source, self.line, self.field, self.message = source, line, field, message
        self.column = column
        where = source if line is None else f"{source}:{line}"
        where += "" if line is None or column is None else f":{column}"
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


LANGUAGES = ("en", "zh-Hans", "zh-Hant")


def _localized(value: Any) -> str | dict[str, str]:
    """A text, or the same text in several languages: ``{en: …, zh-Hans: …}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value:
        unknown = [str(k) for k in value if k not in LANGUAGES]
        if unknown:
            raise ValueError(
                f"{unknown[0]!r} is not a language: write a text, or texts by language "
                f"({', '.join(LANGUAGES)})"
            )
        for language, text in value.items():
            if not isinstance(text, str):
                raise ValueError(f"the {language} text must be a text, not {_kind(text)}")
        return value
    raise ValueError(
        f"write a text, or texts by language ({', '.join(LANGUAGES)}), not {_kind(value)}"
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    if value == {}:
        return "an empty mapping"
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else type(value).__name__


# A text in one language or several; anything else is refused with a plain message.
Localized = Annotated[str | dict[str, str], PlainValidator(_localized)]


class _Loader(yaml.SafeLoader):
    """SafeLoader with plain scalar rules (see the module docstring), no anchors, aliases or
    tags, and a bounded depth and number of values."""

    depth = 0
    nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (&name, *name) are not accepted: write the value out",
                problem_mark=event.start_mark,
            )
        if getattr(event, "tag", None) is not None:
            raise yaml.MarkedYAMLError(
                problem="tags (!!name, !name) are not accepted: write the value plainly "
                "(quote it to make it a text)",
                problem_mark=event.start_mark,
            )
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise yaml.MarkedYAMLError(
                problem=f"the document holds more than {MAX_NODES:,} values",
                problem_mark=event.start_mark,
            )
        nests = isinstance(event, yaml.CollectionStartEvent)
        if nests and self.depth >= MAX_DEPTH:
            raise yaml.MarkedYAMLError(
                problem=f"the document is nested more than {MAX_DEPTH} levels deep",
                problem_mark=event.start_mark,
            )
        self.depth += nests
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= nests
        return node


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
        and not (tag == "tag:yaml.org,2002:int" or tag == "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


class Located:
    """A parsed document and the line of every key and list item in it."""

    def __init__(self, data: Any, lines: dict[Path_, int], source: str) -> None:
        self.data, self.lines, self.source = data, lines, source

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """The line of the deepest part of ``path`` that exists in the document."""
        parts = tuple(path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), None)

    def error(self, path: Iterable[str | int], message: str) -> DefinitionError:
        parts = tuple(path)
        field = ".".join(str(p) for p in parts)
        return DefinitionError(self.source, message, self.line_of(parts), field)

    def validate(self, model: type[M], data: Any = None, path: Path_ = ()) -> M:
        """Validate with pydantic; the first error becomes a :class:`DefinitionError`."""
        try:
            return model.model_validate(self.data if data is None else data)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = path + tuple(p for p in first["loc"] if isinstance(p, str | int))
            raise self.error(loc, _worded(first)) from None


# pydantic's messages for the mistakes people make in a definition, in our words (the pages
# translate these; pydantic's own, e.g. "Input should be 'SLA', 'OLA' or 'UC'", they cannot)
WORDED = {
    "literal_error": "must be one of {choices}",
    "enum": "must be one of {choices}",
    "missing": "is required",
    "extra_forbidden": "is not a key of this document",
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "dict_type": "must be a mapping (key: value)",
    "list_type": "must be a list",
    "date_type": "must be a date such as 2026-01-31",
    "date_parsing": "must be a date such as 2026-01-31",
    "date_from_datetime_parsing": "must be a date such as 2026-01-31",
}


def _worded(error: Any) -> str:
    template = WORDED.get(str(error.get("type", "")))
    if template is None:
        return str(error["msg"]).removeprefix("Value error, ")
    expected = str((error.get("ctx") or {}).get("expected", ""))
    return template.format(choices=", ".join(re.findall(r"'([^']*)'", expected)) or expected)


def max_bytes() -> int:
    """The largest YAML text read (``SLM_YAML_MAX_BYTES``, default :data:`YAML_MAX_BYTES`).

    The settings are loaded only when the variable is set: the settings library costs ~0.2 s of
    every start, which ``slm calendar …`` should not pay to learn the default.
    """
    if "SLM_YAML_MAX_BYTES" not in os.environ:
        return YAML_MAX_BYTES
    from servicelevel.settings import get_settings

    return get_settings().yaml_max_bytes


def _check_size(size: int, source: str) -> None:
    limit = max_bytes()
    if size > limit:
        raise DefinitionError(
            source, f"the YAML is {size:,} bytes; at most {limit:,} are read (SLM_YAML_MAX_BYTES)"
        )


def parse_yaml(text: str, source: str) -> Located:
    """Parse YAML text, recording lines; syntax errors name their line and column."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), source)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = _build(loader, node, (), lines) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise DefinitionError(source, f"invalid YAML: {exc.problem}", line, "", column) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(source, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if node is not None:
        lines[()] = node.start_mark.line + 1
    return Located(data, lines, source)


def _scalar(loader: _Loader, node: yaml.Node) -> Any:
    """The value of a scalar node; a value that cannot be made (a number over Python's 4,300
    digits) or a lone surrogate is an error at the node."""
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, KeyError, OverflowError, TypeError) as exc:
        if node.tag.endswith(":int"):
            problem = f"the number has more than {sys.get_int_max_str_digits():,} digits"
        else:
            problem = f"the value cannot be read: {str(exc).split(';')[0] or type(exc).__name__}"
        raise yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark) from None
    if isinstance(value, str) and not value.isascii() and SURROGATE.search(value):
        raise yaml.MarkedYAMLError(
            problem="the text holds a lone surrogate (\\ud800-\\udfff), which is not a character",
            problem_mark=node.start_mark,
        )
    return value


def _build(loader: _Loader, node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.MarkedYAMLError(
                    problem="keys must be text", problem_mark=key_node.start_mark
                )
            key = _scalar(loader, key_node)
            if not isinstance(key, str | int):
                raise yaml.MarkedYAMLError(
                    problem="keys must be text", problem_mark=key_node.start_mark
                )
            key = str(key)
            if key in out:
                raise yaml.MarkedYAMLError(
                    problem=f"the key {key!r} is given twice (first on line {lines[(*path, key)]})",
                    problem_mark=key_node.start_mark,
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            items.append(_build(loader, item, (*path, i), lines))
        return items
    return _scalar(loader, node)


def read_yaml(path: str | Path) -> Located:
    """Read and parse a YAML file; a missing or unreadable file is a :class:`DefinitionError`.

    At most one byte over the limit is read, whatever the file is (a pipe, ``/dev/stdin``, a file
    still growing): its size on disk is not trusted."""
    p = Path(path)
    limit = max_bytes()
    try:
        with p.open("rb") as stream:
            data = _read_at_most(stream, limit + 1)
        if len(data) > limit:
            raise DefinitionError(
                str(path),
                f"the YAML is over {limit:,} bytes; "
                f"at most {limit:,} are read (SLM_YAML_MAX_BYTES)",
            )
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise DefinitionError(str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(str(path), f"cannot read file: {exc}") from None
    return parse_yaml(text, str(path))


def _read_at_most(stream: Any, count: int) -> bytes:
    """Up to ``count`` bytes (a pipe may hand them over in several pieces)."""
    out = BytesIO()
    while out.tell() < count:
        piece = stream.read(count - out.tell())
        if not piece:
            break
        out.write(piece)
    return out.getvalue()
