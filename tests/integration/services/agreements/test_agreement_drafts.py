"""Drafting an agreement from a catalog option or from a customer's requirement: the draft has
the service, its service hours, one target per level and a term that starts next month."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.services.agreements import drafts as agreement_drafts
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.forms import default_term
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import OfferedTargetData, OptionData, ServiceData
from servicelevel.services.identity.permissions import SYSTEM, Actor
from servicelevel.services.requirements import capture as requirements
from servicelevel.services.requirements.capture import RequestedTargetData, RequirementData
from servicelevel.services.shared.errors import Forbidden, Invalid
from tests.integration.agreement_fixtures import everyone
from tests.integration.factories import World

T = OfferedTargetData
GOLD = OptionData(
    "gold",
    "Gold",
    {"zh-Hans": "金牌"},
    (
        T("response", 0.95, "P1", "15m"),
        T("resolution", 0.95, "P1", "4h"),
        T("resolution", 0.9, "P2", "2bd"),
        T("availability", 0.999),
    ),
)


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def published_service(session: Session, code: str = "helpdesk") -> tuple[int, int]:
    """A published service on the Beijing office calendar (bj) offering Gold: the service's
    id and the option's."""
    bj = next(c for c in calendars.list_calendars(session, actor=SYSTEM).items if c.code == "bj")
    data = ServiceData(code, "Help desk", {"zh-Hans": "服务台"}, calendar_id=bj.id)
    service = catalog.create_service(session, actor=SYSTEM, data=data)
    session.flush()
    catalog.set_options(session, actor=SYSTEM, service_id=service.id, version=1, options=[GOLD])
    for version, step in ((2, "approve"), (3, "publish")):
        session.flush()
        catalog_lifecycle.change_status(
            session, actor=SYSTEM, service_id=service.id, version=version, transition=step
        )
    session.flush()
    found = catalog.get_service(session, actor=SYSTEM, service_id=service.id)
    return service.id, found.options[0].id


def document(session: Session, made: Agreement) -> dict[str, Any]:
    return agreements.document_for(session, made, agreements.latest(made))


def test_a_draft_from_an_option_has_one_target_per_level_on_the_service_hours(
    session: Session, world: World, actors: dict[str, Actor]
) -> None:
    _, option = published_service(session)
    now = dt.datetime.now(dt.UTC)
    made = agreement_drafts.draft(
        session, actor=actors["manager"], source=f"option:{option}", now=now,
        customer_id=world.acme_id, provider="Acme IT",
    )  # fmt: skip
    session.flush()
    doc = document(session, made)
    assert doc["id"] == "SLA-ACME-HELPDESK"
    assert doc["customer"] == "ACME"
    assert doc["services"] == ["helpdesk"]
    assert doc["title"] == {
        "en": "Help desk for Acme Corp",
        "zh-Hans": "服务台（阿克米）",
        "zh-Hant": "Help desk（Acme Corp）",
    }
    assert doc["calendars"] == {"always": "24x7", "business": "bj"}
    assert [(t["id"], t["clock"], t["when"], t["within"], t["calendar"], t["objective"])
            for t in doc["targets"]] == [
        ("P1-response", "response", {"priority": ["P1"]}, "15m", "business", 0.95),
        ("P1-resolution", "resolution", {"priority": ["P1"]}, "4h", "business", 0.95),
        ("P2-resolution", "resolution", {"priority": ["P2"]}, "2bd", "business", 0.9),
    ]  # fmt: skip
    assert doc["targets"][1]["name"] == {
        "en": "P1 tickets resolved within 4 h",
        "zh-Hans": "P1 工单 4 小时内解决",
        "zh-Hant": "P1 工單 4 小時內解決",
    }  # a customer reads words, not the key
    assert doc["targets"][2]["name"]["zh-Hans"] == "P2 工单 2 个工作日内解决"
    assert doc["availability"] == [
        {"id": "helpdesk-availability", "service": "helpdesk", "calendar": "business",
         "objective": 0.999, "name": {"en": "Help desk availability",
         "zh-Hans": "服务台可用性", "zh-Hant": "Help desk可用性"}}
    ]  # fmt: skip
    start, end = default_term("Asia/Shanghai", now)
    assert doc["term"] == {"start": start.isoformat(), "end": end.isoformat()}
    assert start > now.date()  # never in the past
    again = agreement_drafts.draft(
        session, actor=actors["manager"], source=f"option:{option}", now=now,
        customer_id=world.acme_id,
    )  # fmt: skip
    assert again.code == "SLA-ACME-HELPDESK-2"  # the suggested id is free


def test_a_draft_from_a_requirement_is_with_the_customer_who_asked(
    session: Session, world: World, actors: dict[str, Actor]
) -> None:
    service, _ = published_service(session)
    asked = (
        RequestedTargetData("resolution", 0.99, "P1", "2h"),
        RequestedTargetData("availability", 0.995),
    )
    found = requirements.capture(
        session, actor=actors["manager"],
        data=RequirementData("SLR-9", world.globex_id, service, "Faster fixes", targets=asked),
    )  # fmt: skip
    session.flush()
    made = agreement_drafts.draft(
        session, actor=actors["manager"], source=f"requirement:{found.id}",
        now=dt.datetime.now(dt.UTC), customer_id=world.acme_id, code="SLA-GLOBEX-1",
        start=dt.date(2027, 3, 1), end=dt.date(2028, 2, 29),
    )  # fmt: skip
    session.flush()
    doc = document(session, made)
    assert doc["customer"] == "GLOBEX"  # the requirement's customer, not the one picked
    assert doc["term"] == {"start": "2027-03-01", "end": "2028-02-29"}
    assert [(t["id"], t["within"], t["objective"]) for t in doc["targets"]] == [
        ("P1-resolution", "2h", 0.99)
    ]
    assert doc["availability"][0]["objective"] == 0.995


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source": "option:999999"}, "source"),
        ({"source": "nonsense"}, "source"),
        ({"customer_id": None}, "customer_id"),
        ({"code": "SLA ONE!"}, "code"),
        ({"start": dt.date(2027, 6, 1), "end": dt.date(2027, 5, 31)}, "end"),
    ],
)
def test_a_draft_that_cannot_be_made_names_the_field(
    session: Session,
    world: World,
    actors: dict[str, Actor],
    changes: dict[str, Any],
    field: str,
) -> None:
    _, option = published_service(session)
    given: dict[str, Any] = {"source": f"option:{option}", "customer_id": world.acme_id}
    given.update(changes)
    with pytest.raises(Invalid) as caught:
        agreement_drafts.draft(
            session, actor=actors["manager"], now=dt.datetime.now(dt.UTC), **given
        )
    assert caught.value.field == field


def test_a_customer_representative_cannot_draft_an_agreement(
    session: Session, world: World, actors: dict[str, Actor]
) -> None:
    _, option = published_service(session)
    with pytest.raises(Forbidden):
        agreement_drafts.draft(
            session, actor=actors["customer_rep"], source=f"option:{option}",
            now=dt.datetime.now(dt.UTC), customer_id=world.acme_id,
        )  # fmt: skip
    with pytest.raises(Forbidden):
        agreement_drafts.choices(session, actor=actors["customer_rep"])


def test_the_choices_list_published_options_and_requirements_not_rejected(
    session: Session, world: World, actors: dict[str, Actor]
) -> None:
    _, option = published_service(session)
    found = agreement_drafts.choices(session, actor=actors["manager"])
    assert [(o.id, o.service.code, o.name) for o in found.options] == [(option, "helpdesk", "Gold")]
    assert {p.code for p in found.customers} == {"ACME", "GLOBEX"}
    assert found.requirements == []
