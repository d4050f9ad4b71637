"""Workflows that span several models: submitting and publishing assessments."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Criterion, ThematicArea

from . import scoring
from .models import AreaScore, Assessment, CriterionScore, IndicatorScore, ScoreSnapshot
from .roles import role_for
from .workflow import Status, find_transition

SCORE_PLACES = Decimal("0.0001")
NORMALISED_PLACES = Decimal("0.000001")


def _stored(value: Decimal | None, places: Decimal) -> Decimal | None:
    """Round for storage only; snapshots keep 4 decimals of a score, 6 of a 0–1 value."""
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("cycle").get(pk=assessment.pk)


def _check(assessment: Assessment, action: str, user):
    return find_transition(
        action=action,
        status=assessment.status,
        kind=assessment.kind,
        role=role_for(user, assessment),
    )


def _require_complete(result: scoring.Result) -> None:
    if result.missing:
        raise ValidationError(
            _("Every indicator must be answered or marked not applicable. Missing: %(codes)s")
            % {"codes": ", ".join(result.missing)}
        )


def submit_assessment(*, assessment: Assessment, by) -> Assessment:
    with transaction.atomic():
        assessment = _locked(assessment)
        _check(assessment, "submit", by)
        _require_complete(assessment.score())
        assessment.status = Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment._change_reason = "submit"
        assessment.save(update_fields=["status", "submitted_at", "updated_at"])
    return assessment


def move_assessment(*, assessment: Assessment, action: str, by) -> Assessment:
    """Make a transition that needs nothing but the workflow table's permission."""
    if action in ("submit", "publish"):
        raise ValueError(f"{action} checks completeness: call {action}_assessment()")
    with transaction.atomic():
        assessment = _locked(assessment)
        transition = _check(assessment, action, by)
        assessment.status = transition.target
        assessment._change_reason = action
        assessment.save(update_fields=["status", "updated_at"])
    return assessment


def publish_assessment(
    *, assessment: Assessment, by, note_ka: str = "", note_en: str = ""
) -> ScoreSnapshot:
    """Freeze a score snapshot and publish, all in one transaction.

    A first publication is revision 1. A later one is a correction: it needs a
    public note in both languages, and the earlier revisions stay readable.
    """
    with transaction.atomic():
        assessment = _locked(assessment)
        _check(assessment, "publish", by)
        result = assessment.score()
        _require_complete(result)
        previous = assessment.snapshots.order_by("-revision").first()
        revision = previous.revision + 1 if previous else 1
        if revision > 1 and not (note_ka.strip() and note_en.strip()):
            raise ValidationError(_("A correction needs a public note in Georgian and in English."))
        now = timezone.now()
        assessment.snapshots.filter(is_current=True).update(is_current=False)
        snapshot = ScoreSnapshot.objects.create(
            assessment=assessment,
            revision=revision,
            overall=_stored(result.overall, SCORE_PLACES),
            coverage=_stored(result.coverage, NORMALISED_PLACES),
            note_ka=note_ka.strip(),
            note_en=note_en.strip(),
            published_at=now,
            published_by=by,
        )
        _store_scores(snapshot, assessment, result)
        assessment.status = Status.PUBLISHED
        assessment.published_at = assessment.published_at or now
        assessment._change_reason = "publish"
        assessment.save(update_fields=["status", "published_at", "updated_at"])
    return snapshot


def _store_scores(snapshot: ScoreSnapshot, assessment: Assessment, result: scoring.Result):
    version_id = assessment.cycle.methodology_id
    areas = ThematicArea.objects.filter(version_id=version_id)
    criteria = Criterion.objects.filter(area__version_id=version_id)
    indicators = assessment.indicators()
    responses = {r.indicator_id: r for r in assessment.responses.all()}
    AreaScore.objects.bulk_create(
        AreaScore(snapshot=snapshot, area=a, score=_stored(result.areas[a.code], SCORE_PLACES))
        for a in areas
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(
            snapshot=snapshot,
            criterion=c,
            score=_stored(result.criteria[c.code], SCORE_PLACES),
        )
        for c in criteria
    )
    IndicatorScore.objects.bulk_create(
        IndicatorScore(
            snapshot=snapshot,
            indicator=i,
            value=responses[i.pk].value,
            is_na=responses[i.pk].is_na,
            normalised=_stored(result.indicators[i.code], NORMALISED_PLACES),
        )
        for i in indicators
    )
