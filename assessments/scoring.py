"""The scoring engine: every score on the platform comes from here.

Pure functions over plain data; nothing here touches the database. The rules,
as written for people in DESIGN.md ("The scoring rules"):

Normalising an answer to [0, 1]
    yes_no    yes = 1, no = 0
    scale     level ÷ k, for levels 0..k
    percent   value ÷ 100, for 0..100
    numeric   clamp((v − worst) ÷ (best − worst), 0, 1); worst > best means
              "lower is better"

Aggregation
    criterion = 100 × Σ(wᵢ·nᵢ) ÷ Σ(wᵢ) over its indicators that apply
    area      = weighted mean of its criterion scores that exist
    overall   = weighted mean of the area scores that exist
    N/A is not zero: it leaves numerator and denominator. A criterion whose
    indicators are all N/A has no score and leaves its area the same way.

Completeness
    Every indicator must be answered or marked N/A before submission. A score
    over an incomplete set of answers is *partial*; its coverage is the share
    of the methodology's weight that is answered (N/A counts as answered).

Precision
    Everything is computed with Decimal; rounding happens only for display,
    to one decimal (half up). Grade bands and ranks use the displayed value, so
    that what a reader sees and the band or rank shown beside it agree. Files
    and the API carry more decimals (``rounded``, half up as well). A gap or a
    change is the difference of the two scores as shown at that precision, so
    that shown numbers add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
# Pages and PDFs show scores to one decimal; the API and files to two.
DISPLAY_PLACES = 1
DISPLAY = Decimal("0.1")

YES_NO = "yes_no"
SCALE = "scale"
PERCENT = "percent"
NUMERIC = "numeric"
RESPONSE_TYPES = (YES_NO, SCALE, PERCENT, NUMERIC)


class InvalidAnswer(ValueError):
    """An answer that the indicator's response type does not allow.

    ``code`` names the rule (for messages), ``params`` fills the message.
    """

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(code, params)


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    criterion: str
    response_type: str
    weight: Decimal = ONE
    scale_max: int | None = None
    worst: Decimal | None = None
    best: Decimal | None = None


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    area: str
    weight: Decimal = ONE


@dataclass(frozen=True)
class AreaSpec:
    code: str
    weight: Decimal = ONE


@dataclass(frozen=True)
class Methodology:
    areas: Sequence[AreaSpec]
    criteria: Sequence[CriterionSpec]
    indicators: Sequence[IndicatorSpec]


@dataclass(frozen=True)
class Answer:
    value: Decimal | None = None
    is_na: bool = False

    @property
    def is_answered(self) -> bool:
        """Answered means a value, or marked not applicable; anything else is missing."""
        return self.is_na or self.value is not None


NOT_APPLICABLE = Answer(is_na=True)


@dataclass(frozen=True)
class Result:
    """Scores on 0–100 (indicators on 0–1); None where there is no score."""

    overall: Decimal | None
    areas: Mapping[str, Decimal | None]
    criteria: Mapping[str, Decimal | None]
    indicators: Mapping[str, Decimal | None]
    coverage: Decimal
    missing: tuple[str, ...] = field(default=())

    @property
    def is_partial(self) -> bool:
        return bool(self.missing)


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise InvalidAnswer("not_a_number", value=value) from None


def check_value(indicator: IndicatorSpec, value) -> Decimal:
    """Return the value as a Decimal, or raise InvalidAnswer if the type forbids it."""
    number = to_decimal(value)
    if not number.is_finite():
        raise InvalidAnswer("not_a_number", value=value)
    kind = indicator.response_type
    if kind == YES_NO:
        if number not in (ZERO, ONE):
            raise InvalidAnswer("yes_no", value=value)
    elif kind == SCALE:
        top = indicator.scale_max
        if top is None or top < 1:
            raise InvalidAnswer("scale_undefined")
        if number != number.to_integral_value() or not ZERO <= number <= top:
            raise InvalidAnswer("scale_range", value=value, max=top)
    elif kind == PERCENT:
        if not ZERO <= number <= HUNDRED:
            raise InvalidAnswer("percent_range", value=value)
    elif kind == NUMERIC:
        if indicator.worst is None or indicator.best is None or indicator.worst == indicator.best:
            raise InvalidAnswer("thresholds_undefined")
    else:
        raise InvalidAnswer("unknown_type", type=kind)
    return number


def normalise(indicator: IndicatorSpec, value) -> Decimal:
    """Map an answer to [0, 1] by the indicator's response type."""
    number = check_value(indicator, value)
    kind = indicator.response_type
    if kind == YES_NO:
        return number
    if kind == SCALE:
        return number / Decimal(indicator.scale_max)
    if kind == PERCENT:
        return number / HUNDRED
    ratio = (number - indicator.worst) / (indicator.best - indicator.worst)
    return min(max(ratio, ZERO), ONE)


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Σ(w·s) ÷ Σ(w) over the pairs whose score exists; None when none does."""
    numerator = denominator = ZERO
    for weight, score in pairs:
        if score is None:
            continue
        numerator += weight * score
        denominator += weight
    if not denominator:
        return None
    return numerator / denominator


def score(methodology: Methodology, answers: Mapping[str, Answer]) -> Result:
    """Score one assessment. ``answers`` maps indicator codes to answers.

    Indicators with no answer are listed in ``missing`` and left out like N/A,
    which makes the result partial.
    """
    indicator_scores: dict[str, Decimal | None] = {}
    missing = []
    by_criterion: dict[str, list[tuple[Decimal, Decimal | None]]] = {
        c.code: [] for c in methodology.criteria
    }
    for indicator in methodology.indicators:
        answer = answers.get(indicator.code)
        if answer is None or not answer.is_answered:
            missing.append(indicator.code)
            normalised = None
        elif answer.is_na:
            normalised = None
        else:
            normalised = normalise(indicator, answer.value)
        indicator_scores[indicator.code] = normalised
        by_criterion[indicator.criterion].append((indicator.weight, normalised))

    criterion_scores = {}
    by_area: dict[str, list[tuple[Decimal, Decimal | None]]] = {
        a.code: [] for a in methodology.areas
    }
    for criterion in methodology.criteria:
        mean = weighted_mean(by_criterion[criterion.code])
        criterion_scores[criterion.code] = None if mean is None else HUNDRED * mean
        by_area[criterion.area].append((criterion.weight, criterion_scores[criterion.code]))

    area_scores = {a.code: weighted_mean(by_area[a.code]) for a in methodology.areas}
    overall = weighted_mean((a.weight, area_scores[a.code]) for a in methodology.areas)
    return Result(
        overall=overall,
        areas=area_scores,
        criteria=criterion_scores,
        indicators=indicator_scores,
        coverage=ONE
        if not missing
        else coverage(methodology, answered=set(answers) - set(missing)),
        missing=tuple(missing),
    )


def effective_weights(methodology: Methodology) -> dict[str, Decimal]:
    """Each indicator's share of the whole methodology's weight; they sum to 1.

    Criteria without indicators, and areas without such criteria, carry no share.
    """
    indicator_totals: dict[str, Decimal] = {}
    for i in methodology.indicators:
        indicator_totals[i.criterion] = indicator_totals.get(i.criterion, ZERO) + i.weight
    criteria = {c.code: c for c in methodology.criteria if c.code in indicator_totals}
    criterion_totals: dict[str, Decimal] = {}
    for c in criteria.values():
        criterion_totals[c.area] = criterion_totals.get(c.area, ZERO) + c.weight
    areas = {a.code: a for a in methodology.areas if a.code in criterion_totals}
    area_total = sum((a.weight for a in areas.values()), ZERO)
    shares = {}
    for i in methodology.indicators:
        criterion = criteria[i.criterion]
        area = areas[criterion.area]
        shares[i.code] = (
            (area.weight / area_total)
            * (criterion.weight / criterion_totals[criterion.area])
            * (i.weight / indicator_totals[i.criterion])
        )
    return shares


def coverage(methodology: Methodology, *, answered: Iterable[str]) -> Decimal:
    """The share of weight (0–1) carried by the answered (or N/A) indicators."""
    shares = effective_weights(methodology)
    total = sum((shares[code] for code in set(answered) if code in shares), ZERO)
    return min(total, ONE)


def for_display(value: Decimal | None) -> Decimal | None:
    """Round a score to one decimal, half up, for people to read."""
    if value is None:
        return None
    return value.quantize(DISPLAY, rounding=ROUND_HALF_UP)


# What a published snapshot keeps: 4 decimals of a score (0–100), 6 of a normalised
# indicator score or a coverage (0–1). Files and the API round further, from these.
STORED_SCORE_PLACES = 4
STORED_SHARE_PLACES = 6


def rounded(value: Decimal | None, places: int = 2) -> Decimal | None:
    """Round a number half up to ``places`` decimals: for storage, files and the API."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def whole_percent(part, whole) -> int:
    """`part` of `whole` as a whole percentage, half up (5 of 8 is 63%); 100 only when the
    part is the whole, so that nothing unfinished reads as done."""
    if not whole:
        return 100
    percent = int(rounded(HUNDRED * Decimal(part) / Decimal(whole), 0))
    return min(percent, 99) if part < whole else percent


@dataclass(frozen=True)
class Band:
    key: str
    min_score: Decimal


def band_for(value: Decimal | None, bands: Sequence[Band]) -> Band | None:
    """The band whose minimum is the highest one at or below the displayed score."""
    if value is None or not bands:
        return None
    shown = for_display(value)
    eligible = [b for b in bands if b.min_score <= shown]
    if not eligible:
        return None
    return max(eligible, key=lambda b: b.min_score)


def ranks(scores: Mapping[str, Decimal | None]) -> dict[str, int | None]:
    """Competition ranking on the displayed score: ties share a rank (1, 2, 2, 4)."""
    shown = {key: for_display(value) for key, value in scores.items() if value is not None}
    ordered = sorted(shown.values(), reverse=True)
    first_position = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return {key: first_position[shown[key]] if key in shown else None for key in scores}


def points(normalised: Decimal | None) -> Decimal | None:
    """An indicator's normalised score (0–1) on the 0–100 scale of every other score;
    also a share such as coverage (0–1) as a percentage."""
    return None if normalised is None else HUNDRED * normalised


def average(values: Iterable[Decimal | None]) -> Decimal | None:
    """The plain mean of the scores that exist, e.g. a regional average."""
    present = [value for value in values if value is not None]
    if not present:
        return None
    return sum(present, ZERO) / len(present)


def gap(
    self_score: Decimal | None, external_score: Decimal | None, places: int = DISPLAY_PLACES
) -> Decimal | None:
    """Self minus external: how much a municipality over-rates itself.

    It is the difference of the two scores as they are shown (rounded to `places`), so
    that the numbers a reader sees add up: 60.0 and 50.0 have a gap of 10.0, never 9.9.
    """
    if self_score is None or external_score is None:
        return None
    return rounded(self_score, places) - rounded(external_score, places)


def change(
    current: Decimal | None, previous: Decimal | None, places: int = DISPLAY_PLACES
) -> Decimal | None:
    """Change between two cycles, as the difference of the shown scores (see `gap`);
    callers pass only comparable pairs."""
    if current is None or previous is None:
        return None
    return rounded(current, places) - rounded(previous, places)
