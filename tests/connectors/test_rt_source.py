"""The RT source (kind ``rt``) against a real Request Tracker 5 on loopback (rt_server.py):
tickets are made and moved through their statuses with RT's own REST2 API, then pulled; the
records say what RT's history says, the shipped ``rt`` mapping reads them as events, a pull from
the stored cursor reads only what changed since, and write-back sets custom fields RT answers."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from tests.connectors.rt_server import PASSWORD, USER, RtServer, rt_or_skip

from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.rt import RtSource
from servicelevel.definitions.ticket_mappings import load_mapping, map_records

ROOT_AUTH = Auth(kind="basic", username=USER, secret=PASSWORD)


@pytest.fixture(scope="module")
def rt() -> Iterator[RtServer]:
    with rt_or_skip() as server:
        yield server


def tag() -> str:
    """A word only this test's tickets carry in their subject, so the test pulls only them."""
    return f"t{uuid.uuid4().hex[:10]}"


def source(rt: RtServer, word: str, **settings: Any) -> RtSource:
    return RtSource(
        base_url=rt.url,
        auth=ROOT_AUTH,
        settings={"query": f"Subject LIKE '{word}'", **settings},
        http=HttpClient(),
    )


def pull(src: RtSource, cursor: str | None = None) -> list[Page]:
    return list(src.pages(cursor=cursor, since=None))


def records(pages: list[Page]) -> list[dict[str, Any]]:
    return [r for p in pages for r in p.records]


def next_second() -> None:
    """Wait until RT's clock has moved to the next second (its instants are whole seconds)."""
    time.sleep(1.1)


def test_a_ticket_moved_through_its_statuses_is_read_as_one_record_per_transaction(
    rt: RtServer,
) -> None:
    word = tag()
    ticket = rt.create_ticket(
        f"{word} printer down", Priority=100, CustomFields={"Customer": "contoso"}
    )
    rt.update_ticket(ticket, Status="open", Owner="root")
    rt.update_ticket(ticket, Status="stalled")
    rt.update_ticket(ticket, Status="resolved")
    read = records(pull(source(rt, word)))
    changes = [(r["transaction"]["type"], r["transaction"]["field"], r["status"]) for r in read]
    assert changes == [
        ("Create", "", "new"),
        ("Set", "Owner", "new"),
        ("Status", "Status", "open"),
        ("Status", "Status", "stalled"),
        ("Status", "Status", "resolved"),
    ]
    assert [r["owner"] for r in read] == ["", "root", "root", "root", "root"]
    assert {(r["ticket"], r["queue"], r["custom_fields"]["Customer"]) for r in read} == {
        (ticket, "Support", "contoso")
    }
    created = {t["id"]: t["Created"] for t in rt.history(ticket)}
    assert [r["transaction"]["created"] for r in read] == [
        created[r["transaction"]["id"]] for r in read
    ]


def test_the_rt_mapping_reads_the_records_as_the_tickets_state_changes(rt: RtServer) -> None:
    word = tag()
    ticket = rt.create_ticket(f"{word} mail", Priority=50, CustomFields={"Customer": "fabrikam"})
    rt.update_ticket(ticket, Status="open")
    rt.update_ticket(ticket, Status="resolved")
    events, rejected = map_records(records(pull(source(rt, word))), load_mapping("rt"))
    assert rejected == []
    assert [e["state"] for e in events] == ["new", "open", "resolved"]
    assert {(e["ticket"], e["customer"], e["service"], e["priority"]) for e in events} == {
        (ticket, "fabrikam", "it-support", "P2")
    }
    history = {t["id"]: t for t in rt.history(ticket)}
    for event in events:
        at = dt.datetime.fromisoformat(history[event["key"]]["Created"].replace("Z", "+00:00"))
        assert event["at"] == at


def test_a_queue_change_is_read_with_the_queue_it_left_before_it(rt: RtServer) -> None:
    word = tag()
    ticket = rt.create_ticket(f"{word} moved", Queue="General")
    rt.update_ticket(ticket, Queue="Support")
    read = records(pull(source(rt, word)))
    assert [(r["transaction"]["type"], r["queue"]) for r in read] == [
        ("Create", "General"),
        ("Set", "Support"),
    ]


def test_a_pull_from_the_stored_cursor_reads_only_the_transactions_made_since(
    rt: RtServer,
) -> None:
    word = tag()
    first = rt.create_ticket(f"{word} one")
    second = rt.create_ticket(f"{word} two")
    pages = pull(source(rt, word))
    cursor = pages[-1].cursor
    assert len(records(pages)) == 2
    # nothing new: at most the transactions of the cursor's own second are read again
    assert all(r in records(pages) for r in records(pull(source(rt, word), cursor)))
    next_second()
    rt.update_ticket(second, Status="open")
    again = records(pull(source(rt, word), cursor))
    new = [r for r in again if r not in records(pages)]
    assert [(r["ticket"], r["transaction"]["type"], r["status"]) for r in new] == [
        (second, "Status", "open")
    ]
    later = pull(source(rt, word), pull(source(rt, word), cursor)[-1].cursor)
    assert first not in {r["ticket"] for r in records(later)}


def test_many_tickets_are_read_page_by_page_with_a_cursor_per_page(rt: RtServer) -> None:
    word = tag()
    made = [rt.create_ticket(f"{word} n{i}") for i in range(5)]
    pages = pull(source(rt, word, page_size=2))
    assert len(pages) == 3
    assert sorted(r["ticket"] for r in records(pages)) == sorted(made)
    cursors = [p.cursor or "" for p in pages]
    assert cursors == sorted(cursors)


def test_write_back_sets_the_custom_fields_rt_then_answers(rt: RtServer) -> None:
    word = tag()
    ticket = rt.create_ticket(f"{word} write back")
    src = source(rt, word)
    src.write_back(ticket=ticket, fields={"deadline": "2026-12-04T16:00:00Z", "breached": "no"})
    assert rt.custom_field(ticket, "SLA deadline") == ["2026-12-04T16:00:00Z"]
    assert rt.custom_field(ticket, "SLA breached") == ["no"]
    src.write_back(ticket=ticket, fields={"breached": "yes"})
    assert rt.custom_field(ticket, "SLA breached") == ["yes"]
    assert [r["transaction"]["type"] for r in records(pull(src))] == ["Create"]


def test_write_back_to_a_custom_field_rt_does_not_have_is_a_connector_error(
    rt: RtServer,
) -> None:
    ticket = rt.create_ticket(f"{tag()} unknown field")
    with pytest.raises(ConnectorError, match="RT refused"):
        source(rt, "x").write_back(ticket=ticket, fields={"No such field": "1"})


def test_a_wrong_password_is_a_connector_error_without_the_password(rt: RtServer) -> None:
    src = RtSource(
        base_url=rt.url,
        auth=Auth(kind="basic", username=USER, secret="wrong-secret"),
        settings={},
        http=HttpClient(retries=0),
    )
    with pytest.raises(ConnectorError) as failure:
        pull(src)
    assert "wrong-secret" not in str(failure.value)


def test_settings_rt_cannot_use_are_refused_naming_the_setting() -> None:
    with pytest.raises(ConnectorError, match=r"settings\.page_size"):
        RtSource(
            base_url="http://127.0.0.1:1",
            auth=ROOT_AUTH,
            settings={"page_size": 500},
            http=HttpClient(),
        )
