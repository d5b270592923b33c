"""Query parameters every list endpoint shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from servicelevel.api.schemas.common import BIGINT

Offset = Annotated[int, Query(ge=0, le=2**62, description="Rows to skip.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page (at most 500).")]
RecordId = Annotated[int, Path(ge=1, le=BIGINT, description="A record's id.")]
LockVersionQuery = Annotated[
    int, Query(ge=1, le=BIGINT, description="The lock_version you read; a newer one is a 409.")
]
RecordFilter = Annotated[int, Query(ge=1, le=BIGINT, description="Only rows of this record.")]
