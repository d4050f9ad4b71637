"""Published findings: what a grant call, a grant or an action plan addresses, read from
the frozen snapshots.

A finding is one indicator's published score for one municipality in one cycle, on the
0–100 scale of every other score, from the headline kind (the independent external
assessment where there is one, else the self-assessment). Only current snapshots are
read, so nothing unpublished ever shows. Before and after compares a cycle with
the latest later published cycle, through the counterpart links, only where comparable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from indicators.models import Indicator

from .. import scoring
from ..models import Cycle, IndicatorScore
from .cycles import headline_kind


@dataclass(frozen=True)
class WeakFinding:
    indicator: Indicator
    score: Decimal  # the mean over the municipalities that have a score
    municipalities: int


@dataclass(frozen=True)
class LaterScore:
    cycle: Cycle
    score: Decimal | None
    change: Decimal | None  # the difference of the two shown scores
    kind: str | None = None  # the assessment kind the score is of (None: no score)


@dataclass(frozen=True)
class Finding:
    indicator: Indicator
    cycle: Cycle
    score: Decimal | None
    is_na: bool
    url: str
    later: LaterScore | None = None
    # The assessment kind the score is of, the headline one (Kind.EXTERNAL or Kind.SELF;
    # None: no score), so pages can say whose score they show.
    kind: str | None = None


def headline_scores(cycle_id: int, municipality_ids=None, indicator_ids=None):
    """{(municipality id, indicator id): IndicatorScore} of the headline kind."""
    rows = IndicatorScore.objects.filter(
        snapshot__is_current=True, snapshot__assessment__cycle_id=cycle_id
    ).select_related("snapshot__assessment")
    if municipality_ids is not None:
        rows = rows.filter(snapshot__assessment__municipality_id__in=municipality_ids)
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=indicator_ids)
    by_kind = defaultdict(dict)
    kinds = defaultdict(set)
    for row in rows.only(
        "indicator_id",
        "normalised",
        "is_na",
        "snapshot__assessment__kind",
        "snapshot__assessment__municipality_id",
    ):
        assessment = row.snapshot.assessment
        by_kind[assessment.municipality_id, assessment.kind][row.indicator_id] = row
        kinds[assessment.municipality_id].add(assessment.kind)
    return {
        (municipality_id, indicator_id): row
        for municipality_id, present in kinds.items()
        for indicator_id, row in by_kind[municipality_id, headline_kind(present)].items()
    }


def weakest_indicators(
    cycle: Cycle, municipality_ids=None, limit: int | None = 20, indicator_ids=None
) -> list[WeakFinding]:
    """The indicators with the lowest published scores in the cycle, over the given
    municipalities (all by default): what a call's priority indicators are chosen from.
    With `indicator_ids`, only those indicators' scores are read; `limit=None` keeps all."""
    points = defaultdict(list)
    scores = headline_scores(cycle.pk, municipality_ids, indicator_ids)
    for (_municipality, indicator_id), row in scores.items():
        if row.normalised is not None:
            points[indicator_id].append(scoring.points(row.normalised))
    means = {pk: scoring.average(values) for pk, values in points.items()}
    weakest = sorted(means, key=lambda pk: (means[pk], pk))[:limit]
    indicators = Indicator.objects.in_bulk(weakest)
    return [
        WeakFinding(indicator=indicators[pk], score=means[pk], municipalities=len(points[pk]))
        for pk in weakest
    ]


def scorecard_url(cycle: Cycle, municipality, indicator: Indicator) -> str:
    path = reverse("assessments:scorecard", args=[cycle.year, municipality.slug])
    return f"{path}#indicator-{indicator.code}"


def counterparts(indicators, cycle: Cycle, later: Cycle) -> dict[int, int | None]:
    """{indicator id: the id of the later cycle's indicator that compares with it, or
    None}, in one query at most."""
    ids = [indicator.pk for indicator in indicators]
    if later.methodology_id == cycle.methodology_id:
        return {pk: pk for pk in ids}
    if later.methodology.previous_id != cycle.methodology_id:
        return dict.fromkeys(ids)
    successors = dict(
        Indicator.objects.filter(
            previous__in=ids, comparable=True, criterion__area__version=later.methodology_id
        ).values_list("previous_id", "pk")
    )
    return {pk: successors.get(pk) for pk in ids}


def findings_for(cycle: Cycle, municipality, indicators) -> list[Finding]:
    """The published findings of these indicators in one municipality and cycle, each with
    the latest later published score where one compares."""
    if municipality is None:
        return []
    indicators = list(indicators)
    before = headline_scores(cycle.pk, [municipality.pk], [i.pk for i in indicators])
    later_cycle = (
        Cycle.objects.filter(
            year__gt=cycle.year,
            assessments__municipality=municipality,
            assessments__snapshots__is_current=True,
        )
        .distinct()
        .select_related("methodology")
        .order_by("-year")
        .first()
    )
    successors = {}
    after = {}
    if later_cycle:
        successors = counterparts(indicators, cycle, later_cycle)
        wanted = [pk for pk in successors.values() if pk]
        after = headline_scores(later_cycle.pk, [municipality.pk], wanted)
    findings = []
    for indicator in indicators:
        row = before.get((municipality.pk, indicator.pk))
        score = scoring.points(row.normalised) if row else None
        later = None
        successor = successors.get(indicator.pk)
        if successor:
            later_row = after.get((municipality.pk, successor))
            later_score = scoring.points(later_row.normalised) if later_row else None
            later = LaterScore(
                cycle=later_cycle,
                score=later_score,
                change=scoring.change(later_score, score),
                kind=kind_of(later_row),
            )
        findings.append(
            Finding(
                indicator=indicator,
                cycle=cycle,
                score=score,
                is_na=bool(row and row.is_na),
                url=scorecard_url(cycle, municipality, indicator),
                later=later,
                kind=kind_of(row),
            )
        )
    return findings


def kind_of(row) -> str | None:
    return row.snapshot.assessment.kind if row else None
