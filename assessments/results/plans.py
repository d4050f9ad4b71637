"""Action plans for reading: what citizens, the PDF, open data and the API show of a
municipality's plan, and how plans compare across municipalities.

Only adopted and closed plans are read here (`ActionPlan.objects.public()`); a draft is
never shown. Each action carries both voices (the municipality's latest report and the
monitors' verdicts on it), its health as of a given day, and its indicators' scores
before (kept when the plan was adopted) and after (the latest later published cycle,
through counterpart links, comparable indicators only).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.urls import reverse

from .. import scoring
from ..models import (
    Action,
    ActionHealth,
    ActionIndicator,
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    Cycle,
    PlanEvidence,
    PlanStatus,
    ScoreSnapshot,
    Verdict,
    VerdictKind,
)
from .findings import findings_for


@dataclass(frozen=True)
class Target:
    """One indicator an action addresses: its score when the plan was adopted, and
    the latest later comparable score with the change between the two shown numbers."""

    indicator: object
    baseline: Decimal | None
    later_cycle: Cycle | None = None
    later: Decimal | None = None
    change: Decimal | None = None
    comparable: bool = False  # whether the later cycle has a comparable counterpart


@dataclass
class ActionView:
    action: Action
    updates: list[ActionUpdate]
    health: ActionHealth
    targets: list[Target] = field(default_factory=list)

    @property
    def latest(self) -> ActionUpdate | None:
        return self.updates[0] if self.updates else None

    @property
    def verdicts(self) -> list[Verdict]:
        return list(self.latest.verdicts.all()) if self.latest else []

    @property
    def is_disputed(self) -> bool:
        return any(verdict.verdict == VerdictKind.DISPUTED for verdict in self.verdicts)

    @property
    def state(self) -> str:
        """done, dropped, delayed (marked so, or overdue) or on_track."""
        status = self.action.status
        if status in (ActionStatus.DONE, ActionStatus.DROPPED):
            return status
        if status == ActionStatus.DELAYED or self.health.overdue:
            return "delayed"
        return "on_track"

    @property
    def done_on(self) -> datetime.date | None:
        """When the action was first reported done, in the run of "done" reports that
        ends with the latest: a later report adding evidence does not make it late."""
        if self.action.status != ActionStatus.DONE:
            return None
        done_on = None
        for update in self.updates:  # newest first
            if update.status != ActionStatus.DONE:
                break
            done_on = update.reported_on
        return done_on

    @property
    def promised_by(self) -> datetime.date:
        """The due date first adopted: a later move does not make a late action on time."""
        return self.action.original_due_on or self.action.due_on

    @property
    def done_on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.promised_by

    @property
    def no_improvement(self) -> bool:
        """Marked done, yet none of its comparable indicators improved in the later cycle."""
        compared = [target for target in self.targets if target.change is not None]
        return (
            self.action.status == ActionStatus.DONE
            and bool(compared)
            and all(target.change <= 0 for target in compared)
        )


@dataclass
class PlanView:
    plan: ActionPlan
    actions: list[ActionView]
    later_cycle: Cycle | None = None

    @property
    def counts(self) -> Counter:
        return Counter(view.state for view in self.actions)

    @property
    def budget(self) -> Decimal:
        return sum((view.action.budget or Decimal(0) for view in self.actions), Decimal(0))

    @property
    def url(self) -> str:
        return plan_url(self.plan)


def plan_url(plan: ActionPlan) -> str:
    """The plan in force at the municipality's plan address; any other by its number, as
    two plans may answer one cycle."""
    path = reverse("assessments:plan", args=[plan.municipality.slug])
    return path if plan.status == PlanStatus.ADOPTED else f"{path}?plan={plan.pk}"


def action_url(action: Action) -> str:
    return f"{plan_url(action.plan)}#action-{action.number}"


def _updates():
    return ActionUpdate.objects.order_by("-reported_on", "-pk").prefetch_related(
        Prefetch(
            "verdicts",
            queryset=Verdict.objects.select_related("organization", "answer").prefetch_related(
                "evidence"
            ),
        ),
        "evidence",
    )


def public_actions(actions):
    """Actions of public plans, with what a plan page shows of each, in few queries."""
    return (
        actions.filter(plan__status__in=(PlanStatus.ADOPTED, PlanStatus.CLOSED))
        .select_related("plan__municipality", "plan__cycle")
        .prefetch_related(
            Prefetch("updates", queryset=_updates()),
            Prefetch("targets", queryset=ActionIndicator.objects.select_related("indicator")),
            "criteria",
        )
    )


def _targets(plan: ActionPlan, actions: list[Action]) -> tuple[dict, Cycle | None]:
    """{target pk: Target} for every indicator the plan's actions address."""
    targets = [target for action in actions for target in action.targets.all()]
    indicators = {target.indicator_id: target.indicator for target in targets}
    findings = {
        finding.indicator.pk: finding
        for finding in findings_for(plan.cycle, plan.municipality, indicators.values())
    }
    later_cycle = None
    result = {}
    for target in targets:
        finding = findings.get(target.indicator_id)
        later = finding.later if finding else None
        if later is not None:
            later_cycle = later.cycle
        # A change is of one kind of assessment: an independent score against the
        # municipality's own would show an improvement nobody made.
        same_kind = later is not None and (
            not target.baseline_kind or later.kind in (None, target.baseline_kind)
        )
        result[target.pk] = Target(
            indicator=target.indicator,
            baseline=target.baseline,
            later_cycle=later.cycle if later else None,
            later=later.score if same_kind else None,
            change=scoring.change(later.score, target.baseline) if same_kind else None,
            comparable=same_kind,
        )
    if later_cycle is None:
        later_cycle = _later_cycle(plan)
    return result, later_cycle


def _later_cycle(plan: ActionPlan) -> Cycle | None:
    return (
        Cycle.objects.filter(
            year__gt=plan.cycle.year,
            assessments__municipality=plan.municipality_id,
            assessments__snapshots__is_current=True,
        )
        .distinct()
        .order_by("-year")
        .first()
    )


def action_view(action: Action, today: datetime.date, targets=()) -> ActionView:
    """An action of `public_actions`, its reports (newest first, prefetched) and its
    health as of `today`, read without another query."""
    updates = list(action.updates.all())
    latest = updates[0] if updates else None
    health = action.health(
        today=today, latest=latest, has_verdict=bool(latest and latest.verdicts.all())
    )
    return ActionView(action=action, updates=updates, health=health, targets=list(targets))


def plan_view(plan: ActionPlan, today: datetime.date) -> PlanView:
    actions = list(public_actions(plan.actions.all()) if plan.is_public else [])
    targets, later_cycle = _targets(plan, actions)
    views = []
    for action in actions:
        views.append(
            action_view(action, today, [targets[target.pk] for target in action.targets.all()])
        )
    return PlanView(plan=plan, actions=views, later_cycle=later_cycle)


def public_plans(municipality):
    """The municipality's adopted and closed plans, the one in force first."""
    return (
        ActionPlan.objects.public()
        .filter(municipality=municipality)
        .select_related("cycle", "municipality")
        .order_by("status", "-starts_on")  # "adopted" sorts before "closed"
    )


def current_plan(municipality, cycle_year: int | None = None) -> ActionPlan | None:
    """The plan in force, or the latest closed one; with `cycle_year`, the plan that
    answers that cycle."""
    plans = public_plans(municipality)
    if cycle_year is not None:
        plans = plans.filter(cycle__year=cycle_year)
    return plans.first()


def actions_by_indicator(municipality, cycle: Cycle) -> dict[int, list[Action]]:
    """{indicator id: actions of public plans answering this cycle that address it}, for
    the scorecard to mark the findings a municipality has committed to act on."""
    targets = ActionIndicator.objects.filter(
        action__plan__municipality=municipality,
        action__plan__cycle=cycle,
        action__plan__status__in=(PlanStatus.ADOPTED, PlanStatus.CLOSED),
    ).select_related("action__plan__municipality", "action__plan__cycle")
    marked = defaultdict(list)
    for target in targets.order_by("action__number"):
        marked[target.indicator_id].append(target.action)
    return dict(marked)


@dataclass(frozen=True)
class Implementation:
    """How far one municipality's plan for a cycle has come."""

    plan: ActionPlan
    actions: int
    done: int
    done_on_time: int
    overdue: int
    disputed: int
    dropped: int
    budget: Decimal

    def share(self, count: int) -> Decimal | None:
        if not self.actions:
            return None
        return Decimal(100) * count / self.actions

    @property
    def done_on_time_share(self):
        return self.share(self.done_on_time)

    @property
    def overdue_share(self):
        return self.share(self.overdue)

    @property
    def disputed_share(self):
        return self.share(self.disputed)


def implementation(cycle: Cycle, today: datetime.date) -> list[Implementation]:
    """Every public plan answering the cycle, best on-time share first."""
    rows = []
    plans = (
        ActionPlan.objects.public()
        .filter(cycle=cycle)
        .select_related("municipality", "cycle")
        .prefetch_related(Prefetch("actions", queryset=public_actions(Action.objects.all())))
    )
    for plan in plans:
        views = []
        for action in plan.actions.all():
            views.append(action_view(action, today))
        rows.append(
            Implementation(
                plan=plan,
                actions=len(views),
                done=sum(view.action.status == ActionStatus.DONE for view in views),
                done_on_time=sum(view.done_on_time for view in views),
                overdue=sum(view.health.overdue for view in views),
                disputed=sum(view.is_disputed for view in views),
                dropped=sum(view.action.status == ActionStatus.DROPPED for view in views),
                budget=sum((view.action.budget or Decimal(0) for view in views), Decimal(0)),
            )
        )
    return sorted(
        rows,
        key=lambda row: (-(row.done_on_time_share or Decimal(-1)), row.plan.municipality.name),
    )


def plan_years():
    """The cycles that public plans answer, newest first."""
    return (
        Cycle.objects.filter(action_plans__status__in=(PlanStatus.ADOPTED, PlanStatus.CLOSED))
        .distinct()
        .order_by("-year")
    )


# The municipality's feed: what happened, newest first.


@dataclass(frozen=True)
class Event:
    kind: str  # published, adopted, reported, verdict
    at: datetime.datetime
    uid: str
    url: str
    subject: object


def events(municipality, limit: int = 50) -> list[Event]:
    """Publications, plan adoptions, progress reports and verdicts, newest first."""
    found = []
    snapshots = (
        ScoreSnapshot.objects.filter(assessment__municipality=municipality)
        .select_related("assessment__cycle", "assessment__organization")
        .order_by("-published_at")[:limit]
    )
    for snapshot in snapshots:
        url = reverse(
            "assessments:scorecard", args=[snapshot.assessment.cycle.year, municipality.slug]
        )
        found.append(
            Event("published", snapshot.published_at, f"snapshot-{snapshot.pk}", url, snapshot)
        )
    plans = public_plans(municipality)
    for plan in plans:
        found.append(Event("adopted", plan.adopted_at, f"plan-{plan.pk}", plan_url(plan), plan))
    updates = (
        ActionUpdate.objects.filter(
            action__plan__municipality=municipality,
            action__plan__status__in=(PlanStatus.ADOPTED, PlanStatus.CLOSED),
        )
        .select_related("action__plan__municipality", "action__plan__cycle")
        .order_by("-created_at")[:limit]
    )
    for update in updates:
        found.append(
            Event(
                "reported",
                update.created_at,
                f"update-{update.pk}",
                action_url(update.action),
                update,
            )
        )
    verdicts = (
        Verdict.objects.filter(
            update__action__plan__municipality=municipality,
            update__action__plan__status__in=(PlanStatus.ADOPTED, PlanStatus.CLOSED),
        )
        .select_related(
            "organization", "update__action__plan__municipality", "update__action__plan__cycle"
        )
        .order_by("-created_at")[:limit]
    )
    for verdict in verdicts:
        found.append(
            Event(
                "verdict",
                verdict.created_at,
                f"verdict-{verdict.pk}",
                action_url(verdict.update.action),
                verdict,
            )
        )
    found.sort(key=lambda event: event.at, reverse=True)
    return found[:limit]


def evidence_is_public(evidence: PlanEvidence) -> bool:
    return evidence.plan.is_public


def public_evidence(pk: int) -> PlanEvidence | None:
    """A plan's evidence file that anyone may download, or None."""
    return (
        PlanEvidence.objects.filter(pk=pk)
        .exclude(file="")
        .filter(
            Q(update__action__plan__status__in=(PlanStatus.ADOPTED, PlanStatus.CLOSED))
            | Q(verdict__update__action__plan__status__in=(PlanStatus.ADOPTED, PlanStatus.CLOSED))
        )
        .first()
    )
