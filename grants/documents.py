"""The call as a PDF in each language, and what the public pages must forget when the
competition changes.

A PDF is never laid out in a request: saving a call that is no longer a draft, or
changing its rows (checklist, documents, rubric, municipalities, priority indicators),
queues `render_call_pdf` for each language after the commit; the download view queues
it too when it finds no current file. A `CallDocument` is current while its
`rendered_from` is the call's `updated_at`, so a change to a row moves the call's
`updated_at` as well.
"""

from __future__ import annotations

import functools
import traceback

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation

from musqat import pdf
from musqat.cache import clear_public_pages

from . import register
from .models import (
    Application,
    Call,
    CallDocument,
    CallStage,
    ChecklistItem,
    Decision,
    RequiredAttachment,
    RubricCriterion,
)

LANGUAGES = register.LANGUAGES
TEMPLATE = "pdf/grant_call.html"
# A render asked for is not asked for again for this long (a worker may be busy).
PENDING_SECONDS = 300


# --- Queuing --------------------------------------------------------------------------------


def _pending_key(call_id: int, language: str, updated_at) -> str:
    return f"grants:call-pdf:{call_id}:{language}:{updated_at.timestamp()}"


def request_render(call: Call, language: str) -> bool:
    """Queue the call's PDF in one language after the commit, unless a render of this
    version of the call is already waiting. Whether it was queued."""
    if not settings.RENDER_PDFS or call.stage == CallStage.DRAFT:
        return False
    if not cache.add(_pending_key(call.pk, language, call.updated_at), True, PENDING_SECONDS):
        return False
    render_call_pdf.delay_on_commit(call.pk, language)
    return True


def request_renders(call_ids) -> None:
    """Queue the PDFs of these calls (drafts have none) in every language."""
    for call in Call.objects.filter(pk__in=call_ids).exclude(stage=CallStage.DRAFT):
        for language in LANGUAGES:
            request_render(call, language)


def _render_after_commit(call_ids) -> None:
    # Decided once the transaction commits, from the call as it then is: saving a call
    # with its rows changes it several times, and one render per language will do.
    transaction.on_commit(functools.partial(request_renders, list(call_ids)), robust=True)


@receiver(post_save, sender=Call, dispatch_uid="grants.documents.call_saved")
def call_saved(sender, instance: Call, raw=False, **kwargs):
    if not raw and settings.RENDER_PDFS:
        _render_after_commit([instance.pk])


def _call_changed(call_ids) -> None:
    """A row of these calls changed: the calls changed, and their PDFs are stale."""
    call_ids = [pk for pk in call_ids if pk is not None]
    if call_ids:
        Call.objects.filter(pk__in=call_ids).update(updated_at=timezone.now())
        if settings.RENDER_PDFS:
            _render_after_commit(call_ids)


def call_row_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _call_changed([instance.call_id])


for row in (ChecklistItem, RequiredAttachment, RubricCriterion):
    post_save.connect(
        call_row_changed, sender=row, dispatch_uid=f"grants.documents.{row.__name__}.save"
    )
    post_delete.connect(
        call_row_changed, sender=row, dispatch_uid=f"grants.documents.{row.__name__}.delete"
    )


def call_links_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not kwargs["reverse"]:
        _call_changed([instance.pk])
    elif pk_set:  # from the municipality's or indicator's side: pk_set holds the calls
        _call_changed(pk_set)


for through in (Call.municipalities.through, Call.priority_indicators.through):
    m2m_changed.connect(
        call_links_changed, sender=through, dispatch_uid=f"grants.documents.{through.__name__}"
    )


# --- Rendering ------------------------------------------------------------------------------


def call_context(call: Call) -> dict:
    """What the call's PDF shows, in the current language: the call as an applicant
    needs it (not its status, which the clock changes after the file is made). The call
    should come with `register.with_call_texts`."""
    site = settings.SITE_URL.rstrip("/")
    return {
        "call": call,
        "priorities": register.priorities(call),
        "total_weight": register.total_weight(call),
        "page_url": site + reverse("grants:call", args=[call.slug]),
        "apply_url": site + register.apply_url(),
    }


def render_and_store(call_id: int, *, language: str) -> str:
    """The task's work: skip a file that is current, else lay the call out and keep it.

    The new file is written under a name of its own and the record then points at it,
    so a half-written file is never served; the old file goes once it is replaced."""
    call = register.with_call_texts(Call.objects.public()).filter(pk=call_id).first()
    if call is None:
        return "gone"
    document, _created = CallDocument.objects.get_or_create(call=call, language=language)
    document.call = call
    if document.is_ready and document.file.storage.exists(document.file.name):
        return "current"
    with translation.override(language):
        content, _pages = pdf.render_html(TEMPLATE, call_context(call))
    old = document.file.name
    document.file.save(f"{language}.pdf", ContentFile(content), save=False)
    document.rendered_from = call.updated_at
    document.error = ""
    document.save(update_fields=["file", "rendered_from", "error"])
    if old and old != document.file.name:
        document.file.storage.delete(old)
    return "rendered"


def record_failure(call_id: int, error: BaseException, *, final: bool, language: str) -> None:
    """A last failure is kept for staff and shown as such; earlier ones are retried."""
    if final:
        CallDocument.objects.filter(call_id=call_id, language=language).update(
            error="".join(traceback.format_exception_only(error)).strip()[:2000]
        )


@shared_task(
    name="grants.tasks.render_call_pdf",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
)
def render_call_pdf(self, call_id: int, language: str) -> str:
    """Render one call's PDF in one language and store it, unless the stored one is current."""
    return self.run_recorded(
        functools.partial(render_and_store, language=language),
        functools.partial(record_failure, language=language),
        call_id,
    )


# --- The public page cache ------------------------------------------------------------------
# The municipality pages list the grants working on each municipality and the calls open
# to it, and the data page offers the awards: a change to a call, or to an award, makes
# the cached public pages stale (as assessments/apps.py does for published results).


def _clear_on_commit() -> None:
    transaction.on_commit(clear_public_pages)


@receiver(post_save, sender=Call, dispatch_uid="grants.documents.call_cache")
@receiver(post_delete, sender=Call, dispatch_uid="grants.documents.call_cache_delete")
def call_shown_changed(sender, instance: Call, **kwargs):
    _clear_on_commit()


@receiver(post_save, sender=Application, dispatch_uid="grants.documents.award_cache")
@receiver(post_delete, sender=Application, dispatch_uid="grants.documents.award_delete")
def award_changed(sender, instance: Application, **kwargs):
    # Drafts and undecided applications appear nowhere public: only awards matter.
    if instance.decision == Decision.AWARDED:
        _clear_on_commit()
