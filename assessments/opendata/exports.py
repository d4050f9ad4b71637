"""Staff exports in the background: recorded, queued after the commit, written by a worker.

Project staff ask for a cycle's workbook in the admin; `export_cycle` writes it into
the private storage, reporting its progress, and the admin serves it to staff only.
"""

from __future__ import annotations

import tempfile
import traceback

from celery import shared_task
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from musqat.celery import Task

from ..models import Cycle, Export, JobStatus
from . import workbook


def queue_export(*, cycle: Cycle, language: str, by) -> Export:
    """Record an export and queue it once the transaction commits."""
    export = Export.objects.create(cycle=cycle, language=language, requested_by=by)
    export_cycle.delay_on_commit(export.pk)
    return export


class ExportTask(Task):
    def not_queued(self, error: Exception, export_id: int) -> None:
        """An export that cannot be queued would stay pending for ever (and its admin page
        would reload for ever): it fails at once, saying why."""
        detail = "".join(traceback.format_exception_only(error)).strip()
        message = _("The task queue could not be reached; ask again later.")
        record_failure(export_id, f"{message}\n{detail}", final=True)


def run_export(export_id: int) -> str:
    """The export task's work: write the workbook and store it; a stored one is kept."""
    export = Export.objects.select_related("cycle__methodology").filter(pk=export_id).first()
    if export is None:
        return "gone"
    storage = export.file.storage
    if export.is_ready and storage.exists(export.file.name):
        return "done"
    Export.objects.filter(pk=export.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), done=0, error=""
    )

    def progress(done: int, total: int) -> None:
        Export.objects.filter(pk=export.pk).update(done=done, total=total)

    with tempfile.TemporaryFile() as out:
        workbook.write_cycle_workbook(
            export.cycle, language=export.language, out=out, progress=progress
        )
        out.seek(0)
        name = storage.save(f"exports/{export.cycle.year}/{export.download_name()}", File(out))
    export.refresh_from_db(fields=["done", "total"])
    old = export.file.name
    export.file.name = name
    export.status = JobStatus.DONE
    export.error = ""
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "error", "finished_at"])
    if old and old != name:
        storage.delete(old)
    return "done"


def record_failure(export_id: int, error: BaseException | str, *, final: bool) -> None:
    """Keep the error (an exception, or a message for staff); a last failure stays
    failed, for staff to see and ask again."""
    if isinstance(error, BaseException):
        error = "".join(traceback.format_exception_only(error)).strip()
    Export.objects.filter(pk=export_id).update(
        status=JobStatus.FAILED if final else JobStatus.PENDING,
        error=error[:2000],
        finished_at=timezone.now() if final else None,
    )


@shared_task(
    name="assessments.tasks.export_cycle",
    base=ExportTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=2,
)
def export_cycle(self, export_id: int) -> str:
    """Write one staff export workbook in its language and store it (once: a stored
    export is left as it is)."""
    return self.run_recorded(run_export, record_failure, export_id)
