"""Reading definition files so that every error names the file, the line and the field.

YAML is read with YAML 1.2-like scalars: only ``true``/``false`` are booleans (so the country
code ``NO`` stays a string), ``9:00`` is not a sexagesimal number, and dates and times stay
strings until the schema reads them with their time zone in mind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class DefinitionError(ValueError):
    """A definition file that cannot be used, with where and why."""

    def __init__(self, source: str, message: str, line: int | None = None, field: str = ""):
        self.source, self.line, self.field, self.message = source, line, field, message
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {field + ': ' if field else ''}{message}")


class _Loader(yaml.SafeLoader):
    """SafeLoader with plain scalar rules (see the module docstring)."""


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
            raise self.error(loc, _clean(first["msg"])) from None


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")


def parse_yaml(text: str, source: str) -> Located:
    """Parse YAML text, recording lines; syntax errors name their line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        data = _build(loader, node, (), lines) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise DefinitionError(source, f"invalid YAML: {exc.problem}", line) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(source, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if node is not None:
        lines[()] = node.start_mark.line + 1
    return Located(data, lines, source)


def _build(loader: _Loader, node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int):
                raise yaml.MarkedYAMLError(
                    problem="keys must be text", problem_mark=key_node.start_mark
                )
            key = str(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            items.append(_build(loader, item, (*path, i), lines))
        return items
    return loader.construct_object(node, deep=True)


def read_yaml(path: str | Path) -> Located:
    """Read and parse a YAML file; a missing or unreadable file is a :class:`DefinitionError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(str(path), f"cannot read file: {exc}") from None
    return parse_yaml(text, str(path))
