"""The steps of an action plan, each checked on the server whatever a page showed:
adopting and closing a plan, keeping an action's starting scores and its first due date,
reporting progress, the monitors' verdicts and the municipality's answers.

Each step is a function with keyword-only arguments that raises `Refused` (a translated
message for the person) when it may not happen, and changes nothing in that case. A step
that e-mails takes `notify=False` for the demonstration's past, which nobody needs to hear.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .. import scoring
from ..models import (
    Action,
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    DueDateChange,
    PlanEvidence,
    PlanStatus,
    Verdict,
    VerdictAnswer,
    VerdictKind,
)
from ..pdf.jobs import queue_stale
from ..permissions import may_edit_plans_of, monitoring_organizations
from ..results.findings import headline_scores
from .notifications import send_plan_notification


class Refused(Exception):
    """A step that may not happen; the message says why, in the person's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Link:
    title: str
    url: str


def _notify(event: str, pk: int) -> None:
    send_plan_notification.delay_on_commit(
        event=event, pk=pk, key=f"plans:{event}:{pk}:{timezone.now():%Y%m%d%H%M%S%f}"
    )


def refresh_public_files(plan: ActionPlan) -> None:
    """A public plan is part of its cycle's scorecard PDFs: once the change commits, the
    PDFs whose data it changed are made again (the sweep would, later)."""
    if settings.RENDER_PDFS and plan.is_public:
        transaction.on_commit(functools.partial(queue_stale, cycle=plan.cycle), robust=True)


def _editor_only(user, plan: ActionPlan) -> None:
    if not may_edit_plans_of(user, plan.municipality_id):
        raise Refused(_("Only the municipality's staff and project staff may change its plan."))


# Plans


def adopt_plan(
    *, plan: ActionPlan, by, now: datetime.datetime | None = None, notify: bool = True
) -> ActionPlan:
    """A draft plan becomes public, with its approving order. It then can never be
    deleted, and its actions keep their first due dates."""
    _editor_only(by, plan)
    now = now or timezone.now()
    with transaction.atomic():
        # Every plan of the municipality, so that two drafts adopted at once do not both
        # find none in force.
        list(ActionPlan.objects.select_for_update().filter(municipality_id=plan.municipality_id))
        plan = ActionPlan.objects.get(pk=plan.pk)
        if plan.status != PlanStatus.DRAFT:
            raise Refused(_("Only a draft plan can be adopted."))
        missing = [
            label
            for label, present in (
                (_("order number"), plan.order_number.strip()),
                (_("order date"), plan.order_date),
                (_("order document"), plan.order_document),
            )
            if not present
        ]
        if missing:
            raise Refused(
                _("A plan is adopted by the mayor's order; first give its %(missing)s.")
                % {"missing": ", ".join(str(label) for label in missing)}
            )
        if not plan.actions.exists():
            raise Refused(_("A plan needs at least one action before it is adopted."))
        current = (
            ActionPlan.objects.filter(
                municipality_id=plan.municipality_id, status=PlanStatus.ADOPTED
            )
            .exclude(pk=plan.pk)
            .first()
        )
        if current:
            raise Refused(
                _(
                    "The municipality's plan for %(period)s is still in force; close it "
                    "before adopting a new one."
                )
                % {"period": current.period}
            )
        for action in plan.actions.all():
            try:
                action.full_clean(exclude=["plan"])
            except ValidationError as error:
                raise Refused(
                    _("Action %(number)s needs attention: %(errors)s")
                    % {"number": action.number, "errors": " ".join(error.messages)}
                ) from error
            record_baselines(action=action)
        plan.status = PlanStatus.ADOPTED
        plan.adopted_at = now
        plan.adopted_by = by
        plan.save(update_fields=["status", "adopted_at", "adopted_by"])
        refresh_public_files(plan)
    if notify:
        _notify("adopted", plan.pk)
    return plan


def close_plan(*, plan: ActionPlan, by, now: datetime.datetime | None = None) -> ActionPlan:
    """An adopted plan ends: it stays public as it was, and takes no more reports."""
    _editor_only(by, plan)
    with transaction.atomic():
        plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PlanStatus.ADOPTED:
            raise Refused(_("Only an adopted plan can be closed."))
        plan.status = PlanStatus.CLOSED
        plan.closed_at = now or timezone.now()
        plan.save(update_fields=["status", "closed_at"])
        refresh_public_files(plan)
    return plan


def refuse_plan_deletion(plan: ActionPlan) -> None:
    if not plan.is_draft:
        raise Refused(_("An adopted plan is never deleted; close it instead."))


# Actions


def record_baselines(*, action: Action) -> None:
    """Keep each addressed indicator's published score in the plan's cycle, once: the
    starting point of the promise does not move when the cycle is later corrected."""
    plan = action.plan
    targets = list(action.targets.filter(baseline__isnull=True, baseline_kind=""))
    if not targets:
        return
    scores = headline_scores(
        plan.cycle_id, [plan.municipality_id], [target.indicator_id for target in targets]
    )
    for target in targets:
        row = scores.get((plan.municipality_id, target.indicator_id))
        if row is None:
            continue
        target.baseline = row.normalised and scoring.points(row.normalised)
        target.baseline_kind = row.snapshot.assessment.kind
        target.save(update_fields=["baseline", "baseline_kind"])


def record_due_date_change(*, action: Action, old_due_on: datetime.date, by) -> None:
    """An adopted action's due date moved: the first promise stays visible."""
    if not action.plan.is_public or old_due_on == action.due_on:
        return
    DueDateChange.objects.create(
        action=action, old_due_on=old_due_on, new_due_on=action.due_on, changed_by=by
    )
    if action.original_due_on is None:
        action.original_due_on = old_due_on
        action.save(update_fields=["original_due_on"])
    refresh_public_files(action.plan)


def _add_evidence(*, files, links, by, **owner) -> None:
    for upload in files:
        PlanEvidence.objects.create(file=upload, title=upload.name[-200:], uploaded_by=by, **owner)
    for link in links:
        PlanEvidence.objects.create(url=link.url, title=link.title, uploaded_by=by, **owner)


def report_progress(
    *,
    action: Action,
    by,
    reported_on: datetime.date,
    status: str,
    text: str,
    progress: int | None = None,
    files=(),
    links=(),
    today: datetime.date | None = None,
    notify: bool = True,
) -> ActionUpdate:
    """The municipality reports on an action of its adopted plan; the action takes the
    reported status and progress."""
    _editor_only(by, action.plan)
    today = today or timezone.localdate()
    if reported_on > today:
        raise Refused(_("A report cannot be dated in the future."))
    if status == ActionStatus.DROPPED and not text.strip():
        raise Refused(_("Say why the action was dropped."))
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("plan").get(pk=action.pk)
        if action.plan.status != PlanStatus.ADOPTED:
            raise Refused(_("Progress is reported only on an adopted plan that is in force."))
        adopted_on = timezone.localdate(action.plan.adopted_at)
        if reported_on < adopted_on:
            raise Refused(
                _("A report cannot be dated before the plan was adopted, on %(date)s.")
                % {"date": formats.date_format(adopted_on, "SHORT_DATE_FORMAT")}
            )
        update = ActionUpdate.objects.create(
            action=action,
            reported_on=reported_on,
            status=status,
            progress=progress,
            text=text,
            author=by,
        )
        _add_evidence(files=files, links=links, by=by, update=update)
        latest = action.updates.order_by("-reported_on", "-pk").first()
        if latest.pk == update.pk:
            action.status = status
            action.progress = progress
            fields = ["status", "progress", "updated_at"]
            if status == ActionStatus.DROPPED and not (
                action.dropped_reason_ka or action.dropped_reason_en
            ):
                action.dropped_reason_ka = action.dropped_reason_en = text
                fields += ["dropped_reason_ka", "dropped_reason_en", "dropped_reason"]
            action.save(update_fields=fields)
        refresh_public_files(action.plan)
    if notify:
        _notify("reported", update.pk)
    return update


# The two voices


def latest_report(action: Action) -> ActionUpdate | None:
    return action.updates.order_by("-reported_on", "-pk").first()


def verdict_refusal(*, update: ActionUpdate, organization_id: int, judged=None) -> str | None:
    """Why the organisation may not judge this report now, or None. `judged` (the ids of
    the organisations that already did) saves a query where a page has them."""
    if update.action.plan.status != PlanStatus.ADOPTED:
        return _("Reports are judged only on an adopted plan that is in force.")
    if latest_report(update.action).pk != update.pk:
        return _("A newer report has arrived since you opened this one; judge the newest.")
    if judged is None:
        judged = set(update.verdicts.values_list("organization_id", flat=True))
    if organization_id in judged:
        return _("Your organisation has already judged this report.")
    return None


def give_verdict(
    *,
    update: ActionUpdate,
    by,
    organization_id: int,
    verdict: str,
    text: str,
    files=(),
    links=(),
    notify: bool = True,
) -> Verdict:
    """A monitor of an organisation working in the municipality judges the latest report
    of an action, with evidence. One verdict per organisation and report."""
    plan = update.action.plan
    if organization_id not in monitoring_organizations(by, plan.municipality_id):
        raise Refused(
            _(
                "Only monitors of an organisation working in %(municipality)s may judge its "
                "plan's reports."
            )
            % {"municipality": plan.municipality.name}
        )
    refusal = verdict_refusal(update=update, organization_id=organization_id)
    if refusal:
        raise Refused(refusal)
    if verdict not in VerdictKind.values:
        raise Refused(_("Choose confirmed, disputed or insufficient evidence."))
    if not text.strip():
        raise Refused(_("Say what your organisation found."))
    with transaction.atomic():
        Action.objects.select_for_update().get(pk=update.action_id)
        update = ActionUpdate.objects.select_related("action__plan").get(pk=update.pk)
        refusal = verdict_refusal(update=update, organization_id=organization_id)
        if refusal:
            raise Refused(refusal)
        given = Verdict.objects.create(
            update=update, organization_id=organization_id, verdict=verdict, text=text, author=by
        )
        _add_evidence(files=files, links=links, by=by, verdict=given)
        refresh_public_files(plan)
    if notify:
        _notify("verdict", given.pk)
    return given


def answer_verdict(*, verdict: Verdict, by, text: str, notify: bool = True) -> VerdictAnswer:
    """The municipality answers a monitor's verdict, once."""
    plan = verdict.update.action.plan
    _editor_only(by, plan)
    if not text.strip():
        raise Refused(_("Write the answer."))
    if plan.status == PlanStatus.DRAFT:
        raise Refused(_("Only an adopted plan's verdicts are answered."))
    with transaction.atomic():
        Verdict.objects.select_for_update().get(pk=verdict.pk)
        if VerdictAnswer.objects.filter(verdict=verdict).exists():
            raise Refused(_("The municipality has already answered this verdict."))
        answer = VerdictAnswer.objects.create(verdict=verdict, text=text, author=by)
        refresh_public_files(plan)
    if notify:
        _notify("answered", answer.pk)
    return answer
