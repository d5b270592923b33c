"""An API client bound to the test's transaction, and a token per persona."""

from __future__ import annotations

from tests.integration.conftest import auth

__all__ = ["auth"]
