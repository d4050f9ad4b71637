"""The steps of the grant competition that span several models, each checked on the
server whatever a page showed: submitting before the deadline, eligibility, assigning
reviewers, declaring conflicts, scoring, moderating, deciding, reports and reminders.

Each step is a function with keyword-only arguments that raises `Refused` (a translated
message for the person) when it may not happen, and changes nothing in that case.
"""

import calendar
import datetime
from decimal import Decimal

from celery import shared_task
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessments.permissions import is_project_staff, organization_ids
from musqat.numbers import grouped_amount

from . import scoring
from .models import (
    MAX_POINTS,
    Application,
    ApplicationStatus,
    Call,
    CallStage,
    Decision,
    Eligibility,
    Report,
    ReportKind,
    ReportStatus,
    ReviewAssignment,
    ReviewScore,
    organisations_in_conflict,
)
from .notifications import send_grant_notification
from .permissions import is_grant_reviewer


class Refused(Exception):
    """A step that may not happen; the message says why, in the person's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _tbilisi(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _staff_only(user) -> None:
    if not is_project_staff(user):
        raise Refused(_("Only project staff may do this."))


def _notify(event: str, pk: int) -> None:
    send_grant_notification.delay_on_commit(
        event=event, pk=pk, key=f"grants:{event}:{pk}:{timezone.now():%Y%m%d%H%M%S%f}"
    )


# Calls


def announce_call(*, call: Call, by, now: datetime.datetime | None = None) -> Call:
    """A draft call goes public; its dates then open and close it. A call whose closing
    time has passed would be announced only to refuse every application."""
    _staff_only(by)
    now = now or timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.stage != CallStage.DRAFT:
            raise Refused(_("Only a draft call can be announced."))
        if call.closes_at <= now:
            raise Refused(
                _(
                    "The call closed at %(deadline)s (Tbilisi time); move its closing time "
                    "into the future before announcing it."
                )
                % {"deadline": _tbilisi(call.closes_at)}
            )
        if not call.rubric.exists():
            raise Refused(_("A call needs a rubric of at least one criterion before it opens."))
        if not call.municipalities.exists():
            raise Refused(_("A call needs at least one eligible municipality."))
        call.stage = CallStage.ANNOUNCED
        call.save(update_fields=["stage", "updated_at"])
    return call


def start_review(*, call: Call, by, now: datetime.datetime | None = None) -> Call:
    _staff_only(by)
    now = now or timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.stage != CallStage.ANNOUNCED or now < call.closes_at:
            raise Refused(_("Review starts once the call has closed."))
        call.stage = CallStage.UNDER_REVIEW
        call.save(update_fields=["stage", "updated_at"])
    return call


def close_decisions(*, call: Call, by) -> Call:
    """The call is decided once every eligible application has a decision; its awards
    then appear in the public register."""
    _staff_only(by)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.stage != CallStage.UNDER_REVIEW:
            raise Refused(_("Only a call under review can be decided."))
        submitted = call.applications.submitted()
        if submitted.filter(eligibility=Eligibility.PENDING).exists():
            raise Refused(_("Check the eligibility of every application first."))
        if submitted.filter(eligibility=Eligibility.ELIGIBLE, decision=Decision.PENDING).exists():
            raise Refused(_("Decide every eligible application first."))
        call.stage = CallStage.DECIDED
        call.save(update_fields=["stage", "updated_at"])
    return call


# Applications


def applications_left(*, call: Call, organization_id: int) -> int:
    made = call.applications.filter(organization_id=organization_id).count()
    return max(call.applications_per_organization - made, 0)


def start_application(
    *, call: Call, organization_id: int, by, now: datetime.datetime | None = None
) -> Application:
    """A draft application of one of the user's organisations to an open call."""
    now = now or timezone.now()
    if organization_id not in organization_ids(by):
        raise Refused(_("You may apply only for an organisation you are a member of."))
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if not call.is_open_at(now):
            raise Refused(_("This call is not open for applications."))
        if not applications_left(call=call, organization_id=organization_id):
            raise Refused(
                _("Your organisation already has the applications this call allows (%(n)s).")
                % {"n": call.applications_per_organization}
            )
        return Application.objects.create(
            call=call,
            organization_id=organization_id,
            created_by=by,
            contact_name=by.get_full_name(),
            contact_email=by.email,
        )


def missing_for_submission(application: Application) -> list[str]:
    """What the application still lacks, one sentence each, in the reader's language."""
    call = application.call
    missing = []
    for field, label in [
        ("contact_name", _("the contact person")),
        ("contact_email", _("the contact e-mail")),
        ("title", _("the project title")),
        ("summary", _("the summary")),
        ("objectives", _("the objectives")),
        ("activities", _("the activities")),
    ]:
        if not getattr(application, field).strip():
            missing.append(_("Give %(what)s.") % {"what": label})
    if not application.municipality_id:
        missing.append(_("Choose the target municipality."))
    if not application.indicators.exists():
        missing.append(_("Choose at least one target indicator."))
    total = application.budget_total()
    if not application.budget_lines.exists():
        missing.append(_("Add the budget lines."))
    elif not call.min_grant <= total <= call.max_grant:
        missing.append(
            _("The budget adds up to %(total)s ₾; this call gives from %(min)s ₾ to %(max)s ₾.")
            % {
                "total": grouped_amount(total),
                "min": grouped_amount(call.min_grant),
                "max": grouped_amount(call.max_grant),
            }
        )
    given = set(application.attachments.values_list("requirement_id", flat=True))
    for requirement in call.required_attachments.all():
        if requirement.pk not in given:
            missing.append(_("Attach %(document)s.") % {"document": requirement.name})
    return missing


def _next_reference(call: Call) -> str:
    """The call's slug and a number, in the order of submission (the call row is locked)."""
    taken = call.applications.exclude(reference=None).count()
    return f"{call.slug.upper()}-{taken + 1:03d}"


def submit_application(
    *, application: Application, by, now: datetime.datetime | None = None
) -> Application:
    """Submit before the call closes, to the second, whatever the page showed. After
    this the application is read-only; a confirmation e-mail follows."""
    now = now or timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=application.call_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.organization_id not in organization_ids(by):
            raise Refused(_("You may submit only your own organisation's application."))
        if application.status != ApplicationStatus.DRAFT:
            raise Refused(
                _("This application has been submitted already and can no longer change.")
            )
        if not call.is_open_at(now):
            raise Refused(
                _(
                    "The call closed at %(deadline)s (Tbilisi time); the application was not "
                    "submitted. Your draft is kept."
                )
                % {"deadline": _tbilisi(call.closes_at)}
            )
        missing = missing_for_submission(application)
        if missing:
            raise Refused(" ".join([_("The application is not complete:"), *missing]))
        application.requested_amount = application.budget_total()
        application.reference = _next_reference(call)
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = now
        application.submitted_by = by
        application.save(
            update_fields=[
                "requested_amount",
                "reference",
                "status",
                "submitted_at",
                "submitted_by",
                "updated_at",
            ]
        )
        _notify("submitted", application.pk)
    return application


def refuse_unless_editable(application: Application, by, now: datetime.datetime | None = None):
    """A draft changes only by its organisation's members, and only while the call is open."""
    now = now or timezone.now()
    if application.organization_id not in organization_ids(by):
        raise Refused(_("You may change only your own organisation's application."))
    if application.status != ApplicationStatus.DRAFT:
        raise Refused(_("This application has been submitted already and can no longer change."))
    if not application.call.is_open_at(now):
        raise Refused(
            _("The call closed at %(deadline)s (Tbilisi time); the draft can no longer change.")
            % {"deadline": _tbilisi(application.call.closes_at)}
        )


# Review


def check_eligibility(*, application: Application, eligible: bool, reason: str = "", by):
    _staff_only(by)
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != ApplicationStatus.SUBMITTED:
            raise Refused(_("Only a submitted application is checked for eligibility."))
        if application.decision != Decision.PENDING:
            raise Refused(_("This application has been decided already."))
        if not eligible and not reason.strip():
            raise Refused(_("Give the reason why the application is ineligible."))
        application.eligibility = Eligibility.ELIGIBLE if eligible else Eligibility.INELIGIBLE
        application.eligibility_reason = "" if eligible else reason.strip()
        application.save(update_fields=["eligibility", "eligibility_reason", "updated_at"])
    return application


def assign_reviewer(*, application: Application, reviewer, by) -> ReviewAssignment:
    _staff_only(by)
    if not is_grant_reviewer(reviewer):
        raise Refused(_("%(user)s is not a grant reviewer.") % {"user": reviewer})
    if application.status != ApplicationStatus.SUBMITTED or (
        application.eligibility != Eligibility.ELIGIBLE
    ):
        raise Refused(_("Reviewers are assigned only to eligible, submitted applications."))
    if organisations_in_conflict(reviewer, application):
        raise Refused(
            _(
                "%(user)s cannot review this application: their organisation applied to "
                "this call or assessed the municipality."
            )
            % {"user": reviewer}
        )
    assignment, _created = ReviewAssignment.objects.get_or_create(
        application=application, reviewer=reviewer, defaults={"assigned_by": by}
    )
    return assignment


def declare_conflict(*, review: ReviewAssignment, has_conflict: bool, note: str = "", by):
    """Before reading an application, a reviewer says whether they have a conflict of
    interest. A conflict excludes them; the declaration cannot be taken back."""
    with transaction.atomic():
        review = ReviewAssignment.objects.select_for_update().get(pk=review.pk)
        if review.reviewer_id != by.pk:
            raise Refused(_("This review is not assigned to you."))
        if review.has_conflict is not None:
            raise Refused(_("You have declared this already."))
        if has_conflict and not note.strip():
            raise Refused(_("Say briefly what the conflict of interest is."))
        review.has_conflict = has_conflict
        review.conflict_note = note.strip()
        review.declared_at = timezone.now()
        review.save(update_fields=["has_conflict", "conflict_note", "declared_at"])
    return review


def refuse_unless_reviewable(review: ReviewAssignment, by) -> None:
    """Scores change only by the reviewer, after declaring no conflict, while the call
    is under review and before the review is submitted."""
    application = review.application
    if review.reviewer_id != by.pk or not is_grant_reviewer(by):
        raise Refused(_("This review is not assigned to you."))
    if review.has_conflict is None:
        raise Refused(_("Declare whether you have a conflict of interest first."))
    if review.has_conflict or organisations_in_conflict(by, application):
        raise Refused(_("You are excluded from this application by a conflict of interest."))
    if review.is_submitted:
        raise Refused(_("You have submitted this review; it can no longer change."))
    if application.call.stage != CallStage.UNDER_REVIEW:
        raise Refused(_("This call is not under review."))


def save_review(
    *,
    review: ReviewAssignment,
    scores: dict[int, tuple[int | None, str]],
    submit: bool,
    by,
) -> ReviewAssignment:
    """Keep the reviewer's scores (criterion id -> points or None for N/A, and a comment);
    with `submit`, every criterion must be scored or marked N/A."""
    with transaction.atomic():
        review = (
            ReviewAssignment.objects.select_for_update()
            .select_related("application__call")
            .get(pk=review.pk)
        )
        refuse_unless_reviewable(review, by)
        criteria = {c.pk: c for c in review.application.call.rubric.all()}
        for criterion_id, (points, comment) in scores.items():
            if criterion_id not in criteria:
                raise Refused(_("That criterion is not in this call's rubric."))
            if points is not None and not 0 <= points <= MAX_POINTS:
                raise Refused(_("A score is a whole number from 0 to 5, or N/A."))
            ReviewScore.objects.update_or_create(
                review=review,
                criterion_id=criterion_id,
                defaults={"points": points, "comment": comment},
            )
        if submit:
            scored = set(review.scores.values_list("criterion_id", flat=True))
            if set(criteria) - scored:
                raise Refused(_("Score every criterion, or mark it N/A, before submitting."))
            review.submitted_at = timezone.now()
            review.save(update_fields=["submitted_at"])
    return review


def application_result(application: Application) -> scoring.ApplicationScore:
    """The score of an application from its submitted reviews. A list of applications
    prefetches them as `submitted_reviews` (with their scores, and the call's rubric), so
    that its query count does not grow with its rows."""
    weights = {str(c.pk): c.weight for c in application.call.rubric.all()}
    submitted = getattr(application, "submitted_reviews", None)
    if submitted is None:
        submitted = application.reviews.filter(submitted_at__isnull=False).prefetch_related(
            "scores"
        )
    reviews = []
    for review in submitted:
        reviews.append({str(s.criterion_id): s.points for s in review.scores.all()})
    return scoring.application_score(
        reviews, weights, threshold=application.call.moderation_threshold
    )


def moderate(*, application: Application, score: Decimal, note: str, by) -> Application:
    """Staff set the score of an application whose reviewers disagree; the reviewers'
    own scores stay as they were."""
    _staff_only(by)
    if application.decision != Decision.PENDING:
        raise Refused(_("This application has been decided already."))
    if not note.strip():
        raise Refused(_("Explain the moderated score."))
    if not Decimal(0) <= score <= Decimal(MAX_POINTS):
        raise Refused(_("A moderated score is from 0 to 5."))
    application.moderated_score = score
    application.moderation_note = note.strip()
    application.save(update_fields=["moderated_score", "moderation_note", "updated_at"])
    return application


# Decisions and reports


def report_due_dates(start: datetime.date, end: datetime.date) -> dict[str, datetime.date]:
    """Fixed when the grant is awarded: the interim report halfway, the final one a
    month after the grant ends. They never move afterwards."""
    return {
        ReportKind.INTERIM: start + (end - start) / 2,
        ReportKind.FINAL: end + datetime.timedelta(days=30),
    }


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month `months` calendar months later; a day that month lacks
    becomes its last day (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def decide(
    *,
    application: Application,
    award: bool,
    by,
    reason: str = "",
    amount: Decimal | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    agreement=None,
    summary_ka: str = "",
    summary_en: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Award (an amount within the call's limits, the grant's dates within the call's
    longest grant and not over already, its agreement, and the public register's summary
    in both languages) or reject with a reason; the applicant hears in their language.
    A decision is final: it is never corrected here."""
    _staff_only(by)
    now = now or timezone.now()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update().select_related("call").get(pk=application.pk)
        )
        call = application.call
        if call.stage != CallStage.UNDER_REVIEW:
            raise Refused(_("Decisions are taken while the call is under review."))
        if application.status != ApplicationStatus.SUBMITTED or (
            application.eligibility != Eligibility.ELIGIBLE
        ):
            raise Refused(_("Only an eligible, submitted application is decided."))
        if application.decision != Decision.PENDING:
            raise Refused(_("This application has been decided already."))
        if award:
            if amount is None or not call.min_grant <= amount <= call.max_grant:
                raise Refused(
                    _("An award is from %(min)s ₾ to %(max)s ₾.")
                    % {"min": grouped_amount(call.min_grant), "max": grouped_amount(call.max_grant)}
                )
            if amount > application.requested_amount:
                raise Refused(_("An award cannot be more than the amount requested."))
            if awards_total(call) + amount > call.budget:
                raise Refused(_("This award would go beyond the call's budget."))
            if not (start and end and start < end):
                raise Refused(_("Give the grant's start and end dates, the end after the start."))
            if end < timezone.localdate(now):
                raise Refused(
                    _("The grant's end date, %(end)s, has passed; a grant ends today or later.")
                    % {"end": formats.date_format(end, "SHORT_DATE_FORMAT")}
                )
            latest = add_months(start, call.max_months)
            if end > latest:
                raise Refused(
                    ngettext(
                        "A grant of this call lasts at most %(months)d month: starting on "
                        "%(start)s, it ends on %(latest)s at the latest.",
                        "A grant of this call lasts at most %(months)d months: starting on "
                        "%(start)s, it ends on %(latest)s at the latest.",
                        call.max_months,
                    )
                    % {
                        "months": call.max_months,
                        "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
                        "latest": formats.date_format(latest, "SHORT_DATE_FORMAT"),
                    }
                )
            summary_ka, summary_en = summary_ka.strip(), summary_en.strip()
            if not (summary_ka and summary_en):
                raise Refused(
                    _(
                        "Write the public summary of the award in Georgian and in English: the "
                        "public register shows it in both languages."
                    )
                )
            application.decision = Decision.AWARDED
            application.awarded_amount = amount
            application.grant_start, application.grant_end = start, end
            application.public_summary_ka, application.public_summary_en = summary_ka, summary_en
            if agreement is not None:
                application.agreement = agreement
        else:
            if not reason.strip():
                raise Refused(_("Give the reason for the rejection."))
            application.decision = Decision.REJECTED
        application.decision_reason = reason.strip()
        application.decided_at = now
        application.save()
        if award:
            for kind, due in report_due_dates(start, end).items():
                Report.objects.create(application=application, kind=kind, due_on=due)
        _notify("decided", application.pk)
    return application


def submit_report(*, report: Report, by, now: datetime.datetime | None = None) -> Report:
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("application").get(pk=report.pk)
        if report.application.organization_id not in organization_ids(by):
            raise Refused(_("You may submit only your own organisation's report."))
        if not report.is_editable:
            raise Refused(_("This report has been submitted already."))
        if not report.narrative.strip() or not report.financial.strip():
            raise Refused(_("Write both the narrative and the financial report first."))
        report.status = ReportStatus.SUBMITTED
        report.submitted_at = now or timezone.now()
        report.submitted_by = by
        report.save(update_fields=["status", "submitted_at", "submitted_by"])
    return report


def review_report(*, report: Report, accept: bool, comment: str = "", by) -> Report:
    _staff_only(by)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.SUBMITTED:
            raise Refused(_("Only a submitted report is accepted or returned."))
        if not accept and not comment.strip():
            raise Refused(_("Say what needs to change before returning the report."))
        report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        report.staff_comment = comment.strip()
        report.reviewed_at = timezone.now()
        report.save(update_fields=["status", "staff_comment", "reviewed_at"])
        _notify("report_accepted" if accept else "report_returned", report.pk)
    return report


# Reminders: before the due date, on it, and every week after it until the report comes.
REMIND_BEFORE_DAYS = (14, 3)
REMIND_EVERY_DAYS_AFTER = 7


def reminder_due(report: Report, today: datetime.date) -> str | None:
    """The latest reminder a report owing on `today` should have had, named so that it is
    sent once: "before-14", "before-3", "due", then "after-1", "after-8", … A day the
    beat missed is caught up with the latest one only."""
    days_left = (report.due_on - today).days
    if days_left > max(REMIND_BEFORE_DAYS):
        return None
    if days_left > 0:
        return f"before-{min(d for d in REMIND_BEFORE_DAYS if d >= days_left)}"
    if days_left == 0:
        return "due"
    late = -days_left
    return f"after-{1 + (late - 1) // REMIND_EVERY_DAYS_AFTER * REMIND_EVERY_DAYS_AFTER}"


def remind_reports(*, today: datetime.date | None = None) -> int:
    """Queue the reminders due today; the e-mail goes once per report and reminder."""
    today = today or timezone.localdate()
    queued = 0
    reports = Report.objects.awaiting().filter(
        due_on__lte=today + datetime.timedelta(days=max(REMIND_BEFORE_DAYS))
    )
    for report in reports.only("pk", "due_on"):
        reminder = reminder_due(report, today)
        if reminder:
            send_grant_notification.delay_on_commit(
                event="report_reminder", pk=report.pk, key=f"grants:report:{report.pk}:{reminder}"
            )
            queued += 1
    return queued


def awards_total(call: Call) -> Decimal:
    """What the call has awarded so far."""
    total = call.applications.filter(decision=Decision.AWARDED).aggregate(
        total=Sum("awarded_amount")
    )["total"]
    return total or Decimal(0)


@shared_task(name="grants.tasks.remind_reports")
def remind_reports_task() -> int:
    return remind_reports()
