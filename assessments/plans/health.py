"""The daily check of adopted plans: an overdue action is marked delayed, and a change in
an action's health (overdue, stale, unverified) is announced once, not every day."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from ..models import Action, ActionStatus, ActionUpdate, PlanStatus
from .notifications import send_plan_notification

# What the check marks delayed once overdue; a delayed, done or dropped action is left.
OPEN = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


def actions_with_latest(actions):
    """Actions with their reports newest first and each report's verdicts, so that
    `latest_of` and `Action.health` read no more rows."""
    return actions.select_related("plan").prefetch_related(
        Prefetch(
            "updates",
            queryset=ActionUpdate.objects.order_by("-reported_on", "-pk").prefetch_related(
                "verdicts"
            ),
        )
    )


def latest_of(action: Action) -> ActionUpdate | None:
    updates = action.updates.all()
    return updates[0] if updates else None


def health_of(action: Action, today: datetime.date):
    latest = latest_of(action)
    return action.health(
        today=today, latest=latest, has_verdict=bool(latest and latest.verdicts.all())
    )


def check_plans(today: datetime.date | None = None, *, notify: bool = True) -> dict[str, int]:
    """Mark and notify, as of `today` (Tbilisi). Returns how many actions were marked
    delayed and how many health changes were announced. With `notify=False` the changes
    are recorded as announced without an e-mail (the demonstration's past)."""
    today = today or timezone.localdate()
    marked = announced = 0
    actions = actions_with_latest(Action.objects.filter(plan__status=PlanStatus.ADOPTED))
    for action in actions:
        health = health_of(action, today)
        with transaction.atomic():
            changed = []
            # Marked only if no report moved it since the list was read.
            if (
                health.overdue
                and action.status in OPEN
                and Action.objects.filter(pk=action.pk, status__in=OPEN).update(
                    status=ActionStatus.DELAYED, updated_at=timezone.now()
                )
            ):
                marked += 1
            if health.key != action.notified_health:
                if health.key and notify:
                    send_plan_notification.delay_on_commit(
                        event="health",
                        pk=action.pk,
                        key=f"plans:health:{action.pk}:{health.key}:{today.isoformat()}",
                    )
                    announced += 1
                action.notified_health = health.key
                changed.append("notified_health")
            if changed:
                Action.objects.filter(pk=action.pk).update(
                    **{field: getattr(action, field) for field in changed}
                )
    return {"marked": marked, "announced": announced}


@shared_task(name="assessments.tasks.check_action_plans")
def check_action_plans() -> dict[str, int]:
    return check_plans()
