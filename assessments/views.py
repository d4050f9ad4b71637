from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import render

from indicators.models import GradeBand
from municipalities.models import Municipality

from . import scoring
from .models import Cycle, ScoreSnapshot
from .workflow import Kind


@dataclass
class ScoreRow:
    municipality: Municipality
    self_score: Decimal | None = None
    external_score: Decimal | None = None
    headline_kind: str = Kind.EXTERNAL
    rank: int | None = None
    band: GradeBand | None = None

    @property
    def headline(self) -> Decimal | None:
        return self.external_score if self.headline_kind == Kind.EXTERNAL else self.self_score

    @property
    def gap(self) -> Decimal | None:
        return scoring.gap(self.self_score, self.external_score)


def band_lookup(bands):
    """Map a score to its GradeBand through the scoring engine's band rule."""
    by_key = {str(band.pk): band for band in bands}
    specs = [scoring.Band(key=str(band.pk), min_score=band.min_score) for band in bands]

    def lookup(value):
        found = scoring.band_for(value, specs)
        return by_key[found.key] if found else None

    return lookup


def cycle_rows(cycle: Cycle, bands: list[GradeBand]) -> list[ScoreRow]:
    """One row per municipality with its published overall scores in the cycle.

    The headline is the independent external score when the cycle has any, else
    the self-assessment; ranks compare assessments of that one kind only.
    """
    rows = {m.pk: ScoreRow(municipality=m) for m in Municipality.objects.all()}
    snapshots = ScoreSnapshot.objects.current().filter(assessment__cycle=cycle)
    for snapshot in snapshots.select_related("assessment"):
        row = rows[snapshot.assessment.municipality_id]
        if snapshot.assessment.kind == Kind.SELF:
            row.self_score = snapshot.overall
        else:
            row.external_score = snapshot.overall
    has_external = any(row.external_score is not None for row in rows.values())
    band = band_lookup(bands)
    for row in rows.values():
        row.headline_kind = Kind.EXTERNAL if has_external else Kind.SELF
        row.band = band(row.headline)
    rank = scoring.ranks({pk: row.headline for pk, row in rows.items()})
    for pk, row in rows.items():
        row.rank = rank[pk]
    return sorted(
        rows.values(),
        key=lambda r: (r.rank is None, r.rank or 0, r.municipality.name),
    )


def home(request):
    cycle = Cycle.objects.with_published().select_related("methodology").first()
    bands = list(cycle.methodology.grade_bands.all()) if cycle else []
    rows = cycle_rows(cycle, bands) if cycle else []
    return render(
        request,
        "assessments/home.html",
        {
            "cycle": cycle,
            "rows": rows,
            "headline_is_external": bool(rows) and rows[0].headline_kind == Kind.EXTERNAL,
            "bands": bands,
        },
    )
