"""The clock tests run every case through both kernels (see :mod:`servicelevel.engine.kernels`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servicelevel.engine import kernels


@pytest.fixture(scope="module", params=["compiled", "interpreted"])
def kernel(request: pytest.FixtureRequest) -> Iterator[str]:
    """Measure with this kernel whatever the work's size (module-scoped: hypothesis's tests may
    use it)."""
    with kernels.using(request.param):
        yield request.param
