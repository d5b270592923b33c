"""The agreement editor: a draft's targets and credit clauses as a table whose rows store the
same version the YAML editor stores, a mistake shown beside its box with nothing saved, and a
new agreement drafted from a catalog option or a requirement."""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.forms import default_term
from servicelevel.services.identity.permissions import SYSTEM, Actor
from servicelevel.services.requirements import capture as requirements
from servicelevel.services.requirements.capture import RequestedTargetData, RequirementData
from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.factories import World
from tests.integration.services.agreements.test_agreement_drafts import published_service
from tests.integration.web.test_agreement_pages import draft
from tests.integration.web.test_pages import csrf_of, sign_in


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def fields_of(page: str) -> dict[str, str]:
    """What the editor's form would send as it stands: every box and chosen option."""
    form = re.search(r'<form method="post" action="[^"]*/targets"[^>]*>(.*?)</form>', page, re.S)
    assert form, "no editor form"
    html = form.group(1)
    out = dict(re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"', html))
    out |= dict(re.findall(r'<input id="f-[\w-]+" name="([\w-]+)" value="([^"]*)"', html))
    for name, options in re.findall(
        r'<select id="f-[\w-]+" name="([\w-]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        out[name] = chosen.group(1) if chosen else ""
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") for k, v in out.items()}


def stored(session: Session, agreement_id: int) -> dict[str, Any]:
    session.expire_all()
    document = agreements.export_document(
        session, actor=SYSTEM, agreement_id=agreement_id, number=1
    )
    document.pop("id")
    return document


def test_the_editor_shows_each_target_and_credit_clause_as_a_row(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    url = draft(client, csrf)
    page = client.get(f"{url}/versions/1/targets")
    assert page.status_code == 200
    sent = fields_of(page.text)
    assert sent["targets-0-id"] == "P1-resolution"
    assert sent["targets-0-clock"] == "resolution"
    assert sent["targets-0-priority"] == "P1"
    assert sent["targets-0-within"] == "4h"
    assert sent["targets-0-calendar"] == "always"
    assert sent["targets-0-objective"] == "95%"
    assert sent["targets-0-warnings"] == "75%"
    assert sent["targets-1-calendar"] == "business"
    assert sent["targets-2-id"] == ""  # the spare row for a new target
    assert sent["credits-0-tiers"] == "99.9% 5%"
    assert sent["credits-0-cap"] == "10%"
    assert ">Resolution</option>" in page.text  # the clock in words
    assert "Around the clock (24×7)" in page.text
    assert f'href="{url}/versions/1/edit">Advanced (YAML)' in page.text


def test_saving_the_rows_stores_the_version_the_yaml_editor_would(
    client: TestClient, session: Session, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    by_form = draft(client, csrf)
    doc = copy.deepcopy(SLA)
    doc["id"] = "SLA-2"
    by_yaml = draft(client, csrf, doc)
    sent = fields_of(client.get(f"{by_form}/versions/1/targets").text)
    sent |= {
        "targets-1-within": "6h", "targets-1-warnings": "50%, 80%",
        "targets-2-id": "P3-response", "targets-2-clock": "response", "targets-2-priority": "P3",
        "targets-2-within": "2bd", "targets-2-calendar": "business", "targets-2-objective": "90%",
        "credits-0-tiers": "99.9% 5%, 99% 10%", "note": "P2 faster",
    }  # fmt: skip
    r = client.post(f"{by_form}/versions/1/targets", data=sent, follow_redirects=False)
    assert r.status_code == 303, r.text
    landed = client.get(r.headers["location"]).text
    assert "The targets and credit clauses of version 1 are saved." in landed
    doc["targets"][1].update(within="6h", warnings=["50%", "80%"])
    doc["targets"].append(
        {"id": "P3-response", "clock": "response", "when": {"priority": "P3"}, "within": "2bd",
         "calendar": "business", "objective": "90%"}
    )  # fmt: skip
    doc["credits"][0]["tiers"].append({"below": "99%", "credit": "10%"})
    edit = client.get(f"{by_yaml}/versions/1/edit").text
    r = client.post(
        f"{by_yaml}/versions/1/edit",
        data={"document": yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
              "version": "1", "note": "P2 faster", "csrf": csrf_of(edit)},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    form_id, yaml_id = (int(u.rsplit("/", 1)[1]) for u in (by_form, by_yaml))
    assert stored(session, form_id) == stored(session, yaml_id)
    _, version = agreements.get_version(session, actor=SYSTEM, agreement_id=form_id, number=1)
    assert version.note == "P2 faster"


def refused_within(
    client: TestClient, session: Session, changes: dict[str, str], language: str = ""
) -> tuple[str, str]:
    """The manager's new draft's editor sent with ``changes`` (in ``language``, when given):
    the page answered (a 422) and the error beside the second row's budget, after checking
    that nothing of the draft changed."""
    csrf = sign_in(client, "manager")
    url = draft(client, csrf)
    aid = int(url.rsplit("/", 1)[1])
    before = stored(session, aid)
    if language:
        client.get(f"/language/{language}")
    sent = fields_of(client.get(f"{url}/versions/1/targets").text) | changes
    r = client.post(f"{url}/versions/1/targets", data=sent)
    assert r.status_code == 422
    error = re.search(r'<span class="field-error" id="targets-1-within-error">([^<]*)<', r.text)
    assert error
    assert stored(session, aid) == before
    return r.text, error.group(1)


def test_a_bad_duration_is_shown_beside_its_box_and_nothing_is_stored(
    client: TestClient, session: Session, actors: dict[str, Actor]
) -> None:
    page, error = refused_within(
        client,
        session,
        {
            "targets-1-within": "soon",
            "targets-0-objective": "90%",  # a good change, not saved either
        },
    )
    assert re.search(
        r'id="f-targets-1-within" name="targets-1-within" value="soon"[^>]*'
        r'aria-invalid="true" aria-describedby="targets-1-within-error"',
        page,
    )
    assert "cannot read soon" in error
    assert page.count('aria-invalid="true"') == 1  # only the wrong box is marked
    assert 'value="90%"' in page  # what was typed is kept


def test_add_a_row_shows_one_more_empty_row_and_saves_nothing(
    client: TestClient, session: Session, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    url = draft(client, csrf)
    aid = int(url.rsplit("/", 1)[1])
    before = stored(session, aid)
    sent = fields_of(client.get(f"{url}/versions/1/targets").text)
    sent |= {"targets-2-id": "P3-fix", "targets-2-within": "1d", "add": "targets"}
    page = client.post(f"{url}/versions/1/targets", data=sent)
    assert page.status_code == 200
    again = fields_of(page.text)
    assert again["targets-2-id"] == "P3-fix"
    assert again["targets-3-id"] == ""
    assert "targets-4-id" not in again
    assert stored(session, aid) == before


def test_a_version_that_is_no_longer_a_draft_cannot_be_edited(
    client: TestClient, session: Session, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    url = draft(client, csrf)
    aid = int(url.rsplit("/", 1)[1])
    sent = fields_of(client.get(f"{url}/versions/1/targets").text)
    agreement_lifecycle.advance(
        session, actor=actors["manager"], agreement_id=aid, number=1, version=1, step="propose"
    )
    session.flush()
    before = stored(session, aid)
    page = client.get(f"{url}/versions/1/targets")
    assert page.status_code == 409
    assert "is no longer a draft: start a new version to change it" in page.text
    sent["targets-0-within"] = "2h"
    r = client.post(f"{url}/versions/1/targets", data=sent)
    assert r.status_code == 409
    assert stored(session, aid) == before


def test_a_customer_representative_cannot_open_the_editor(
    client: TestClient, session: Session, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    url = draft(client, csrf)
    sent = fields_of(client.get(f"{url}/versions/1/targets").text)
    client.post("/logout", data={"csrf": csrf})
    rep = sign_in(client, "customer_rep")
    assert client.get(f"{url}/versions/1/targets").status_code == 403
    r = client.post(f"{url}/versions/1/targets", data={**sent, "csrf": rep})
    assert r.status_code == 403
    assert client.get("/agreements/draft").status_code == 403
    assert 'versions/1/targets"' not in client.get(url).text  # no link to it either


def test_an_agreement_drafted_from_an_option_opens_in_the_editor_with_its_levels(
    client: TestClient, session: Session, world: World, actors: dict[str, Actor]
) -> None:
    _, option = published_service(session)
    csrf = sign_in(client, "manager")
    page = client.get("/agreements/draft")
    assert page.status_code == 200
    start, _ = default_term("UTC", dt.datetime.now(dt.UTC))
    assert f'name="start" type="date" value="{start.isoformat()}"' in page.text
    assert f'<option value="option:{option}">Help desk · Gold</option>' in page.text
    r = client.post(
        "/agreements/draft",
        data={"source": f"option:{option}", "customer_id": str(world.acme_id), "code": "",
              "start": "", "end": "", "csrf": csrf},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("/versions/1/targets")
    editor = client.get(r.headers["location"]).text
    assert "Agreement SLA-ACME-HELPDESK is drafted" in editor
    sent = fields_of(editor)
    assert [sent[f"targets-{i}-id"] for i in range(3)] == [
        "P1-response", "P1-resolution", "P2-resolution"
    ]  # fmt: skip
    assert sent["targets-2-within"] == "2bd"
    assert sent["targets-2-calendar"] == "business"


def test_drafting_without_a_source_names_the_field(
    client: TestClient, world: World, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    r = client.post(
        "/agreements/draft",
        data={"source": "", "customer_id": str(world.acme_id), "start": "2027-01-01",
              "end": "soon", "csrf": csrf},
    )  # fmt: skip
    assert r.status_code == 422
    assert 'id="f-end" name="end" type="date" value="soon" aria-invalid="true"' in r.text
    client.get("/language/zh_Hans")
    r = client.post(
        "/agreements/draft",
        data={"source": "", "customer_id": str(world.acme_id), "csrf": csrf},
    )
    assert r.status_code == 422
    assert 'id="source-error"' in r.text
    assert "pick an option" not in r.text  # in the page's language


def test_a_name_is_written_in_the_pages_language_and_the_others_are_kept(
    client: TestClient, session: Session, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    doc = copy.deepcopy(SLA)
    doc["targets"][0]["name"] = "P1 fixed within 4 hours"
    url = draft(client, csrf, doc)
    aid = int(url.rsplit("/", 1)[1])
    assert fields_of(client.get(f"{url}/versions/1/targets").text)["targets-0-name"] == (
        "P1 fixed within 4 hours"
    )
    client.get("/language/zh_Hans")
    sent = fields_of(client.get(f"{url}/versions/1/targets").text)
    assert sent["targets-0-name"] == ""  # no Chinese name yet
    sent["targets-0-name"] = "P1 四小时内修复"
    r = client.post(f"{url}/versions/1/targets", data=sent, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert stored(session, aid)["targets"][0]["name"] == {
        "en": "P1 fixed within 4 hours",
        "zh-Hans": "P1 四小时内修复",
    }
    sent["targets-0-name"] = "x" * 201
    r = client.post(f"{url}/versions/1/targets", data=sent)
    assert r.status_code == 422
    assert 'id="targets-0-name-error">名称最多 200 个字符<' in r.text


def test_a_requirement_and_a_published_service_offer_to_draft_from_them(
    client: TestClient, session: Session, world: World, actors: dict[str, Actor]
) -> None:
    service, option = published_service(session)
    asked = (RequestedTargetData("resolution", 0.99, "P1", "2h"),)
    found = requirements.capture(
        session, actor=actors["manager"],
        data=RequirementData("SLR-7", world.acme_id, service, "Faster fixes", targets=asked),
    )  # fmt: skip
    session.flush()
    sign_in(client, "manager")
    link = f'href="/agreements/draft?source=requirement:{found.id}"'
    assert link in client.get(f"/requirements/{found.id}").text
    assert (
        f'href="/agreements/draft?source=option:{option}"'
        in client.get(f"/services/{service}").text
    )
    page = client.get(f"/agreements/draft?source=requirement:{found.id}").text
    assert f'<option value="requirement:{found.id}" selected>Faster fixes · Help desk<' in page
    client.get("/language/zh_Hans")
    assert ">以金牌起草协议<" in client.get(f"/services/{service}").text


def test_the_yaml_editor_of_a_version_leads_back_to_the_table(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    url = draft(client, sign_in(client, "manager"))
    page = client.get(f"{url}/versions/1/edit").text
    assert f'<a href="{url}/versions/1/targets">Edit targets and credits</a>' in page
    assert "/targets" not in client.get("/agreements/new").text


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh_Hans", "超过了目标允许的最长时长"), ("zh_Hant", "超過了目標允許的最長時長")],
)
def test_a_budget_too_long_to_measure_is_named_beside_its_box_in_chinese(
    client: TestClient, session: Session, actors: dict[str, Actor], language: str, words: str
) -> None:
    _, error = refused_within(client, session, {"targets-1-within": "30000d"}, language)
    assert error == f"30000d {words}：最多 24,855 天"
