"""The Jira source (kind ``jira``) against a loopback server that follows Atlassian's published
Jira Cloud platform REST API v3 documents (jira_server.py: issue search, issue changelogs, basic
auth with an API token, rate limiting), seeded with the first 52 incidents of the real
ServiceNow event log as issues: a pull read with the shipped ``jira`` mapping gives the state
and priority changes a file import of the same rows gives, page by page, truncated changelogs
read whole; a pull from the stored cursor reads only what changed; a 429 waits as long as
Retry-After says; a refusal is Jira's own message without the token; a damaged cursor is
named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.connectors import jira_server
from tests.connectors.jira_server import API_TOKEN, EMAIL, Store, serving
from tests.connectors.servicenow_server import SERVICENOW_LOG, log_head

from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.jira import JiraSource
from servicelevel.connectors.registry import SOURCES, build_source
from servicelevel.definitions.ticket_mappings import load_mapping, map_records, read_rows

ROWS = 328  # the log's first 328 rows: 52 whole incidents
BASIC = Auth(kind="basic", username=EMAIL, secret=API_TOKEN)
needs_data = pytest.mark.skipif(not SERVICENOW_LOG.exists(), reason="the shared data is not here")


@pytest.fixture(scope="module")
def log_slice() -> bytes:
    if not SERVICENOW_LOG.exists():
        pytest.skip("the shared data is not beside the project")
    return log_head(ROWS)


@pytest.fixture
def site(log_slice: bytes) -> Iterator[tuple[str, Store]]:
    store = jira_server.store_from_log(log_slice)
    with serving(store) as url:
        yield url, store


def source(
    url: str, auth: Auth = BASIC, http: HttpClient | None = None, **settings: Any
) -> JiraSource:
    return JiraSource(
        base_url=url, auth=auth, settings={"page_size": 10, **settings}, http=http or HttpClient()
    )


def pull(src: JiraSource, cursor: str | None = None) -> list[Page]:
    return list(src.pages(cursor=cursor, since=None))


def records(pages: list[Page]) -> list[dict[str, Any]]:
    return [r for p in pages for r in p.records]


def changes(events: list[dict[str, Any]], name: Any = str) -> dict[str, list[tuple[Any, ...]]]:
    """Each ticket's events where its state or priority changes, with their instants (the
    export's opening event, at ``opened_at``, left out: Jira has no such field)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for event in events:
        if event.get("key") == "opened":
            continue
        timeline = out.setdefault(name(event["ticket"]), [])
        now = (event["state"], event["priority"])
        if not timeline or timeline[-1][1:] != now:
            timeline.append((event["at"], *now))
    return out


def incident_number(key: str) -> str:
    return f"INC{int(key.removeprefix('INC-')):07d}"


@needs_data
def test_a_pull_over_several_pages_gives_the_changes_a_file_import_of_the_same_rows_gives(
    site: tuple[str, Store], log_slice: bytes, tmp_path: Path
) -> None:
    url, store = site
    store.changelog_limit = 2  # the search cuts longer changelogs: they are read whole
    pages = pull(source(url))
    assert len(pages) == 6  # 52 issues, 10 a page
    pulled, rejected = map_records(records(pages), load_mapping("jira"))
    assert rejected == []
    path = tmp_path / "incidents.csv"
    path.write_bytes(log_slice)
    rows, problems = read_rows(path, load_mapping("servicenow"))
    assert [p for p in problems if p.fatal] == []
    expected = changes(rows)
    assert changes(pulled, incident_number) == expected
    assert sum(len(t) for t in expected.values()) > 150
    read_whole = [r for r in store.requests if "/changelog" in r]
    assert len(read_whole) == sum(1 for h in store.histories.values() if len(h) > 2)
    last = max(store.issues, key=lambda i: (i["fields"]["updated"], jira_server._key(i["key"])))
    assert pages[-1].cursor == f"{last['fields']['updated'][:23]}Z|{last['key']}"
    asked = [r for r in store.requests if r.startswith("/rest/api/3/search/jql")]
    assert (
        "jql=updated+%3E%3D+%271970%2F01%2F01+00%3A00%27+ORDER+BY+updated+ASC%2C+key+ASC"
        in asked[0]
    )
    assert "expand=changelog" in asked[0]
    assert "nextPageToken=" in asked[1]


@needs_data
def test_data_center_pages_by_start_at_and_gives_the_same_records_as_cloud(
    site: tuple[str, Store],
) -> None:
    url, store = site
    store.changelog_limit = 2  # cut changelogs are read whole from the issue
    cloud = records(pull(source(url)))
    store.requests.clear()
    pages = pull(source(url, api="data_center"))
    assert records(pages) == cloud
    assert len(pages) >= 6
    searched = [r for r in store.requests if r.startswith("/rest/api/2/search")]
    assert len(searched) == len(pages)
    assert "startAt=0" in searched[0]
    whole = [r for r in store.requests if r.startswith("/rest/api/2/issue/")]
    assert len(whole) == sum(1 for h in store.histories.values() if len(h) > 2)
    assert pages[-1].cursor == pull(source(url))[-1].cursor
    at = dt.datetime(2017, 3, 1, 9, 30, tzinfo=dt.UTC)
    for issue in store.issues[:25]:  # one minute holds more than a page
        store.change(
            issue["key"],
            at,
            status="Closed" if issue["fields"]["status"]["name"] != "Closed" else "Active",
        )
    later = records(pull(source(url, api="data_center"), pages[-1].cursor))
    changed = sorted(r["Issue key"] for r in later if r["Changed"].startswith("2017-03-01"))
    assert changed == sorted(i["key"] for i in store.issues[:25])  # each once, none skipped


@needs_data
def test_the_records_say_what_the_issue_said_at_each_change(site: tuple[str, Store]) -> None:
    url, _ = site
    found = [r for r in records(pull(source(url))) if r["Issue key"] == "INC-62"]
    assert [(r["Created"], r["Status"], r["Priority"], r["History id"] != "") for r in found] == [
        ("29/Feb/16 07:26 AM", "New", "Medium", False),
        ("29/Feb/16 07:29 AM", "New", "High", True),
        ("29/Feb/16 03:51 PM", "Resolved", "High", True),
        ("05/Mar/16 04:00 PM", "Closed", "High", True),
    ]  # the log's updates that changed neither are not in Jira's changelog
    assert found[0]["Organizations"] == "Location 93"
    assert found[0]["Issue Type"] == "Incident"
    assert found[1]["Changed"] == "2016-02-29T07:29:00.000Z"


@needs_data
def test_a_pull_from_the_stored_cursor_reads_only_what_changed_since(
    site: tuple[str, Store],
) -> None:
    url, store = site
    cursor = pull(source(url))[-1].cursor
    assert records(pull(source(url), cursor)) == []
    at = dt.datetime(2017, 3, 1, 9, 30, 15, 250000, tzinfo=dt.UTC)
    store.change("INC-62", at, status="Active")
    pages = pull(source(url), cursor)
    found = records(pages)
    assert [(r["Issue key"], r["Status"], r["Changed"]) for r in found] == [
        ("INC-62", "Active", "2017-03-01T09:30:15.250Z")
    ]
    events, rejected = map_records(found, load_mapping("jira"))
    assert rejected == []
    assert [(e["ticket"], e["state"], e["at"]) for e in events] == [
        ("INC-62", "Active", dt.datetime(2017, 3, 1, 9, 30, tzinfo=dt.UTC))
    ]
    assert pages[-1].cursor == "2017-03-01T09:30:15.250Z|INC-62"
    again = pull(source(url), pages[-1].cursor)
    assert records(again) == []
    assert "2017%2F03%2F01+09%3A30" in [r for r in store.requests if "search" in r][-1]


@needs_data
def test_an_update_the_search_shows_late_is_read_again_within_reread_minutes(
    site: tuple[str, Store],
) -> None:
    url, store = site
    cursor = pull(source(url))[-1].cursor
    store.change("INC-45", dt.datetime(2017, 3, 1, 9, 0, 5, tzinfo=dt.UTC), status="Active")
    store.hidden.add("INC-45")  # not in the search index yet
    store.change("INC-47", dt.datetime(2017, 3, 1, 9, 2, 0, tzinfo=dt.UTC), status="Active")
    cursor = pull(source(url), cursor)[-1].cursor
    store.hidden.clear()
    assert records(pull(source(url), cursor)) == []  # behind the cursor: missed
    found = records(pull(source(url, reread_minutes=5), cursor))
    assert [(r["Issue key"], r["Status"]) for r in found] == [
        ("INC-45", "Active"),
        ("INC-47", "Active"),  # read again: stored once
    ]


@needs_data
def test_the_jql_minute_is_written_in_the_users_time_zone(site: tuple[str, Store]) -> None:
    url, store = site
    store.user_zone = "America/New_York"  # JQL instants are read in the user's zone
    new_york: dict[str, Any] = {"jql_timezone": "America/New_York"}
    cursor = pull(source(url, **new_york))[-1].cursor
    store.change("INC-45", dt.datetime(2017, 3, 1, 23, 59, 30, tzinfo=dt.UTC), status="Active")
    cursor = pull(source(url, **new_york), cursor)[-1].cursor
    store.change("INC-47", dt.datetime(2017, 3, 1, 23, 59, 45, tzinfo=dt.UTC), status="Active")
    assert records(pull(source(url), cursor)) == []  # asked in UTC: 23:59 in New York, later
    found = records(pull(source(url, **new_york), cursor))
    assert [(r["Issue key"], r["Status"]) for r in found] == [("INC-47", "Active")]
    asked = [r for r in store.requests if "search" in r][-1]
    assert "2017%2F03%2F01+18%3A59" in asked


@needs_data
def test_a_429_waits_as_long_as_retry_after_says_and_a_503_is_tried_again(
    site: tuple[str, Store],
) -> None:
    url, store = site
    expected = records(pull(source(url)))
    store.requests.clear()
    store.limit_at, store.fail_at = {1}, {4}
    slept: list[float] = []
    assert records(pull(source(url, http=HttpClient(sleep=slept.append)))) == expected
    assert slept == [3.0, 1.0]  # Retry-After: 3, then the first back-off


@needs_data
def test_a_refused_token_is_jiras_message_without_the_credentials(site: tuple[str, Store]) -> None:
    url, _ = site
    wrong = Auth(kind="basic", username=EMAIL, secret="not-the-api-token")
    with pytest.raises(ConnectorError) as caught:
        pull(source(url, auth=wrong))
    message = str(caught.value)
    assert "HTTP 401" in message
    assert "You are not authenticated" in message
    assert "not-the-api-token" not in message
    assert EMAIL not in message


@needs_data
def test_jql_the_site_refuses_is_its_own_message(site: tuple[str, Store]) -> None:
    url, _ = site
    with pytest.raises(ConnectorError, match=r"HTTP 400.*Error in the JQL Query"):
        pull(source(url, jql="assignee = currentUser()"))


@pytest.mark.parametrize(
    "cursor",
    ["2017-03-01", "yesterday|INC-1", "2017-03-01T09:30:15Z|inc 1", "2017-03-01T09:30:15|"],
)
def test_a_damaged_cursor_is_named_and_never_read_as_the_start(cursor: str) -> None:
    with pytest.raises(ConnectorError, match="is not a Jira cursor") as caught:
        pull(source("http://127.0.0.1:9"), cursor)
    assert repr(cursor)[:40] in str(caught.value)


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"page_size": 1000}, "settings.page_size"),
        ({"organizations_field": "Organizations"}, "settings.organizations_field"),
        ({"jql_timezone": "Mars/Olympus"}, "settings.jql_timezone"),
        ({"colour": "red"}, "settings.colour"),
    ],
)
def test_a_setting_that_cannot_be_used_is_named(settings: dict[str, Any], named: str) -> None:
    with pytest.raises(ConnectorError, match=named.replace(".", r"\.")):
        source("http://127.0.0.1:9", **settings)


def test_the_jira_kind_is_registered() -> None:
    assert SOURCES["jira"] is JiraSource
    made = build_source(
        "jira", base_url="http://127.0.0.1:9", auth=BASIC, settings={}, http=HttpClient()
    )
    assert isinstance(made, JiraSource)
