"""The work list derives what is still to do: a "define the SLA" item raised when a service was
approved is done once an SLA covering the service is in operation, without anyone marking it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.services.identity.permissions import SYSTEM, Actor
from servicelevel.services.shared import work
from tests.integration.agreement_fixtures import everyone
from tests.integration.factories import World
from tests.integration.services.agreements.test_agreements import draft, in_force


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def define(session: Session, code: str) -> int:
    service = catalog_repo.service_by_code(session, code)
    assert service is not None
    item = work.raise_item(
        session, actor=SYSTEM, kind="define_sla", trigger="service_approved", service_id=service.id
    )
    session.flush()
    return item.id


def listed(session: Session, actor: Actor, status: str) -> set[int]:
    return {i.id for i in work.list_work(session, actor=actor, status=status).items}


def test_define_the_sla_leaves_the_open_list_once_an_sla_covering_the_service_is_in_force(
    session: Session, actors: dict[str, Actor]
) -> None:
    item = define(session, "email")
    manager = actors["manager"]
    assert item in listed(session, manager, "open")
    a = draft(session, actors)  # covers email and erp
    session.flush()
    assert item in listed(session, manager, "open")  # a draft is not an SLA in operation
    in_force(session, actors, a, "customer_rep")
    session.flush()
    assert item not in listed(session, manager, "open")
    assert item in listed(session, manager, "done")
    page = work.list_work(session, actor=manager, status="open")
    assert page.total == len(page.items)  # counted as listed
    shown = work.list_work(session, actor=manager).items
    assert work.settled_items(session, shown) == {item}


def test_other_open_items_of_a_covered_service_stay_open(
    session: Session, actors: dict[str, Actor]
) -> None:
    email = catalog_repo.service_by_code(session, "email")
    assert email is not None
    review = work.raise_item(
        session, actor=SYSTEM, kind="review_sla", trigger="service_changed", service_id=email.id
    )
    in_force(session, actors, draft(session, actors), "customer_rep")
    session.flush()
    assert review.id in listed(session, actors["manager"], "open")
    assert work.settled_items(session, [review]) == set()
