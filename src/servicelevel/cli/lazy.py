"""Commands that are listed at once but imported only when they run.

``slm --help`` or ``slm calendar …`` should not pay for SQLAlchemy, FastAPI, WeasyPrint and the
rest that other commands need (importing every command took ~2 s of each start). So the top group
holds, for each command, its name, its one-line help and where its code is; the module is imported
when the command is invoked (or asked for its own ``--help``), never to list it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:  # Typer's own copy of Click (0.29+); only its types are named here
    from typer._click import Command, Context


@dataclass(frozen=True)
class Entry:
    """Where a command lives (``module:attribute``: a Typer app or a command function) and the
    help shown for it in the command list (the same text as its own, which a test checks)."""

    target: str
    help: str


class LazyCommand(TyperCommand):
    """Stands in the command list; the real command takes over when its context is made."""

    def __init__(self, name: str, entry: Entry) -> None:
        super().__init__(name=name, help=entry.help)
        self.entry = entry

    def load(self) -> Command:
        """Import the command's module and build the Click command Typer would have built."""
        module, _, attribute = self.entry.target.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        if isinstance(found, typer.Typer):
            command: Command = typer.main.get_group(found)  # a group even of one
        else:
            single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
            single.command(self.name)(found)
            command = typer.main.get_command(single)
        command.name = self.name
        return command

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: Context | None = None,
        **extra: Any,
    ) -> Context:
        return self.load().make_context(info_name, args, parent=parent, **extra)


class LazyGroup(TyperGroup):
    """A group listing ``commands_to_load`` (in that order) without importing them: subclass it
    with the mapping and pass the subclass as ``typer.Typer(cls=...)``."""

    commands_to_load: ClassVar[Mapping[str, Entry]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, entry in self.commands_to_load.items():
            self.add_command(LazyCommand(name, entry))
