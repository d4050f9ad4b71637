"""The scoring rules of DESIGN.md, one test per rule, with numbers worked out by hand."""

from decimal import Decimal as D

import pytest
from django.utils.translation import override
from hypothesis import given
from hypothesis import strategies as st

from assessments import scoring
from assessments.scoring import (
    NOT_APPLICABLE,
    Answer,
    AreaSpec,
    CriterionSpec,
    IndicatorSpec,
    Methodology,
)
from assessments.templatetags.scores import share


def yes_no(code, criterion, weight=1):
    return IndicatorSpec(code, criterion, scoring.YES_NO, D(weight))


def scale(code, criterion, k, weight=1):
    return IndicatorSpec(code, criterion, scoring.SCALE, D(weight), scale_max=k)


def percent(code, criterion, weight=1):
    return IndicatorSpec(code, criterion, scoring.PERCENT, D(weight))


def numeric(code, criterion, worst, best, weight=1):
    return IndicatorSpec(code, criterion, scoring.NUMERIC, D(weight), worst=D(worst), best=D(best))


def answers(**values):
    return {code.replace("_", "."): Answer(D(str(v))) for code, v in values.items()}


# --- Normalising a response to [0, 1] -------------------------------------------------------


def test_yes_is_one_and_no_is_zero():
    indicator = yes_no("A.1.1", "A.1")
    assert scoring.normalise(indicator, 1) == 1
    assert scoring.normalise(indicator, 0) == 0


def test_a_scale_level_is_divided_by_the_top_level():
    indicator = scale("A.1.1", "A.1", k=4)
    assert scoring.normalise(indicator, 3) == D("0.75")
    assert scoring.normalise(indicator, 0) == 0
    assert scoring.normalise(indicator, 4) == 1


def test_a_percentage_is_divided_by_one_hundred():
    assert scoring.normalise(percent("A.1.1", "A.1"), D("62.5")) == D("0.625")


def test_a_number_is_placed_between_its_worst_and_best_thresholds():
    indicator = numeric("A.1.1", "A.1", worst=10, best=30)
    assert scoring.normalise(indicator, 25) == D("0.75")


def test_a_number_beyond_the_thresholds_is_clamped():
    indicator = numeric("A.1.1", "A.1", worst=10, best=30)
    assert scoring.normalise(indicator, 5) == 0
    assert scoring.normalise(indicator, 45) == 1


def test_lower_is_better_when_worst_is_above_best():
    # Days to answer an information request: 20 is worst, 5 is best; 8 days → (8−20)/(5−20) = 0.8
    indicator = numeric("A.1.1", "A.1", worst=20, best=5)
    assert scoring.normalise(indicator, 8) == D("0.8")
    assert scoring.normalise(indicator, 25) == 0


@pytest.mark.parametrize(
    ("indicator", "value", "rule"),
    [
        (yes_no("X", "C"), 2, "yes_no"),
        (scale("X", "C", k=3), 4, "scale_range"),
        (scale("X", "C", k=3), D("1.5"), "scale_range"),
        (scale("X", "C", k=3), -1, "scale_range"),
        (percent("X", "C"), D("100.1"), "percent_range"),
        (percent("X", "C"), -3, "percent_range"),
        (numeric("X", "C", 0, 10), "many", "not_a_number"),
    ],
)
def test_it_rejects_an_answer_the_response_type_does_not_allow(indicator, value, rule):
    with pytest.raises(scoring.InvalidAnswer) as error:
        scoring.normalise(indicator, value)
    assert error.value.code == rule


# --- Weights and aggregation ----------------------------------------------------------------

TWO_AREAS = Methodology(
    areas=[AreaSpec("A", D(2)), AreaSpec("B", D(1))],
    criteria=[
        CriterionSpec("A.1", "A", D(1)),
        CriterionSpec("A.2", "A", D(3)),
        CriterionSpec("B.1", "B", D(1)),
    ],
    indicators=[
        yes_no("A.1.1", "A.1", weight=1),
        scale("A.1.2", "A.1", k=4, weight=3),
        percent("A.2.1", "A.2"),
        numeric("B.1.1", "B.1", worst=20, best=5),
        yes_no("B.1.2", "B.1"),
    ],
)


def test_a_criterion_score_is_the_weighted_mean_of_its_indicators_times_100():
    # A.1 = 100 × (1·1 + 3·0.5) ÷ (1 + 3) = 62.5
    result = scoring.score(TWO_AREAS, answers(A_1_1=1, A_1_2=2, A_2_1=40, B_1_1=8, B_1_2=0))
    assert result.criteria["A.1"] == D("62.5")
    assert result.criteria["A.2"] == D("40")
    # B.1 = 100 × (0.8 + 0) ÷ 2 = 40
    assert result.criteria["B.1"] == D("40")


def test_an_area_score_is_the_weighted_mean_of_its_criteria():
    # A = (1·62.5 + 3·40) ÷ 4 = 45.625
    result = scoring.score(TWO_AREAS, answers(A_1_1=1, A_1_2=2, A_2_1=40, B_1_1=8, B_1_2=0))
    assert result.areas["A"] == D("45.625")
    assert result.areas["B"] == D("40")


def test_the_overall_score_is_the_weighted_mean_of_the_areas():
    # overall = (2·45.625 + 1·40) ÷ 3 = 43.75
    result = scoring.score(TWO_AREAS, answers(A_1_1=1, A_1_2=2, A_2_1=40, B_1_1=8, B_1_2=0))
    assert result.overall == D("43.75")
    assert not result.is_partial
    assert result.coverage == 1


def test_the_default_weight_is_one():
    assert IndicatorSpec("X", "C", scoring.YES_NO).weight == 1
    assert CriterionSpec("C", "A").weight == 1
    assert AreaSpec("A").weight == 1


# --- Not applicable -------------------------------------------------------------------------


def test_not_applicable_leaves_numerator_and_denominator():
    # A.1 with A.1.2 N/A: 100 × (1·1) ÷ 1 = 100, not 100 × 1 ÷ 4 = 25.
    given = answers(A_1_1=1, A_2_1=40, B_1_1=8, B_1_2=0) | {"A.1.2": NOT_APPLICABLE}
    result = scoring.score(TWO_AREAS, given)
    assert result.criteria["A.1"] == D("100")
    assert result.indicators["A.1.2"] is None
    assert not result.is_partial


def test_a_criterion_whose_indicators_are_all_not_applicable_drops_out_of_its_area():
    given = answers(A_2_1=40, B_1_1=8, B_1_2=0) | {"A.1.1": NOT_APPLICABLE, "A.1.2": NOT_APPLICABLE}
    result = scoring.score(TWO_AREAS, given)
    assert result.criteria["A.1"] is None
    # A = A.2 alone = 40; overall = (2·40 + 1·40) ÷ 3 = 40
    assert result.areas["A"] == D("40")
    assert result.overall == D("40")


def test_an_area_with_no_scored_criterion_drops_out_of_the_overall():
    given = answers(A_1_1=1, A_1_2=2, A_2_1=40) | {
        "B.1.1": NOT_APPLICABLE,
        "B.1.2": NOT_APPLICABLE,
    }
    result = scoring.score(TWO_AREAS, given)
    assert result.areas["B"] is None
    assert result.overall == D("45.625")


def test_everything_not_applicable_gives_no_score_at_all():
    result = scoring.score(TWO_AREAS, {i.code: NOT_APPLICABLE for i in TWO_AREAS.indicators})
    assert result.overall is None


# --- Missing answers and partial scores -----------------------------------------------------


def test_a_missing_answer_makes_the_score_partial_and_is_listed():
    result = scoring.score(TWO_AREAS, answers(A_1_1=1, A_1_2=2, A_2_1=40))
    assert result.is_partial
    assert result.missing == ("B.1.1", "B.1.2")


def test_coverage_is_the_share_of_weight_that_is_answered():
    # Area A carries 2/3 of the weight; within it A.1 carries 1/4 and A.1.2 carries 3/4 of A.1.
    # Answered: A.1.2 (2/3 · 1/4 · 3/4 = 1/8) and A.2.1 (2/3 · 3/4 = 1/2) → 5/8.
    result = scoring.score(TWO_AREAS, answers(A_1_2=2, A_2_1=40))
    assert result.coverage.quantize(D("0.0001")) == D("0.6250")


def test_not_applicable_counts_as_answered_for_coverage():
    result = scoring.score(TWO_AREAS, {"A.2.1": NOT_APPLICABLE})
    assert result.coverage.quantize(D("0.0001")) == D("0.5000")


def test_a_partial_score_uses_only_what_is_answered():
    result = scoring.score(TWO_AREAS, answers(A_2_1=40))
    assert result.overall == D("40")


# --- Precision, bands and ranks -------------------------------------------------------------


def test_scores_are_rounded_half_up_to_one_decimal_only_for_display():
    assert scoring.for_display(D("43.75")) == D("43.8")
    assert scoring.for_display(D("43.7499")) == D("43.7")
    assert scoring.for_display(None) is None


def test_computation_keeps_full_precision():
    methodology = Methodology(
        [AreaSpec("A")], [CriterionSpec("A.1", "A")], [scale("A.1.1", "A.1", k=3)]
    )
    result = scoring.score(methodology, answers(A_1_1=1))
    assert result.overall.quantize(D("0.0001")) == D("33.3333")


DEFAULT_BANDS = [
    scoring.Band("low", D(0)),
    scoring.Band("developing", D(40)),
    scoring.Band("good", D(60)),
    scoring.Band("high", D(80)),
]


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (D("0"), "low"),
        (D("39.9"), "low"),
        (D("40"), "developing"),
        (D("59.9"), "developing"),
        (D("60"), "good"),
        (D("79.94"), "good"),
        (D("80"), "high"),
        (D("100"), "high"),
    ],
)
def test_the_default_grade_bands(value, band):
    assert scoring.band_for(value, DEFAULT_BANDS).key == band


def test_a_band_follows_the_displayed_score():
    # 39.96 is shown as 40.0, so it is in the 40–59.9 band, not in 0–39.9.
    assert scoring.band_for(D("39.96"), DEFAULT_BANDS).key == "developing"


def test_no_score_has_no_band():
    assert scoring.band_for(None, DEFAULT_BANDS) is None


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    ranks = scoring.ranks({"a": D("80"), "b": D("70"), "c": D("70"), "d": D("60")})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_ranks_compare_displayed_scores_and_leave_out_missing_ones():
    ranks = scoring.ranks({"a": D("70.04"), "b": D("70.01"), "c": None})
    assert ranks == {"a": 1, "b": 1, "c": None}


# --- Self-assessment beside external assessment, and change over time ----------------------


def test_the_gap_is_self_minus_external():
    assert scoring.gap(D("72.5"), D("60")) == D("12.5")
    assert scoring.gap(D("50"), D("60")) == D("-10")


def test_there_is_no_gap_without_both_scores():
    assert scoring.gap(D("72.5"), None) is None
    assert scoring.gap(None, D("60")) is None


def test_change_between_cycles_is_current_minus_previous():
    assert scoring.change(D("65"), D("60.5")) == D("4.5")
    assert scoring.change(D("65"), None) is None


# --- Properties -----------------------------------------------------------------------------

weights = st.decimals(min_value=D("0.1"), max_value=D("10"), places=1)


@st.composite
def methodologies_with_answers(draw):
    """A random small methodology and a complete set of valid answers (some N/A)."""
    area_count = draw(st.integers(1, 3))
    areas, criteria, indicators, given = [], [], [], {}
    for a in range(area_count):
        areas.append(AreaSpec(f"A{a}", draw(weights)))
        for c in range(draw(st.integers(1, 3))):
            criterion = f"A{a}.{c}"
            criteria.append(CriterionSpec(criterion, f"A{a}", draw(weights)))
            for i in range(draw(st.integers(1, 3))):
                code = f"{criterion}.{i}"
                kind = draw(st.sampled_from(scoring.RESPONSE_TYPES))
                weight = draw(weights)
                if kind == scoring.YES_NO:
                    spec = IndicatorSpec(code, criterion, kind, weight)
                    value = D(draw(st.integers(0, 1)))
                elif kind == scoring.SCALE:
                    k = draw(st.integers(1, 5))
                    spec = IndicatorSpec(code, criterion, kind, weight, scale_max=k)
                    value = D(draw(st.integers(0, k)))
                elif kind == scoring.PERCENT:
                    spec = IndicatorSpec(code, criterion, kind, weight)
                    value = draw(st.decimals(min_value=0, max_value=100, places=1))
                else:
                    worst, best = draw(
                        st.lists(st.integers(-50, 50), min_size=2, max_size=2, unique=True)
                    )
                    spec = IndicatorSpec(
                        code, criterion, kind, weight, worst=D(worst), best=D(best)
                    )
                    value = draw(st.decimals(min_value=-100, max_value=100, places=1))
                indicators.append(spec)
                is_na = draw(st.integers(0, 4)) == 0
                given[code] = NOT_APPLICABLE if is_na else Answer(value)
    return Methodology(areas, criteria, indicators), given


def all_scores(result):
    return [
        s
        for s in [result.overall, *result.areas.values(), *result.criteria.values()]
        if s is not None
    ]


@given(methodologies_with_answers())
def test_every_score_lies_between_0_and_100(case):
    methodology, given = case
    result = scoring.score(methodology, given)
    assert all(0 <= s <= 100 for s in all_scores(result))
    assert all(0 <= n <= 1 for n in result.indicators.values() if n is not None)


def raised(spec, answer):
    """The same answer one step better, or None when it is already the best."""
    if answer.is_na:
        return None
    value = answer.value
    if spec.response_type == scoring.YES_NO:
        return Answer(D(1)) if value == 0 else None
    if spec.response_type == scoring.SCALE:
        return Answer(value + 1) if value < spec.scale_max else None
    if spec.response_type == scoring.PERCENT:
        return Answer(min(value + 10, D(100))) if value < 100 else None
    step = D(1) if spec.best > spec.worst else D(-1)
    return Answer(value + step)


@given(methodologies_with_answers(), st.data())
def test_raising_one_answer_never_lowers_any_score(case, data):
    methodology, given = case
    spec = data.draw(st.sampled_from(list(methodology.indicators)))
    better = raised(spec, given[spec.code])
    if better is None:
        return
    before = scoring.score(methodology, given)
    after = scoring.score(methodology, given | {spec.code: better})
    for level in ("areas", "criteria"):
        for code, value in getattr(before, level).items():
            if value is not None:
                assert getattr(after, level)[code] >= value
    if before.overall is not None:
        assert after.overall >= before.overall


@given(methodologies_with_answers(), st.data())
def test_marking_an_indicator_not_applicable_equals_removing_it(case, data):
    methodology, given = case
    spec = data.draw(st.sampled_from(list(methodology.indicators)))
    marked = scoring.score(methodology, given | {spec.code: NOT_APPLICABLE})
    without = Methodology(
        methodology.areas,
        methodology.criteria,
        [i for i in methodology.indicators if i.code != spec.code],
    )
    removed = scoring.score(without, {k: v for k, v in given.items() if k != spec.code})
    assert marked.overall == removed.overall
    assert marked.areas == removed.areas
    assert marked.criteria == removed.criteria


def test_an_indicator_score_reads_on_the_same_0_to_100_scale_as_every_other_score():
    assert scoring.points(D("0.75")) == D("75.00")
    assert scoring.points(D(0)) == D(0)
    assert scoring.points(None) is None


def test_the_regional_average_is_the_plain_mean_of_the_scores_that_exist():
    assert scoring.average([D(40), D(60), None, D(80)]) == D(60)
    assert scoring.average([None, None]) is None
    assert scoring.average([]) is None


def test_a_gap_is_the_difference_of_the_scores_as_shown():
    # 59.96 shows as 60.0 and 50.04 as 50.0: the gap beside them must read 10.0, not 9.9.
    assert scoring.for_display(scoring.gap(D("59.96"), D("50.04"))) == D("10.0")
    assert scoring.gap(D("59.996"), D("50.004"), places=2) == D("10.00")


def test_a_change_is_the_difference_of_the_scores_as_shown():
    assert scoring.for_display(scoring.change(D("50.04"), D("39.96"))) == D("10.0")


def test_a_whole_percentage_rounds_half_up_and_says_100_only_when_complete():
    assert scoring.whole_percent(5, 8) == 63  # 62.5, which round() makes 62
    assert scoring.whole_percent(199, 200) == 99
    assert scoring.whole_percent(8, 8) == 100
    assert scoring.whole_percent(0, 0) == 100


def test_a_share_is_shown_as_a_percentage_rounded_half_up():
    with override("en"):
        assert share(D("0.625")) == "63%"
