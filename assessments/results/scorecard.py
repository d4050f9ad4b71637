"""One municipality's published scorecard in one cycle, and its published history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Subquery
from django.utils.translation import get_language

from indicators.models import GradeBand, Indicator, ThematicArea
from municipalities.models import Municipality

from .. import scoring
from ..models import AreaScore, CriterionScore, Cycle, EvidenceFile, IndicatorScore, ScoreSnapshot
from ..workflow import Kind
from .cycles import KINDS, Bands, comparable, headline_kind, published_cycles, rank_by_kind


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


def previous_entry(
    history: list[HistoryEntry], previous_year: int | None, kind: str
) -> HistoryEntry | None:
    """This kind's entry in the previous cycle (see cycles.previous_cycle), if it was
    published there."""
    return next((e for e in history if e.cycle.year == previous_year and kind in e.snapshots), None)


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

    def change_at(self, places: int):
        if not self.previous_is_comparable:
            return None
        return scoring.change(self.overall, self.previous.overall, places)

    @property
    def change(self):
        return self.change_at(scoring.DISPLAY_PLACES)

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
        return self.indicator.answer_in_words(self.value, self.is_na)

    @property
    def points(self):
        return scoring.points(self.normalised)

    def change_at(self, places: int):
        if not self.has_previous:
            return None
        return scoring.change(self.points, scoring.points(self.previous_normalised), places)

    @property
    def change(self):
        return self.change_at(scoring.DISPLAY_PLACES)

    def _text(self, field: str) -> str:
        return self.score.text_in(field, get_language() or "ka")

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
        language = get_language() or "ka"
        return [
            f
            for f in ("na_reason", "evidence", "reply")
            if getattr(self.score, f) and not self.score.text_in(f, language)
        ]

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

    def change_at(self, kind: str, places: int):
        if kind == Kind.SELF:
            return scoring.change(self.self_score, self.self_previous, places)
        return scoring.change(self.external_score, self.external_previous, places)

    @property
    def self_change(self):
        return self.change_at(Kind.SELF, scoring.DISPLAY_PLACES)

    @property
    def external_change(self):
        return self.change_at(Kind.EXTERNAL, scoring.DISPLAY_PLACES)


@dataclass
class IndicatorRow:
    indicator: Indicator
    self_answer: AnswerView | None = None
    external_answer: AnswerView | None = None

    @property
    def answers(self) -> list[AnswerView]:
        return [a for a in (self.self_answer, self.external_answer) if a is not None]

    @property
    def gap(self) -> Decimal | None:
        """Self minus external on this indicator, as shown; None unless both scored it."""
        if self.self_answer is None or self.external_answer is None:
            return None
        return scoring.gap(self.self_answer.points, self.external_answer.points)

    @property
    def only_side(self) -> str | None:
        """The one kind that answered this indicator, when the other did not."""
        answers = self.answers
        return answers[0].kind if len(answers) == 1 else None

    @property
    def replied(self) -> bool:
        """The municipality replied to the external answer (in either language)."""
        answer = self.external_answer
        return answer is not None and bool(answer.score.reply or answer.score.reply_en)

    @property
    def changed(self) -> bool:
        """An answer's score moved since the previous comparable cycle."""
        return any(a.has_previous and a.change for a in self.answers)

    def score_of(self, kind: str) -> Decimal | None:
        answer = self.self_answer if kind == Kind.SELF else self.external_answer
        return answer.points if answer is not None else None


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

    def gap_at(self, places: int):
        s, e = self.self_summary, self.external_summary
        return scoring.gap(s.overall if s else None, e.overall if e else None, places)

    @property
    def gap(self):
        return self.gap_at(scoring.DISPLAY_PLACES)

    @property
    def notes(self) -> list[ScoreSnapshot]:
        """Public notes of corrected snapshots."""
        return [s.snapshot for s in self.kinds.values() if s.snapshot.revision > 1]


# --- Finding one's way in a scorecard -------------------------------------------------------

# The scorecard's filters, by the name its address uses (?show=gaps).
GAPS = "gaps"
REPLIED = "replied"
CHANGED = "changed"
ACTED = "acted"
ONE_SIDED = "one-sided"
FILTERS = (GAPS, REPLIED, CHANGED, ACTED, ONE_SIDED)


@dataclass
class Finding:
    """One indicator of a scorecard with its thematic area, for summaries and filters."""

    area: ScoredItem
    row: IndicatorRow

    @property
    def indicator(self) -> Indicator:
        return self.row.indicator


def findings(card: Scorecard) -> list[Finding]:
    """Every indicator of the scorecard, in the methodology's order."""
    return [
        Finding(area=area, row=row)
        for area in card.areas
        for criterion in area.children
        for row in criterion.children
    ]


def largest_gaps(card: Scorecard, limit: int | None = None) -> list[Finding]:
    """Indicators on which the two assessments differ, the largest difference first
    (either way: a municipality rating itself lower is a finding too)."""
    gapped = [f for f in findings(card) if f.row.gap]
    gapped.sort(key=lambda f: -abs(f.row.gap))  # stable: ties keep the methodology's order
    return gapped[:limit] if limit else gapped


def weakest(card: Scorecard, limit: int | None = None) -> list[Finding]:
    """Indicators with the lowest score of the headline assessment, lowest first;
    N/A and unanswered indicators have no score and are left out."""
    kind = card.headline.kind
    scored = [f for f in findings(card) if f.row.score_of(kind) is not None]
    scored.sort(key=lambda f: f.row.score_of(kind))
    return scored[:limit] if limit else scored


def filtered(card: Scorecard, show: str, acted: set[int] = frozenset()) -> list[Finding]:
    """The indicators one of FILTERS keeps; `acted` holds the ids of indicators with a
    planned action or an awarded grant (which the scorecard itself does not know)."""
    if show == GAPS:
        return largest_gaps(card)
    rows = findings(card)
    if show == REPLIED:
        return [f for f in rows if f.row.replied]
    if show == CHANGED:
        return [f for f in rows if f.row.changed]
    if show == ACTED:
        return [f for f in rows if f.indicator.pk in acted]
    if show == ONE_SIDED:
        # Only where both assessments are published: otherwise every indicator has one side.
        if len(card.kinds) < len(KINDS):
            return []
        return [f for f in rows if f.row.only_side]
    raise ValueError(show)


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
    # This cycle's scores (for ranks), each row with the previous cycle's year
    # (cycles.latest_earlier, asked of the database).
    earlier = published_cycles().filter(year__lt=cycle.year).values("year")[:1]
    in_cycle = list(
        ScoreSnapshot.objects.current()
        .filter(assessment__cycle_id=cycle.pk)
        .annotate(previous_year=Subquery(earlier))
        .values_list(
            "assessment__municipality_id", "assessment__kind", "overall",
            "assessment__municipality__slug", "previous_year",
        )
    )  # fmt: skip
    previous_year = in_cycle[0][4]  # the municipality's own snapshot is among them
    ranks = rank_by_kind(row[:3] for row in in_cycle)
    kinds: dict[str, KindSummary] = {}
    previous_of: dict[str, HistoryEntry] = {}
    for kind in KINDS:
        snapshot = entry.snapshots.get(kind)
        if snapshot is None:
            continue
        before = previous_entry(history, previous_year, kind)
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
    snapshot_of = {s.snapshot.assessment_id: s.snapshot for s in kinds.values()}
    assessment_kinds = {s.snapshot.assessment_id: kind for kind, s in kinds.items()}
    for document in EvidenceFile.objects.filter(
        response__assessment_id__in=assessment_kinds
    ).select_related("response"):
        assessment_id = document.response.assessment_id
        if document.is_shown_in(snapshot_of[assessment_id]):
            files[assessment_kinds[assessment_id]][document.response.indicator_id].append(document)

    # The methodology in one query: its indicators with their criteria and areas. An
    # indicator's description and data source are the methodology's to show, not a
    # scorecard's: the longest texts of the row stay in the database.
    indicators = (
        Indicator.objects.filter(criterion__area__version_id=cycle.methodology_id)
        .select_related("criterion__area")
        .defer("description", "data_source")
        .order_by(
            "criterion__area__order", "criterion__area__code",
            "criterion__order", "criterion__code", "order", "code",
        )
    )  # fmt: skip
    area_of: dict[int, ThematicArea] = {}
    criteria_by_area = defaultdict(dict)
    indicators_by_criterion = defaultdict(list)
    for indicator in indicators:
        criterion = indicator.criterion
        area = area_of.setdefault(criterion.area_id, criterion.area)
        criteria_by_area[area.pk].setdefault(criterion.pk, criterion)
        indicators_by_criterion[criterion.pk].append(indicator)

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
    for area in area_of.values():
        area_item = ScoredItem(
            item=area,
            self_score=area_scores[Kind.SELF].get(area.pk),
            external_score=area_scores[Kind.EXTERNAL].get(area.pk),
            self_previous=area_previous[Kind.SELF].get(area.pk),
            external_previous=area_previous[Kind.EXTERNAL].get(area.pk),
        )
        for criterion in criteria_by_area[area.pk].values():
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
