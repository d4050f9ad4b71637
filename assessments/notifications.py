"""Workflow e-mails: who hears of each event, in their own language, and once only."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from musqat import mail

from .models import Assessment
from .permissions import PROJECT_STAFF_GROUP
from .workflow import Kind


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


@shared_task(name="assessments.tasks.send_notification")
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
    context = {
        "event": event,
        "assessment": assessment,
        "comments": assessment.comments.for_reading(),
    }
    sent = 0
    for user in people.values():
        sent += mail.send_once(
            key=key,
            user=user,
            subject=lambda: SUBJECTS[event]() % {"assessment": assessment},
            template="assessments/email/notification.txt",
            context={**context, "url": workspace_url(user, assessment)},
        )
    return sent
