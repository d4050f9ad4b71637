"""Published results, gathered for people to read.

Everything here reads only the current snapshots of published assessments, so a
draft, a submitted or an under-review assessment never shows, not even in a
count or an average. The numbers come from the snapshots that the scoring engine
froze; what is computed here (ranks, bands, gaps, changes, averages) is computed
by the scoring engine too. Each builder runs a fixed number of queries, however
many municipalities or indicators there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from indicators.models import GradeBand, ThematicArea
from municipalities.models import Municipality

from .. import scoring
from ..models import AreaScore, Cycle, ScoreSnapshot
from ..workflow import Kind

KINDS = (Kind.SELF, Kind.EXTERNAL)


def published_cycles():
    """Cycles with at least one published assessment, newest first."""
    return Cycle.objects.with_published().select_related("methodology").order_by("-year")


def headline_kind(kinds) -> str:
    """The independent external score leads when there is one, else the self-assessment."""
    return Kind.EXTERNAL if Kind.EXTERNAL in set(kinds) else Kind.SELF


def comparable(cycle: Cycle, previous: Cycle | None) -> bool:
    """Overall, area and criterion scores compare only under one methodology version."""
    return previous is not None and previous.methodology_id == cycle.methodology_id


class Bands:
    """A methodology version's grade bands, and the band of a score (by the engine's rule)."""

    do_not_call_in_templates = True

    def __init__(self, bands: list[GradeBand]):
        self.all = bands
        self._by_key = {str(band.pk): band for band in bands}
        self._specs = [scoring.Band(key=str(band.pk), min_score=band.min_score) for band in bands]

    @classmethod
    def of(cls, version_id) -> Bands:
        return cls(list(GradeBand.objects.filter(version_id=version_id)))

    def __iter__(self):
        return iter(self.all)

    def __call__(self, value) -> GradeBand | None:
        found = scoring.band_for(value, self._specs)
        return self._by_key[found.key] if found else None


def rank_by_kind(rows) -> dict[str, dict[int, int | None]]:
    """Ranks within a cycle, per kind: rows of (municipality_id, kind, overall)."""
    scores: dict[str, dict[int, Decimal | None]] = defaultdict(dict)
    for municipality_id, kind, overall in rows:
        scores[kind][municipality_id] = overall
    return {kind: scoring.ranks(values) for kind, values in scores.items()}


# --- One cycle, every municipality --------------------------------------------------------


@dataclass
class MunicipalityResult:
    """One municipality's published overall (and area) scores in one cycle."""

    municipality: Municipality
    headline_kind: str
    overall: dict[str, Decimal | None] = field(default_factory=dict)
    areas: dict[str, dict[int, Decimal | None]] = field(default_factory=dict)
    previous: Decimal | None = None
    rank: int | None = None
    band: GradeBand | None = None

    @property
    def headline(self) -> Decimal | None:
        return self.overall.get(self.headline_kind)

    @property
    def self_score(self) -> Decimal | None:
        return self.overall.get(Kind.SELF)

    @property
    def external_score(self) -> Decimal | None:
        return self.overall.get(Kind.EXTERNAL)

    @property
    def gap(self) -> Decimal | None:
        return scoring.gap(self.self_score, self.external_score)

    @property
    def change(self) -> Decimal | None:
        return scoring.change(self.headline, self.previous)

    @property
    def is_published(self) -> bool:
        return bool(self.overall)

    def area_scores(self, areas) -> list[Decimal | None]:
        """The headline kind's score for each area, in the order given."""
        scores = self.areas.get(self.headline_kind, {})
        return [scores.get(area.pk) for area in areas]


@dataclass
class CycleResults:
    cycle: Cycle
    previous_cycle: Cycle | None
    bands: Bands
    headline_kind: str
    rows: list[MunicipalityResult]
    areas: list[ThematicArea]

    @property
    def published(self) -> list[MunicipalityResult]:
        return [row for row in self.rows if row.headline is not None]

    @property
    def average(self) -> Decimal | None:
        return scoring.average(row.headline for row in self.rows)

    @property
    def band_of_average(self) -> GradeBand | None:
        return self.bands(self.average)

    @property
    def area_averages(self) -> list[Decimal | None]:
        columns = zip(*(row.area_scores(self.areas) for row in self.published), strict=False)
        return [scoring.average(column) for column in columns] or [None] * len(self.areas)

    @property
    def area_summaries(self) -> list[tuple[ThematicArea, Decimal | None]]:
        return list(zip(self.areas, self.area_averages, strict=True))

    @property
    def is_comparable(self) -> bool:
        return comparable(self.cycle, self.previous_cycle)

    def improvements(self, limit=3) -> list[MunicipalityResult]:
        """The largest rises of the headline score since the previous cycle."""
        risen = [row for row in self.rows if row.change is not None and row.change > 0]
        return sorted(risen, key=lambda row: row.change, reverse=True)[:limit]


def latest_earlier(published_years, year: int) -> int | None:
    """The previous cycle of `year`: the latest earlier year with published results.
    Every change the site shows is since that cycle, and only where the two compare."""
    return max((y for y in published_years if y < year), default=None)


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The previous cycle (see latest_earlier), read in one query."""
    return published_cycles().filter(year__lt=cycle.year).first()


def cycle_results(cycle: Cycle, *, with_areas: bool = False) -> CycleResults:
    """Every municipality in one cycle: overall scores, ranks, bands and changes."""
    previous = previous_cycle(cycle)
    cycle_ids = [cycle.pk] + ([previous.pk] if previous else [])
    snapshots = list(
        ScoreSnapshot.objects.current()
        .filter(assessment__cycle_id__in=cycle_ids)
        .values_list("pk", "assessment__cycle_id", "assessment__municipality_id",
                     "assessment__kind", "overall")
    )  # fmt: skip
    current = [s for s in snapshots if s[1] == cycle.pk]
    kind = headline_kind(s[3] for s in current)
    rows = {
        m.pk: MunicipalityResult(municipality=m, headline_kind=kind)
        for m in Municipality.objects.all()
    }
    for _pk, _cycle, municipality_id, snapshot_kind, overall in current:
        rows[municipality_id].overall[snapshot_kind] = overall
    if comparable(cycle, previous):
        for _pk, cycle_id, municipality_id, snapshot_kind, overall in snapshots:
            if cycle_id != cycle.pk and snapshot_kind == kind:
                rows[municipality_id].previous = overall

    areas: list[ThematicArea] = []
    if with_areas:
        areas = list(ThematicArea.objects.filter(version_id=cycle.methodology_id))
        kind_of = {s[0]: (s[2], s[3]) for s in current}
        for snapshot_id, area_id, score in AreaScore.objects.filter(
            snapshot_id__in=kind_of
        ).values_list("snapshot_id", "area_id", "score"):
            municipality_id, snapshot_kind = kind_of[snapshot_id]
            rows[municipality_id].areas.setdefault(snapshot_kind, {})[area_id] = score

    bands = Bands.of(cycle.methodology_id)
    ranks = scoring.ranks({pk: row.headline for pk, row in rows.items()})
    for pk, row in rows.items():
        row.rank = ranks[pk]
        row.band = bands(row.headline)
    ordered = sorted(
        rows.values(), key=lambda r: (r.rank is None, r.rank or 0, r.municipality.name)
    )
    return CycleResults(
        cycle=cycle,
        previous_cycle=previous,
        bands=bands,
        headline_kind=kind,
        rows=ordered,
        areas=areas,
    )
