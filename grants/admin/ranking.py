"""A call's eligible applications in the order of their scores, for staff deciding them.

Each application ranks by `scoring.ranking_score` (the moderated score where staff set one,
else the computed one, which `services.application_result` gives); the running total of
the requested amounts, in that order, shows where the call's budget runs out. The rows
are read in a fixed number of queries however many applications there are.
"""

from dataclasses import dataclass
from decimal import Decimal

from assessments.scoring import rounded
from musqat.numbers import lari

from .. import scoring, services
from ..exports import with_reviews
from ..models import Application, Call, Eligibility
from .common import score_text


@dataclass(frozen=True)
class Ranked:
    rank: int | None
    application: Application
    result: scoring.ApplicationScore
    score: Decimal | None  # what it ranks by
    running_total: Decimal
    beyond_budget: bool

    # As staff read them: two decimals, half up; no score is a dash, never 0.
    @property
    def computed_text(self) -> str:
        return score_text(self.result.score)

    @property
    def score_text(self) -> str:
        return score_text(self.score)

    @property
    def moderated_text(self) -> str:
        return score_text(self.application.moderated_score)

    @property
    def spread_text(self) -> str:
        return score_text(self.result.spread)

    @property
    def requested_text(self) -> str:
        return lari(self.application.requested_amount)

    @property
    def running_text(self) -> str:
        return lari(self.running_total)


def ranking(call: Call) -> list[Ranked]:
    applications = list(
        with_reviews(
            call.applications.submitted()
            .filter(eligibility=Eligibility.ELIGIBLE)
            .select_related("call", "organization", "municipality")
        )
    )
    scored = []
    for application in applications:
        result = services.application_result(application)
        score = scoring.ranking_score(result.score, application.moderated_score)
        scored.append((application, result, score))
    # Best first; unscored last; ties in the order of submission (the reference).
    scored.sort(key=lambda row: (row[2] is None, -(row[2] or 0), row[0].reference))
    rows, total, previous, rank = [], Decimal(0), None, 0
    for position, (application, result, score) in enumerate(scored, start=1):
        shown = rounded(score)
        if shown is None:
            rank = None
        elif shown != previous:
            # Ties on the shown score share a rank: 1, 2, 2, 4.
            rank, previous = position, shown
        total += application.requested_amount
        rows.append(
            Ranked(
                rank=rank,
                application=application,
                result=result,
                score=score,
                running_total=total,
                beyond_budget=total > call.budget,
            )
        )
    return rows
