"""Several municipalities side by side: one kind's published scores, row by row."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from indicators.models import Criterion, GradeBand, Indicator, ThematicArea
from municipalities.models import Municipality

from .. import scoring
from ..models import AreaScore, CriterionScore, Cycle, IndicatorScore, ScoreSnapshot
from .charts import BarChart, bar_chart
from .cycles import Bands


@dataclass
class Cell:
    value: Decimal | None
    is_best: bool = False
    band: GradeBand | None = None


@dataclass
class ComparisonRow:
    item: object
    level: str  # "overall", "area", "criterion" or "indicator"
    cells: list[Cell]


def _cells(values: list[Decimal | None], bands: Bands) -> list[Cell]:
    """Mark the best displayed value of a row (ties share it), when there is a contest,
    and the grade band of each value."""
    ranks = scoring.ranks(dict(enumerate(values)))
    contest = sum(value is not None for value in values) > 1
    return [
        Cell(value, contest and ranks[i] == 1, bands(value) if value is not None else None)
        for i, value in enumerate(values)
    ]


@dataclass
class Comparison:
    cycle: Cycle
    kind: str
    municipalities: list[Municipality]
    rows: list[ComparisonRow]
    bands: Bands

    def charts(self) -> list[tuple[ComparisonRow, BarChart]]:
        """A bar chart of the overall score and of each area, one bar per municipality,
        laid out as the regional report's: the same numbers as the table's rows."""
        return [
            (
                row,
                bar_chart(
                    [(m.name, {self.kind: cell.value})
                     for m, cell in zip(self.municipalities, row.cells, strict=True)],
                    kinds=[self.kind],
                ),
            )
            for row in self.rows
            if row.level in ("overall", "area")
        ]  # fmt: skip


def comparison(
    cycle: Cycle,
    *,
    kind: str,
    municipalities: list[Municipality],
    area: ThematicArea | None = None,
) -> Comparison:
    """Published scores of one kind for the given municipalities, row by row.

    Without an area: the overall score, each area and each criterion. With one:
    that area, its criteria and their indicators (indicator scores on 0–100).
    """
    column = {m.pk: i for i, m in enumerate(municipalities)}
    found = (
        ScoreSnapshot.objects.current()
        .filter(
            assessment__cycle=cycle,
            assessment__kind=kind,
            assessment__municipality_id__in=column,
        )
        .values_list("pk", "assessment__municipality_id", "overall")
    )
    snapshots, overall = {}, {}
    for snapshot_id, municipality_id, score in found:
        snapshots[snapshot_id] = municipality_id
        overall[municipality_id] = score

    def table(model, key, **only):
        values = defaultdict(lambda: [None] * len(municipalities))
        for snapshot_id, item_id, value in model.objects.filter(
            snapshot_id__in=snapshots, **only
        ).values_list("snapshot_id", key, "score" if model is not IndicatorScore else "normalised"):
            values[item_id][column[snapshots[snapshot_id]]] = value
        return values

    version_id = cycle.methodology_id
    areas = ThematicArea.objects.filter(version_id=version_id)
    criteria = Criterion.objects.filter(area__version_id=version_id)
    if area is not None:
        areas = areas.filter(pk=area.pk)
        criteria = criteria.filter(area=area)
    area_values = table(AreaScore, "area_id")
    criterion_values = table(CriterionScore, "criterion_id")
    indicators_by_criterion = defaultdict(list)
    indicator_values = {}
    if area is not None:
        for indicator in Indicator.objects.filter(criterion__area=area):
            indicators_by_criterion[indicator.criterion_id].append(indicator)
        # Only the area's indicators: at national scale the others are three quarters of
        # some 6,400 rows.
        wanted = [i.pk for found in indicators_by_criterion.values() for i in found]
        indicator_values = {
            pk: [scoring.points(v) for v in values]
            for pk, values in table(IndicatorScore, "indicator_id", indicator_id__in=wanted).items()
        }

    bands = Bands.of(version_id)
    empty = [None] * len(municipalities)
    rows = []
    if area is None:
        rows.append(
            ComparisonRow(
                None, "overall", _cells([overall.get(m.pk) for m in municipalities], bands)
            )
        )
    criteria_by_area = defaultdict(list)
    for criterion in criteria:
        criteria_by_area[criterion.area_id].append(criterion)
    for each_area in areas:
        rows.append(
            ComparisonRow(each_area, "area", _cells(area_values.get(each_area.pk, empty), bands))
        )
        for criterion in criteria_by_area[each_area.pk]:
            rows.append(
                ComparisonRow(
                    criterion, "criterion", _cells(criterion_values.get(criterion.pk, empty), bands)
                )
            )
            for indicator in indicators_by_criterion[criterion.pk]:
                rows.append(
                    ComparisonRow(
                        indicator,
                        "indicator",
                        _cells(indicator_values.get(indicator.pk, empty), bands),
                    )
                )
    return Comparison(
        cycle=cycle,
        kind=kind,
        municipalities=municipalities,
        rows=rows,
        bands=bands,
    )
