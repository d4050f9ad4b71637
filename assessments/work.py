"""What each role has to do next, with its deadline: the home pages' read model.

Municipal staff see their municipality's assessments under way and the progress reports
their plan's actions owe; project staff see every municipality's, with what waits for their
review, what is overdue and the PDFs that failed; a monitor sees their organisations'
assessments and the reports waiting for their verdict. Each item carries its next step as a
link for the page it is shown on, and its deadline; days are counted from `today`, given by
the caller (Tbilisi's date by default), so a test can fix it.

Pure queries, a fixed number of them however many items. Grants are the grants app's to
show (its template tags), as this app may not import it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .answers.progress import Progress, progress_of
from .models import FINISHED, Action, ActionPlan, Assessment, JobStatus, PlanStatus, Rendering
from .permissions import municipality_id_of, organization_ids, visible_assessments
from .plans.health import actions_with_latest, latest_of
from .workflow import Kind, Status

# Failed renderings and overdue actions listed for project staff; the rest are counted.
LIMIT = 20


@dataclass(frozen=True)
class Step:
    """The next thing to do about an item: what to call it and where to do it."""

    label: str
    url: str


@dataclass
class Item:
    """One thing on a home page, with its next step and deadline (None: no date)."""

    title: str
    step: Step | None
    due: datetime.date | None
    today: datetime.date
    status: str = ""
    progress: Progress | None = None
    object: object = None

    @property
    def days(self) -> int | None:
        """Days until the deadline: 0 on its last day, negative once it has passed."""
        return None if self.due is None else (self.due - self.today).days

    @property
    def is_overdue(self) -> bool:
        return self.due is not None and self.due < self.today


@dataclass
class Work:
    assessments: list[Item] = field(default_factory=list)
    reports: list[Item] = field(default_factory=list)
    review: list[Item] = field(default_factory=list)
    overdue: list[Item] = field(default_factory=list)
    overdue_count: int = 0
    failed: list[Rendering] = field(default_factory=list)
    failed_count: int = 0
    verdicts: list[Item] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.assessments
            or self.reports
            or self.review
            or self.overdue
            or self.failed
            or self.verdicts
        )


def deadline_of(assessment: Assessment) -> datetime.date | None:
    """A draft is due when its cycle closes; a reply by its reply deadline."""
    if assessment.status == Status.DRAFT:
        return assessment.cycle.closes_on
    if assessment.status == Status.REPLY:
        return assessment.reply_deadline
    return None


def _under_way(assessments):
    """Assessments not yet published, oldest cycle first, with what their rows show."""
    return (
        assessments.exclude(status=Status.PUBLISHED)
        .select_related("municipality", "cycle", "organization")
        .order_by("cycle__year", "municipality__slug", "kind")
    )


def _first_unfinished(progress: Progress):
    return next((area.area for area in progress.areas if not area.is_complete), None)


def _fill_step(assessment, progress, *, area_url, submit_url) -> Step:
    area = _first_unfinished(progress)
    if area is not None:
        return Step(_("Fill area %(code)s") % {"code": area.code}, area_url(assessment, area))
    return Step(_("Submit for review"), submit_url(assessment))


def _item(assessment, progress, step, today) -> Item:
    return Item(
        title=str(assessment),
        step=step,
        due=deadline_of(assessment),
        today=today,
        status=assessment.get_status_display(),
        progress=progress,
        object=assessment,
    )


def _action_item(action, step: Step, due, today) -> Item:
    return Item(
        title=f"{action.plan.municipality.name}: {action}",
        step=step,
        due=due,
        today=today,
        status=action.get_status_display(),
        object=action,
    )


def _admin_area(assessment, area):
    return reverse("admin:assessments_assessment_area", args=[assessment.pk, area.code])


def _admin_submit(assessment):
    return reverse("admin:assessments_assessment_transition", args=[assessment.pk, "submit"])


def _admin_open(assessment):
    return reverse("admin:assessments_assessment_change", args=[assessment.pk])


def report_due_of(action: Action) -> datetime.date | None:
    """The day an open action of a plan in force owes its next progress report: the day
    its silence would count as stale (see `Action.health`); None for any other action.
    Reads its reports as `actions_with_latest` prefetched them, or in one query."""
    if action.plan.status != PlanStatus.ADOPTED or action.status in FINISHED:
        return None
    latest = latest_of(action)
    last = latest.reported_on if latest else action.plan_start_for_staleness()
    return last + datetime.timedelta(days=settings.ACTION_STALE_DAYS)


def _report_items(actions, today) -> list[Item]:
    """Each open action of a plan in force, with the date its next progress report is
    due (`report_due_of`)."""
    items = []
    for action in actions:
        step = Step(
            _("Report progress on action %(number)s") % {"number": action.number},
            reverse("admin:assessments_action_report", args=[action.pk]),
        )
        items.append(_action_item(action, step, report_due_of(action), today))
    return sorted(items, key=lambda item: item.due)


def _open_actions(plans):
    return actions_with_latest(
        Action.objects.filter(plan__in=plans, plan__status=PlanStatus.ADOPTED)
        .exclude(status__in=FINISHED)
        .select_related("plan__municipality")
    )


def municipal_work(user, today: datetime.date | None = None) -> Work:
    """A municipality's staff member's work: their assessments under way, and the
    progress reports their plan in force owes. Six queries."""
    today = today or timezone.localdate()
    municipality_id = municipality_id_of(user)
    if municipality_id is None:
        return Work()
    assessments = list(
        _under_way(
            visible_assessments(user, Assessment.objects.filter(municipality_id=municipality_id))
        )
    )
    progress = progress_of(assessments)
    items = []
    for assessment in assessments:
        step = None
        if assessment.kind == Kind.SELF and assessment.status == Status.DRAFT:
            step = _fill_step(
                assessment,
                progress[assessment.pk],
                area_url=_admin_area,
                submit_url=_admin_submit,
            )
        elif assessment.status == Status.REPLY and assessment.reply_is_open(today):
            step = Step(
                _("Reply to the CSO's findings"),
                reverse("admin:assessments_assessment_reply", args=[assessment.pk]),
            )
        step = step or Step(_("Open the assessment"), _admin_open(assessment))
        items.append(_item(assessment, progress[assessment.pk], step, today))
    plans = ActionPlan.objects.filter(municipality_id=municipality_id)
    return Work(assessments=items, reports=_report_items(_open_actions(plans), today))


def _review_step(assessment, today) -> Step | None:
    """What project staff do next with an assessment that has left its draft."""
    if assessment.status == Status.SUBMITTED:
        action = "open_reply" if assessment.kind == Kind.EXTERNAL else "start_review"
        label = _("Open the right of reply") if action == "open_reply" else _("Start review")
        return Step(
            label,
            reverse("admin:assessments_assessment_transition", args=[assessment.pk, action]),
        )
    if assessment.status == Status.REPLY and not assessment.reply_is_open(today):
        return Step(
            _("Close the right of reply"),
            reverse("admin:assessments_assessment_transition", args=[assessment.pk, "close_reply"]),
        )
    if assessment.status == Status.REVIEW:
        return Step(_("Review and publish"), _admin_open(assessment))
    return None


def project_work(today: datetime.date | None = None) -> Work:
    """Project staff's work across all municipalities: what waits for their review, what
    is overdue (drafts past their cycle's close, replies past their deadline, actions past
    their due date) and the PDFs whose rendering failed. Eight queries."""
    today = today or timezone.localdate()
    waiting = Q(status__in=[Status.SUBMITTED, Status.REVIEW]) | Q(
        status=Status.REPLY, reply_deadline__lt=today
    )
    late = Q(status=Status.DRAFT, cycle__closes_on__lt=today) | Q(
        status=Status.REPLY, reply_deadline__lt=today
    )
    assessments = list(_under_way(Assessment.objects.filter(waiting | late)))
    progress = progress_of(assessments)
    review, overdue = [], []
    for assessment in assessments:
        step = _review_step(assessment, today)
        item = _item(assessment, progress[assessment.pk], step, today)
        if step is not None:
            review.append(item)
        elif item.is_overdue:
            item.step = Step(_("Open the assessment"), _admin_open(assessment))
            overdue.append(item)
    late_actions = Action.objects.filter(plan__status=PlanStatus.ADOPTED, due_on__lt=today).exclude(
        status__in=FINISHED
    )
    overdue_actions = [
        _action_item(
            action,
            Step(
                _("Open action %(number)s") % {"number": action.number},
                reverse("admin:assessments_action_change", args=[action.pk]),
            ),
            action.due_on,
            today,
        )
        for action in late_actions.select_related("plan__municipality").order_by("due_on", "pk")[
            :LIMIT
        ]
    ]
    failed = Rendering.objects.filter(status=JobStatus.FAILED)
    return Work(
        review=review,
        overdue=overdue + overdue_actions,
        overdue_count=len(overdue) + late_actions.count(),
        failed=list(
            failed.select_related("cycle", "municipality", "methodology").order_by(
                "-finished_at", "-pk"
            )[:LIMIT]
        ),
        failed_count=failed.count(),
    )


def monitor_work(user, awaiting, today: datetime.date | None = None) -> Work:
    """A monitor's work: their organisations' external assessments under way, and the
    reports waiting for their verdict (`awaiting`: the monitor workspace's rule, actions
    annotated with their `latest_report`). Five queries."""
    today = today or timezone.localdate()
    ids = organization_ids(user)
    if not ids:
        return Work()
    assessments = list(
        _under_way(
            visible_assessments(
                user, Assessment.objects.filter(kind=Kind.EXTERNAL, organization_id__in=ids)
            )
        )
    )
    progress = progress_of(assessments)
    items = []
    for assessment in assessments:
        if assessment.status == Status.DRAFT:
            step = _fill_step(
                assessment,
                progress[assessment.pk],
                area_url=lambda a, area: reverse("monitor:area", args=[a.pk, area.code]),
                submit_url=lambda a: reverse("monitor:transition", args=[a.pk]) + "?action=submit",
            )
        else:
            step = Step(
                _("Open the assessment"), reverse("monitor:assessment", args=[assessment.pk])
            )
        items.append(_item(assessment, progress[assessment.pk], step, today))
    verdicts = [
        _action_item(
            action,
            Step(
                _("Give a verdict on the report on action %(number)s") % {"number": action.number},
                reverse("monitor:verdict", args=[action.latest_report]),
            ),
            None,
            today,
        )
        for action in awaiting.select_related("plan__municipality").order_by(
            "plan__municipality__slug", "number"
        )
    ]
    return Work(assessments=items, verdicts=verdicts)
