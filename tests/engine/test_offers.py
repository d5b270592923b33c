"""Requested promises against catalog options: hand cases and a property against brute force."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from servicelevel.engine.durations import Duration, parse_duration
from servicelevel.engine.offers import Option, Promise, compare


def p(metric: str, objective: float, priority: str = "", within: str | None = None) -> Promise:
    return Promise(metric, objective, priority, parse_duration(within) if within else None)


GOLD = Option("gold", (p("resolution", 0.95, "P1", "4h"), p("availability", 0.999)))
SILVER = Option("silver", (p("resolution", 0.90, "P1", "8h"), p("availability", 0.995)))
BRONZE = Option("bronze", (p("resolution", 0.90, "", "16h"), p("availability", 0.99)))
CATALOG = (GOLD, SILVER, BRONZE)


def test_the_least_demanding_option_that_meets_the_request_is_named() -> None:
    assert compare(p("resolution", 0.9, "P1", "8h"), CATALOG).option == "silver"
    assert compare(p("resolution", 0.9, "P1", "12h"), CATALOG).option == "silver"
    assert compare(p("availability", 0.99), CATALOG).option == "bronze"
    assert compare(p("resolution", 0.9, "P3", "1d"), CATALOG).option == "bronze"  # "all" row


def test_a_request_beyond_every_option_says_by_how_much() -> None:
    verdict = compare(p("resolution", 0.99, "P1", "2h"), CATALOG)
    assert (verdict.outcome, verdict.option, verdict.time_short) == ("exceeds", "gold", 7200)
    assert verdict.objective_gap is not None
    assert abs(verdict.objective_gap - 0.04) < 1e-9
    assert compare(p("availability", 0.9999), CATALOG).outcome == "exceeds"


def test_unoffered_and_incomparable_requests_are_told_apart() -> None:
    assert compare(p("response", 0.9, "P1", "15m"), CATALOG).outcome == "not_offered"
    assert compare(p("resolution", 0.9, "P1", "2bd"), (GOLD,)).outcome == "incomparable"


def test_business_days_compare_with_business_days() -> None:
    days = (Option("std", (p("resolution", 0.9, "", "3bd"),)),)
    assert compare(p("resolution", 0.9, "", "5bd"), days).outcome == "within"
    tight = compare(p("resolution", 0.9, "", "1bd"), days)
    assert (tight.outcome, tight.business_days_short) == ("exceeds", 2)


budgets = st.integers(min_value=1, max_value=100).map(lambda h: Duration(seconds=h * 3600))
objectives = st.sampled_from([0.8, 0.85, 0.9, 0.95, 0.99, 0.999])
offers = st.lists(st.tuples(budgets, objectives), min_size=1, max_size=5)


@given(offers, budgets, objectives)
def test_within_exactly_when_some_option_is_at_least_as_good(
    offered: list[tuple[Duration, float]], within: Duration, objective: float
) -> None:
    options = [
        Option(f"o{i}", (Promise("resolution", obj, "", budget),))
        for i, (budget, obj) in enumerate(offered)
    ]
    verdict = compare(Promise("resolution", objective, "", within), options)
    meets = [
        f"o{i}"
        for i, (budget, obj) in enumerate(offered)
        if budget.seconds <= within.seconds and obj >= objective
    ]
    assert (verdict.outcome == "within") == bool(meets)
    if meets:
        assert verdict.option == meets[-1]
    else:
        budget, obj = offered[0]
        assert verdict.option == "o0"
        assert verdict.time_short == max(0, budget.seconds - within.seconds)
        assert verdict.objective_gap == max(0.0, objective - obj)
