"""The calendar form refuses a calendar without working time, naming the line of its hours."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.factories import World
from tests.integration.web.test_pages import sign_in


def test_a_calendar_without_working_time_is_refused_on_its_line(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "manager")
    page = client.post(
        "/calendars/new",
        data={
            "code": "never",
            "csrf": csrf,
            "definition": "name: Never\ntimezone: Europe/Berlin\nhours: {}\n",
        },
    )
    assert page.status_code == 422
    assert 'id="definition-error"' in page.text
    assert "line 3" in page.text
    assert "the calendar has no working time" in page.text
    assert "/calendars/" not in page.headers.get("location", "")
