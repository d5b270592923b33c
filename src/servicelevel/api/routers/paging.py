"""Query parameters every list endpoint shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

Offset = Annotated[int, Query(ge=0, description="Rows to skip.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page (at most 500).")]
