"""Which clock kernel measures a batch: the compiled one, or the same source interpreted.

Loading the compiled kernel costs a new process about 0.3–0.4 s (importing Numba and loading
the machine code from its cache), while the same functions run by the interpreter take about
20 µs per clock and ticket. So a process that has not loaded the compiled kernel measures small
work interpreted — ``slm evaluate`` on a few hundred tickets, one ticket's explanation — and
larger work, or any work once the compiled kernel is loaded, compiled. Both are the one source,
:mod:`servicelevel.engine.clock_kernel`, executed twice under two names, so they cannot drift
apart; the clock tests run every case through both.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType

COMPILED = "servicelevel.engine.clock_kernel"
INTERPRETED = "servicelevel.engine.clock_kernel_interpreted"
# Measurements (clocks × tickets) a new process measures interpreted: 10,000 take about 0.2 s
# there, about what loading the compiled kernel would cost before measuring anything.
INTERPRETED_UP_TO = 10_000

_forced: ContextVar[str | None] = ContextVar("servicelevel_clock_kernel", default=None)
_loading = threading.Lock()


def choose(measurements: int) -> ModuleType:
    """The kernel for ``measurements`` clock-ticket pairs in this process (see the module)."""
    forced = _forced.get()
    if forced is not None:
        return compiled() if forced == "compiled" else interpreted()
    if COMPILED not in sys.modules and measurements <= INTERPRETED_UP_TO:
        return interpreted()
    return compiled()


@contextmanager
def using(kind: str) -> Iterator[None]:
    """Measure with the ``"compiled"`` or the ``"interpreted"`` kernel whatever the size (the
    tests run each case through both)."""
    if kind not in ("compiled", "interpreted"):
        raise ValueError(f"no clock kernel {kind!r}: compiled or interpreted")
    token = _forced.set(kind)
    try:
        yield
    finally:
        _forced.reset(token)


def compiled() -> ModuleType:
    """The compiled kernel (Numba; imported, and loaded from its cache, on first use)."""
    return importlib.import_module(COMPILED)


def interpreted() -> ModuleType:
    """The kernel's source executed once more under another name, without compiling."""
    with _loading:
        module = sys.modules.get(INTERPRETED)
        if module is None:
            module = _load_twin()
    return module


def _load_twin() -> ModuleType:
    source = importlib.util.find_spec(COMPILED)
    if source is None or source.origin is None:  # pragma: no cover - a broken install
        raise ImportError(f"{COMPILED} is not installed")
    spec = importlib.util.spec_from_file_location(INTERPRETED, source.origin)
    if spec is None or spec.loader is None:  # pragma: no cover - a broken install
        raise ImportError(f"cannot load {source.origin}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[INTERPRETED] = module
    return module
