"""Codes and durations people type are checked in the services, and the refusal reads as one
plain message on the field that is wrong — in the API's JSON error, on the form, in Chinese."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import ServiceData
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared.errors import Invalid
from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.web.test_pages import sign_in
from tests.integration.web.test_requirement_pages import form, published_service


@pytest.mark.parametrize("code", ["HR Portal!", "hr portal", "-x", "ok/no", "a;b"])
def test_a_service_code_with_spaces_or_punctuation_is_refused(session: Session, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        catalog.create_service(session, actor=SYSTEM, data=ServiceData(code, "HR Portal"))
    assert refused.value.field == "code"
    assert "hr-portal" in refused.value.message  # it says what a code looks like


def test_codes_of_letters_digits_dots_hyphens_and_underscores_are_kept(session: Session) -> None:
    for code in ("hr-portal", "HR_Portal.2", "9x"):
        made = catalog.create_service(session, actor=SYSTEM, data=ServiceData(code, "HR"))
        assert made.code == code


def test_the_api_answers_a_bad_service_code_with_the_json_error_shape(
    client: TestClient, tokens: dict[str, str]
) -> None:
    r = client.post(
        "/api/v1/services", headers=auth(tokens["admin"]), json={"code": "HR Portal!", "name": "HR"}
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "code")
    assert "HR Portal!" in error["message"]


def test_the_service_form_marks_the_code_field_in_the_readers_language(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "admin")
    client.cookies.set("slm_lang", "zh_Hans")
    r = client.post("/services/new", data={"code": "HR Portal!", "name": "HR", "csrf": csrf})
    assert r.status_code == 422
    message = r.text.split('id="code-error"', 1)[1].split("</span>", 1)[0]
    assert "HR Portal!" in message
    assert "letters" not in message  # translated, with the typed value kept


def test_one_bad_duration_on_the_requirement_form_marks_that_field_only(
    client: TestClient, session: Session, world: World
) -> None:
    service = published_service(session)
    csrf = sign_in(client, "manager")
    r = client.post("/requirements/new", data=form(csrf, world.acme_id, service, "soon", "99"))
    assert r.status_code == 422
    assert r.text.count('aria-invalid="true"') == 1
    marked = r.text.split('aria-invalid="true"', 1)[0].rsplit("<input", 1)[1]
    assert 'name="within"' in marked
    assert '<tr class="invalid">' not in r.text  # not the whole row
    assert "soon is not a duration" in r.text
    assert "cannot read" not in r.text  # one message, not the engine's repeated after it


def test_a_duration_message_is_translated_whole(
    client: TestClient, session: Session, world: World
) -> None:
    service = published_service(session)
    csrf = sign_in(client, "manager")
    client.cookies.set("slm_lang", "zh_Hant")
    r = client.post("/requirements/new", data=form(csrf, world.acme_id, service, "2bd 3h", "99"))
    assert r.status_code == 422
    assert "2bd 3h" in r.text
    assert "business days" not in r.text
    assert "工作日" in r.text
