"""Agreements authored with forms: the target and credit rows store the same version as YAML,
and a wrong row is reported on its exact field with nothing saved."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.services.agreements import authoring, forms
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.shared.errors import Forbidden, Invalid
from servicelevel.services.shared.validation import TOO_LONG
from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.factories import World


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def made(session: Session, actor: Actor, doc: dict[str, Any]) -> int:
    agreement = authoring.create_agreement(session, actor=actor, document=copy.deepcopy(doc))
    session.flush()
    return agreement.id


def stored(session: Session, agreement_id: int) -> dict[str, Any]:
    # with its versions loaded: an object the session dropped (its identity map holds them
    # weakly) comes back from session.get without them, and they are lazy='raise'
    agreement = agreement_repo.agreement_by_id(session, agreement_id)
    assert agreement is not None
    document = agreements.document_for(session, agreement, agreements.latest(agreement))
    document.pop("id")
    return document


def test_rows_from_the_form_store_the_same_version_as_the_equivalent_yaml(
    session: Session, actors: dict[str, Actor]
) -> None:
    admin = actors["admin"]
    by_form = made(session, admin, SLA)
    fields = {
        "targets-0-id": "P1-resolution", "targets-0-clock": "resolution",
        "targets-0-priority": "P1", "targets-0-within": "4h", "targets-0-calendar": "always",
        "targets-0-objective": "95%", "targets-0-warnings": "75%",
        "targets-1-id": "P3-response", "targets-1-clock": "response",
        "targets-1-priority": "P3", "targets-1-within": "2bd",
        "targets-1-calendar": "business", "targets-1-objective": "99.9%",
        "targets-1-warnings": "50%, 75%, 90%",
        "targets-2-id": "", "targets-2-within": "",  # the spare blank row
        "credits-0-id": "email-credit", "credits-0-target": "email-up",
        "credits-0-tiers": "99.9% 5%, 99% 10%", "credits-0-cap": "10%",
    }  # fmt: skip
    targets, credits = forms.rows_from_fields(fields)
    form = forms.save_form(
        session, actor=admin, agreement_id=by_form, number=1, version=1,
        targets=targets, credits=credits,
    )  # fmt: skip
    assert form.errors == {}
    doc = copy.deepcopy(SLA)
    doc["id"] = "SLA-2"
    doc["targets"] = [
        doc["targets"][0],
        {"id": "P3-response", "clock": "response", "when": {"priority": "P3"},
         "within": "2bd", "calendar": "business", "objective": "99.9%",
         "warnings": ["50%", "75%", "90%"]},
    ]  # fmt: skip
    doc["credits"][0]["tiers"].append({"below": "99%", "credit": "10%"})
    by_yaml = made(session, admin, doc)
    session.flush()
    assert stored(session, by_form) == stored(session, by_yaml)
    again = forms.form_for(session, actor=admin, agreement_id=by_form, number=1)
    assert [r.id for r in again.targets] == ["P1-resolution", "P3-response"]
    assert again.targets[1].warnings == "50%, 75%, 90%"
    assert again.credits[0].tiers == "99.9% 5%, 99% 10%"


def refused(session: Session, admin: Actor, fields: dict[str, str]) -> dict[str, Invalid]:
    """The errors of saving ``fields`` to a new SLA's draft with the form, after checking that
    nothing of the draft changed."""
    agreement_id = made(session, admin, SLA)
    before = stored(session, agreement_id)
    targets, credits = forms.rows_from_fields(fields)
    form = forms.save_form(
        session, actor=admin, agreement_id=agreement_id, number=1, version=1,
        targets=targets, credits=credits,
    )  # fmt: skip
    session.flush()
    assert stored(session, agreement_id) == before
    return dict(form.errors)


def test_a_wrong_row_is_reported_on_its_field_and_nothing_is_saved(
    session: Session, actors: dict[str, Actor]
) -> None:
    errors = refused(session, actors["admin"], {
        "targets-0-id": "P1-resolution", "targets-0-clock": "resolution",
        "targets-0-within": "soon", "targets-0-calendar": "nowhere",
        "targets-0-objective": "95%", "targets-0-warnings": "120%",
        "credits-0-id": "c", "credits-0-target": "P9", "credits-0-tiers": "99%",
    })  # fmt: skip
    assert set(errors) == {
        "targets-0-within", "targets-0-calendar", "targets-0-warnings",
        "credits-0-target", "credits-0-tiers",
    }  # fmt: skip
    assert "soon" in errors["targets-0-within"].message


def test_a_budget_longer_than_a_clock_can_measure_is_refused_on_its_field(
    session: Session, actors: dict[str, Actor]
) -> None:
    errors = refused(session, actors["admin"], {
        "targets-0-id": "P1-resolution", "targets-0-clock": "resolution",
        "targets-0-within": "30000d", "targets-0-calendar": "always",
        "targets-0-objective": "95%",
    })  # fmt: skip
    assert set(errors) == {"targets-0-within"}
    error = errors["targets-0-within"]
    assert (error.template, error.params) == (TOO_LONG, {"value": "30000d"})
    assert error.message == "30000d is longer than a target may allow: at most 24,855 days"


def test_a_customer_representative_cannot_edit_targets_with_the_form(
    session: Session, actors: dict[str, Actor]
) -> None:
    agreement_id = made(session, actors["admin"], SLA)
    with pytest.raises(Forbidden):
        forms.form_for(session, actor=actors["customer_rep"], agreement_id=agreement_id, number=1)


@pytest.mark.parametrize(
    ("now", "zone", "term"),
    [
        (dt.datetime(2026, 12, 4, 12, tzinfo=dt.UTC), "UTC", ((2027, 1, 1), (2027, 12, 31))),
        (
            dt.datetime(2026, 3, 31, 20, tzinfo=dt.UTC),
            "Asia/Shanghai",
            ((2026, 5, 1), (2027, 4, 30)),
        ),
        (dt.datetime(2026, 3, 31, 20, tzinfo=dt.UTC), None, ((2026, 4, 1), (2027, 3, 31))),
    ],
)
def test_a_new_term_starts_on_the_first_of_next_month_in_the_agreements_zone(
    now: dt.datetime, zone: str | None, term: tuple[tuple[int, int, int], ...]
) -> None:
    start, end = forms.default_term(zone, now)
    assert (start, end) == (dt.date(*term[0]), dt.date(*term[1]))
