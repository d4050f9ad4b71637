"""Making the PDFs: queued after the commit, rendered by a worker, stored atomically.

`render_pdf` is the only place a PDF is laid out; publishing, the sweep and the
command only queue it. Safe to run twice or after a worker died half-way.
"""

from __future__ import annotations

import functools
import time
import traceback
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from musqat import pdf
from musqat.cache import clear_public_pages

from ..models import Cycle, Document, JobStatus, Rendering
from ..workflow import Status
from .documents import renderings_for, renderings_to_make, source_of
from .layouts import LAYOUTS


def queue(renderings) -> int:
    """Mark these documents pending and queue their render once the transaction commits.

    A broker that cannot be reached leaves them pending; the sweep queues them again.
    """
    renderings = list(renderings)
    now = timezone.now()
    Rendering.objects.filter(pk__in=[r.pk for r in renderings]).update(
        status=JobStatus.PENDING, requested_at=now
    )
    for rendering in renderings:
        rendering.status, rendering.requested_at = JobStatus.PENDING, now
    for rendering in renderings:
        render_pdf.delay_on_commit(rendering.pk)
    return len(renderings)


def queue_stale(*, cycle: Cycle | None = None, force: bool = False,
                stuck_after: timedelta | None = None) -> list[Rendering]:  # fmt: skip
    """Queue every document (of one cycle, or all) whose file is missing, failed or stale."""
    if not settings.RENDER_PDFS:
        return []
    wanted = renderings_to_make(cycle=cycle, force=force, stuck_after=stuck_after)
    queue(wanted)
    return wanted


def queue_after_publish(cycle: Cycle, municipality_id: int) -> None:
    """A publication calls for its scorecard at once; once the whole cycle is published,
    for the report and for every scorecard whose ranks it changed.

    Decided after the publication commits, so that the publishing transaction does not
    hold the assessment's lock while the documents are fingerprinted and recorded.
    """
    if settings.RENDER_PDFS:
        transaction.on_commit(
            functools.partial(_queue_after_publish, cycle, municipality_id), robust=True
        )


def _queue_after_publish(cycle: Cycle, municipality_id: int) -> None:
    if not cycle.assessments.exclude(status=Status.PUBLISHED).exists():
        # Later cycles show this one as their history (changes, earlier scores).
        for later in Cycle.objects.with_published().filter(year__gte=cycle.year):
            queue_stale(cycle=later, stuck_after=timedelta(0))
        return
    queue(renderings_for([(Document.SCORECARD, cycle.pk, municipality_id, None)]))


def render(rendering: Rendering) -> tuple[bytes, int]:
    """Lay the document out in the current language: the PDF and its page count."""
    template, context = LAYOUTS[rendering.document](rendering)
    return pdf.render_html(template, context)


def store(rendering: Rendering, content: bytes, source: str) -> str:
    """Keep a rendered file under a name that says what it shows and from which data."""
    name = f"pdf/{rendering.document}/{rendering.download_name()[:-4]}-{source[:12]}.pdf"
    return pdf.store(name, content)


def render_and_store(rendering_id: int) -> str:
    """The render task's work: skip a file that is already current, else render and store.

    Safe to run twice or after a worker died half-way: the record points at the last
    complete file until the new one is complete, never at a half-written one.
    """
    rendering = (
        Rendering.objects.select_related("cycle__methodology", "municipality", "methodology")
        .filter(pk=rendering_id)
        .first()
    )
    if rendering is None:
        return "gone"
    source = source_of(rendering)
    if source is None:
        Rendering.objects.filter(pk=rendering.pk).update(
            # Errors are kept as the software reports them, like exception messages.
            status=JobStatus.FAILED,
            error="Nothing of this document is published.",
        )
        return "unpublished"
    if (
        rendering.is_ready
        and rendering.source == source
        and default_storage.exists(rendering.file.name)
    ):
        return "current"
    Rendering.objects.filter(pk=rendering.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    started = time.perf_counter()
    with translation.override(rendering.language):
        content, pages = render(rendering)
    name = store(rendering, content, source)
    old = rendering.file.name
    rendering.file.name = name
    rendering.status = JobStatus.DONE
    rendering.source = source
    rendering.pages = pages
    rendering.error = ""
    rendering.duration = round(time.perf_counter() - started, 3)
    rendering.finished_at = timezone.now()
    rendering.save(
        update_fields=["file", "status", "source", "pages", "error", "duration", "finished_at"]
    )
    if old and old != name:
        default_storage.delete(old)
    clear_public_pages()
    # Published again while this one was rendering: render once more.
    if source_of(rendering) != source:
        queue([rendering])
    return "rendered"


def record_failure(rendering_id: int, error: BaseException, *, final: bool) -> None:
    """Keep the error; a last failure stays failed (the sweep tries again later)."""
    Rendering.objects.filter(pk=rendering_id).update(
        status=JobStatus.FAILED if final else JobStatus.PENDING,
        error="".join(traceback.format_exception_only(error)).strip()[:2000],
        finished_at=timezone.now(),
    )


@worker_process_init.connect
def warm_up_pdf_engine(**_kwargs):
    """Each worker process gets its fonts ready when it starts, not in its first job."""
    pdf.warm_up()


@shared_task(
    name="assessments.tasks.render_pdf",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
)
def render_pdf(self, rendering_id: int) -> str:
    """Render one PDF in its language and store it, unless the stored one is current."""
    return self.run_recorded(render_and_store, record_failure, rendering_id)


@shared_task(name="assessments.tasks.sweep_pdfs")
def sweep_pdfs() -> int:
    """Queue again every published document whose PDF is missing, failed, stale or lost."""
    return len(queue_stale())
