"""Grant e-mails: who hears of each step, in their own language, and once only."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments.permissions import PROJECT_STAFF_GROUP
from musqat import mail

from .models import Application, Report


def _members(application):
    return get_user_model().objects.filter(
        organization_memberships__organization=application.organization_id
    )


def _project_staff(application):
    return get_user_model().objects.filter(groups__name=PROJECT_STAFF_GROUP)


# event: (what the event is about, who hears, subject, where they go next)
EVENTS = {
    "submitted": (
        Application,
        [_members],
        lambda: _("Application received: %(reference)s"),
        "apply:application",
    ),
    "decided": (
        Application,
        [_members],
        lambda: _("Decision on your grant application %(reference)s"),
        "apply:application",
    ),
    "report_reminder": (
        Report,
        [_members],
        lambda: _("Grant report due: %(reference)s"),
        "apply:report",
    ),
    "report_returned": (
        Report,
        [_members],
        lambda: _("Your grant report was returned: %(reference)s"),
        "apply:report",
    ),
    "report_accepted": (
        Report,
        [_members],
        lambda: _("Your grant report was accepted: %(reference)s"),
        "apply:report",
    ),
}


@shared_task(name="grants.tasks.send_grant_notification")
def send_grant_notification(*, event: str, pk: int, key: str) -> int:
    """E-mail everyone concerned by one step of the competition, each in their language.
    `key` names the occasion; a retried task skips the people already reached."""
    model, recipients, subject, url_name = EVENTS[event]
    if model is Report:
        report = Report.objects.select_related(
            "application__call", "application__organization"
        ).get(pk=pk)
        application = report.application
    else:
        report = None
        application = Application.objects.select_related("call", "organization").get(pk=pk)
    people = {}
    for find in recipients:
        for user in find(application).filter(is_active=True).exclude(email=""):
            people[user.pk] = user
    path = reverse(url_name, args=[report.pk if report else application.pk])
    context = {
        "event": event,
        "application": application,
        "report": report,
        "url": settings.SITE_URL.rstrip("/") + path,
    }
    sent = 0
    for user in people.values():
        sent += mail.send_once(
            key=key,
            user=user,
            subject=lambda: subject() % {"reference": application.reference},
            template="grants/email/notification.txt",
            context=context,
        )
    return sent
