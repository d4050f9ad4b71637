"""Open data: published results as tidy rows, for the public files and the staff workbook.

Each dataset is a list of columns (described in ``columns``, the data dictionary) and
rows of plain values in that order, built here. Like ``results.cycles``, everything
here reads only the current snapshots of published assessments, so a draft, submitted
or under-review assessment never appears. The numbers are the ones the scoring engine
froze, rounded here for the files: scores (0–100) to 2 decimals, normalised answers
(0–1) to 4. Each builder runs a fixed number of queries, however many municipalities
or indicators there are. Action plans are read through ``results.plans``: adopted and
closed plans only, never a draft.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from indicators.matrix import matrix_rows
from indicators.models import Criterion, Indicator, MethodologyVersion, ThematicArea
from musqat.spreadsheets import number_text, plain_decimal

from ..models import (
    PUBLIC_PLAN_STATUSES,
    Action,
    AreaScore,
    CriterionScore,
    Cycle,
    IndicatorScore,
    ScoreSnapshot,
)
from ..results import cycles as results_cycles
from ..results import display
from ..results.plans import public_actions
from ..scoring import rounded
from ..workflow import Kind
from .columns import (
    DATASET_COLUMNS,
    DATASET_TITLES,
    LANGUAGES,
    LICENCE_NAME,
    METHODOLOGY_COLUMNS,
    TEXT_COLUMNS,
    Dataset,
    _in_each_language,
)

SCORE_PLACES = 2
NORMALISED_PLACES = 4
MONEY_PLACES = 2


def _timestamp(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


# --- Scores ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    pk: int
    municipality_id: int
    slug: str
    name_ka: str
    name_en: str
    kind: str
    overall: Decimal | None
    revision: int
    published_at: object


def _snapshots(cycle: Cycle) -> list[_Snapshot]:
    """The cycle's public revisions, by municipality, the self-assessment first."""
    found = [
        _Snapshot(*row)
        for row in ScoreSnapshot.objects.current()
        .filter(assessment__cycle=cycle)
        .values_list(
            "pk", "assessment__municipality_id", "assessment__municipality__slug",
            "assessment__municipality__name_ka", "assessment__municipality__name_en",
            "assessment__kind", "overall", "revision", "published_at",
        )
    ]  # fmt: skip
    return sorted(found, key=lambda s: (s.slug, results_cycles.KINDS.index(s.kind)))


def _kind_names() -> dict[str, tuple[str, str]]:
    return {kind: _in_each_language(Kind(kind).label) for kind in results_cycles.KINDS}


def score_rows(cycle: Cycle) -> list[tuple]:
    """One row per published score: overall, each area, each criterion (SCORE_COLUMNS)."""
    snapshots = _snapshots(cycle)
    if not snapshots:
        return []
    version_id = cycle.methodology_id
    ranks = results_cycles.rank_by_kind((s.municipality_id, s.kind, s.overall) for s in snapshots)
    bands = results_cycles.Bands.of(version_id)
    areas = list(
        ThematicArea.objects.filter(version_id=version_id).values_list(
            "pk", "code", "name_ka", "name_en"
        )
    )
    criteria_of = defaultdict(list)
    for pk, code, area_id, name_ka, name_en in Criterion.objects.filter(
        area__version_id=version_id
    ).values_list("pk", "code", "area_id", "name_ka", "name_en"):
        criteria_of[area_id].append((pk, code, name_ka, name_en))
    ids = [s.pk for s in snapshots]
    area_scores = {
        (snapshot_id, area_id): score
        for snapshot_id, area_id, score in AreaScore.objects.filter(
            snapshot_id__in=ids
        ).values_list("snapshot_id", "area_id", "score")
    }
    criterion_scores = {
        (snapshot_id, criterion_id): score
        for snapshot_id, criterion_id, score in CriterionScore.objects.filter(
            snapshot_id__in=ids
        ).values_list("snapshot_id", "criterion_id", "score")
    }
    kind_names = _kind_names()
    overall_names = _in_each_language(_("Overall score"))

    def band_names(score):
        band = bands(score)
        return (band.label_ka, band.label_en) if band else ("", "")

    rows = []
    for s in snapshots:
        first = (cycle.year, s.slug, s.name_ka, s.name_en, s.kind, *kind_names[s.kind])
        last = (s.revision, _timestamp(s.published_at))
        rank = ranks.get(s.kind, {}).get(s.municipality_id)
        rows.append(
            (*first, "overall", "", "", *overall_names, rounded(s.overall, SCORE_PLACES), rank,
             *band_names(s.overall), *last)
        )  # fmt: skip
        for area_id, area_code, area_ka, area_en in areas:
            if (s.pk, area_id) not in area_scores:
                continue
            score = area_scores[s.pk, area_id]
            rows.append(
                (*first, "area", area_code, area_code, area_ka, area_en,
                 rounded(score, SCORE_PLACES), None, *band_names(score), *last)
            )  # fmt: skip
            for criterion_id, code, name_ka, name_en in criteria_of[area_id]:
                if (s.pk, criterion_id) not in criterion_scores:
                    continue
                score = criterion_scores[s.pk, criterion_id]
                rows.append(
                    (*first, "criterion", code, area_code, name_ka, name_en,
                     rounded(score, SCORE_PLACES), None, *band_names(score), *last)
                )  # fmt: skip
    return rows


# --- Indicator responses ---------------------------------------------------------------------

TEXT_FIELDS = [f"{field}{suffix}" for field, _text in TEXT_COLUMNS for suffix in ("", "_en")]


def response_rows(cycle: Cycle) -> Iterator[tuple]:
    """One row per published answer (RESPONSE_COLUMNS), read from the database in chunks."""
    snapshots = {s.pk: s for s in _snapshots(cycle)}
    if not snapshots:
        return
    indicators = {
        indicator.pk: indicator
        for indicator in Indicator.objects.filter(
            criterion__area__version_id=cycle.methodology_id
        ).select_related("criterion__area")
    }
    kind_names = _kind_names()
    answers: dict[tuple, tuple[str, str]] = {}

    def answer_in_words(indicator, value, is_na):
        # Few answers differ (yes, no, a handful of levels), so each is put in words once.
        key = (indicator.pk, value, is_na)
        if key not in answers:
            texts = display.answer_texts(indicator, value, is_na)
            answers[key] = tuple(texts[language] for language in LANGUAGES)
        return answers[key]

    kind_order = Case(
        *(When(snapshot__assessment__kind=kind, then=Value(i)) for i, kind in
          enumerate(results_cycles.KINDS))
    )  # fmt: skip
    scores = (
        IndicatorScore.objects.filter(snapshot_id__in=snapshots)
        .order_by(
            "snapshot__assessment__municipality__slug", kind_order,
            "indicator__criterion__area__order", "indicator__criterion__area__code",
            "indicator__criterion__order", "indicator__criterion__code",
            "indicator__order", "indicator__code",
        )
        .values_list("snapshot_id", "indicator_id", "value", "is_na", "normalised", "links",
                     *TEXT_FIELDS)
    )  # fmt: skip
    for snapshot_id, indicator_id, value, is_na, normalised, links, *texts in scores.iterator(
        chunk_size=2000
    ):
        s = snapshots[snapshot_id]
        indicator = indicators[indicator_id]
        criterion = indicator.criterion
        yield (
            cycle.year, s.slug, s.name_ka, s.name_en, s.kind, *kind_names[s.kind],
            criterion.area.code, criterion.code, indicator.code,
            indicator.name_ka, indicator.name_en, indicator.response_type,
            plain_decimal(value), is_na, rounded(normalised, NORMALISED_PLACES),
            *answer_in_words(indicator, value, is_na),
            *texts,
            " ".join(line.strip() for line in links.splitlines() if line.strip()),
            s.revision,
        )  # fmt: skip


def response_count(cycle: Cycle) -> int:
    return IndicatorScore.objects.filter(
        snapshot__is_current=True, snapshot__assessment__cycle=cycle
    ).count()


# --- Action plans ------------------------------------------------------------------------


def _date(value) -> str | None:
    return value.isoformat() if value else None


def action_rows(cycle: Cycle) -> list[tuple]:
    """One row per action of the public plans answering the cycle (ACTION_COLUMNS): never a
    draft. Overdue is computed for the day the file is made."""
    today = timezone.localdate()
    actions = public_actions(Action.objects.filter(plan__cycle=cycle)).order_by(
        "plan__municipality__slug", "-plan__starts_on", "plan_id", "number", "pk"
    )
    rows = []
    for action in actions:
        plan, place = action.plan, action.plan.municipality
        updates = list(action.updates.all())  # newest first
        latest = updates[0] if updates else None
        verdicts = list(latest.verdicts.all()) if latest else []
        health = action.health(today=today, latest=latest, has_verdict=bool(verdicts))
        targets = list(action.targets.all())
        rows.append(
            (
                cycle.year, place.slug, place.name_ka, place.name_en,
                plan.status, _date(plan.starts_on), _date(plan.ends_on),
                plan.order_number, _date(plan.order_date),
                action.number, action.title_ka, action.title_en,
                action.responsible_unit_ka, action.responsible_unit_en,
                _date(action.starts_on), _date(action.due_on),
                _date(action.original_due_on if action.due_date_moved else None),
                rounded(action.budget, MONEY_PLACES),
                action.budget_source_ka, action.budget_source_en,
                action.status, action.shown_progress, health.overdue,
                _date(latest.reported_on if latest else None),
                ";".join(verdict.verdict for verdict in verdicts),
                ";".join(verdict.organization.name_ka for verdict in verdicts),
                ";".join(verdict.organization.name_en for verdict in verdicts),
                ";".join(target.indicator.code for target in targets),
                ";".join(
                    "" if target.baseline is None
                    else number_text(rounded(target.baseline, SCORE_PLACES))
                    for target in targets
                ),
            )
        )  # fmt: skip
    return rows


# --- Datasets ------------------------------------------------------------------------------


CYCLE_ROWS = {"scores": score_rows, "responses": response_rows, "actions": action_rows}


def cycle_dataset(cycle: Cycle, name: str) -> Dataset:
    rows = CYCLE_ROWS[name](cycle)
    return Dataset(name=name, title=DATASET_TITLES[name], columns=DATASET_COLUMNS[name], rows=rows)


def methodology_dataset(version: MethodologyVersion) -> Dataset:
    """The methodology matrix, in exactly the columns its import reads."""
    return Dataset(
        name="methodology",
        title=DATASET_TITLES["methodology"],
        columns=METHODOLOGY_COLUMNS,
        rows=matrix_rows(version),
    )


def public_versions(cycles: list[Cycle]):
    """Methodology versions people may download: the current one and those of published
    cycles (never one still being prepared), with their number of indicators."""
    used = {cycle.methodology_id for cycle in cycles}
    return MethodologyVersion.objects.filter(Q(is_current=True) | Q(pk__in=used)).annotate(
        indicator_count=Count("areas__criteria__indicators")
    )


def row_counts(cycles: list[Cycle]) -> dict[int, dict[str, int]]:
    """How many rows each cycle's files have, in five queries for every cycle at once."""
    ids = [cycle.pk for cycle in cycles]
    counts = {pk: {"scores": 0, "responses": 0, "actions": 0} for pk in ids}
    current = Q(snapshot__is_current=True, snapshot__assessment__cycle_id__in=ids)
    tallies = [
        ("scores", ScoreSnapshot.objects.current().filter(assessment__cycle_id__in=ids),
         "assessment__cycle_id"),
        ("scores", AreaScore.objects.filter(current), "snapshot__assessment__cycle_id"),
        ("scores", CriterionScore.objects.filter(current), "snapshot__assessment__cycle_id"),
        ("responses", IndicatorScore.objects.filter(current), "snapshot__assessment__cycle_id"),
        ("actions", Action.objects.filter(plan__status__in=PUBLIC_PLAN_STATUSES,
                                          plan__cycle_id__in=ids), "plan__cycle_id"),
    ]  # fmt: skip
    for dataset, queryset, cycle_field in tallies:
        for cycle_id, number in (
            queryset.order_by()
            .values(cycle_field)
            .annotate(n=Count("pk"))
            .values_list(cycle_field, "n")
        ):
            counts[cycle_id][dataset] += number
    return counts


def citation(year: int | None, url: str) -> str:
    """How to cite the data, in the current language."""
    if year is None:
        return gettext(
            "MUSQAT – Municipal Services Quality Assessment Tool, open data. %(url)s. "
            "Licence: %(licence)s."
        ) % {"url": url, "licence": LICENCE_NAME}
    return gettext(
        "MUSQAT – Municipal Services Quality Assessment Tool, results %(year)s (open data). "
        "%(url)s. Licence: %(licence)s."
    ) % {"year": year, "url": url, "licence": LICENCE_NAME}
