"""Which PDFs exist, and what published data each file shows.

A scorecard belongs to a municipality and a cycle, a regional report to a cycle, a
handbook to a methodology version; each exists in every language. Its source
fingerprint changes whenever the published data it shows changes, so a stored file
made from older data is known to be stale. A scorecard also shows the public action
plan that answers its cycle: the plan's reports, verdicts and dates, and the later
cycles that give its indicators an "after", are part of its fingerprint.
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

from ..models import (
    FINISHED,
    Action,
    ActionIndicator,
    ActionPlan,
    ActionUpdate,
    Cycle,
    Document,
    JobStatus,
    Rendering,
    ScoreSnapshot,
    Verdict,
)

# Bump when a PDF template changes, so that every stored file counts as stale.
LAYOUT = "3"
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


def _plan_sources(*, cycle: Cycle | None, today) -> dict[tuple[int, int], list]:
    """{(municipality id, cycle id): what a scorecard prints of the public plans that
    answer that cycle}, read in a fixed number of queries whatever the number of plans.

    An action's health depends on the day (an action past its due date counts as
    delayed), so the actions overdue `today` are part of it too.
    """
    plans = ActionPlan.objects.public()
    if cycle is not None:
        plans = plans.filter(cycle=cycle)
    found: dict[tuple[int, int], list] = {}
    key_of_plan = {}
    for pk, municipality_id, cycle_id, *fields in plans.order_by("pk").values_list(
        "pk", "municipality_id", "cycle_id", "status", "starts_on", "ends_on",
        "order_number", "order_date",
    ):  # fmt: skip
        key_of_plan[pk] = (municipality_id, cycle_id)
        found.setdefault((municipality_id, cycle_id), []).append(("plan", pk, *fields))
    if not key_of_plan:
        return found
    plan_ids = list(key_of_plan)
    shown = [
        (Action.objects.filter(plan__in=plan_ids).values_list(
            "plan_id", "pk", "number", "title_ka", "title_en", "responsible_unit_ka",
            "responsible_unit_en", "starts_on", "due_on", "original_due_on", "status",
            "progress", "budget",
        ), "action"),
        (ActionIndicator.objects.filter(action__plan__in=plan_ids).values_list(
            "action__plan_id", "pk", "action_id", "indicator_id", "baseline",
        ), "target"),
        (Action.criteria.through.objects.filter(action__plan__in=plan_ids).values_list(
            "action__plan_id", "pk", "action_id", "criterion_id",
        ), "criterion"),
        (ActionUpdate.objects.filter(action__plan__in=plan_ids).values_list(
            "action__plan_id", "pk", "action_id", "reported_on", "status", "progress",
        ), "update"),
        (Verdict.objects.filter(update__action__plan__in=plan_ids).values_list(
            "update__action__plan_id", "pk", "update_id", "verdict", "organization_id",
            "answer__pk",
        ), "verdict"),
    ]  # fmt: skip
    for rows, kind in shown:
        for plan_id, *fields in rows.order_by("pk"):
            found[key_of_plan[plan_id]].append((kind, *fields))
    overdue = (
        Action.objects.filter(plan__in=plan_ids, due_on__lt=today)
        .exclude(status__in=FINISHED)
        .order_by("pk")
        .values_list("plan_id", "pk")
    )
    for plan_id, pk in overdue:
        found[key_of_plan[plan_id]].append(("overdue", pk))
    return found


def current_sources(*, cycle: Cycle | None = None) -> dict[tuple, str]:
    """Every document that published data calls for, with the fingerprint of that data.

    A scorecard shows its cycle's ranks and its municipality's earlier cycles, a
    report its cycle and the cycle before (for changes), a handbook its methodology.
    A scorecard with a public plan answering its cycle also shows that plan, and its
    indicators' scores in the municipality's later cycles.
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
    plans = _plan_sources(cycle=cycle, today=timezone.localdate())
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
            plan = plans.get((municipality_id, cycle_id))
            later = (
                sorted(
                    s[0]
                    for s in snapshots
                    if s[4] == municipality_id and years[s[1]] > years[cycle_id]
                )
                if plan
                else []
            )
            sources[(Document.SCORECARD, cycle_id, municipality_id, None)] = _digest(
                "scorecard", cycle_id, municipality_id, in_cycle, history, plan, later
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
