"""Service improvement action plans: a municipality's commitments after a published cycle,
its reports on each action, and the monitoring organisations' verdicts on those reports.

The rules that live here are the ones the database can hold (dates in order, a dropped
action says why, one verdict per organisation on a report) and the health of an action,
computed from its dates and its reports: overdue, stale and unverified.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators.models import Criterion, Indicator
from municipalities.models import Municipality, Organization
from musqat.storage import private_storage

from .cycles import Cycle
from .snapshots import SCORE_DIGITS


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ADOPTED = "adopted", _("adopted")
    CLOSED = "closed", _("closed")


# What citizens may read: a plan once adopted, and after it is closed.
PUBLIC_PLAN_STATUSES = (PlanStatus.ADOPTED, PlanStatus.CLOSED)


def order_document_path(plan, filename):
    return f"plans/{plan.municipality.slug}/order-{uuid.uuid4().hex[:12]}-{filename[-80:]}"


def evidence_path(evidence, filename):
    return f"plans/evidence/{uuid.uuid4().hex}/{filename[-80:]}"


class PlanQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC_PLAN_STATUSES)


class ActionPlan(models.Model):
    """A two-year Service Improvement Action Plan, approved by the mayor's order."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("municipality"),
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.PROTECT,
        related_name="action_plans",
        verbose_name=_("cycle"),
        help_text=_("The published cycle whose findings the plan answers."),
    )
    starts_on = models.DateField(_("period starts"))
    ends_on = models.DateField(_("period ends"))
    order_number = models.CharField(_("order number"), max_length=50, blank=True)
    order_date = models.DateField(_("order date"), null=True, blank=True)
    order_document = models.FileField(
        _("order document"),
        upload_to=order_document_path,
        storage=private_storage,
        blank=True,
        max_length=200,
        help_text=_("The mayor's order approving the plan (PDF). Public once adopted."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adopted by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["municipality__name", "-starts_on"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="a_plan_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(status=PlanStatus.DRAFT)
                | (
                    ~Q(order_number="")
                    & Q(order_date__isnull=False)
                    & ~Q(order_document="")
                    & Q(adopted_at__isnull=False)
                ),
                name="an_adopted_plan_has_its_order",
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(status=PlanStatus.ADOPTED),
                name="one_adopted_plan_per_municipality",
            ),
        ]

    def __str__(self):
        return f"{self.municipality} · {self.cycle.year} ({self.period})"

    @property
    def period(self) -> str:
        return f"{self.starts_on.year}–{self.ends_on.year}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_PLAN_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = _("The plan's period must end after it starts.")
        if self.pk and not self.is_draft:
            before = ActionPlan.objects.filter(pk=self.pk).values("municipality_id", "cycle_id")[:1]
            for row in before:
                if (row["municipality_id"], row["cycle_id"]) != (
                    self.municipality_id,
                    self.cycle_id,
                ):
                    errors["cycle"] = _(
                        "An adopted plan keeps its municipality and cycle; draft a new plan "
                        "instead."
                    )
        if self.cycle_id and self.municipality_id and not errors.get("cycle"):
            published = self.cycle.assessments.filter(
                municipality_id=self.municipality_id, snapshots__is_current=True
            ).exists()
            if not published:
                errors["cycle"] = _(
                    "This municipality has no published results in the %(year)s cycle; a plan "
                    "answers published findings."
                ) % {"year": self.cycle.year}
        if self.pk and self.starts_on and self.ends_on:
            outside = self.actions.filter(
                Q(starts_on__lt=self.starts_on) | Q(due_on__gt=self.ends_on)
            ).count()
            if outside:
                errors.setdefault("ends_on", []).append(
                    _(
                        "%(count)s actions would fall outside the new period; change their "
                        "dates first."
                    )
                    % {"count": outside}
                )
        if errors:
            raise ValidationError(errors)

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise ValidationError(_("An adopted plan is never deleted; close it instead."))
        return super().delete(*args, **kwargs)


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DELAYED = "delayed", _("delayed")
    DROPPED = "dropped", _("dropped")


# The progress an action shows by its status, unless a report says otherwise.
DEFAULT_PROGRESS = {
    ActionStatus.PLANNED: 0,
    ActionStatus.IN_PROGRESS: 50,
    ActionStatus.DONE: 100,
    ActionStatus.DELAYED: 25,
    ActionStatus.DROPPED: 0,
}

# An action in one of these states is finished: nothing is overdue, stale or waited for.
FINISHED = (ActionStatus.DONE, ActionStatus.DROPPED)


class Health(models.TextChoices):
    OVERDUE = "overdue", _("overdue")
    STALE = "stale", _("no recent update")
    UNVERIFIED = "unverified", _("not verified")


@dataclass(frozen=True)
class ActionHealth:
    overdue: bool
    stale: bool
    unverified: bool

    @property
    def flags(self) -> list[str]:
        return [
            flag
            for flag, on in (
                (Health.OVERDUE, self.overdue),
                (Health.STALE, self.stale),
                (Health.UNVERIFIED, self.unverified),
            )
            if on
        ]

    @property
    def key(self) -> str:
        """The state as one word, for "notify once per change"."""
        return "+".join(self.flags)

    @property
    def labels(self) -> list[str]:
        return [Health(flag).label for flag in self.flags]


class Action(models.Model):
    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    indicators = models.ManyToManyField(
        Indicator,
        through="ActionIndicator",
        related_name="actions",
        blank=True,
        verbose_name=_("indicators addressed"),
    )
    criteria = models.ManyToManyField(
        Criterion, related_name="actions", blank=True, verbose_name=_("criteria addressed")
    )
    responsible_unit = models.CharField(_("responsible unit"), max_length=200)
    starts_on = models.DateField(_("start date"))
    due_on = models.DateField(pgettext_lazy("action", "due date"))
    # Set the first time an adopted action's due date moves, so the promise stays visible.
    original_due_on = models.DateField(_("original due date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (GEL)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_source = models.CharField(_("source of funding"), max_length=200, blank=True)
    expected_result = models.TextField(_("expected result"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty for the status's usual progress."),
    )
    dropped_reason = models.TextField(_("why it was dropped"), blank=True)
    # The health last announced by e-mail, so the daily check notifies once per change.
    notified_health = models.CharField(
        max_length=40, blank=True, editable=False, verbose_name=_("notified health")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["plan", "number", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="one_action_per_number_in_a_plan",
                violation_error_message=_("The plan already has an action with this number."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=F("starts_on")), name="an_action_is_due_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="an_action_budget_is_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="action_progress_is_a_percentage",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @property
    def shown_progress(self) -> int:
        if self.progress is not None:
            return self.progress
        return DEFAULT_PROGRESS[ActionStatus(self.status)]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def due_date_moved(self) -> bool:
        return self.original_due_on is not None and self.original_due_on != self.due_on

    def clean(self):
        errors = {}
        if self.starts_on and self.due_on and self.due_on <= self.starts_on:
            errors["due_on"] = _("The due date must come after the start date.")
        if self.plan_id and self.starts_on and self.due_on:
            plan = self.plan
            if plan.starts_on and plan.ends_on:
                period = {"start": plan.starts_on, "end": plan.ends_on}
                if not plan.starts_on <= self.starts_on <= plan.ends_on:
                    errors["starts_on"] = (
                        _("The start date must fall within the plan's period, %(start)s–%(end)s.")
                        % period
                    )
                if not plan.starts_on <= self.due_on <= plan.ends_on:
                    errors.setdefault("due_on", []).append(
                        _("The due date must fall within the plan's period, %(start)s–%(end)s.")
                        % period
                    )
        if self.status == ActionStatus.DROPPED and not any(
            (getattr(self, f"dropped_reason_{language}", "") or "").strip()
            for language in ("ka", "en")
        ):
            errors["dropped_reason_ka"] = _("Say why the action was dropped.")
        if errors:
            raise ValidationError(errors)

    def health(self, *, today: datetime.date, latest=None, has_verdict=None) -> ActionHealth:
        """Overdue, stale and unverified, as of `today`. `latest` is the action's latest
        report (None: none yet) and `has_verdict` whether any verdict judged it; both are
        read from the database when not given."""
        if latest is None and has_verdict is None:
            latest = self.updates.order_by("-reported_on", "-pk").first()
        if has_verdict is None:
            has_verdict = bool(latest and latest.verdicts.exists())
        if self.is_finished:
            overdue = stale = False
        else:
            overdue = self.due_on < today
            last = latest.reported_on if latest else self.plan_start_for_staleness()
            stale = (today - last).days > settings.ACTION_STALE_DAYS
        unverified = latest is not None and not has_verdict
        return ActionHealth(overdue=overdue, stale=stale, unverified=unverified)

    def plan_start_for_staleness(self) -> datetime.date:
        """Without any report, an action's silence counts from when the plan was adopted
        or the action started, whichever is later."""
        adopted = self.plan.adopted_at
        adopted_on = timezone.localdate(adopted) if adopted else self.plan.starts_on
        return max(adopted_on, self.starts_on)


class ActionIndicator(models.Model):
    """An indicator an action addresses, with its published score in the plan's cycle,
    kept when the action is saved so that the promise's starting point never moves."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="targets", verbose_name=_("action")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    baseline = models.DecimalField(_("score in the plan's cycle"), null=True, **SCORE_DIGITS)
    baseline_kind = models.CharField(max_length=10, blank=True, verbose_name=_("baseline kind"))

    class Meta:
        ordering = ["indicator__code"]
        verbose_name = _("indicator addressed")
        verbose_name_plural = _("indicators addressed")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "indicator"], name="one_target_per_action_indicator"
            ),
        ]

    def __str__(self):
        return str(self.indicator)


class DueDateChange(models.Model):
    """A moved due date of an adopted action: the old and new dates, who and why."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="due_date_changes", verbose_name=_("action")
    )
    old_due_on = models.DateField(_("earlier due date"))
    new_due_on = models.DateField(_("new due date"))
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["action", "changed_at", "pk"]
        verbose_name = _("due date change")
        verbose_name_plural = _("due date changes")

    def __str__(self):
        return f"{self.action}: {self.old_due_on} → {self.new_due_on}"


class ActionUpdate(models.Model):
    """A dated progress report by the municipality, with its evidence; kept with its author."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="updates", verbose_name=_("action")
    )
    reported_on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty for the status's usual progress."),
    )
    text = models.TextField(_("what was done"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["action", "-reported_on", "-pk"]
        get_latest_by = ["reported_on", "pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="update_progress_is_a_percentage",
            ),
        ]

    def __str__(self):
        return f"{self.action} · {self.reported_on}"

    @property
    def shown_progress(self) -> int:
        if self.progress is not None:
            return self.progress
        return DEFAULT_PROGRESS[ActionStatus(self.status)]


class VerdictKind(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed")
    DISPUTED = "disputed", _("disputed")
    INSUFFICIENT = "insufficient", _("insufficient evidence")


class Verdict(models.Model):
    """A monitoring organisation's judgement of one report, with its evidence."""

    update = models.ForeignKey(
        ActionUpdate, on_delete=models.CASCADE, related_name="verdicts", verbose_name=_("report")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="verdicts",
        verbose_name=_("organisation"),
    )
    verdict = models.CharField(_("verdict"), max_length=12, choices=VerdictKind.choices)
    text = models.TextField(_("findings"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        ordering = ["update", "created_at", "pk"]
        verbose_name = _("monitoring verdict")
        verbose_name_plural = _("monitoring verdicts")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "organization"], name="one_verdict_per_report_and_organisation"
            ),
        ]

    def __str__(self):
        return f"{self.update} · {self.get_verdict_display()}"


class VerdictAnswer(models.Model):
    """The municipality's answer to a verdict."""

    verdict = models.OneToOneField(
        Verdict, on_delete=models.CASCADE, related_name="answer", verbose_name=_("verdict")
    )
    text = models.TextField(_("answer"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer to a verdict")
        verbose_name_plural = _("answers to verdicts")

    def __str__(self):
        return f"{self.verdict}"


class PlanEvidence(models.Model):
    """A file or a link brought by a report or by a verdict. Files stay private while
    their plan is a draft, and are served only through a checked view."""

    update = models.ForeignKey(
        ActionUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("update"),
    )
    verdict = models.ForeignKey(
        Verdict,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("verdict"),
    )
    file = models.FileField(
        _("file"), upload_to=evidence_path, storage=private_storage, blank=True, max_length=200
    )
    url = models.URLField(_("link"), blank=True, max_length=500)
    title = models.CharField(_("title"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("plan evidence")
        verbose_name_plural = _("plan evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(update__isnull=True, verdict__isnull=False)
                | Q(update__isnull=False, verdict__isnull=True),
                name="plan_evidence_belongs_to_a_report_or_a_verdict",
            ),
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="plan_evidence_is_a_file_or_a_link",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def plan(self) -> ActionPlan:
        owner = self.update if self.update_id else self.verdict.update
        return owner.action.plan
