"""The API's diff of two versions reads like the page: each clause by its label and each changed
field by its name and its values in words, in the language asked for (``language=``, else the
Accept-Language header, else English), beside the raw values it always gave; and it names the
agreement's own settings, which no version carries."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.api.conftest import auth
from tests.integration.api.test_agreements_api import act, create
from tests.integration.factories import World


@pytest.fixture
def agreement_id(client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> int:
    """SLA-1 proposed, then a version 2 with P2 resolved within 6 h and monthly reviews."""
    everyone(session, world)  # the parties, services and calendars SLA-1 names
    admin = tokens["admin"]
    aid = int(create(client, admin)["id"])
    act(client, admin, aid, 1, "steps", step="propose")
    agreement = client.get(f"/api/v1/agreements/{aid}", headers=auth(admin)).json()
    r = client.post(
        f"/api/v1/agreements/{aid}/versions",
        headers=auth(admin),
        json={"lock_version": agreement["lock_version"]},
    )
    assert r.status_code == 201, r.text
    doc: dict[str, Any] = copy.deepcopy(r.json()["document"])
    doc["targets"][1]["within"] = "6h"
    doc["review"] = "monthly"
    r = client.put(
        f"/api/v1/agreements/{aid}/versions/2",
        headers=auth(admin),
        json={"lock_version": r.json()["lock_version"], "document": doc},
    )
    assert r.status_code == 200, r.text
    return aid


def diff(client: TestClient, token: str, aid: int, query: str = "", **headers: str) -> Any:
    r = client.get(
        f"/api/v1/agreements/{aid}/diff?old=1&new=2{query}", headers={**auth(token), **headers}
    )
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(
    ("query", "headers", "clause", "field", "words"),
    [
        ("", {}, "Resolution within 8 h: Priority is P2", "Within", ("8 h", "6 h")),
        (
            "&language=zh-Hans",
            {"Accept-Language": "en"},
            "解决时限 8 小时：优先级为 P2",
            "时限",
            ("8 小时", "6 小时"),
        ),
        (
            "",
            {"Accept-Language": "zh-TW,zh;q=0.8"},
            "解決時限 8 小時：優先級為 P2",
            "時限",
            ("8 小時", "6 小時"),
        ),
    ],
)
def test_the_diff_names_each_clause_and_field_and_gives_its_values_in_the_readers_words(
    client: TestClient,
    tokens: dict[str, str],
    agreement_id: int,
    query: str,
    headers: dict[str, str],
    clause: str,
    field: str,
    words: tuple[str, str],
) -> None:
    found = diff(client, tokens["manager"], agreement_id, query, **headers)
    (change,) = found["clauses"]
    assert change["clause"] == "targets.P2-resolution"  # the fields it always had
    assert change["change"] == "changed"
    assert (change["before"]["within"], change["after"]["within"]) == ("8h", "6h")
    assert change["label"] == clause
    (within,) = change["fields"]
    assert within["field"] == "within"
    assert within["kind"] == "duration"
    assert within["label"] == field
    assert (within["before"], within["after"]) == ("8h", "6h")
    assert (within["before_text"], within["after_text"]) == words
    changed = [line.split()[-1] for line in found["lines"] if line[:1] in "+-" and "within" in line]
    assert changed == ["8h", "6h"]


def test_the_diff_names_the_settings_no_version_carries_with_their_current_values(
    client: TestClient, tokens: dict[str, str], agreement_id: int
) -> None:
    found = diff(client, tokens["manager"], agreement_id, "&language=zh-Hans")
    assert "review" not in [c["clause"] for c in found["clauses"]]
    settings = {s["key"]: s for s in found["unversioned"]}
    assert list(settings) == ["title", "provider", "review"]
    assert settings["review"]["value"] == "monthly"
    assert settings["review"]["text"] == "每月"
    assert settings["title"]["text"] == SLA["title"]["zh-Hans"]
    assert settings["provider"]["label"] == "服务提供方"


def test_a_language_the_api_does_not_speak_is_refused_naming_the_field(
    client: TestClient, tokens: dict[str, str], agreement_id: int
) -> None:
    r = client.get(
        f"/api/v1/agreements/{agreement_id}/diff?old=1&new=2&language=fr",
        headers=auth(tokens["manager"]),
    )
    assert r.status_code == 422
    assert "language" in r.text
