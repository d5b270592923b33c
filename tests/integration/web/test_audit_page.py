"""The audit trail page: readable entries (who with their role, what in words, the fields that
changed), a removed link (an entry with nothing after it), filters and paging — in English and
Chinese, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.agreements import underpinning
from servicelevel.services.parties import directory as parties
from tests.integration.agreement_fixtures import SLA, everyone, uc
from tests.integration.factories import World
from tests.integration.web.test_pages import sign_in


def linked_then_unlinked(session: Session, world: World) -> tuple[int, int]:
    actors = everyone(session, world)
    sla = agreements.create_agreement(session, actor=actors["admin"], document=copy.deepcopy(SLA))
    ucs = agreements.create_agreement(session, actor=actors["admin"], document=uc())
    session.flush()
    underpinning.link(session, actor=actors["manager"], sla_id=sla.id, supporting_id=ucs.id)
    session.flush()
    underpinning.unlink(session, actor=actors["manager"], sla_id=sla.id, supporting_id=ucs.id)
    session.flush()
    return sla.id, ucs.id


def cells(html: str) -> list[str]:
    """The text of the trail's rows, one string per entry."""
    body = html.split('<table class="audit">', 1)[1]
    rows = re.findall(r'<tr id="entry-\d+">(.*?)\n  </tr>', body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]


def test_a_removed_link_no_longer_breaks_the_trail_and_reads_as_a_change(
    client: TestClient, session: Session, world: World
) -> None:
    sla_id, uc_id = linked_then_unlinked(session, world)
    sign_in(client, "viewer")
    page = client.get("/audit")
    assert page.status_code == 200, page.text
    rows = cells(page.text)
    assert rows[0].startswith(rows[0].split(" manager ")[0])  # newest first
    assert "manager Service level manager Link removed Underpinning link" in rows[0]
    assert "(no longer exists)" in rows[0]
    assert "SLA SLA-1 —" in rows[0]
    assert "Underpinned by UC-1 —" in rows[0]
    assert f"SLA {sla_id} —" in rows[0]
    assert f"Underpinned by {uc_id} —" in rows[0]
    assert "Linked Underpinning link" in rows[1]
    assert "SLA — SLA-1" in rows[1]
    assert "{" not in page.text.split('<table class="audit">', 1)[1]  # no raw JSON


def test_the_trail_is_filtered_by_object_user_and_period(
    client: TestClient, session: Session, world: World
) -> None:
    linked_then_unlinked(session, world)
    sign_in(client, "viewer")
    manager = world.actors["manager"].user_id
    by_manager = client.get(f"/audit?user={manager}")
    rows = cells(by_manager.text)
    assert len(rows) == 2
    assert "Link removed Underpinning link" in rows[0]
    assert "Linked Underpinning link" in rows[1]
    assert "Entries 1–2 of 2" in by_manager.text
    parties_only = cells(client.get(f"/audit?object_type=party&object_id={world.acme_id}").text)
    assert len(parties_only) == 1
    assert "Created Party ACME" in parties_only[0]
    assert "Name — Acme Corp" in parties_only[0]
    assert cells(client.get("/audit?from=2000-01-01&to=2000-12-31").text) == []
    bad = client.get("/audit?from=2026-05-02&to=2026-05-01")
    assert bad.status_code == 422
    assert "the period ends before it starts" in bad.text
    assert client.get("/audit?from=yesterday").status_code == 422


def test_the_trail_comes_fifty_entries_a_page_with_the_total(
    client: TestClient, session: Session, world: World
) -> None:
    actors = everyone(session, world)
    for i in range(60):
        parties.create_party(
            session,
            actor=actors["admin"],
            data=parties.PartyData(f"P{i:02}", "customer", f"Customer {i}", {}),
        )
    session.flush()
    sign_in(client, "owner")
    first = client.get("/audit?object_type=party")
    total = len(cells(first.text))
    assert total == 50
    match = re.search(r"Entries 1–50 of (\d+)", first.text)
    assert match
    assert int(match.group(1)) >= 62
    assert 'rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    second = client.get("/audit?object_type=party&page=2")
    rows = cells(second.text)
    assert 0 < len(rows) <= 50
    assert 'rel="prev"' in second.text
    assert not set(rows) & set(cells(first.text))
    assert "page=2" in re.search(r'href="([^"]+)" rel="next"', first.text).group(1)  # type: ignore[union-attr]


def test_the_chinese_trail_says_everything_in_chinese(
    client: TestClient, session: Session, world: World
) -> None:
    linked_then_unlinked(session, world)
    sign_in(client, "viewer")
    for lang in ("zh_Hans", "zh_Hant"):
        client.cookies.set("slm_lang", lang)
        page = client.get("/audit")
        assert page.status_code == 200
        main = page.text.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
        # what people wrote (names, titles, values) stays as written; the page's own words don't
        for data in (
            r'<td class="(before|after)">.*?</td>',
            r'<[^>]*class="name"[^>]*>.*?</(a|span|option)>',
            r"<code>.*?</code>",
        ):
            main = re.sub(data, " ", main, flags=re.S)
        text = " ".join(re.sub(r"<[^>]+>", " ", main).split())
        assert "Link removed" not in text
        assert "Underpinning" not in text
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"SLA", "OLA", "UC", "API"}
        assert words == set(), (lang, text)
        assert "已取消关联" in page.text if lang == "zh_Hans" else "已取消關聯" in page.text
