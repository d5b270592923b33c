"""The layout's rules that hold on the server's HTML: a skip link, the confirmation dialog on
every page, and colour never the only signal."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.integration.factories import World
from tests.integration.web.test_pages import csrf_of, sign_in


def test_every_page_starts_with_a_skip_link_to_its_content(
    client: TestClient, world: World
) -> None:
    sign_in(client, "manager")
    page = client.get("/parties").text
    body = page.split("<body>", 1)[1].lstrip()
    assert body.startswith('<a class="skip" href="#content">Skip to the content</a>')
    assert '<main id="content" tabindex="-1">' in page
    assert '<dialog id="confirm"' in page


def test_a_low_satisfaction_score_is_marked_in_words_not_only_in_red(
    client: TestClient, world: World
) -> None:
    sign_in(client, "admin")
    token = csrf_of(client.get("/surveys").text)
    csv = "customer,date,score,comments\nACME,2026-03-02,1,too slow\nACME,2026-03-03,5,fine\n"
    page = client.post(
        "/surveys/import", data={"csrf": token, "csv": csv}, follow_redirects=True
    ).text
    rows = re.findall(r'<tr id="survey-\d+"(.*?)</tr>', page, re.S)
    low = [r for r in rows if "too slow" in r]
    fine = [r for r in rows if "fine" in r]
    assert len(low) == 1
    assert len(fine) == 1
    assert "▼ Low score" in low[0]
    assert "Low score" not in fine[0]
