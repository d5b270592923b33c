"""The ServiceNow source (kind ``servicenow``) against a loopback server that follows
ServiceNow's published Table API, sys_audit, OAuth and rate-limiting documents
(servicenow_server.py), seeded with the first 52 incidents of the real ServiceNow event log: a
pull read with the shipped ``servicenow`` mapping gives the changes a file import of the same
rows gives, page by page; a pull from the stored cursor reads only what changed; a 429 waits
as long as Retry-After says; a refusal is the instance's own message without the
credentials; a damaged cursor is named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.connectors import servicenow_server
from tests.connectors.servicenow_server import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    SERVICENOW_LOG,
    USER,
    Store,
    log_head,
    serving,
)

from servicelevel.connectors import servicenow
from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.registry import SOURCES, build_source
from servicelevel.connectors.servicenow import ServiceNowSource
from servicelevel.definitions.source import read_yaml
from servicelevel.definitions.ticket_mappings import load_mapping, map_records, read_rows

ROWS = 328  # the log's first 328 rows: 52 whole incidents, before its out-of-order ones
BASIC = Auth(kind="basic", username=USER, secret=PASSWORD)
needs_data = pytest.mark.skipif(not SERVICENOW_LOG.exists(), reason="the shared data is not here")


@pytest.fixture(scope="module")
def log_slice() -> bytes:
    if not SERVICENOW_LOG.exists():
        pytest.skip("the shared data is not beside the project")
    return log_head(ROWS)


@pytest.fixture
def instance(log_slice: bytes) -> Iterator[tuple[str, Store]]:
    store = servicenow_server.store_from_log(log_slice)
    with serving(store) as url:
        yield url, store


def source(
    url: str, auth: Auth = BASIC, http: HttpClient | None = None, **settings: Any
) -> ServiceNowSource:
    return ServiceNowSource(
        base_url=url,
        auth=auth,
        settings={"page_size": 10, **settings},
        http=http or HttpClient(),
    )


def pull(src: ServiceNowSource, cursor: str | None = None) -> list[Page]:
    return list(src.pages(cursor=cursor, since=None))


def records(pages: list[Page]) -> list[dict[str, Any]]:
    return [r for p in pages for r in p.records]


def changes(events: list[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    """Each ticket's events where its state, priority, category or team changes (an update
    that changed none of them is not a change the audit trail shows), with their instants."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for event in events:
        timeline = out.setdefault(event["ticket"], [])
        team = event["standing"].get("team", "")
        now = (event["state"], event["priority"], event["category"], team)
        if not timeline or timeline[-1][1:] != now:
            timeline.append((event["at"], *now))
    return out


def file_import(text: bytes, tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "incidents.csv"
    path.write_bytes(text)
    rows, problems = read_rows(path, load_mapping("servicenow"))
    assert [p for p in problems if p.fatal] == []
    return rows


@needs_data
def test_a_pull_over_several_pages_gives_the_changes_a_file_import_of_the_same_rows_gives(
    instance: tuple[str, Store], log_slice: bytes, tmp_path: Path
) -> None:
    url, store = instance
    pages = pull(source(url))
    incidents = store.tables["incident"]
    assert len(incidents) == 52
    assert len(pages) >= 6  # 10 incidents a page, those of the last one's second read again
    numbers = [r["number"] for r in records(pages) if r["sys_mod_count"] == "0"]
    assert sorted(numbers) == sorted(i["number"] for i in incidents)  # each read once
    pulled, rejected = map_records(records(pages), load_mapping("servicenow"))
    assert rejected == []
    expected = changes(file_import(log_slice, tmp_path))
    assert changes(pulled) == expected
    assert sum(len(t) for t in expected.values()) > 200  # states, priorities, groups changed
    last = max(incidents, key=lambda i: (i["sys_updated_on"], i["sys_id"]))
    assert pages[-1].cursor == f"{last['sys_updated_on']}|{last['sys_id']}"
    cursors = [p.cursor or "" for p in pages]
    assert cursors == sorted(cursors)
    asked = [r for r in store.requests if r.startswith("/api/now/table/incident")]
    assert "sys_updated_on%3E%3D1970-01-01+00%3A00%3A00" in asked[0]
    assert "sysparm_display_value=all" in asked[0]
    assert "ORDERBYsys_updated_on%5EORDERBYsys_id" in asked[0]
    assert "sysparm_fields=sys_id%2Cnumber%2C" in asked[0]  # not the incident's 100 fields


@needs_data
def test_a_page_of_many_incidents_asks_their_audit_a_few_at_a_time(
    instance: tuple[str, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, store = instance
    expected = records(pull(source(url)))
    store.requests.clear()
    monkeypatch.setattr(servicenow, "IDS_PER_QUERY", 20)  # the URL of a query stays short
    one_page = pull(source(url, page_size=1000))
    assert len(one_page) == 1
    assert records(one_page) == expected
    asked = [r for r in store.requests if r.startswith("/api/now/table/sys_audit")]
    assert len(asked) == 3  # 52 incidents: 20, 20 and 12


@needs_data
def test_the_records_say_what_the_instance_shows_labels_names_and_update_counts(
    instance: tuple[str, Store],
) -> None:
    url, _ = instance
    found = [r for r in records(pull(source(url))) if r["number"] == "INC0000047"]
    assert [(r["sys_mod_count"], r["incident_state"], r["assignment_group"]) for r in found] == [
        ("0", "New", "Group 70"),
        ("1", "Active", "Group 24"),
        ("6", "Awaiting User Info", "Group 24"),
        ("7", "Resolved", "Group 24"),
        ("8", "Closed", "Group 24"),
    ]
    assert found[1]["sys_updated_at"] == "29/02/2016 05:30"
    assert found[1]["sys_updated_on"] == "2016-02-29 05:30:00"
    assert found[0]["opened_at"] == "29/02/2016 04:40"
    assert found[0]["priority"] == "3 - Moderate"


@needs_data
def test_an_instance_that_audits_inserts_gives_the_same_records(log_slice: bytes) -> None:
    plain = servicenow_server.store_from_log(log_slice)
    audited = servicenow_server.store_from_log(log_slice, audit_inserts=True)
    assert len(audited.tables["sys_audit"]) > len(plain.tables["sys_audit"])
    with serving(plain) as url:
        expected = records(pull(source(url)))
    with serving(audited) as url:
        assert records(pull(source(url))) == expected


@needs_data
def test_a_pull_from_the_stored_cursor_reads_only_what_changed_since(
    instance: tuple[str, Store],
) -> None:
    url, store = instance
    cursor = pull(source(url))[-1].cursor
    assert records(pull(source(url), cursor)) == []
    at = dt.datetime(2017, 3, 1, 9, 30, 15, tzinfo=dt.UTC)
    store.update("INC0000062", at, incident_state="2", state="2")
    store.update("INC0000045", at + dt.timedelta(minutes=5), short_description="typo fixed")
    pages = pull(source(url), cursor)
    found = records(pages)
    assert [(r["number"], r["incident_state"], r["sys_updated_on"]) for r in found] == [
        ("INC0000062", "Active", "2017-03-01 09:30:15")
    ]  # INC0000045's update changed no audited field: read, no record
    events, rejected = map_records(found, load_mapping("servicenow"))
    assert rejected == []
    assert [(e["ticket"], e["state"], e["at"]) for e in events] == [
        ("INC0000062", "Active", dt.datetime(2017, 3, 1, 9, 30, tzinfo=dt.UTC))
    ]  # and no second opening: opened_at is on the creation's record only
    incident = store.incident("INC0000045")
    assert pages[-1].cursor == f"2017-03-01 09:35:15|{incident['sys_id']}"
    assert records(pull(source(url), pages[-1].cursor)) == []


@needs_data
def test_incidents_updated_in_the_same_second_are_all_read_across_pages(
    instance: tuple[str, Store],
) -> None:
    url, store = instance
    cursor = pull(source(url))[-1].cursor
    at = dt.datetime(2017, 4, 1, 8, 0, 0, tzinfo=dt.UTC)
    numbers = [i["number"] for i in store.tables["incident"] if i["priority"] != "4"][:25]
    for number in numbers:
        store.update(number, at, priority="4")
    pages = pull(source(url), cursor)
    assert len(pages) >= 3
    assert sorted(r["number"] for r in records(pages)) == sorted(numbers)
    assert {r["priority"] for r in records(pages)} == {"4 - Low"}


@needs_data
def test_a_backfill_date_starts_the_first_pull_there(instance: tuple[str, Store]) -> None:
    url, store = instance
    since = dt.datetime(2016, 3, 6, tzinfo=dt.UTC)
    found = records(list(source(url).pages(cursor=None, since=since)))
    assert found
    assert all(r["sys_updated_on"] >= "2016-03-06 00:00:00" for r in found)
    later = {i["number"] for i in store.tables["incident"] if i["sys_updated_on"] >= "2016-03-06"}
    assert {r["number"] for r in found} == later


@needs_data
def test_a_429_waits_as_long_as_retry_after_says_and_a_503_is_tried_again(
    instance: tuple[str, Store],
) -> None:
    url, store = instance
    expected = records(pull(source(url)))
    store.requests.clear()
    store.limit_at, store.fail_at = {2}, {5}
    slept: list[float] = []
    assert records(pull(source(url, http=HttpClient(sleep=slept.append)))) == expected
    assert slept == [7.0, 1.0]  # Retry-After: 7, then the first back-off
    assert store.requests[1] == store.requests[2]  # the refused request, asked again


@needs_data
def test_a_refused_login_is_the_instances_message_without_the_credentials(
    instance: tuple[str, Store],
) -> None:
    url, _ = instance
    wrong = Auth(kind="basic", username=USER, secret="not-the-password")
    with pytest.raises(ConnectorError) as caught:
        pull(source(url, auth=wrong))
    message = str(caught.value)
    assert "HTTP 401" in message
    assert "User Not Authenticated" in message
    assert "not-the-password" not in message
    assert "Basic" not in message


@pytest.mark.parametrize(
    "cursor",
    ["2016-02-29", "yesterday|", "2016-02-29 01:23:00|not-a-sys-id", "2016-13-01 00:00:00|"],
)
def test_a_damaged_cursor_is_named_and_never_read_as_the_start(cursor: str) -> None:
    with pytest.raises(ConnectorError, match="is not a ServiceNow cursor") as caught:
        pull(source("http://127.0.0.1:9"), cursor)
    assert repr(cursor)[:40] in str(caught.value)


@needs_data
@pytest.mark.parametrize("grant", ["password", "client_credentials"])
def test_oauth_asks_a_token_with_a_form_and_reads_with_it(
    instance: tuple[str, Store], grant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, store = instance
    monkeypatch.setenv("SN_CLIENT_SECRET", CLIENT_SECRET)
    oauth = {"grant_type": grant, "client_id": CLIENT_ID, "client_secret_env": "SN_CLIENT_SECRET"}
    auth = BASIC if grant == "password" else Auth(kind="none")
    expected = records(pull(source(url)))
    store.requests.clear()
    assert records(pull(source(url, auth=auth, oauth=oauth))) == expected
    assert store.requests.count("/oauth_token.do") == 1  # one token for the whole pull
    assert len(store.tokens) == 1


@needs_data
def test_a_refused_oauth_client_is_an_error_without_its_secret(
    instance: tuple[str, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = instance
    monkeypatch.setenv("SLM_CONNECTOR_SECRETS_DIR", str(tmp_path))
    secret = tmp_path / "client-secret"
    secret.write_text("wrong-client-secret\n")
    oauth = {"grant_type": "client_credentials", "client_id": CLIENT_ID}
    with pytest.raises(ConnectorError, match=r"HTTP 401.*oauth_token\.do") as caught:
        pull(
            source(url, auth=Auth(kind="none"), oauth={**oauth, "client_secret_file": str(secret)})
        )
    assert "wrong-client-secret" not in str(caught.value)
    with pytest.raises(ConnectorError, match="environment variable NOPE is not set"):
        pull(source(url, oauth={**oauth, "client_secret_env": "NOPE"}))


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"page_size": 0}, "settings.page_size"),
        ({"table": "incident; drop"}, "settings.table"),
        ({"colour": "red"}, "settings.colour"),
        ({"oauth": {"grant_type": "implicit", "client_id": "x"}}, "settings.oauth.grant_type"),
        ({"fields": ["state", "x^y"]}, "settings.fields"),
    ],
)
def test_a_setting_that_cannot_be_used_is_named(settings: dict[str, Any], named: str) -> None:
    with pytest.raises(ConnectorError, match=named.replace(".", r"\.")):
        source("http://127.0.0.1:9", **settings)


def test_the_servicenow_kind_is_registered() -> None:
    assert SOURCES["servicenow"] is ServiceNowSource
    made = build_source(
        "servicenow", base_url="http://127.0.0.1:9", auth=BASIC, settings={}, http=HttpClient()
    )
    assert isinstance(made, ServiceNowSource)


@pytest.mark.parametrize("name", ["servicenow", "jira"])
def test_the_example_connections_settings_build_their_source(name: str) -> None:
    example = read_yaml(Path(__file__).resolve().parents[2] / f"examples/connectors/{name}.yaml")
    settings = dict(example.data["settings"])
    assert settings.pop("auth")["secret_env"]  # the secret is found, never written
    made = build_source(
        example.data["type"],
        base_url=example.data["base_url"],
        auth=BASIC,
        settings=settings,
        http=HttpClient(),
    )
    assert made.kind == name


@needs_data
def test_write_back_sets_the_incidents_sla_fields_and_is_not_read_back_as_a_change(
    instance: tuple[str, Store],
) -> None:
    url, store = instance
    src = source(url)
    cursor = pull(src)[-1].cursor
    src.write_back(
        ticket="INC0000047", fields={"deadline": "2016-03-01T04:57:00Z", "breached": "no"}
    )
    incident = store.incident("INC0000047")
    assert (incident["u_sla_deadline"], incident["u_sla_breached"]) == (
        "2016-03-01T04:57:00Z",
        "no",
    )
    assert incident["sys_updated_on"] == "2017-06-01 12:00:00"  # an update like any other
    pages = pull(source(url), cursor)
    assert records(pages) == []
    assert pages[-1].cursor == f"2017-06-01 12:00:00|{incident['sys_id']}"


@needs_data
def test_write_back_to_a_missing_incident_or_field_is_an_error_naming_it(
    instance: tuple[str, Store],
) -> None:
    url, store = instance
    with pytest.raises(ConnectorError, match="no incident INC9999999"):
        source(url).write_back(ticket="INC9999999", fields={"breached": "yes"})
    store.custom_fields = ()
    with pytest.raises(ConnectorError, match="did not set u_sla_breached on incident INC0000047"):
        source(url).write_back(ticket="INC0000047", fields={"breached": "yes"})
    with pytest.raises(ConnectorError, match=r"settings\.write_back_fields: state"):
        source(url, write_back_fields={"breached": "state"})
