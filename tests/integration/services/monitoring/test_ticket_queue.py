"""The ticket queue: each ticket with its most urgent clock, paged, sorted and filtered in the
database, scoped to what the reader may see — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from servicelevel.services.monitoring import queue as ticket_queue
from servicelevel.services.monitoring import recompute
from servicelevel.services.monitoring.queue import QueueFilter, QueueRow
from servicelevel.services.shared.errors import Invalid
from tests.integration.api.test_query_counts import counting
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket
from tests.integration.queue_fixtures import EXPECTED, NOW, queue_world


def rows_of(
    session: Session,
    world: World,
    who: str = "manager",
    filters: QueueFilter | None = None,
    sort: str = "deadline",
) -> list[QueueRow]:
    found = ticket_queue.queue(
        session,
        actor=world.actors[who],
        filters=filters or QueueFilter(),
        now=NOW,
        sort=sort,
        page_size=100,
    )
    return found.rows


def test_each_ticket_shows_its_most_urgent_clock_with_time_left_and_share_used(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    rows = {r.ticket.external_id: r for r in rows_of(session, world)}
    assert {n: rows[n].clock for n in EXPECTED} == EXPECTED
    assert rows["UNMEASURED"].clock is None
    assert rows["GLOBEX"].clock is None
    assert rows["OVERDUE"].left_seconds == -3600  # due an hour ago (real time)
    assert rows["OVERDUE"].used is not None
    assert rows["OVERDUE"].used >= 1.0
    assert rows["AT-RISK"].left_seconds == 2 * 3600
    assert rows["PAUSED"].left_seconds == 3 * 3600  # 1 h of the 4 h used before the pause
    assert rows["PAUSED"].used == pytest.approx(0.25)
    assert rows["MET"].left_seconds is None
    assert rows["MET"].used == pytest.approx(0.25)
    assert rows["BREACHED"].used == pytest.approx(1.5)
    assert {r.target_key for r in rows.values() if r.clock} == {"P1-resolution", "P2-resolution"}


def test_every_clock_count_is_the_total_of_the_queue_filtered_by_that_clock(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    actor = world.actors["manager"]
    counts = ticket_queue.clock_counts(session, actor=actor, filters=QueueFilter(), now=NOW)
    for clock in ticket_queue.CLOCKS:
        found = ticket_queue.queue(session, actor=actor, filters=QueueFilter(clock=clock), now=NOW)
        assert found.total == counts[clock] == 1, clock


def test_sorting_by_deadline_puts_open_clocks_first_soonest_first(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    numbers = [r.ticket.external_id for r in rows_of(session, world, sort="deadline")]
    assert numbers[:3] == ["OVERDUE", "AT-RISK", "RUNNING"]
    assert numbers.index("PAUSED") < numbers.index("BREACHED") < numbers.index("MET")
    by_left = [r.ticket.external_id for r in rows_of(session, world, sort="left")]
    assert by_left[:3] == ["OVERDUE", "AT-RISK", "PAUSED"]
    newest = [r.ticket.external_id for r in rows_of(session, world, sort="-opened")]
    assert newest[-2:] == ["MET", "BREACHED"]  # opened 48 and 49 hours ago
    used = [r.ticket.external_id for r in rows_of(session, world, sort="-used")]
    assert used[:2] == ["BREACHED", "OVERDUE"]


def test_pages_split_the_queue_and_keep_the_total(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    actor, seen = world.actors["manager"], []
    for page in (1, 2, 3):
        found = ticket_queue.queue(
            session, actor=actor, filters=QueueFilter(), now=NOW, page=page, page_size=3
        )
        assert (found.total, found.pages, found.page) == (8, 3, page)
        seen += [r.ticket.external_id for r in found.rows]
    assert len(seen) == len(set(seen)) == 8


def test_filters_by_customer_service_priority_and_agreement(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)

    def numbers(**given: object) -> set[str]:
        rows = rows_of(session, world, filters=QueueFilter(**given))  # type: ignore[arg-type]
        return {r.ticket.external_id for r in rows}

    assert numbers(customer="GLOBEX") == {"GLOBEX"}
    assert numbers(priority="P2") == {"RUNNING"}
    assert numbers(service="erp") == set()
    assert numbers(agreement=sla_in_force) == set(EXPECTED)  # only the tickets it measures
    assert numbers(customer="ACME", clock="at_risk", priority="P1") == {"AT-RISK"}


def test_a_representative_sees_only_their_customers_tickets_and_clocks(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    mine = {r.ticket.external_id for r in rows_of(session, world, "customer_rep")}
    assert mine == set(EXPECTED) | {"UNMEASURED"}
    theirs = rows_of(session, world, "outsider")
    assert [(r.ticket.external_id, r.clock) for r in theirs] == [("GLOBEX", None)]
    with pytest.raises(Invalid) as refused:
        rows_of(session, world, "outsider", filters=QueueFilter(customer="ACME"))
    assert refused.value.field == "customer"
    with pytest.raises(Invalid):
        rows_of(session, world, "outsider", filters=QueueFilter(agreement=sla_in_force))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sort": "colour"}, "sort"),
        ({"page": 0}, "page"),
        ({"page_size": 501}, "page_size"),
        ({"filters": QueueFilter(clock="late")}, "clock"),
        ({"filters": QueueFilter(customer="NOBODY")}, "customer"),
    ],
)
def test_what_the_queue_does_not_offer_is_refused_naming_the_parameter(
    session: Session, world: World, kwargs: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {"filters": QueueFilter()} | kwargs
    with pytest.raises(Invalid) as refused:
        ticket_queue.queue(session, actor=world.actors["manager"], now=NOW, **args)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_page_costs_the_same_statements_for_eight_tickets_as_for_sixty_eight(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    actor = world.actors["manager"]

    def page() -> int:
        with counting(session) as statements:
            ticket_queue.queue(session, actor=actor, filters=QueueFilter(), now=NOW)
        return len(statements)

    page()  # warm: the session holds the agreements
    few = page()
    for n in range(60):
        add_ticket(session, world, f"MORE-{n:02d}", [(NOW - HOUR * (n + 1), "New", "created")])
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=NOW)
    session.flush()
    page()
    assert page() == few
