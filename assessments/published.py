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

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators.models import Criterion, GradeBand, Indicator, ResponseType, ThematicArea
from municipalities.models import Municipality

from . import scoring
from .models import (
    AreaScore,
    CriterionScore,
    Cycle,
    EvidenceFile,
    IndicatorScore,
    ScoreSnapshot,
)
from .workflow import Kind

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


def cycle_results(cycle: Cycle, *, with_areas: bool = False) -> CycleResults:
    """Every municipality in one cycle: overall scores, ranks, bands and changes."""
    previous = published_cycles().filter(year__lt=cycle.year).first()
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


# --- Answers in words ---------------------------------------------------------------------


def plain_number(value: Decimal) -> str:
    """A value as people write it: no trailing zeros, the local decimal mark."""
    if value == value.to_integral_value():
        return number_format(value.to_integral_value(), decimal_pos=0)
    text = format(value.normalize(), "f")
    return number_format(Decimal(text), decimal_pos=len(text.split(".")[1]))


def answer_text(indicator: Indicator, value: Decimal | None, is_na: bool) -> str:
    """An answer in words: the scale label, yes or no, a percentage, a number with its unit."""
    if is_na:
        return _("Not applicable")
    if value is None:
        return _("No answer")
    if indicator.response_type == ResponseType.YES_NO:
        return _("Yes") if value == 1 else _("No")
    if indicator.response_type == ResponseType.SCALE:
        labels = indicator.labels_in(get_language() or "ka") or indicator.labels_in("ka")
        level = int(value)
        label = labels[level] if 0 <= level < len(labels) else ""
        return _("%(label)s (level %(level)s of %(top)s)") % {
            "label": label,
            "level": level,
            "top": len(labels) - 1,
        }
    if indicator.response_type == ResponseType.PERCENT:
        return f"{plain_number(value)}%"
    unit = indicator.unit
    return f"{plain_number(value)} {unit}".strip()


def answer_texts(indicator: Indicator, value: Decimal | None, is_na: bool) -> dict[str, str]:
    """An answer in words in each of the site's languages."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = answer_text(indicator, value, is_na)
    return texts


# --- One municipality -------------------------------------------------------------------


@dataclass
class HistoryEntry:
    """One cycle of a municipality's published history: both kinds' overall scores."""

    cycle: Cycle
    snapshots: dict[str, ScoreSnapshot] = field(default_factory=dict)

    @property
    def self_score(self):
        snapshot = self.snapshots.get(Kind.SELF)
        return snapshot.overall if snapshot else None

    @property
    def external_score(self):
        snapshot = self.snapshots.get(Kind.EXTERNAL)
        return snapshot.overall if snapshot else None

    @property
    def gap(self):
        return scoring.gap(self.self_score, self.external_score)


def municipality_history(municipality: Municipality) -> list[HistoryEntry]:
    """Every cycle in which the municipality has a published assessment, oldest first."""
    entries: dict[int, HistoryEntry] = {}
    snapshots = (
        ScoreSnapshot.objects.current()
        .filter(assessment__municipality=municipality)
        .select_related("assessment__cycle__methodology")
        .order_by("assessment__cycle__year")
    )
    for snapshot in snapshots:
        cycle = snapshot.assessment.cycle
        entry = entries.setdefault(cycle.year, HistoryEntry(cycle=cycle))
        entry.snapshots[snapshot.assessment.kind] = snapshot
    return list(entries.values())


def previous_entry(history: list[HistoryEntry], cycle: Cycle, kind: str) -> HistoryEntry | None:
    """The latest earlier cycle in which this kind was published."""
    earlier = [e for e in history if e.cycle.year < cycle.year and kind in e.snapshots]
    return earlier[-1] if earlier else None


# --- One scorecard ----------------------------------------------------------------------


@dataclass
class KindSummary:
    """One kind of assessment on a scorecard: its overall score, rank and band."""

    kind: str
    snapshot: ScoreSnapshot
    rank: int | None
    band: GradeBand | None
    previous: ScoreSnapshot | None
    previous_is_comparable: bool

    @property
    def overall(self):
        return self.snapshot.overall

    @property
    def change(self):
        if not self.previous_is_comparable:
            return None
        return scoring.change(self.overall, self.previous.overall)

    @property
    def label(self):
        return Kind(self.kind).label


@dataclass
class AnswerView:
    """One kind's frozen answer to one indicator, in words, with its evidence.

    Everything comes from the published revision (IndicatorScore), so a correction
    under way changes nothing here until it is published.
    """

    kind: str
    indicator: Indicator
    score: IndicatorScore
    files: list = field(default_factory=list)
    previous_normalised: Decimal | None = None
    has_previous: bool = False

    @property
    def value(self) -> Decimal | None:
        return self.score.value

    @property
    def is_na(self) -> bool:
        return self.score.is_na

    @property
    def normalised(self) -> Decimal | None:
        return self.score.normalised

    @property
    def text(self) -> str:
        return answer_text(self.indicator, self.value, self.is_na)

    @property
    def points(self):
        return scoring.points(self.normalised)

    @property
    def change(self):
        if not self.has_previous:
            return None
        return scoring.change(self.points, scoring.points(self.previous_normalised))

    def _text(self, field: str) -> str:
        return self.score.text_in(field, get_language() or "ka")

    def _in_georgian_only(self, field: str) -> bool:
        return bool(getattr(self.score, field) and not self._text(field))

    @property
    def evidence(self) -> str:
        return self._text("evidence")

    @property
    def na_reason(self) -> str:
        return self._text("na_reason")

    @property
    def reply(self) -> str:
        return self._text("reply")

    @property
    def untranslated(self) -> list[str]:
        """Which of the texts exist only in Georgian (on an English page)."""
        return [f for f in ("na_reason", "evidence", "reply") if self._in_georgian_only(f)]

    @property
    def links(self) -> list[str]:
        return self.score.link_list


@dataclass
class ScoredItem:
    """An area or a criterion with each kind's score (and change, where comparable)."""

    item: object
    self_score: Decimal | None = None
    external_score: Decimal | None = None
    self_previous: Decimal | None = None
    external_previous: Decimal | None = None
    children: list = field(default_factory=list)

    @property
    def by_kind(self) -> dict[str, Decimal | None]:
        return {Kind.SELF: self.self_score, Kind.EXTERNAL: self.external_score}

    @property
    def gap(self):
        return scoring.gap(self.self_score, self.external_score)

    @property
    def self_change(self):
        return scoring.change(self.self_score, self.self_previous)

    @property
    def external_change(self):
        return scoring.change(self.external_score, self.external_previous)


@dataclass
class IndicatorRow:
    indicator: Indicator
    self_answer: AnswerView | None = None
    external_answer: AnswerView | None = None

    @property
    def answers(self) -> list[AnswerView]:
        return [a for a in (self.self_answer, self.external_answer) if a is not None]


@dataclass
class Scorecard:
    municipality: Municipality
    cycle: Cycle
    bands: Bands
    kinds: dict[str, KindSummary]
    areas: list[ScoredItem]
    history: list[HistoryEntry]
    neighbours: list[str] = field(default_factory=list)

    @property
    def headline(self) -> KindSummary:
        return self.kinds[headline_kind(self.kinds)]

    @property
    def self_summary(self) -> KindSummary | None:
        return self.kinds.get(Kind.SELF)

    @property
    def external_summary(self) -> KindSummary | None:
        return self.kinds.get(Kind.EXTERNAL)

    @property
    def gap(self):
        s, e = self.self_summary, self.external_summary
        return scoring.gap(s.overall if s else None, e.overall if e else None)

    @property
    def notes(self) -> list[ScoreSnapshot]:
        """Public notes of corrected snapshots."""
        return [s.snapshot for s in self.kinds.values() if s.snapshot.revision > 1]


def _counterpart(indicator: Indicator, cycle: Cycle, previous: Cycle) -> int | None:
    """The indicator id to compare with in the previous cycle, if the two are comparable."""
    if previous.methodology_id == cycle.methodology_id:
        return indicator.pk
    if indicator.comparable and previous.methodology_id == cycle.methodology.previous_id:
        return indicator.previous_id
    return None


def scorecard(municipality: Municipality, cycle: Cycle) -> Scorecard | None:
    """One municipality in one cycle, or None when nothing of it is published."""
    history = municipality_history(municipality)
    entry = next((e for e in history if e.cycle.year == cycle.year), None)
    if entry is None:
        return None
    cycle = entry.cycle
    bands = Bands.of(cycle.methodology_id)
    in_cycle = list(
        ScoreSnapshot.objects.current()
        .filter(assessment__cycle=cycle)
        .values_list(
            "assessment__municipality_id", "assessment__kind", "overall",
            "assessment__municipality__slug",
        )
    )  # fmt: skip
    ranks = rank_by_kind(row[:3] for row in in_cycle)
    kinds: dict[str, KindSummary] = {}
    previous_of: dict[str, HistoryEntry] = {}
    for kind in KINDS:
        snapshot = entry.snapshots.get(kind)
        if snapshot is None:
            continue
        before = previous_entry(history, cycle, kind)
        if before:
            previous_of[kind] = before
        kinds[kind] = KindSummary(
            kind=kind,
            snapshot=snapshot,
            rank=ranks.get(kind, {}).get(municipality.pk),
            band=bands(snapshot.overall),
            previous=before.snapshots[kind] if before else None,
            previous_is_comparable=bool(before) and comparable(cycle, before.cycle),
        )

    current_ids = {s.snapshot.pk: kind for kind, s in kinds.items()}
    previous_ids = {e.snapshots[kind].pk: kind for kind, e in previous_of.items()}
    comparable_previous = {
        e.snapshots[kind].pk: kind for kind, e in previous_of.items() if comparable(cycle, e.cycle)
    }

    area_scores = defaultdict(dict)
    area_previous = defaultdict(dict)
    for snapshot_id, area_id, value in AreaScore.objects.filter(
        snapshot_id__in=[*current_ids, *comparable_previous]
    ).values_list("snapshot_id", "area_id", "score"):
        if snapshot_id in current_ids:
            area_scores[current_ids[snapshot_id]][area_id] = value
        else:
            area_previous[comparable_previous[snapshot_id]][area_id] = value
    criterion_scores = defaultdict(dict)
    for snapshot_id, criterion_id, value in CriterionScore.objects.filter(
        snapshot_id__in=current_ids
    ).values_list("snapshot_id", "criterion_id", "score"):
        criterion_scores[current_ids[snapshot_id]][criterion_id] = value
    indicator_scores = defaultdict(dict)
    indicator_previous = defaultdict(dict)
    for score in IndicatorScore.objects.filter(snapshot_id__in=[*current_ids, *previous_ids]):
        if score.snapshot_id in current_ids:
            indicator_scores[current_ids[score.snapshot_id]][score.indicator_id] = score
        else:
            indicator_previous[previous_ids[score.snapshot_id]][score.indicator_id] = score

    # Evidence files that were there when the revision was published.
    files = defaultdict(lambda: defaultdict(list))
    published_at = {s.snapshot.assessment_id: s.snapshot.published_at for s in kinds.values()}
    assessment_kinds = {s.snapshot.assessment_id: kind for kind, s in kinds.items()}
    for document in EvidenceFile.objects.filter(
        response__assessment_id__in=assessment_kinds
    ).select_related("response"):
        assessment_id = document.response.assessment_id
        if document.uploaded_at <= published_at[assessment_id]:
            files[assessment_kinds[assessment_id]][document.response.indicator_id].append(document)

    version_id = cycle.methodology_id
    criteria_by_area = defaultdict(list)
    indicators_by_criterion = defaultdict(list)
    for indicator in Indicator.objects.filter(criterion__area__version_id=version_id):
        indicators_by_criterion[indicator.criterion_id].append(indicator)
    for criterion in Criterion.objects.filter(area__version_id=version_id):
        criteria_by_area[criterion.area_id].append(criterion)

    def answer(kind, indicator):
        score = indicator_scores[kind].get(indicator.pk)
        if score is None:
            return None
        view = AnswerView(
            kind=kind, indicator=indicator, score=score, files=files[kind][indicator.pk]
        )
        before = previous_of.get(kind)
        counterpart = _counterpart(indicator, cycle, before.cycle) if before else None
        earlier = indicator_previous[kind].get(counterpart) if counterpart else None
        if earlier is not None and earlier.normalised is not None and score.normalised is not None:
            view.previous_normalised = earlier.normalised
            view.has_previous = True
        return view

    areas = []
    for area in ThematicArea.objects.filter(version_id=version_id):
        area_item = ScoredItem(
            item=area,
            self_score=area_scores[Kind.SELF].get(area.pk),
            external_score=area_scores[Kind.EXTERNAL].get(area.pk),
            self_previous=area_previous[Kind.SELF].get(area.pk),
            external_previous=area_previous[Kind.EXTERNAL].get(area.pk),
        )
        for criterion in criteria_by_area[area.pk]:
            criterion_item = ScoredItem(
                item=criterion,
                self_score=criterion_scores[Kind.SELF].get(criterion.pk),
                external_score=criterion_scores[Kind.EXTERNAL].get(criterion.pk),
            )
            for indicator in indicators_by_criterion[criterion.pk]:
                criterion_item.children.append(
                    IndicatorRow(
                        indicator=indicator,
                        self_answer=answer(Kind.SELF, indicator),
                        external_answer=answer(Kind.EXTERNAL, indicator),
                    )
                )
            area_item.children.append(criterion_item)
        areas.append(area_item)

    kind = headline_kind(kinds)
    slugs = {row[0]: row[3] for row in in_cycle}
    ranking = sorted(
        (rank, slugs[pk]) for pk, rank in ranks.get(kind, {}).items() if rank is not None
    )
    return Scorecard(
        municipality=municipality,
        cycle=cycle,
        bands=bands,
        kinds=kinds,
        areas=areas,
        history=history,
        neighbours=ranking_neighbours([slug for _rank, slug in ranking], municipality.slug),
    )


def ranking_neighbours(ranked_slugs: list[str], slug: str, *, around: int = 1) -> list[str]:
    """The municipality with those just above and below it in the ranking, best first."""
    if slug not in ranked_slugs:
        return [slug]
    at = ranked_slugs.index(slug)
    start = max(0, min(at - around, len(ranked_slugs) - (2 * around + 1)))
    return ranked_slugs[start : start + 2 * around + 1]


# --- Several municipalities side by side ------------------------------------------------


@dataclass
class Cell:
    value: Decimal | None
    is_best: bool = False


@dataclass
class ComparisonRow:
    item: object
    level: str  # "overall", "area", "criterion" or "indicator"
    cells: list[Cell]


def _cells(values: list[Decimal | None]) -> list[Cell]:
    """Mark the best displayed value of a row (ties share it), when there is a contest."""
    ranks = scoring.ranks(dict(enumerate(values)))
    contest = sum(value is not None for value in values) > 1
    return [Cell(value, contest and ranks[i] == 1) for i, value in enumerate(values)]


@dataclass
class Comparison:
    cycle: Cycle
    kind: str
    municipalities: list[Municipality]
    rows: list[ComparisonRow]
    bands: Bands


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

    def table(model, key):
        values = defaultdict(lambda: [None] * len(municipalities))
        for snapshot_id, item_id, value in model.objects.filter(
            snapshot_id__in=snapshots
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
        indicator_values = {
            pk: [scoring.points(v) for v in values]
            for pk, values in table(IndicatorScore, "indicator_id").items()
        }

    empty = [None] * len(municipalities)
    rows = []
    if area is None:
        rows.append(
            ComparisonRow(None, "overall", _cells([overall.get(m.pk) for m in municipalities]))
        )
    criteria_by_area = defaultdict(list)
    for criterion in criteria:
        criteria_by_area[criterion.area_id].append(criterion)
    for each_area in areas:
        rows.append(ComparisonRow(each_area, "area", _cells(area_values.get(each_area.pk, empty))))
        for criterion in criteria_by_area[each_area.pk]:
            rows.append(
                ComparisonRow(
                    criterion, "criterion", _cells(criterion_values.get(criterion.pk, empty))
                )
            )
            for indicator in indicators_by_criterion[criterion.pk]:
                rows.append(
                    ComparisonRow(
                        indicator, "indicator", _cells(indicator_values.get(indicator.pk, empty))
                    )
                )
    return Comparison(
        cycle=cycle,
        kind=kind,
        municipalities=municipalities,
        rows=rows,
        bands=Bands.of(version_id),
    )
