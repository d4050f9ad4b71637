"""How far along assessments are: answered indicators of all they must answer, per area."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from indicators.models import Indicator, ThematicArea

from ..models import ANSWERED_BY, Response
from ..scoring import whole_percent


@dataclass
class AreaProgress:
    area: ThematicArea
    answered: int
    total: int

    @property
    def percent(self) -> int:
        return whole_percent(self.answered, self.total)

    @property
    def is_complete(self) -> bool:
        return self.answered >= self.total


@dataclass
class Progress:
    areas: list[AreaProgress] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(a.answered for a in self.areas)

    @property
    def total(self) -> int:
        return sum(a.total for a in self.areas)

    @property
    def percent(self) -> int:
        return whole_percent(self.answered, self.total)

    @property
    def is_complete(self) -> bool:
        return self.answered >= self.total


def progress_of(assessments) -> dict[int, Progress]:
    """Progress of each assessment (cycle selected), in three queries however many."""
    assessments = list(assessments)
    versions = {a.cycle.methodology_id for a in assessments}
    areas = defaultdict(list)
    for area in ThematicArea.objects.filter(version__in=versions).order_by("order", "code"):
        areas[area.version_id].append(area)
    totals = defaultdict(int)
    for row in (
        Indicator.objects.filter(criterion__area__version__in=versions)
        .values("criterion__area_id", "answered_by")
        .annotate(n=Count("id"))
    ):
        totals[row["criterion__area_id"], row["answered_by"]] += row["n"]
    answered = defaultdict(int)
    for row in (
        Response.objects.filter(assessment__in=[a.pk for a in assessments])
        .answered()
        .values("assessment_id", "indicator__criterion__area_id")
        .annotate(n=Count("id"))
    ):
        answered[row["assessment_id"], row["indicator__criterion__area_id"]] += row["n"]
    return {
        a.pk: Progress(
            [
                AreaProgress(
                    area,
                    answered[a.pk, area.pk],
                    sum(totals[area.pk, by] for by in ANSWERED_BY[a.kind]),
                )
                for area in areas[a.cycle.methodology_id]
            ]
        )
        for a in assessments
    }
