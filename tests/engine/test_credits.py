from __future__ import annotations

import pytest

from servicelevel.engine.credits import CreditClause, Tier, compute_credits, tier_for

TIERS = (Tier(0.999, 0.10), Tier(0.99, 0.25))


@pytest.mark.parametrize(
    ("availability", "credit"),
    [(1.0, 0.0), (0.999, 0.0), (0.9989, 0.10), (0.99, 0.10), (0.9899, 0.25), (0.5, 0.25)],
)
def test_the_most_severe_tier_strictly_below_applies(availability: float, credit: float) -> None:
    tier = tier_for(availability, TIERS)
    assert (0.0 if tier is None else tier.credit) == credit


def test_tier_credits_are_a_share_of_the_fee_and_capped() -> None:
    clause = CreditClause("c", "avail", tiers=(Tier(0.99, 0.5),), cap=0.2)
    credits = compute_credits([clause], {"avail": 0.9}, {}, fee=10_000)
    assert credits.total == 2000
    assert credits.lines[0].capped


def test_per_breach_penalties_add_up_to_their_cap() -> None:
    clause = CreditClause("p", "P1", per_breach=500, cap=1200)
    assert compute_credits([clause], {}, {"P1": 2}, fee=0).total == 1000
    assert compute_credits([clause], {}, {"P1": 5}, fee=0).total == 1200


def test_the_agreement_caps_the_sum_of_all_clauses() -> None:
    clauses = [
        CreditClause("a", "avail", tiers=TIERS),
        CreditClause("p", "P1", per_breach=1000),
    ]
    credits = compute_credits(clauses, {"avail": 0.98}, {"P1": 10}, fee=20_000, total_cap=0.3)
    assert credits.total == 6000
    assert credits.capped


def test_nothing_measured_earns_nothing() -> None:
    clause = CreditClause("a", "avail", tiers=TIERS)
    assert compute_credits([clause], {"avail": None}, {}, fee=1000).total == 0


def test_a_clause_needs_tiers_or_a_penalty() -> None:
    with pytest.raises(ValueError, match="tiers or a per-breach"):
        CreditClause("x", "t")


def test_a_credit_line_carries_the_tier_and_the_rate_its_reason_is_worded_from() -> None:
    clauses = [
        CreditClause("a", "avail", tiers=TIERS),
        CreditClause("b", "avail2", tiers=TIERS),
        CreditClause("p", "P1", per_breach=1000),
    ]
    lines = compute_credits(clauses, {"avail": 0.995, "avail2": 1.0}, {"P1": 2}, fee=100).lines
    assert (lines[0].tier_below, lines[0].reason) == (0.999, "below 99.9%")
    assert (lines[1].tier_below, lines[1].reason) == (None, "no tier applies")
    assert (lines[2].per_breach, lines[2].breaches, lines[2].amount) == (1000, 2, 2000)
    assert lines[2].tier_below is None
