"""Imports through the API read CSV the way the command line does (a byte order mark dropped)
and refuse events dated beyond the allowed skew into the future, naming them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from servicelevel.settings import get_settings
from tests.integration.api.conftest import auth
from tests.integration.api.test_ingestion_api import BATCH, event
from tests.integration.factories import World


@pytest.fixture
def one_hour_skew(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SLM_FUTURE_SKEW_SECONDS", "3600")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SLM_FUTURE_SKEW_SECONDS")
    get_settings.cache_clear()


def test_a_survey_csv_with_a_byte_order_mark_is_read(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    text = "\ufeffcustomer,date,score\nACME,2026-03-31,4\n"
    r = client.post("/api/v1/surveys/import", headers=auth(tokens["admin"]), json={"csv": text})
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 1


def test_an_outage_csv_with_a_byte_order_mark_is_read(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    text = "\ufeffservice,start,end\nemail,2026-03-02T09:00:00+08:00,2026-03-02T10:00:00+08:00\n"
    r = client.post(
        "/api/v1/outages/import", headers=auth(tokens["admin"]), json={"csv": text, "source": "t"}
    )
    assert r.status_code == 201, r.text


def test_an_event_dated_2030_is_refused_and_named(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    late = event("INC1", "2030-01-01T00:00:00Z", "Resolved", event="resolved")
    r = client.post(
        "/api/v1/ticket-events",
        headers=auth(tokens["admin"]),
        json={"source": "itsm", "events": [*BATCH, late]},
    )
    assert r.status_code == 422, r.text
    (problem,) = r.json()["error"]["details"]
    assert problem["field"] == "at"
    assert problem["message"].startswith(
        "the event of INC1 (Resolved) is dated 2030-01-01T00:00:00+00:00, later than"
    )


def test_the_future_skew_is_a_setting(
    client: TestClient, tokens: dict[str, str], world: World, one_hour_skew: None
) -> None:
    now = dt.datetime.now(dt.UTC)
    soon, later = (now + dt.timedelta(minutes=30)), (now + dt.timedelta(hours=2))
    first = event("INC9", soon.isoformat(), "New", event="created", service="email")
    ok = client.post(
        "/api/v1/ticket-events",
        headers=auth(tokens["admin"]),
        json={"source": "itsm", "events": [first]},
    )
    assert ok.status_code == 200, ok.text
    too_late = event("INC9", later.isoformat(), "Resolved", event="resolved")
    r = client.post(
        "/api/v1/ticket-events",
        headers=auth(tokens["admin"]),
        json={"source": "itsm", "events": [too_late]},
    )
    assert r.status_code == 422
