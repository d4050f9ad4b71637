"""Workflows that span several models: submitting, replying, reviewing and publishing.

Each one checks the workflow table (through permissions.role_for), changes the status
inside one transaction, and queues its email for after the commit.
"""

import datetime

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Criterion, ThematicArea

from . import scoring
from .models import (
    AnswerTexts,
    AreaScore,
    Assessment,
    CriterionScore,
    EvidenceFile,
    IndicatorScore,
    ReviewComment,
    ScoreSnapshot,
)
from .notifications import send_notification
from .pdf import jobs as pdf_jobs
from .permissions import role_for
from .results.revisions import changes_between
from .scoring import STORED_SCORE_PLACES, STORED_SHARE_PLACES, rounded
from .workflow import SYSTEM, Status, find_transition


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("cycle").get(pk=assessment.pk)


def _check(assessment: Assessment, action: str, user):
    return find_transition(
        action=action,
        status=assessment.status,
        kind=assessment.kind,
        role=SYSTEM if user is None else role_for(user, assessment),
    )


def _record(assessment: Assessment, action: str, by) -> None:
    """Say in the history who made this transition (the history middleware only knows
    the user inside a web request)."""
    assessment._change_reason = action
    assessment._history_user = by


def _notify(event: str, assessment: Assessment) -> None:
    """Queue the event's emails once the transaction commits (never for a rollback)."""
    # The history record of this very change names the occurrence.
    key = f"{event}:{assessment.pk}:{assessment.history.latest().history_id}"
    send_notification.delay_on_commit(event=event, assessment_id=assessment.pk, key=key)


def _require_complete(result: scoring.Result) -> None:
    if result.missing:
        raise ValidationError(
            _("Every indicator must be answered or marked not applicable. Missing: %(codes)s")
            % {"codes": ", ".join(result.missing)}
        )


def submit_assessment(*, assessment: Assessment, by, notify: bool = True) -> Assessment:
    with transaction.atomic():
        assessment = _locked(assessment)
        _check(assessment, "submit", by)
        _require_complete(assessment.score())
        assessment.status = Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        _record(assessment, "submit", by)
        assessment.save(update_fields=["status", "submitted_at", "updated_at"])
        # Resubmitting answers the comments that came with a return.
        for comment in assessment.comments.open():
            comment.resolved = True
            comment._history_user = by
            comment.save(update_fields=["resolved"])
        if notify:
            _notify("submitted", assessment)
    return assessment


# Transitions that need more than the table's permission have their own function.
SPECIAL_ACTIONS = {"submit", "publish", "open_reply", "return"}


def move_assessment(*, assessment: Assessment, action: str, by) -> Assessment:
    """Make a transition that needs nothing but the workflow table's permission.

    `by` is None when the platform itself acts (see workflow.SYSTEM).
    """
    if action in SPECIAL_ACTIONS:
        raise ValueError(f"{action} needs more than a permission: use its own function")
    with transaction.atomic():
        assessment = _locked(assessment)
        transition = _check(assessment, action, by)
        assessment.status = transition.target
        _record(assessment, action, by)
        assessment.save(update_fields=["status", "updated_at"])
    return assessment


def open_reply(*, assessment: Assessment, by, days: int, notify: bool = True) -> Assessment:
    """Give the municipality `days` days, today included, to answer the CSO's findings."""
    if days < 1:
        raise ValidationError(_("Give the municipality at least one day to reply."))
    with transaction.atomic():
        assessment = _locked(assessment)
        _check(assessment, "open_reply", by)
        assessment.status = Status.REPLY
        assessment.reply_deadline = timezone.localdate() + datetime.timedelta(days=days - 1)
        _record(assessment, "open_reply", by)
        assessment.save(update_fields=["status", "reply_deadline", "updated_at"])
        if notify:
            _notify("reply_opened", assessment)
    return assessment


def close_expired_replies(*, today: datetime.date | None = None) -> list[int]:
    """Move every external assessment whose right of reply has run out on to review."""
    today = today or timezone.localdate()
    closed = []
    expired = Assessment.objects.filter(status=Status.REPLY, reply_deadline__lt=today)
    for assessment in expired:
        move_assessment(assessment=assessment, action="close_reply", by=None)
        closed.append(assessment.pk)
    return closed


@shared_task(name="assessments.tasks.close_expired_replies")
def close_expired_replies_task() -> list[int]:
    return close_expired_replies()


def return_assessment(
    *, assessment: Assessment, by, comments: list[tuple[int, str]], note: str = ""
) -> Assessment:
    """Send an assessment back to draft with what needs to change.

    `comments` are (indicator id, text) pairs; the owner sees them in their form.
    There must be at least one comment, new or still open from before.
    """
    with transaction.atomic():
        assessment = _locked(assessment)
        _check(assessment, "return", by)
        allowed = set(assessment.indicators().values_list("pk", flat=True))
        if any(indicator_id not in allowed for indicator_id, _text in comments):
            raise ValidationError(
                _("A comment names an indicator this assessment does not answer.")
            )
        new = [
            ReviewComment(assessment=assessment, indicator_id=i, text=t.strip(), author=by)
            for i, t in comments
            if t.strip()
        ]
        if note.strip():
            new.append(ReviewComment(assessment=assessment, text=note.strip(), author=by))
        if not new and not assessment.comments.open().exists():
            raise ValidationError(_("Say what needs to change: write at least one comment."))
        for comment in new:
            comment._history_user = by
            comment.save()
        assessment.status = Status.DRAFT
        _record(assessment, "return", by)
        assessment.save(update_fields=["status", "updated_at"])
        _notify("returned", assessment)
    return assessment


def publish_assessment(
    *,
    assessment: Assessment,
    by,
    note_ka: str = "",
    note_en: str = "",
    notify: bool = True,
    render: bool = True,
) -> ScoreSnapshot:
    """Freeze a score snapshot and publish, all in one transaction; once it commits, the
    PDFs are queued.

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
            overall=rounded(result.overall, STORED_SCORE_PLACES),
            coverage=rounded(result.coverage, STORED_SHARE_PLACES),
            note_ka=note_ka.strip(),
            note_en=note_en.strip(),
            published_at=now,
            published_by=by,
        )
        _store_scores(snapshot, assessment, result)
        if previous is not None and not _changes_anything(previous, snapshot):
            raise ValidationError(
                _(
                    "This correction changes nothing that revision %(revision)s published: "
                    "change an answer, a text or an evidence file first, or return the "
                    "assessment without publishing."
                )
                % {"revision": previous.revision}
            )
        assessment.status = Status.PUBLISHED
        assessment.published_at = assessment.published_at or now
        _record(assessment, "publish", by)
        assessment.save(update_fields=["status", "published_at", "updated_at"])
        if notify:
            _notify("published", assessment)
        if render:
            pdf_jobs.queue_after_publish(assessment.cycle, assessment.municipality_id)
    return snapshot


def _changes_anything(previous: ScoreSnapshot, snapshot: ScoreSnapshot) -> bool:
    """Whether a new revision would show anything its predecessor did not: an answer, a
    text, a score, or an evidence file added or removed since."""

    def answers(of):
        return {
            s.indicator_id: s for s in of.indicators.select_related("indicator__criterion__area")
        }

    if changes_between(answers(previous), answers(snapshot)):
        return True
    since = previous.published_at
    return (
        EvidenceFile.objects.filter(response__assessment_id=snapshot.assessment_id)
        .filter(Q(uploaded_at__gt=since) | Q(removed_at__gt=since))
        .exists()
    )


def _store_scores(snapshot: ScoreSnapshot, assessment: Assessment, result: scoring.Result):
    version_id = assessment.cycle.methodology_id
    areas = ThematicArea.objects.filter(version_id=version_id)
    criteria = Criterion.objects.filter(area__version_id=version_id)
    indicators = assessment.indicators()
    responses = {r.indicator_id: r for r in assessment.responses.all()}
    AreaScore.objects.bulk_create(
        AreaScore(
            snapshot=snapshot, area=a, score=rounded(result.areas[a.code], STORED_SCORE_PLACES)
        )
        for a in areas
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(
            snapshot=snapshot,
            criterion=c,
            score=rounded(result.criteria[c.code], STORED_SCORE_PLACES),
        )
        for c in criteria
    )
    IndicatorScore.objects.bulk_create(
        IndicatorScore(
            snapshot=snapshot,
            indicator=i,
            value=responses[i.pk].value,
            is_na=responses[i.pk].is_na,
            normalised=rounded(result.indicators[i.code], STORED_SHARE_PLACES),
            **{name: getattr(responses[i.pk], name) for name in AnswerTexts.TEXT_FIELDS},
        )
        for i in indicators
    )
