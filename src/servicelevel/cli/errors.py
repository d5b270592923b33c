"""How every command reports a user's mistake: one red line on stderr, exit status 2."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer

from servicelevel.definitions.source import DefinitionError
from servicelevel.engine.business_time import NoWorkingTimeError
from servicelevel.engine.durations import DurationError
from servicelevel.engine.periods import PeriodError

P = ParamSpec("P")
R = TypeVar("R")
USER_ERRORS = (DefinitionError, DurationError, PeriodError, NoWorkingTimeError, ValueError)
# BackupError is a ValueError too: a bad or mismatched backup file is reported, not raised.


def fail(message: str) -> typer.Exit:
    from rich.console import Console  # here: most runs have nothing to report (~0.05 s)

    Console(stderr=True).print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None
    except BrokenPipeError:
        raise typer.Exit(code=0) from None  # the reader (e.g. `head`) has seen enough
    except OSError as exc:
        raise fail(f"{exc.filename or ''}: {exc.strerror or exc}") from None
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        raise fail(f"database: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from None


def _is_database_error(exc: Exception) -> bool:
    """Whether SQLAlchemy raised it, without importing SQLAlchemy (~0.3 s) into every command:
    only the commands that use a database import it, and an error of its can only come after."""
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError)


def reports_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so that user errors become a message, not a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with user_errors():
            return fn(*args, **kwargs)

    return wrapper
