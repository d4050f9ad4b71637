"""How an application's review score is computed: plain data in, plain data out.

The rules, for people:
1. A reviewer scores each criterion of the call's rubric from 0 to 5, or N/A.
2. N/A is not zero: it leaves the criterion out of that reviewer's part, numerator and
   denominator alike.
3. A criterion's score is the plain mean of the reviewers' scores of it, N/A left out; a
   criterion every reviewer marked N/A has no score.
4. The application's score is the weighted mean of its criterion scores (the rubric's
   weights), over the criteria that have a score; with none, it has no score.
5. Each reviewer's own total is the weighted mean of their scores, N/A left out. The spread
   is the highest total minus the lowest; a spread above the call's threshold flags the
   application for moderation. One reviewer has no spread.
6. Only submitted reviews count; a moderated score, set by staff, replaces the computed one
   for ranking, and the computed one stays beside it.
Scores are kept exact and rounded half up, to two decimals, only when shown.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from assessments.scoring import weighted_mean

# One reviewer's scores: criterion key -> points (0..5), or None for N/A.
ReviewerScores = Mapping[str, int | None]


@dataclass(frozen=True)
class ApplicationScore:
    score: Decimal | None
    criteria: dict[str, Decimal | None]
    reviewer_totals: list[Decimal | None]
    spread: Decimal | None
    needs_moderation: bool


def reviewer_total(scores: ReviewerScores, weights: Mapping[str, Decimal]) -> Decimal | None:
    """One reviewer's weighted mean, N/A left out (rule 5)."""
    return weighted_mean(
        (weights[key], None if points is None else Decimal(points))
        for key, points in scores.items()
        if key in weights
    )


def criterion_means(
    reviews: Sequence[ReviewerScores], weights: Mapping[str, Decimal]
) -> dict[str, Decimal | None]:
    """Each criterion's mean over the reviewers who scored it (rule 3)."""
    means = {}
    for key in weights:
        given = [Decimal(r[key]) for r in reviews if r.get(key) is not None]
        means[key] = sum(given, Decimal(0)) / len(given) if given else None
    return means


def application_score(
    reviews: Sequence[ReviewerScores],
    weights: Mapping[str, Decimal],
    *,
    threshold: Decimal,
) -> ApplicationScore:
    """The score of one application from its submitted reviews (rules 1–5)."""
    criteria = criterion_means(reviews, weights)
    score = weighted_mean((weights[key], mean) for key, mean in criteria.items())
    totals = [reviewer_total(r, weights) for r in reviews]
    known = [t for t in totals if t is not None]
    spread = max(known) - min(known) if len(known) > 1 else None
    return ApplicationScore(
        score=score,
        criteria=criteria,
        reviewer_totals=totals,
        spread=spread,
        needs_moderation=spread is not None and spread > threshold,
    )


def ranking_score(computed: Decimal | None, moderated: Decimal | None) -> Decimal | None:
    """What an application ranks by: the moderated score where staff set one (rule 6)."""
    return moderated if moderated is not None else computed
