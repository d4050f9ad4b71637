"""Which PDFs exist, and what published data each file shows.

A scorecard belongs to a municipality and a cycle, a regional report to a cycle, a
handbook to a methodology version; each exists in every language. Its source
fingerprint changes whenever the published data it shows changes, so a stored file
made from older data is known to be stale.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from indicators.models import (
    Criterion,
    GradeBand,
    Indicator,
    MethodologyVersion,
    ThematicArea,
)

from ..models import Cycle, Document, JobStatus, Rendering, ScoreSnapshot

# Bump when a PDF template changes, so that every stored file counts as stale.
LAYOUT = "2"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def key_of(rendering: Rendering) -> tuple:
    return (rendering.document, rendering.cycle_id, rendering.municipality_id,
            rendering.methodology_id)  # fmt: skip


def _digest(*parts) -> str:
    return hashlib.sha256(repr((LAYOUT, settings.DEMO_MODE) + parts).encode()).hexdigest()[:32]


def _methodology_digest(version_id: int) -> str:
    """Everything a handbook prints of a methodology version."""
    rows = [
        list(ThematicArea.objects.filter(version_id=version_id).values_list()),
        list(Criterion.objects.filter(area__version_id=version_id).values_list()),
        list(Indicator.objects.filter(criterion__area__version_id=version_id).values_list()),
        list(GradeBand.objects.filter(version_id=version_id).values_list()),
        list(MethodologyVersion.objects.filter(pk=version_id).values_list()),
    ]
    return _digest("handbook", version_id, rows)


def current_sources(*, cycle: Cycle | None = None) -> dict[tuple, str]:
    """Every document that published data calls for, with the fingerprint of that data.

    A scorecard shows its cycle's ranks and its municipality's earlier cycles, a
    report its cycle and the cycle before (for changes), a handbook its methodology.
    """
    snapshots = list(
        ScoreSnapshot.objects.current().values_list(
            "pk", "assessment__cycle_id", "assessment__cycle__year",
            "assessment__cycle__methodology_id", "assessment__municipality_id",
        )
    )  # fmt: skip
    by_cycle: dict[int, list[int]] = {}
    years: dict[int, int] = {}
    versions: dict[int, int] = {}
    for pk, cycle_id, year, version_id, _municipality in snapshots:
        by_cycle.setdefault(cycle_id, []).append(pk)
        years[cycle_id] = year
        versions[cycle_id] = version_id
    wanted = [cycle.pk] if cycle else list(by_cycle)
    sources = {}
    for cycle_id in wanted:
        if cycle_id not in by_cycle:
            continue
        in_cycle = sorted(by_cycle[cycle_id])
        earlier = [c for c in by_cycle if years[c] < years[cycle_id]]
        before = max(earlier, key=years.get) if earlier else None
        sources[(Document.REPORT, cycle_id, None, None)] = _digest(
            "report", cycle_id, in_cycle, sorted(by_cycle.get(before, []))
        )
        for municipality_id in {s[4] for s in snapshots if s[1] == cycle_id}:
            history = sorted(
                s[0] for s in snapshots if s[4] == municipality_id and years[s[1]] < years[cycle_id]
            )
            sources[(Document.SCORECARD, cycle_id, municipality_id, None)] = _digest(
                "scorecard", cycle_id, municipality_id, in_cycle, history
            )
        version_id = versions[cycle_id]
        sources[(Document.HANDBOOK, None, None, version_id)] = _methodology_digest(version_id)
    return sources


def source_of(rendering: Rendering) -> str | None:
    """The fingerprint of what this document would show now (None: nothing published)."""
    if rendering.document == Document.HANDBOOK:
        return _methodology_digest(rendering.methodology_id)
    return current_sources(cycle=rendering.cycle).get(key_of(rendering))


def renderings_for(keys) -> list[Rendering]:
    """The render records of these documents in every language, created as needed."""
    records = []
    for document, cycle_id, municipality_id, methodology_id in keys:
        for language in LANGUAGES:
            record, _created = Rendering.objects.get_or_create(
                document=document,
                cycle_id=cycle_id,
                municipality_id=municipality_id,
                methodology_id=methodology_id,
                language=language,
            )
            records.append(record)
    return records


def needs_render(rendering: Rendering, source: str | None, *, stuck_after: timedelta) -> bool:
    """Missing, failed, made from older data, or queued so long ago that the job was lost."""
    if source is None:
        return False
    if rendering.status == JobStatus.FAILED or rendering.requested_at is None:
        return True
    if rendering.status in (JobStatus.PENDING, JobStatus.RUNNING):
        return rendering.requested_at <= timezone.now() - stuck_after
    return (
        rendering.source != source
        or not rendering.file
        or not default_storage.exists(rendering.file.name)
    )


def renderings_to_make(*, cycle: Cycle | None = None, force: bool = False,
                       stuck_after: timedelta | None = None) -> list[Rendering]:  # fmt: skip
    """The documents (of one cycle, or all) whose file is missing, failed or stale;
    with `force`, all of them."""
    stuck_after = stuck_after if stuck_after is not None else settings.RENDER_STUCK_AFTER
    sources = current_sources(cycle=cycle)
    return [
        r
        for r in renderings_for(sources)
        if force or needs_render(r, sources[key_of(r)], stuck_after=stuck_after)
    ]


def find(document: str, *, language: str | None = None, cycle=None, municipality=None,
         methodology=None) -> Rendering | None:  # fmt: skip
    """A document's render record, in the given language or the current one."""
    return Rendering.objects.filter(
        document=document,
        language=language or translation.get_language(),
        cycle=cycle,
        municipality=municipality,
        methodology=methodology,
    ).first()
