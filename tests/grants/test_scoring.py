"""The review score of a grant application, rule by rule (grants/scoring.py's docstring).

A rubric of three criteria: relevance (weight 2), method (weight 1), budget (weight 1).
"""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import rounded
from grants.scoring import (
    application_score,
    criterion_means,
    ranking_score,
    reviewer_total,
)

WEIGHTS = {"relevance": Decimal(2), "method": Decimal(1), "budget": Decimal(1)}
THRESHOLD = Decimal("1.5")


def score(*reviews, threshold=THRESHOLD):
    return application_score(list(reviews), WEIGHTS, threshold=threshold)


def test_it_leaves_na_out_instead_of_counting_it_as_zero():
    # Relevance 4 (×2) and method 2 (×1), budget N/A: (8 + 2) ÷ 3, not (8 + 2 + 0) ÷ 4.
    total = reviewer_total({"relevance": 4, "method": 2, "budget": None}, WEIGHTS)
    assert total == Decimal(10) / Decimal(3)
    assert total != Decimal("2.5")


def test_it_scores_a_criterion_by_the_plain_mean_over_the_reviewers_who_scored_it():
    means = criterion_means(
        [
            {"relevance": 5, "method": 1, "budget": None},
            {"relevance": 2, "method": 4, "budget": 3},
            {"relevance": 2, "method": None, "budget": 3},
        ],
        WEIGHTS,
    )
    assert means == {"relevance": Decimal(3), "method": Decimal("2.5"), "budget": Decimal(3)}


def test_it_weights_the_criterion_scores_by_the_rubric():
    # relevance 4, method 1, budget 1 → (2×4 + 1 + 1) ÷ 4 = 2.5 (a plain mean would be 2).
    result = score({"relevance": 4, "method": 1, "budget": 1})
    assert result.score == Decimal("2.5")


def test_a_criterion_every_reviewer_marked_na_has_no_score_and_drops_out():
    result = score(
        {"relevance": 3, "method": 5, "budget": None},
        {"relevance": 5, "method": 3, "budget": None},
    )
    assert result.criteria["budget"] is None
    # (2×4 + 1×4) ÷ 3 = 4: the budget's weight leaves the denominator too.
    assert result.score == Decimal(4)


def test_an_application_with_no_scores_has_no_score():
    assert score().score is None
    everything_na = score({"relevance": None, "method": None, "budget": None})
    assert everything_na.score is None
    assert everything_na.reviewer_totals == [None]
    assert everything_na.needs_moderation is False


def test_it_gives_each_reviewer_a_total_and_the_spread_between_them():
    result = score(
        {"relevance": 5, "method": 5, "budget": 5},
        {"relevance": 4, "method": 2, "budget": None},
        {"relevance": 3, "method": 3, "budget": 3},
    )
    assert result.reviewer_totals == [Decimal(5), Decimal(10) / Decimal(3), Decimal(3)]
    assert result.spread == Decimal(2)


def test_it_flags_for_moderation_only_a_spread_strictly_above_the_threshold():
    at_threshold = score(
        {"relevance": 4, "method": 4, "budget": 4},
        {"relevance": 2, "method": 3, "budget": 3},  # (4 + 3 + 3) ÷ 4 = 2.5: a spread of 1.5
    )
    assert at_threshold.spread == THRESHOLD
    assert at_threshold.needs_moderation is False

    above = score(
        {"relevance": 4, "method": 4, "budget": 4},
        {"relevance": 2, "method": 3, "budget": 2},  # 2.25: a spread of 1.75
    )
    assert above.spread == Decimal("1.75")
    assert above.needs_moderation is True


def test_a_single_reviewer_has_no_spread_and_is_never_flagged():
    result = score({"relevance": 5, "method": 0, "budget": 0}, threshold=Decimal(0))
    assert result.spread is None
    assert result.needs_moderation is False


def test_a_reviewer_whose_every_score_is_na_does_not_make_a_spread():
    result = score(
        {"relevance": 5, "method": 5, "budget": 5},
        {"relevance": None, "method": None, "budget": None},
        threshold=Decimal(0),
    )
    assert result.spread is None
    assert result.needs_moderation is False


def test_it_ranks_by_the_moderated_score_where_staff_set_one():
    computed = score({"relevance": 4, "method": 1, "budget": 1}).score
    assert ranking_score(computed, Decimal("3.75")) == Decimal("3.75")
    assert ranking_score(computed, None) == computed
    assert ranking_score(None, None) is None


def test_it_ignores_scores_of_criteria_outside_the_rubric():
    result = score({"relevance": 4, "method": 4, "budget": 4, "removed": 0})
    assert result.score == Decimal(4)
    assert "removed" not in result.criteria


def test_it_keeps_the_score_exact_and_rounds_half_up_only_for_showing():
    # Criterion means: relevance 3, method 3.5, budget 4 → (2×3 + 3.5 + 4) ÷ 4 = 3.375,
    # kept exact; shown as 3.38 (half up), not 3.37 (half even).
    result = score(
        {"relevance": 3, "method": 3, "budget": 4},
        {"relevance": 3, "method": 4, "budget": 4},
    )
    assert result.score == Decimal("3.375")
    assert rounded(result.score) == Decimal("3.38")


points = st.one_of(st.none(), st.integers(min_value=0, max_value=5))
review = st.fixed_dictionaries({key: points for key in WEIGHTS})


@given(reviews=st.lists(review, max_size=6))
def test_a_score_is_always_within_0_and_5(reviews):
    result = score(*reviews)
    for value in [result.score, *result.criteria.values(), *result.reviewer_totals]:
        assert value is None or Decimal(0) <= value <= Decimal(5)
    if result.spread is not None:
        assert Decimal(0) <= result.spread <= Decimal(5)
