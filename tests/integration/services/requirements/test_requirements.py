"""Service level requirements: capture, analysis against the catalog, change requests and their
webhook delivery to a real HTTP server on loopback, consolidation, and what-if on stored tickets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.models import Service
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import OfferedTargetData, OptionData, ServiceData
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.requirements import capture as requirements
from servicelevel.services.requirements import change_requests, whatif
from servicelevel.services.requirements.capture import RequestedTargetData, RequirementData
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from servicelevel.settings import get_settings
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import add_ticket as stored_ticket
from tests.integration.receivers import HttpReceiver, http_receiver

T = OfferedTargetData
R = RequestedTargetData


@pytest.fixture
def email(session: Session) -> Service:
    cal = calendars.create_calendar(
        session, actor=SYSTEM, code="always", definition={"timezone": "UTC", "hours": "24x7"}
    )
    service = catalog.create_service(
        session, actor=SYSTEM, data=ServiceData("email", "E-mail", calendar_id=cal.id)
    )
    session.flush()
    options = [
        OptionData(
            "gold", "Gold", {}, (T("resolution", 0.95, "P1", "4h"), T("availability", 0.999))
        ),
        OptionData(
            "silver", "Silver", {}, (T("resolution", 0.9, "P1", "8h"), T("availability", 0.995))
        ),
    ]
    catalog.set_options(session, actor=SYSTEM, service_id=service.id, version=1, options=options)
    for version, step in ((2, "approve"), (3, "publish")):  # representatives read it
        session.flush()
        catalog_lifecycle.change_status(
            session, actor=SYSTEM, service_id=service.id, version=version, transition=step
        )
    return service


def capture(
    session: Session, world: World, email: Service, *targets: R, code: str = "SLR-1"
) -> Any:
    data = RequirementData(
        code, world.acme_id, email.id, "Faster e-mail fixes", "Trading desk", "Ann Lee", targets
    )
    found = requirements.capture(session, actor=world.actors["manager"], data=data)
    session.flush()
    return found


def analyse(session: Session, world: World, found: Any) -> Any:
    session.flush()
    return requirements.analyse(
        session, actor=world.actors["manager"], requirement_id=found.id, version=found.version
    )


def test_targets_within_the_catalog_name_the_option_and_raise_nothing(
    session: Session, world: World, email: Service
) -> None:
    found = capture(
        session, world, email, R("resolution", 0.9, "P1", "8h"), R("availability", 0.995)
    )
    analyse(session, world, found)
    assert [(t.outcome, t.analysis["option"]) for t in found.targets] == [
        ("within", "silver"),
        ("within", "silver"),
    ]
    assert change_requests.list_change_requests(session, actor=world.actors["viewer"]).total == 0


def test_a_requirement_beyond_the_catalog_raises_one_change_request(
    session: Session, world: World, email: Service
) -> None:
    found = capture(
        session, world, email, R("resolution", 0.99, "P1", "2h"), R("response", 0.9, "P1", "15m")
    )
    analyse(session, world, found)
    first, second = found.targets
    assert (first.outcome, first.analysis["option"], first.analysis["time_short"]) == (
        "exceeds",
        "gold",
        7200,
    )
    assert first.analysis["objective_gap"] == pytest.approx(0.04)
    assert second.outcome == "not_offered"
    analyse(session, world, found)  # a second analysis updates the same request
    page = change_requests.list_change_requests(session, actor=world.actors["customer_rep"])
    assert page.total == 1
    change = page.items[0]
    assert (change.status, change.delivery) == ("open", "not_configured")
    assert [t["outcome"] for t in change.details["targets"]] == ["exceeds", "not_offered"]
    assert change_requests.list_change_requests(session, actor=world.actors["outsider"]).total == 0


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        monkeypatch.setenv("SLM_CHANGE_WEBHOOK_URL", f"{receiver.url}/changes")
        monkeypatch.setenv("SLM_CHANGE_WEBHOOK_TOKEN", "s3cret")
        get_settings.cache_clear()
        yield receiver
    get_settings.cache_clear()


def test_change_requests_are_posted_to_the_webhook_and_retried_when_it_fails(
    session: Session, world: World, email: Service, webhook: HttpReceiver
) -> None:
    found = capture(session, world, email, R("resolution", 0.99, "P1", "2h"))
    analyse(session, world, found)
    webhook.answers["/changes"] = (503, b"")
    failed = change_requests.deliver_pending(session)
    assert (failed.sent, failed.pending) == (0, 1)
    change = change_requests.list_change_requests(session, actor=SYSTEM).items[0]
    assert (change.delivery, change.attempts) == ("pending", 1)
    assert "503" in change.last_error
    webhook.answers["/changes"] = (202, b"")
    assert change_requests.deliver_pending(session).sent == 1
    assert change.delivery == "sent"
    assert change_requests.deliver_pending(session).sent == 0  # sent once
    last = webhook.received[-1]
    assert last.headers["Authorization"] == "Bearer s3cret"
    assert last.headers["Idempotency-Key"] == f"change-request-{change.id}"
    assert last.body["details"]["requirement"] == "SLR-1"
    assert len(webhook.received) == 2


def test_decisions_and_permissions(session: Session, world: World, email: Service) -> None:
    found = capture(session, world, email, R("availability", 0.995))
    with pytest.raises(Forbidden):
        requirements.capture(
            session,
            actor=world.actors["customer_rep"],
            data=RequirementData(
                "SLR-X", world.acme_id, email.id, "x", targets=(R("availability", 0.9),)
            ),
        )
    with pytest.raises(Conflict, match="analyse it before deciding"):
        requirements.decide(
            session,
            actor=world.actors["manager"],
            requirement_id=found.id,
            version=found.version,
            decision="agreed",
        )
    analyse(session, world, found)
    session.flush()
    with pytest.raises(Forbidden):
        requirements.decide(
            session,
            actor=world.actors["admin"],
            requirement_id=found.id,
            version=found.version,
            decision="agreed",
        )
    requirements.decide(
        session,
        actor=world.actors["owner"],
        requirement_id=found.id,
        version=found.version,
        decision="agreed",
        note="Silver",
    )
    assert found.status == "agreed"
    with pytest.raises(NotFound):
        requirements.get_requirement(
            session, actor=world.actors["outsider"], requirement_id=found.id
        )


@pytest.mark.parametrize(
    ("target", "field"),
    [
        (R("speed", 0.9, "", "1h"), "targets.0.metric"),
        (R("resolution", 0.0, "", "1h"), "targets.0.objective"),
        (R("resolution", 0.9, "", "soon"), "targets.0.within"),
        (R("availability", 0.9, "", "1h"), "targets.0.within"),
    ],
)
def test_bad_requested_targets_are_named(
    session: Session, world: World, email: Service, target: R, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        capture(session, world, email, target)
    assert caught.value.field == field


def test_requirements_of_a_service_are_consolidated_to_the_strictest(
    session: Session, world: World, email: Service
) -> None:
    capture(session, world, email, R("resolution", 0.9, "P1", "8h"), code="SLR-1")
    capture(session, world, email, R("resolution", 0.95, "P1", "6h"), code="SLR-2")
    demands = requirements.consolidated(session, actor=world.actors["viewer"], service_id=email.id)
    assert [
        (d.metric, d.priority, d.within, d.objective, sorted(d.requirements)) for d in demands
    ] == [("resolution", "P1", "6h", 0.95, ["SLR-1", "SLR-2"])]


HOUR = dt.timedelta(hours=1)


def add_ticket(
    session: Session,
    world: World,
    number: str,
    opened: dt.datetime,
    steps: list[tuple[dt.timedelta, str, str]],
    priority: str = "P1",
) -> None:
    """A ticket opened at ``opened`` with events ``steps`` after it."""
    rows = [(opened, "New", "created")] + [(opened + d, s, e) for d, s, e in steps]
    stored_ticket(session, world, number, rows, priority)


def test_what_if_measures_the_requested_target_on_stored_tickets(
    session: Session, world: World, email: Service
) -> None:
    day = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    add_ticket(session, world, "A", day, [(HOUR, "Resolved", "resolved")])  # 1h
    add_ticket(session, world, "B", day, [(3 * HOUR, "Resolved", "resolved")])  # 3h
    add_ticket(
        session,
        world,
        "C",
        day,
        [
            (HOUR, "Awaiting Customer", ""),
            (9 * HOUR, "In Progress", ""),
            (11 * HOUR, "Resolved", "resolved"),
        ],
    )  # 1h + 2h = 3h
    add_ticket(session, world, "D", day, [(5 * HOUR, "Resolved", "resolved")])  # 5h: late
    add_ticket(session, world, "E", day, [(5 * HOUR, "Resolved", "resolved")], priority="P2")
    add_ticket(session, world, "F", day + dt.timedelta(days=40), [(HOUR, "Resolved", "")])  # April
    session.flush()
    answer = whatif.what_if(
        session,
        actor=world.actors["manager"],
        service_id=email.id,
        metric="resolution",
        priority="P1",
        within="4h",
        objective=0.95,
        period="2026-03",
        now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    assert answer.compliance is not None
    assert (answer.compliance.met, answer.compliance.breached) == (3, 1)
    assert answer.compliance.within == pytest.approx(0.75)
    assert answer.compliance.objective_met is False
    assert answer.clock_from == "standard"
    looser = whatif.what_if(
        session,
        actor=world.actors["customer_rep"],
        service_id=email.id,
        metric="resolution",
        priority="P1",
        within="6h",
        objective=0.95,
        period="2026-03",
        now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    assert looser.compliance is not None
    assert looser.compliance.within == 1.0
    with pytest.raises(Invalid):
        whatif.what_if(
            session,
            actor=world.actors["manager"],
            service_id=email.id,
            metric="resolution",
            within="4h",
            objective=0.95,
            period="March",
        )
