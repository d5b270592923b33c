"""A bounded fuzzing run in the suite: schemathesis draws requests from the API's own OpenAPI
document and sends them to the application (on SQLite and PostgreSQL, as the process owner and
as a customer representative); no answer may be a server error, and every answer's status,
media type and body must be the documented ones. The full run is ``make fuzz`` (docs/api.md)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.api.conftest import auth
from tests.integration.factories import World

CASES = 60  # per persona and database; `make fuzz` runs thousands
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("persona", ["owner", "customer_rep"])
def test_generated_requests_get_documented_answers_and_never_a_server_error(
    client: TestClient, tokens: dict[str, str], world: World, persona: str
) -> None:
    loaded = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    # the token's own endpoints would revoke it or change its password mid-run
    schema = loaded.exclude(path_regex="^/api/v1/auth/")
    operations = [found.ok() for found in schema.get_all_operations() if isinstance(found, Ok)]
    assert len(operations) > 100
    headers = auth(tokens[persona])

    @settings(
        max_examples=CASES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def one_request(data: Any) -> None:
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
        for unused in ("timeout", "cookies"):  # no cookies are documented
            kwargs.pop(unused, None)
        answer = client.request(**{k: v for k, v in kwargs.items() if v is not None})
        case.validate_response(answer, checks=CHECKS)

    one_request()
