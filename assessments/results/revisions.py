"""What each correction changed: for every published revision after the first, the
answers that differ from the revision before it, old and new, in words and as scores."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from indicators.models import Indicator

from .. import scoring
from ..models import AnswerTexts, IndicatorScore, ScoreSnapshot

# What a published answer is made of: a change to any of these is a change people see.
ANSWER_FIELDS = ("value", "is_na", "normalised", *AnswerTexts.TEXT_FIELDS)


@dataclass
class AnswerChange:
    """One indicator whose published answer a correction changed."""

    indicator: Indicator
    old: IndicatorScore | None
    new: IndicatorScore | None

    def _words(self, score: IndicatorScore | None) -> str:
        if score is None:
            return "–"
        return self.indicator.answer_in_words(score.value, score.is_na)

    @property
    def old_answer(self) -> str:
        return self._words(self.old)

    @property
    def new_answer(self) -> str:
        return self._words(self.new)

    @property
    def old_points(self) -> Decimal | None:
        return scoring.points(self.old.normalised) if self.old else None

    @property
    def new_points(self) -> Decimal | None:
        return scoring.points(self.new.normalised) if self.new else None

    @property
    def texts_changed(self) -> bool:
        """The evidence, the reason or the reply was rewritten (beside, or instead of, the
        answer itself)."""
        if self.old is None or self.new is None:
            return False
        return any(
            getattr(self.old, name) != getattr(self.new, name) for name in AnswerTexts.TEXT_FIELDS
        )


def _in_methodology_order(indicator: Indicator) -> tuple:
    criterion = indicator.criterion
    return (criterion.area.order, criterion.area.code, criterion.order, criterion.code,
            indicator.order, indicator.code)  # fmt: skip


def answer_of(score: IndicatorScore) -> tuple:
    return tuple(getattr(score, name) for name in ANSWER_FIELDS)


def changes_between(
    earlier: dict[int, IndicatorScore], later: dict[int, IndicatorScore]
) -> list[AnswerChange]:
    """The answers (by indicator id) that differ between two revisions, in methodology order."""
    changed = [
        AnswerChange(
            indicator=(later.get(pk) or earlier.get(pk)).indicator,
            old=earlier.get(pk),
            new=later.get(pk),
        )
        for pk in earlier.keys() | later.keys()
        if pk not in earlier or pk not in later or answer_of(earlier[pk]) != answer_of(later[pk])
    ]
    return sorted(changed, key=lambda change: _in_methodology_order(change.indicator))


def revision_changes(snapshots: list[ScoreSnapshot]) -> dict[int, list[AnswerChange]]:
    """For each given revision after the first, what changed since the revision before
    it of the same assessment (by snapshot id). One query, however many revisions."""
    scores: dict[int, dict[int, IndicatorScore]] = defaultdict(dict)
    for score in IndicatorScore.objects.filter(
        snapshot__assessment__in={s.assessment_id for s in snapshots}
    ).select_related("indicator__criterion__area"):
        scores[score.snapshot_id][score.indicator_id] = score
    by_revision = {(s.assessment_id, s.revision): s for s in snapshots}
    changes = {}
    for snapshot in snapshots:
        before = by_revision.get((snapshot.assessment_id, snapshot.revision - 1))
        if before is not None:
            changes[snapshot.pk] = changes_between(scores[before.pk], scores[snapshot.pk])
    return changes
