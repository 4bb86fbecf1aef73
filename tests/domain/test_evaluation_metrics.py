"""The evaluation metrics: names compared after normalization, precision and recall with defined empty cases, the
facts a summary keeps as whole words, and the mean of nothing."""

from __future__ import annotations

import pytest

from agentic_kit._domain.evaluation_metrics import (
    ExtractionScores,
    extraction_scores,
    facts_kept,
    mean,
    mentions,
    normalized_name,
    typed_extraction_scores,
)


@pytest.mark.parametrize(("text", "normalized"), [
    ("  Brightwater   Systems\tInc. ", "brightwater systems inc"),
    ('"Harlow & Finch LLP",', "harlow & finch llp"),
    ("(Northwind Traders)", "northwind traders"),
    ("$62 million", "$62 million"),
    ("€349.", "€349"),
    ("Jürgen WEISS", "jürgen weiss"),
    ("Jürgen Weiß", "jürgen weiss"),
    ("Cafe\u0301", "café"),
    ("...", ""),
])
def test_names_are_casefolded_collapsed_and_stripped_of_surrounding_punctuation(text: str, normalized: str) -> None:
    assert normalized_name(text) == normalized


def test_inner_punctuation_is_kept() -> None:
    assert normalized_name("Mei-Lin Foster") == "mei-lin foster"
    assert normalized_name("EUR 14,500.00") == "eur 14,500.00"


def test_scores_match_names_whatever_their_type_case_or_spacing() -> None:
    found = [("northwind  traders ltd", "PERSON"), ("Bristol", "LOCATION"), ("Acme", "ORG"), ("acme.", "ORG")]
    expected = [("Northwind Traders Ltd", "ORG"), ("Bristol", "LOCATION"), ("$62 million", "MONEY"),
                ("Amara Okafor", "PERSON")]

    scores = extraction_scores(found, expected)

    assert scores.precision == pytest.approx(2 / 3)  # "Acme" and "acme." are one name, and a wrong one
    assert scores.recall == pytest.approx(2 / 4)
    assert scores.f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))


def test_typed_scores_also_require_the_type() -> None:
    found = [("Northwind Traders Ltd", "PERSON"), ("Bristol", "location")]
    expected = [("Northwind Traders Ltd", "ORG"), ("Bristol", "LOCATION")]

    assert extraction_scores(found, expected) == ExtractionScores(precision=1.0, recall=1.0, f1=1.0)
    assert typed_extraction_scores(found, expected) == ExtractionScores(precision=0.5, recall=0.5, f1=0.5)


def test_a_name_expected_under_two_types_is_one_name_untyped_and_two_typed() -> None:
    expected = [("Horizon", "PRODUCT"), ("Horizon", "ORG")]
    found = [("Horizon", "PRODUCT")]

    assert extraction_scores(found, expected).recall == 1.0
    assert typed_extraction_scores(found, expected).recall == 0.5


@pytest.mark.parametrize(("found", "expected", "scores"), [
    ([], [], ExtractionScores(precision=1.0, recall=1.0, f1=1.0)),
    ([], [("Bristol", "LOCATION")], ExtractionScores(precision=1.0, recall=0.0, f1=0.0)),
    ([("Bristol", "LOCATION")], [], ExtractionScores(precision=0.0, recall=1.0, f1=0.0)),
    ([("Leeds", "LOCATION")], [("Bristol", "LOCATION")], ExtractionScores(precision=0.0, recall=0.0, f1=0.0)),
])
def test_empty_and_disjoint_cases_are_defined(found: list[tuple[str, str]], expected: list[tuple[str, str]],
                                              scores: ExtractionScores) -> None:
    assert extraction_scores(found, expected) == scores
    assert typed_extraction_scores(found, expected) == scores


def test_facts_kept_is_the_share_found_after_normalization() -> None:
    summary = "Northwind  Traders will buy BRIGHTWATER Systems for $62 million, it said on\nMarch 4, 2024."
    facts = ["Northwind Traders", "Brightwater Systems", "$62 million", "March 4, 2024", "third quarter of 2024"]

    assert facts_kept(summary, facts) == pytest.approx(4 / 5)


def test_a_fact_must_appear_whole_not_inside_a_longer_number_or_word() -> None:
    assert not mentions("revenue grew 111% in 2024", "11%")
    assert not mentions("closing on March 4, 20245", "March 4, 2024")
    assert not mentions("the Horizons team", "Horizon")
    assert mentions("prices start at €349.", "€349")
    assert mentions("US$62 million in cash", "$62 million")
    assert mentions("(Horizon 3.0)", "Horizon 3.0")


def test_no_facts_means_all_facts_kept() -> None:
    assert facts_kept("anything", []) == 1.0
    assert facts_kept("", ["Bristol"]) == 0.0


def test_mean_of_nothing_is_none() -> None:
    assert mean([]) is None
    assert mean([0.5, 1.0, 0.0]) == pytest.approx(0.5)
    assert mean([0.1] * 10) == 0.1  # summed exactly, not drifting with the order of additions
