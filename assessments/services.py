"""Workflows that span several models: submitting, replying, reviewing and publishing.

Each one checks the workflow table (through permissions.role_for), changes the status
inside one transaction, and queues its email for after the commit.
"""

import datetime
import functools
import io
import re
from dataclasses import dataclass

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from musqat.cache import clear_public_pages

from . import scoring
from .models import (
    AnswerTexts,
    AreaScore,
    Assessment,
    CriterionScore,
    EvidenceFile,
    IndicatorScore,
    MethodologyRows,
    Response,
    ReviewComment,
    ScoreSnapshot,
    read_methodology,
)
from .notifications import send_notification
from .pdf import jobs as pdf_jobs
from .permissions import role_for
from .results.revisions import ANSWER_FIELDS
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


def _notify(event: str, assessment: Assessment, history_id: int | None = None) -> None:
    """Queue the event's emails once the transaction commits (never for a rollback)."""
    # The history record of this very change names the occurrence.
    history_id = history_id or assessment.history.latest().history_id
    key = f"{event}:{assessment.pk}:{history_id}"
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

    The methodology and the answers are each read once, and every level of scores is
    written with one insert.
    """
    with transaction.atomic():
        assessment = _locked(assessment)
        _check(assessment, "publish", by)
        methodology = read_methodology(assessment.cycle.methodology_id, kind=assessment.kind)
        responses = _answers_of([assessment.pk]).get(assessment.pk, {})
        result = _score_of(methodology, responses)
        _require_complete(result)
        previous = assessment.snapshots.order_by("-revision").first()
        revision = previous.revision + 1 if previous else 1
        if revision > 1 and not (note_ka.strip() and note_en.strip()):
            raise ValidationError(_("A correction needs a public note in Georgian and in English."))
        now = timezone.now()
        if previous is not None:
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
        rows = _score_rows(snapshot, methodology, responses, result)
        _store_scores([rows])
        if previous is not None and not _changes_anything(previous, rows.indicators):
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


def publish_assessments(
    *, assessments: list[Assessment], by, notify: bool = True, render: bool = True
) -> list[ScoreSnapshot]:
    """Publish several assessments for the first time, together and all or nothing: what
    project staff do at the end of a cycle.

    Each one is locked and checked by the workflow table, and must be complete, as
    publish_assessment asks; a correction needs its own public note, so it is published
    alone. Each methodology is read once, and every level of scores for all of them is
    written with one insert, so that a whole cycle takes about as many queries as one.
    """
    ids = sorted({assessment.pk for assessment in assessments})
    with transaction.atomic():
        locked = list(
            # Only the assessments, in one order: a single step locks its assessment and
            # then its cycle, so a batch holding the cycle while it waits for one of many
            # assessments could deadlock with it.
            Assessment.objects.select_for_update(of=("self",))
            .select_related("cycle", "municipality")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(locked) != len(ids):
            raise ValidationError(_("Some of the selected assessments no longer exist."))
        for assessment in locked:
            _check(assessment, "publish", by)
        corrections = set(
            ScoreSnapshot.objects.filter(assessment_id__in=ids).values_list(
                "assessment_id", flat=True
            )
        )
        if corrections:
            raise ValidationError(
                _("A correction is published on its own, with its public note: %(assessments)s.")
                % {"assessments": _names(a for a in locked if a.pk in corrections)}
            )
        answers = _answers_of(ids)
        methodologies: dict[tuple[int, str], MethodologyRows] = {}
        scored = []
        for assessment in locked:
            key = (assessment.cycle.methodology_id, assessment.kind)
            if key not in methodologies:
                methodologies[key] = read_methodology(key[0], kind=key[1])
            scored.append((assessment, _score_of(methodologies[key], answers[assessment.pk])))
        incomplete = [assessment for assessment, result in scored if result.missing]
        if incomplete:
            raise ValidationError(
                _(
                    "Every indicator must be answered or marked not applicable. "
                    "Incomplete: %(assessments)s."
                )
                % {"assessments": _names(incomplete)}
            )
        now = timezone.now()
        snapshots = ScoreSnapshot.objects.bulk_create(
            ScoreSnapshot(
                assessment=assessment,
                revision=1,
                overall=rounded(result.overall, STORED_SCORE_PLACES),
                coverage=rounded(result.coverage, STORED_SHARE_PLACES),
                published_at=now,
                published_by=by,
            )
            for assessment, result in scored
        )
        _store_scores(
            [
                _score_rows(
                    snapshot,
                    methodologies[(assessment.cycle.methodology_id, assessment.kind)],
                    answers[assessment.pk],
                    result,
                )
                for snapshot, (assessment, result) in zip(snapshots, scored, strict=True)
            ],
            batch=True,
        )
        for assessment in locked:
            assessment.status = Status.PUBLISHED
            assessment.published_at = assessment.published_at or now
            assessment.updated_at = now
            _record(assessment, "publish", by)
        # What the loop set, in one plain UPDATE: bulk_update's CASE with a branch for each
        # assessment takes Django longer to build than PostgreSQL takes to run it.
        Assessment.objects.filter(pk__in=ids).update(
            status=Status.PUBLISHED,
            published_at=Coalesce("published_at", Value(now)),
            updated_at=now,
        )
        history = Assessment.history.bulk_history_create(locked, update=True)
        # Bulk writes send no signals: the public pages are told here.
        transaction.on_commit(clear_public_pages)
        if notify:
            for assessment, record in zip(locked, history, strict=True):
                _notify("published", assessment, history_id=record.history_id)
        if render:
            _queue_pdfs(locked)
    return snapshots


def _names(assessments) -> str:
    return ", ".join(str(assessment) for assessment in assessments)


def _queue_pdfs(published: list[Assessment]) -> None:
    """A cycle now wholly published is queued once (its report and every scorecard);
    otherwise each municipality's scorecard is."""
    if not settings.RENDER_PDFS:
        return
    by_cycle: dict[int, list[Assessment]] = {}
    for assessment in published:
        by_cycle.setdefault(assessment.cycle_id, []).append(assessment)
    for assessments in by_cycle.values():
        cycle = assessments[0].cycle
        municipalities = sorted({assessment.municipality_id for assessment in assessments})
        if not cycle.assessments.exclude(status=Status.PUBLISHED).exists():
            municipalities = municipalities[:1]
        for municipality_id in municipalities:
            pdf_jobs.queue_after_publish(cycle, municipality_id)


# What a published revision freezes of each answer, besides its score.
FROZEN_ANSWER_FIELDS = ("value", "is_na", *AnswerTexts.TEXT_FIELDS)

# The columns of each level of frozen scores, in the order of the values of its rows. An
# indicator's row is its snapshot and indicator, then what revisions.answer_of compares.
AREA_COLUMNS = ("snapshot_id", "area_id", "score")
CRITERION_COLUMNS = ("snapshot_id", "criterion_id", "score")
INDICATOR_COLUMNS = ("snapshot_id", "indicator_id", *ANSWER_FIELDS)


def _answers_of(assessment_ids: list[int]) -> dict[int, dict[int, tuple]]:
    """Each assessment's answers by indicator id, as FROZEN_ANSWER_FIELDS (the value and
    whether it applies first): the values to score and the texts to freeze, read once for
    both."""
    answers: dict[int, dict[int, tuple]] = {pk: {} for pk in assessment_ids}
    rows = Response.objects.filter(assessment_id__in=assessment_ids).order_by()
    for assessment_id, indicator_id, *answer in rows.values_list(
        "assessment_id", "indicator_id", *FROZEN_ANSWER_FIELDS
    ):
        answers[assessment_id][indicator_id] = tuple(answer)
    return answers


def _score_of(methodology: MethodologyRows, answers: dict[int, tuple]) -> scoring.Result:
    return methodology.score(
        (indicator_id, answer[0], answer[1]) for indicator_id, answer in answers.items()
    )


@dataclass
class ScoreRows:
    """The rows that freeze one revision's scores, not yet saved: tuples of values in the
    order of AREA_COLUMNS, CRITERION_COLUMNS and INDICATOR_COLUMNS. A cycle has some
    17,000 of them, too many to build a model instance for each where COPY needs none."""

    areas: list[tuple]
    criteria: list[tuple]
    indicators: list[tuple]


def _score_rows(
    snapshot: ScoreSnapshot,
    methodology: MethodologyRows,
    responses: dict[int, tuple],
    result: scoring.Result,
) -> ScoreRows:
    snapshot_id = snapshot.pk
    indicators = []
    for indicator_id, code in methodology.indicators:
        value, is_na, *texts = responses[indicator_id]
        normalised = rounded(result.indicators[code], STORED_SHARE_PLACES)
        indicators.append((snapshot_id, indicator_id, value, is_na, normalised, *texts))
    return ScoreRows(
        areas=[
            (snapshot_id, area_id, rounded(result.areas[code], STORED_SCORE_PLACES))
            for area_id, code in methodology.areas
        ],
        criteria=[
            (snapshot_id, criterion_id, rounded(result.criteria[code], STORED_SCORE_PLACES))
            for criterion_id, code in methodology.criteria
        ],
        indicators=indicators,
    )


# Each level of scores: its model, its columns, and where its rows are in a ScoreRows.
SCORE_LEVELS = (
    (AreaScore, AREA_COLUMNS, "areas"),
    (CriterionScore, CRITERION_COLUMNS, "criteria"),
    (IndicatorScore, INDICATOR_COLUMNS, "indicators"),
)


def _store_scores(revisions: list[ScoreRows], *, batch: bool = False) -> None:
    """Write the rows of one or more revisions: one statement for each level.

    A batch (a cycle of 128 assessments is some 17,000 rows) is sent to PostgreSQL with
    COPY, which saves building a model instance for each row and bulk_create's preparing of
    each value: about two thirds of the time it takes to publish the cycle. Everything else
    is an INSERT by bulk_create: on SQLite (development and tests), and one publication,
    whose hundred-odd rows COPY would save a few milliseconds. Both store the same values
    (tests/assessments/test_publish_copy.py compares them).
    """
    write = _copy_rows if batch and _writes_with_copy() else _insert_rows
    for model, columns, level in SCORE_LEVELS:
        write(model, columns, [row for rows in revisions for row in getattr(rows, level)])


def _writes_with_copy() -> bool:
    return connection.vendor == "postgresql"


def _insert_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])


# COPY's text format: a tab between values, a line per row, \N for NULL, and these four
# characters escaped with a backslash.
COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_escape(match: re.Match) -> str:
    return COPY_ESCAPES[match.group()]


def _copy_value(value) -> str:
    """A value as COPY reads it, the same text psycopg2 would send it in for an INSERT
    (str() of a Decimal or an int, true and false for a boolean)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        # A search rather than str.translate, which is slow on Georgian text.
        return COPY_SPECIAL.sub(_copy_escape, value)
    return str(value)


def _copy_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Write the rows with one COPY … FROM STDIN (psycopg2's copy_expert).

    It runs inside the caller's transaction like any statement, and any wrapper around the
    connection's queries (connection.execute_wrapper, the query log of DEBUG and of tests)
    sees it as one query, as it would see the INSERT.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    sql = f"COPY {quote(model._meta.db_table)} ({fields}) FROM STDIN"
    data = io.StringIO(
        "".join("\t".join([_copy_value(value) for value in row]) + "\n" for row in rows)
    )
    with connection.cursor() as cursor:

        def copy(sql, params, many, context):
            connection.validate_no_broken_transaction()
            with connection.wrap_database_errors:
                cursor.cursor.copy_expert(sql, data)

        executor = copy
        for wrapper in reversed(connection.execute_wrappers):
            executor = functools.partial(wrapper, executor)
        context = {"connection": connection, "cursor": cursor}
        if isinstance(cursor, CursorDebugWrapper):  # queries are being logged
            with cursor.debug_sql(sql):
                executor(sql, None, False, context)
        else:
            executor(sql, None, False, context)


def _changes_anything(previous: ScoreSnapshot, indicators: list[tuple]) -> bool:
    """Whether a new revision (its indicator rows) would show anything its predecessor did
    not: an answer, a text, a score, or an evidence file added or removed since."""
    earlier = {
        row[0]: row[1:]
        for row in previous.indicators.order_by().values_list("indicator_id", *ANSWER_FIELDS)
    }
    # INDICATOR_COLUMNS: the snapshot, the indicator, then ANSWER_FIELDS.
    later = {row[1]: row[2:] for row in indicators}
    if earlier != later:
        return True
    since = previous.published_at
    return (
        EvidenceFile.objects.filter(response__assessment_id=previous.assessment_id)
        .filter(Q(uploaded_at__gt=since) | Q(removed_at__gt=since))
        .exists()
    )
