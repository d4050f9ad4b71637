"""A call's applications, reviews and awards as one XLSX, written by a worker for staff.

Project staff ask for it on the call's admin page; `export_call` writes it into the
private storage, reporting its progress (rows done of rows to write), and the admin
serves it to staff only. The workbook names the reviewers beside their scores: it is for
project staff, never published. Scores come from `services.application_result` and are
rounded half up to two decimals; a criterion marked N/A says "N/A", never 0.
"""

from __future__ import annotations

import datetime
import functools
import tempfile
import traceback

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.db.models import Count, Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.scoring import rounded
from musqat.celery import Task
from musqat.spreadsheets import Progress, RowCounter, Sheet, write_xlsx

from . import scoring, services
from .models import Application, Call, CallExport, Decision, ReviewAssignment

# How often, in rows, a running export reports its progress.
PROGRESS_EVERY = 50


def with_reviews(applications):
    """Applications with how many reviewers are assigned (not excluded by a declared
    conflict) and how many have submitted, and what `services.application_result` reads,
    prefetched: a list of applications (the workbook, the admin's lists and ranking) then
    takes a fixed number of queries however many rows it has."""
    return applications.annotate(
        reviews_assigned=Count("reviews", filter=~Q(reviews__has_conflict=True), distinct=True),
        reviews_submitted=Count(
            "reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True
        ),
    ).prefetch_related(
        "call__rubric",
        Prefetch(
            "reviews",
            queryset=ReviewAssignment.objects.filter(submitted_at__isnull=False)
            .select_related("reviewer")
            .order_by("pk")
            .prefetch_related("scores"),
            to_attr="submitted_reviews",
        ),
    )


def download_name(export: CallExport) -> str:
    moment = timezone.localtime(export.requested_at)
    return f"{export.call.slug}-{moment:%Y%m%d-%H%M}.xlsx"


# --- The workbook ---------------------------------------------------------------------------


def _score(value):
    return rounded(value, 2)


def _local(moment: datetime.datetime | None) -> str:
    """A moment in Tbilisi time, as text that every spreadsheet program reads alike."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _day(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def write_call_workbook(call: Call, *, language: str, out, progress: Progress | None = None):
    """Write the call's applications, reviews and awards to `out` (a path or a binary
    file), in the language given. `progress(done, total)` is called every few rows and
    once at the end, when done is total."""
    with translation.override(language):
        sheets = _sheets(call)
        total = sum(len(sheet.rows) for sheet in sheets)
        counter = RowCounter(total, progress, every=PROGRESS_EVERY)
        write_xlsx(
            [Sheet(sheet.title, sheet.columns, counter.rows(sheet.rows)) for sheet in sheets],
            out=out,
        )
        counter.finish()


def _sheets(call: Call) -> list[Sheet]:
    applications = list(
        with_reviews(call.applications.submitted())
        .select_related("call", "organization", "municipality")
        .prefetch_related("indicators", "reports")
        .order_by("reference")
    )
    criteria = list(call.rubric.all())
    results = {a.pk: services.application_result(a) for a in applications}
    return [
        _applications_sheet(applications, results),
        _reviews_sheet(applications, criteria),
        _awards_sheet(call, applications),
    ]


def _codes(application: Application) -> str:
    return ", ".join(indicator.code for indicator in application.indicators.all())


def _applications_sheet(applications, results) -> Sheet:
    rows = []
    for application in applications:
        result = results[application.pk]
        rows.append([
            application.reference,
            application.organization.name,
            application.municipality.name if application.municipality else "",
            application.title,
            _codes(application),
            _local(application.submitted_at),
            application.requested_amount,
            application.get_eligibility_display(),
            application.eligibility_reason,
            application.reviews_submitted,
            application.reviews_assigned,
            _score(result.score),
            _score(application.moderated_score),
            _score(scoring.ranking_score(result.score, application.moderated_score)),
            _score(result.spread),
            _yes_no(result.needs_moderation),
            application.moderation_note,
            application.get_decision_display(),
            application.awarded_amount,
        ])  # fmt: skip
    return Sheet(
        _("Applications"),
        [
            _("Reference number"), _("Organisation"), _("Municipality"), _("Project title"),
            _("Target indicators"), _("Submitted (Tbilisi time)"), _("Requested (GEL)"),
            _("Eligibility"), _("Reason for ineligibility"), _("Reviews submitted"),
            _("Reviews assigned"), _("Score"), _("Moderated score"), _("Score for ranking"),
            _("Spread"), _("Needs moderation"), _("Moderation note"), _("Decision"),
            _("Awarded (GEL)"),
        ],
        rows,
    )  # fmt: skip


def _reviews_sheet(applications, criteria) -> Sheet:
    """One row per submitted review and criterion of the rubric: the reviewer by name."""
    weights = {str(criterion.pk): criterion.weight for criterion in criteria}
    not_applicable = _("N/A")
    rows = []
    for application in applications:
        for review in application.submitted_reviews:
            scores = {score.criterion_id: score for score in review.scores.all()}
            total = scoring.reviewer_total(
                {str(pk): score.points for pk, score in scores.items()}, weights
            )
            for criterion in criteria:
                score = scores.get(criterion.pk)
                if score is None:
                    points, comment = None, ""
                else:
                    points = not_applicable if score.points is None else score.points
                    comment = score.comment
                rows.append([
                    application.reference, _person(review.reviewer), criterion.name,
                    criterion.weight, points, comment, _score(total),
                    _local(review.submitted_at),
                ])  # fmt: skip
    return Sheet(
        _("Reviews"),
        [
            _("Reference number"), _("Reviewer"), _("Criterion"), _("Weight"),
            _("Score (0–5)"), _("Comment"), _("Reviewer's total"), _("Submitted (Tbilisi time)"),
        ],
        rows,
    )  # fmt: skip


def _awards_sheet(call: Call, applications) -> Sheet:
    rows = []
    for application in applications:
        if application.decision != Decision.AWARDED:
            continue
        reports = {report.kind: report for report in application.reports.all()}
        rows.append([
            application.reference,
            application.organization.name,
            application.municipality.name if application.municipality else "",
            application.title,
            _codes(application),
            application.awarded_amount,
            _day(application.grant_start),
            _day(application.grant_end),
            _local(application.decided_at),
            _yes_no(bool(application.agreement)),
            *(
                reports[kind].get_status_display() if kind in reports else ""
                for kind in ("interim", "final")
            ),
        ])  # fmt: skip
    rows.append([_("Total"), "", "", "", "", services.awards_total(call)])
    return Sheet(
        _("Awards"),
        [
            _("Reference number"), _("Organisation"), _("Municipality"), _("Project title"),
            _("Target indicators"), _("Awarded (GEL)"), _("Grant starts"), _("Grant ends"),
            _("Decided (Tbilisi time)"), _("Agreement"), _("Interim report"), _("Final report"),
        ],
        rows,
    )  # fmt: skip


# --- The task -------------------------------------------------------------------------------


def queue_export(*, call: Call, by, language: str) -> CallExport:
    """Record an export and queue it once the transaction commits."""
    export = CallExport.objects.create(call=call, requested_by=by)
    export_call.delay_on_commit(export.pk, language)
    return export


class ExportTask(Task):
    def not_queued(self, error: Exception, export_id: int, *args, **kwargs) -> None:
        """An export that cannot be queued would wait for ever (and its admin page would
        reload for ever): it fails at once, saying why."""
        detail = "".join(traceback.format_exception_only(error)).strip()
        message = _("The task queue could not be reached; ask again later.")
        record_failure(export_id, f"{message}\n{detail}", final=True)


def run_export(export_id: int, *, language: str) -> str:
    """The export task's work: write the workbook and store it; a stored one is kept."""
    export = CallExport.objects.select_related("call").filter(pk=export_id).first()
    if export is None:
        return "gone"
    storage = export.file.storage
    if export.state == CallExport.State.READY and storage.exists(export.file.name):
        return "done"
    CallExport.objects.filter(pk=export.pk).update(
        state=CallExport.State.RUNNING, done=0, total=0, error=""
    )

    def progress(done: int, total: int) -> None:
        CallExport.objects.filter(pk=export.pk).update(done=done, total=total)

    with tempfile.TemporaryFile() as out:
        write_call_workbook(export.call, language=language, out=out, progress=progress)
        out.seek(0)
        name = storage.save(
            export.file.field.generate_filename(export, download_name(export)), File(out)
        )
    export.refresh_from_db(fields=["done", "total"])
    old = export.file.name
    export.file.name = name
    export.state = CallExport.State.READY
    export.error = ""
    export.save(update_fields=["file", "state", "error"])
    if old and old != name:
        storage.delete(old)
    return "done"


def record_failure(export_id: int, error: BaseException | str, *, final: bool) -> None:
    """Keep the error (an exception, or a message for staff); a last failure stays
    failed, for staff to see and ask again."""
    if isinstance(error, BaseException):
        error = "".join(traceback.format_exception_only(error)).strip()
    CallExport.objects.filter(pk=export_id).update(
        state=CallExport.State.FAILED if final else CallExport.State.PENDING, error=error[:2000]
    )


@shared_task(
    name="grants.tasks.export_call",
    base=ExportTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=2,
)
def export_call(self, export_id: int, language: str = settings.LANGUAGE_CODE) -> str:
    """Write one call's workbook in the language asked for and store it (once: a stored
    export is left as it is)."""
    return self.run_recorded(
        functools.partial(run_export, language=language), record_failure, export_id
    )
