"""The canary rollback rule: its Fisher tail is exact, it waits for enough items, names the worse metric, and over
simulated canaries with repeated looks it rarely rolls back an equally good candidate yet catches a faulty one."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from agentic_kit._domain.rollback_rule import (
    RollbackRule,
    VariantCounts,
    fisher_greater_p_value,
    simulate,
)


def brute_force_greater_p_value(
    candidate_events: int, candidate_items: int, live_events: int, live_items: int
) -> float:
    """The same tail summed term by term over the hypergeometric pmf, in exact fractions."""
    total, events = candidate_items + live_items, candidate_events + live_events
    tail = sum(
        Fraction(
            math.comb(events, x) * math.comb(total - events, candidate_items - x), math.comb(total, candidate_items)
        )
        for x in range(candidate_events, min(events, candidate_items) + 1)
    )
    return float(tail)


@pytest.mark.parametrize(
    "table",
    [
        (9, 30, 2, 100),
        (6, 20, 2, 80),
        (1, 20, 10, 20),
        (0, 20, 5, 20),
        (40, 100, 20, 100),
        (5, 2000, 0, 1),
        (300, 1000, 250, 3000),
    ],
)
def test_fisher_tail_matches_the_hypergeometric_sum(table: tuple[int, int, int, int]) -> None:
    assert fisher_greater_p_value(*table) == pytest.approx(brute_force_greater_p_value(*table), rel=1e-9)


def test_fisher_tail_hand_checked_values() -> None:
    # all 3 events on the candidate's 3 items out of 6: 1 / C(6, 3)
    assert fisher_greater_p_value(3, 3, 0, 3) == pytest.approx(1 / 20)
    # no events at all: nothing to see, p = 1
    assert fisher_greater_p_value(0, 5, 0, 5) == 1.0
    # 2 of 2 candidate items against 0 of 2 live: 1 / C(4, 2)
    assert fisher_greater_p_value(2, 2, 0, 2) == pytest.approx(1 / 6)


def test_no_verdict_below_min_items() -> None:
    rule = RollbackRule(min_items=20)
    clean_live = VariantCounts(items=100)
    assert rule.verdict(clean_live, VariantCounts(items=19, errors=19)) is None
    assert rule.verdict(VariantCounts(items=19), VariantCounts(items=100, errors=100)) is None
    assert rule.verdict(clean_live, VariantCounts(items=20, errors=20)) is not None


def test_a_clear_error_regression_is_named_with_its_reason() -> None:
    verdict = RollbackRule().verdict(VariantCounts(items=100, errors=2), VariantCounts(items=30, errors=9))
    assert verdict is not None
    assert verdict.metric == "errors"
    assert (verdict.live_rate, verdict.candidate_rate) == (pytest.approx(0.02), pytest.approx(0.30))
    assert verdict.p_value < 0.0005
    assert verdict.reason() == "errors: candidate 30.0% (9 of 30) against live 2.0% (2 of 100), p=0.000025 < 0.0005"


def test_a_clear_low_score_regression_is_named() -> None:
    live = VariantCounts(items=100, errors=2, low_scores=2)
    candidate = VariantCounts(items=30, errors=1, low_scores=9)
    verdict = RollbackRule().verdict(live, candidate)
    assert verdict is not None and verdict.metric == "low_scores"
    assert verdict.reason().startswith("low_scores: candidate 30.0% (9 of 30) against live 2.0% (2 of 100)")


def test_errors_are_named_first_when_both_metrics_are_worse() -> None:
    verdict = RollbackRule().verdict(
        VariantCounts(items=100, errors=2, low_scores=2), VariantCounts(items=30, errors=9, low_scores=9)
    )
    assert verdict is not None and verdict.metric == "errors"


def test_a_significant_difference_within_the_margin_is_no_verdict() -> None:
    live, candidate = VariantCounts(items=5000, errors=250), VariantCounts(items=1000, errors=90)
    assert fisher_greater_p_value(90, 1000, 250, 5000) < 0.0005  # significant, but only 4 points worse
    assert RollbackRule(margin=0.05).verdict(live, candidate) is None
    assert RollbackRule(margin=0.03).verdict(live, candidate) is not None


def test_a_better_candidate_never_rolls_back() -> None:
    rule = RollbackRule()
    assert rule.verdict(VariantCounts(items=100, errors=30), VariantCounts(items=100, errors=0)) is None
    summary = simulate(rule, canaries=100, seed=3, live_error_rate=0.10, candidate_error_rate=0.02)
    assert summary.rolled_back == 0


def test_counts_and_rules_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError):
        VariantCounts(items=5, errors=6)
    with pytest.raises(ValueError):
        RollbackRule(alpha=0.0)
    with pytest.raises(ValueError):
        RollbackRule(min_items=0)


def test_equal_variants_roll_back_in_under_one_percent_of_canaries() -> None:
    summary = simulate(RollbackRule(), canaries=200, seed=20250101, live_error_rate=0.05, candidate_error_rate=0.05)
    assert summary.rate < 0.01, f"{summary.rolled_back} of 200 equal canaries rolled back ({summary.rate:.1%})"


def test_a_faulty_candidate_is_caught_early() -> None:
    summary = simulate(RollbackRule(), canaries=100, seed=20250101, live_error_rate=0.02, candidate_error_rate=0.30)
    assert summary.rate >= 0.95, f"only {summary.rolled_back} of 100 faulty canaries rolled back"
    assert summary.median_candidate_items is not None and summary.median_candidate_items <= 40
