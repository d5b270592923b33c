"""Query parameters every list endpoint shares."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

BIGINT = 2**63 - 1  # ids and versions are 64-bit in the database

Offset = Annotated[int, Query(ge=0, le=2**62, description="Rows to skip.")]
Limit = Annotated[int, Query(ge=1, le=500, description="Rows per page (at most 500).")]
RecordId = Annotated[int, Path(ge=1, le=BIGINT, description="A record's id.")]
Version = Annotated[int, Query(ge=1, le=BIGINT, description="The version you read.")]
RecordFilter = Annotated[int, Query(ge=1, le=BIGINT, description="Only rows of this record.")]
