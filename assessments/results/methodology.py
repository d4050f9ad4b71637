"""What the methodology page and the handbook show of a methodology version."""

from __future__ import annotations

from indicators.models import GradeBand, Indicator, MethodologyVersion, ThematicArea

from .example import worked_example


def methodology_context(version: MethodologyVersion) -> dict:
    """What the methodology page and the handbook show of a version."""
    areas = list(
        ThematicArea.objects.filter(version=version).prefetch_related(
            "criteria__indicators__previous"
        )
    )
    indicators = [i for a in areas for c in a.criteria.all() for i in c.indicators.all()]
    changes = None
    if version.previous_id:
        kept = {i.previous_id for i in indicators if i.previous_id}
        changes = {
            "new": [i for i in indicators if not i.previous_id],
            "changed": [i for i in indicators if i.previous_id and not i.comparable],
            "comparable": [i for i in indicators if i.previous_id and i.comparable],
            "removed": list(
                Indicator.objects.filter(criterion__area__version_id=version.previous_id)
                .exclude(pk__in=kept)
            ),
        }  # fmt: skip
    return {
        "version": version,
        "areas": areas,
        "indicator_count": len(indicators),
        "criterion_count": sum(len(a.criteria.all()) for a in areas),
        "bands": GradeBand.objects.filter(version=version),
        "changes": changes,
        "example": worked_example(),
    }
