"""Background work: PDFs, notification emails and closing expired rights of reply.

Tasks receive primary keys, are queued after the transaction commits, and can run
twice without harm.
"""

import logging

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import documents
from .models import Assessment, SentNotification, language_of
from .roles import PROJECT_STAFF_GROUP
from .workflow import Kind

logger = logging.getLogger(__name__)


def _owners(assessment):
    """Who fills the assessment in: the municipality's staff, or the CSO's members."""
    User = get_user_model()
    if assessment.kind == Kind.SELF:
        return User.objects.filter(municipality_membership__municipality=assessment.municipality)
    return User.objects.filter(organization_memberships__organization=assessment.organization_id)


def _municipal_staff(assessment):
    return get_user_model().objects.filter(
        municipality_membership__municipality=assessment.municipality
    )


def _project_staff(assessment):
    return get_user_model().objects.filter(groups__name=PROJECT_STAFF_GROUP)


RECIPIENTS = {
    "submitted": [_project_staff],
    "returned": [_owners],
    "reply_opened": [_municipal_staff],
    "published": [_owners, _municipal_staff],
}

SUBJECTS = {
    "submitted": lambda: _("Submitted for review: %(assessment)s"),
    "returned": lambda: _("Returned to you with comments: %(assessment)s"),
    "reply_opened": lambda: _("Your right of reply is open: %(assessment)s"),
    "published": lambda: _("Published: %(assessment)s"),
}


def workspace_url(user, assessment) -> str:
    """Where this person works on the assessment: the monitor workspace or the admin."""
    if assessment.kind == Kind.EXTERNAL and not user.is_staff:
        path = reverse("monitor:assessment", args=[assessment.pk])
    elif assessment.status == "reply" and not user.is_superuser:
        path = reverse("admin:assessments_assessment_reply", args=[assessment.pk])
    else:
        path = reverse("admin:assessments_assessment_change", args=[assessment.pk])
    return settings.SITE_URL.rstrip("/") + path


@shared_task
def send_notification(*, event: str, assessment_id: int, key: str) -> int:
    """Email everyone concerned by one workflow event, each in their own language.

    `key` names the event occurrence; a retried task skips the people already sent it.
    """
    assessment = Assessment.objects.select_related("municipality", "cycle", "organization").get(
        pk=assessment_id
    )
    people = {}
    for recipients in RECIPIENTS[event]:
        for user in recipients(assessment).filter(is_active=True).exclude(email=""):
            people[user.pk] = user
    sent = 0
    for user in people.values():
        try:
            with transaction.atomic():
                SentNotification.objects.create(key=f"{key}:{user.pk}")
                with translation.override(language_of(user)):
                    context = {
                        "event": event,
                        "assessment": assessment,
                        "user": user,
                        "url": workspace_url(user, assessment),
                        "comments": assessment.comments.for_reading(),
                    }
                    send_mail(
                        SUBJECTS[event]() % {"assessment": assessment},
                        render_to_string("assessments/email/notification.txt", context),
                        None,
                        [user.email],
                    )
        except IntegrityError:
            continue
        sent += 1
    return sent


@shared_task
def close_expired_replies() -> list[int]:
    from .services import close_expired_replies as close

    return close()


@worker_process_init.connect
def warm_up_pdf_engine(**_kwargs):
    """Each worker process gets its fonts ready when it starts, not in its first job."""
    documents.warm_up()


# Seconds before the first retry of a failed render; each retry waits twice as long.
RENDER_RETRY_SECONDS = 10


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def render_pdf(self, rendering_id: int) -> str:
    """Render one PDF in its language and store it, unless the stored one is current."""
    try:
        return documents.render_and_store(rendering_id)
    except Exception as error:
        final = self.request.is_eager or self.request.retries >= self.max_retries
        documents.record_failure(rendering_id, error, final=final)
        if not final:
            raise self.retry(
                exc=error, countdown=RENDER_RETRY_SECONDS * 2**self.request.retries
            ) from error
        logger.exception("PDF %s failed after %s tries", rendering_id, self.request.retries + 1)
        return "failed"


@shared_task
def sweep_pdfs() -> int:
    """Queue again every published document whose PDF is missing, failed, stale or lost."""
    return len(documents.queue_stale())


# Seconds before the first retry of a failed export; each retry waits twice as long.
EXPORT_RETRY_SECONDS = 10


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=2)
def export_cycle(self, export_id: int) -> str:
    """Write one staff export workbook in its language and store it (once: a stored
    export is left as it is)."""
    from . import exports

    try:
        return exports.run_export(export_id)
    except Exception as error:
        final = self.request.is_eager or self.request.retries >= self.max_retries
        exports.record_failure(export_id, error, final=final)
        if not final:
            raise self.retry(
                exc=error, countdown=EXPORT_RETRY_SECONDS * 2**self.request.retries
            ) from error
        logger.exception("Export %s failed after %s tries", export_id, self.request.retries + 1)
        return "failed"
