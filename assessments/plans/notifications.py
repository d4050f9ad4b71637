"""Action-plan e-mails: who hears of each step, in their own language, and once only.

The municipality's staff hear of verdicts on their reports and of their actions' health;
the members of the organisations working in the municipality hear of adoptions, new
reports to verify, answers to their verdicts and the same health changes.
"""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from musqat import mail

from ..models import Action, ActionPlan, ActionUpdate, Verdict, VerdictAnswer


def _municipal_staff(plan):
    return get_user_model().objects.filter(
        municipality_membership__municipality=plan.municipality_id
    )


def _monitors(plan):
    return get_user_model().objects.filter(
        organization_memberships__organization__municipalities=plan.municipality_id
    )


def _admin_url(action):
    return reverse("admin:assessments_action_change", args=[action.pk])


def _monitor_url(action):
    return reverse("monitor:plan", args=[action.plan_id]) + f"#action-{action.pk}"


# event: (model, how to reach its action, who hears, subject)
EVENTS = {
    "adopted": (
        ActionPlan,
        None,
        [(_monitors, lambda plan, action: reverse("monitor:plan", args=[plan.pk]))],
        lambda: _("A new action plan to monitor: %(municipality)s"),
    ),
    "reported": (
        ActionUpdate,
        lambda update: update.action,
        [(_monitors, lambda plan, action: _monitor_url(action))],
        lambda: _("A progress report to verify: %(municipality)s"),
    ),
    "verdict": (
        Verdict,
        lambda verdict: verdict.update.action,
        [(_municipal_staff, lambda plan, action: _admin_url(action))],
        lambda: _("A monitor has judged your progress report: %(municipality)s"),
    ),
    "answered": (
        VerdictAnswer,
        lambda answer: answer.verdict.update.action,
        [(_monitors, lambda plan, action: _monitor_url(action))],
        lambda: _("The municipality has answered your verdict: %(municipality)s"),
    ),
    "health": (
        Action,
        lambda action: action,
        [
            (_municipal_staff, lambda plan, action: _admin_url(action)),
            (_monitors, lambda plan, action: _monitor_url(action)),
        ],
        lambda: _("An action of the plan needs attention: %(municipality)s"),
    ),
}


@shared_task(name="assessments.tasks.send_plan_notification")
def send_plan_notification(*, event: str, pk: int, key: str) -> int:
    """E-mail everyone concerned by one step of a plan, each in their language. `key`
    names the occasion; a retried task skips the people already reached."""
    model, action_of, audiences, subject = EVENTS[event]
    subject_of = model.objects.get(pk=pk)
    action = action_of(subject_of) if action_of else None
    plan = action.plan if action else subject_of
    health = action.health(today=timezone.localdate()) if event == "health" else None
    sent = 0
    reached = set()
    for find, url in audiences:
        path = url(plan, action)
        for user in find(plan).filter(is_active=True).exclude(email="").distinct():
            if user.pk in reached:
                continue
            reached.add(user.pk)
            context = {
                "event": event,
                "plan": plan,
                "action": action,
                "subject": subject_of,
                "health": health,
                "url": settings.SITE_URL.rstrip("/") + path,
            }
            sent += mail.send_once(
                key=key,
                user=user,
                subject=lambda: subject() % {"municipality": plan.municipality.name},
                template="assessments/email/plan_notification.txt",
                context=context,
            )
    return sent
