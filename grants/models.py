"""The grant competition: calls, applications, reviews, decisions and grantee reports.

The rules live here first (DESIGN.md, "The grant competition"): a call's status follows
its dates, an application's budget is the sum of its lines, a reviewer with a conflict is
excluded, a report's due date is fixed when the grant is awarded. `services.py` moves
applications through the steps that span several models.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Cycle
from assessments.workflow import Kind
from indicators.models import Indicator
from municipalities.models import Municipality, Organization
from musqat.storage import private_storage

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}
# The rubric's scale: each criterion is scored 0..MAX_POINTS, or N/A (no score).
MAX_POINTS = 5


class CallStage(models.TextChoices):
    """What staff decide; `Call.status` adds what the dates decide."""

    DRAFT = "draft", _("draft")
    ANNOUNCED = "announced", _("announced")
    UNDER_REVIEW = "under_review", _("under review")
    DECIDED = "decided", _("decided")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    UPCOMING = "upcoming", _("opens soon")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    UNDER_REVIEW = "under_review", _("under review")
    DECIDED = "decided", _("decided")


class CallQuerySet(models.QuerySet):
    def public(self):
        """Calls citizens may read: every call that is no longer a draft."""
        return self.exclude(stage=CallStage.DRAFT)

    def open_at(self, moment: datetime.datetime):
        return self.filter(stage=CallStage.ANNOUNCED, opens_at__lte=moment, closes_at__gt=moment)


class Call(models.Model):
    """A call for proposals, run by project staff."""

    slug = models.SlugField(_("slug"), unique=True, help_text=_("ASCII, set by hand."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    budget = models.DecimalField(_("total budget (GEL)"), **MONEY)
    min_grant = models.DecimalField(_("minimum grant (GEL)"), **MONEY)
    max_grant = models.DecimalField(_("maximum grant (GEL)"), **MONEY)
    opens_at = models.DateTimeField(_("opens"), help_text=_("Tbilisi time."))
    closes_at = models.DateTimeField(
        _("closes"),
        help_text=_("Tbilisi time. Submissions are refused from this second on."),
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=CallStage.choices, default=CallStage.DRAFT
    )
    cycle = models.ForeignKey(
        Cycle,
        on_delete=models.PROTECT,
        related_name="grant_calls",
        verbose_name=_("findings of the cycle"),
        help_text=_("The published cycle whose findings the call addresses."),
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="grant_calls", verbose_name=_("eligible municipalities")
    )
    priority_indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="grant_calls", verbose_name=_("priority indicators")
    )
    max_months = models.PositiveSmallIntegerField(
        _("longest grant (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("A grant's end date is at most this many calendar months after its start."),
    )
    applications_per_organization = models.PositiveSmallIntegerField(
        _("applications per organisation"), default=1, validators=[MinValueValidator(1)]
    )
    moderation_threshold = models.DecimalField(
        _("moderation threshold"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.5"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(MAX_POINTS))],
        help_text=_(
            "When reviewers' scores of one application differ by more than this many points "
            "(on the 0–5 scale), the application is flagged for moderation."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("grant call")
        verbose_name_plural = _("grant calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_it_opens"
            ),
            models.CheckConstraint(
                condition=Q(min_grant__lte=models.F("max_grant"))
                & Q(max_grant__lte=models.F("budget")),
                name="call_grant_limits_in_order",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("A call closes after it opens.")
        if self.min_grant is not None and self.max_grant is not None:
            if self.min_grant > self.max_grant:
                errors["min_grant"] = _("The minimum grant is more than the maximum.")
            elif self.budget is not None and self.max_grant > self.budget:
                errors["max_grant"] = _("The maximum grant is more than the whole budget.")
        if errors:
            raise ValidationError(errors)

    def status_at(self, moment: datetime.datetime) -> str:
        if self.stage == CallStage.DRAFT:
            return CallStatus.DRAFT
        if self.stage == CallStage.UNDER_REVIEW:
            return CallStatus.UNDER_REVIEW
        if self.stage == CallStage.DECIDED:
            return CallStatus.DECIDED
        if moment < self.opens_at:
            return CallStatus.UPCOMING
        if moment < self.closes_at:
            return CallStatus.OPEN
        return CallStatus.CLOSED

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return CallStatus(self.status).label

    def is_open_at(self, moment: datetime.datetime) -> bool:
        """Whether applications may be submitted at this moment, to the second."""
        return self.status_at(moment) == CallStatus.OPEN


class ChecklistItem(models.Model):
    """One condition of eligibility, which staff check for each application."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("call")
    )
    text = models.CharField(_("condition"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("eligibility condition")
        verbose_name_plural = _("eligibility checklist")

    def __str__(self):
        return self.text


class RequiredAttachment(models.Model):
    """A document every application to the call must bring, of the given file types."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="required_attachments", verbose_name=_("call")
    )
    name = models.CharField(_("document"), max_length=200)
    extensions = models.CharField(
        _("file types"),
        max_length=100,
        default="pdf",
        help_text=_("Extensions separated by commas, for example: pdf, docx, xlsx"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("required attachment")
        verbose_name_plural = _("required attachments")

    def __str__(self):
        return self.name

    @property
    def allowed(self) -> list[str]:
        return [e.strip().lower().lstrip(".") for e in self.extensions.split(",") if e.strip()]


class RubricCriterion(models.Model):
    """A criterion reviewers score from 0 to 5, or N/A."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="rubric", verbose_name=_("call")
    )
    name = models.CharField(_("criterion"), max_length=200)
    guidance = models.TextField(_("guidance for reviewers"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="rubric_weight_positive"),
        ]

    def __str__(self):
        return self.name


def call_document_path(instance, filename):
    return f"grants/calls/{instance.call_id}/{instance.language}.pdf"


class CallDocument(models.Model):
    """The call as a PDF in one language, rendered by a worker whenever the call changes."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="documents", verbose_name=_("call")
    )
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    file = models.FileField(
        _("file"), upload_to=call_document_path, storage=private_storage, blank=True
    )
    # The call's updated_at the file was rendered from: an older one is stale.
    rendered_from = models.DateTimeField(_("rendered from"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("call document")
        verbose_name_plural = _("call documents")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "language"], name="one_call_document_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.call} ({self.language})"

    @property
    def is_ready(self) -> bool:
        return bool(self.file) and self.rendered_from == self.call.updated_at


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class Eligibility(models.TextChoices):
    PENDING = "pending", _("not checked yet")
    ELIGIBLE = "eligible", _("eligible")
    INELIGIBLE = "ineligible", _("ineligible")


class Decision(models.TextChoices):
    PENDING = "pending", _("not decided yet")
    AWARDED = "awarded", _("awarded")
    REJECTED = "rejected", _("rejected")


class ApplicationQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=ApplicationStatus.SUBMITTED)

    def awarded(self):
        """Awards of decided calls: the public register."""
        return self.filter(
            status=ApplicationStatus.SUBMITTED,
            decision=Decision.AWARDED,
            call__stage=CallStage.DECIDED,
        )

    def of_user(self, user):
        """Applications of the organisations the user belongs to."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(organization__memberships__user=user)


def attachment_path(instance, filename):
    return f"grants/applications/{instance.application_id}/{filename}"


def agreement_path(instance, filename):
    return f"grants/agreements/{instance.pk or 'new'}/{filename}"


class Application(models.Model):
    """A CSO's application to a call, for one municipality and the indicators it targets."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="grant_applications",
        verbose_name=_("organisation"),
    )
    reference = models.CharField(
        _("reference number"), max_length=30, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    # Organisation details, as given for this application.
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=40, blank=True)
    title = models.CharField(_("project title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="grant_applications",
        verbose_name=_("target municipality"),
        null=True,
        blank=True,
    )
    indicators = models.ManyToManyField(
        Indicator,
        blank=True,
        related_name="grant_applications",
        verbose_name=_("target indicators"),
    )
    finding_links = models.TextField(
        _("published findings it builds on"),
        blank=True,
        help_text=_("Addresses of scorecard pages, one per line."),
    )
    objectives = models.TextField(_("objectives"), blank=True, max_length=5000)
    activities = models.TextField(_("activities"), blank=True, max_length=10000)
    requested_amount = models.DecimalField(_("requested amount (GEL)"), default=0, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # Eligibility, checked by project staff.
    eligibility = models.CharField(
        _("eligibility"), max_length=20, choices=Eligibility.choices, default=Eligibility.PENDING
    )
    eligibility_reason = models.TextField(_("reason for ineligibility"), blank=True)
    # Moderation, when reviewers disagree: the originals stay beside it.
    moderated_score = models.DecimalField(
        _("moderated score"),
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(MAX_POINTS))],
    )
    moderation_note = models.TextField(_("moderation note"), blank=True)
    # The decision.
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    awarded_amount = models.DecimalField(_("awarded amount (GEL)"), null=True, blank=True, **MONEY)
    agreement = models.FileField(
        _("grant agreement"), upload_to=agreement_path, storage=private_storage, blank=True
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    grant_start = models.DateField(_("grant starts"), null=True, blank=True)
    grant_end = models.DateField(_("grant ends"), null=True, blank=True)
    # The public register's summary of an award, in both languages.
    public_summary = models.TextField(_("public summary"), blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        # Drafts (no reference yet) last, on every database.
        ordering = ["call", models.F("reference").asc(nulls_last=True), "pk"]
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT) | Q(reference__isnull=False),
                name="a_submitted_application_has_a_reference",
            ),
            models.CheckConstraint(
                condition=~Q(eligibility=Eligibility.INELIGIBLE) | ~Q(eligibility_reason=""),
                name="ineligible_needs_a_reason",
            ),
            models.CheckConstraint(
                condition=Q(decision=Decision.PENDING)
                | Q(status=ApplicationStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE),
                name="only_eligible_submissions_are_decided",
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.AWARDED) | Q(awarded_amount__gt=0),
                name="an_award_has_an_amount",
            ),
            models.CheckConstraint(
                condition=~Q(decision=Decision.REJECTED) | ~Q(decision_reason=""),
                name="a_rejection_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.reference or _('draft')} · {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status == ApplicationStatus.DRAFT

    def budget_total(self) -> Decimal:
        return self.budget_lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)

    def clean(self):
        eligible = self.call.municipalities if self.call_id else None
        if (
            self.municipality_id
            and eligible
            and not eligible.filter(pk=self.municipality_id).exists()
        ):
            raise ValidationError(
                {"municipality": _("This municipality is not eligible in this call.")}
            )


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="budget_lines",
        verbose_name=_("application"),
    )
    description = models.CharField(_("budget item"), max_length=200)
    amount = models.DecimalField(_("amount (GEL)"), **MONEY)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_positive"),
        ]

    def __str__(self):
        return self.description


class ApplicationAttachment(models.Model):
    """A private file: served only to the applicant's organisation, its reviewers and staff."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("application"),
    )
    requirement = models.ForeignKey(
        RequiredAttachment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("application attachment")
        verbose_name_plural = _("application attachments")

    def __str__(self):
        return self.name


class ReviewAssignment(models.Model):
    """A reviewer's part in one application: a conflict declaration, then scores."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="grant_reviews",
        verbose_name=_("reviewer"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    # None until declared; True excludes the reviewer.
    has_conflict = models.BooleanField(_("conflict of interest"), null=True, blank=True)
    conflict_note = models.TextField(_("conflict of interest, explained"), blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("review submitted"), null=True, blank=True)

    class Meta:
        ordering = ["application", "assigned_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_review_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(has_conflict=False),
                name="a_submitted_review_declared_no_conflict",
            ),
        ]

    def __str__(self):
        return f"{self.application} · {self.reviewer}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ReviewScore(models.Model):
    """One criterion of one review: 0–5, or N/A (no score), with a comment."""

    review = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        RubricCriterion,
        on_delete=models.PROTECT,
        related_name="scores",
        verbose_name=_("criterion"),
    )
    points = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(MAX_POINTS)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(points__isnull=True) | Q(points__lte=MAX_POINTS),
                name="review_points_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {'N/A' if self.points is None else self.points}"


def applications_in_conflict(reviewer, applications) -> set[int]:
    """The ids of the applications from which a reviewer is excluded automatically: their
    own organisation applied to the same call, or assessed the target municipality. Two
    queries for any number of applications."""
    organizations = list(
        reviewer.organization_memberships.values_list("organization_id", flat=True)
    )
    if not organizations or not applications:
        return set()
    applied_calls = set(
        Application.objects.filter(
            call_id__in={a.call_id for a in applications}, organization_id__in=organizations
        ).values_list("call_id", flat=True)
    )
    assessed = set(
        Assessment.objects.filter(
            kind=Kind.EXTERNAL,
            organization_id__in=organizations,
            municipality_id__in={a.municipality_id for a in applications if a.municipality_id},
        ).values_list("municipality_id", flat=True)
    )
    return {
        a.pk
        for a in applications
        if a.call_id in applied_calls or (a.municipality_id and a.municipality_id in assessed)
    }


def organisations_in_conflict(reviewer, application) -> bool:
    return application.pk in applications_in_conflict(reviewer, [application])


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("interim report")
    FINAL = "final", _("final report")


class ReportStatus(models.TextChoices):
    DUE = "due", _("due")
    SUBMITTED = "submitted", _("submitted")
    RETURNED = "returned", _("returned for changes")
    ACCEPTED = "accepted", _("accepted")


class ReportQuerySet(models.QuerySet):
    def awaiting(self):
        """Reports the grantee still owes: never submitted, or returned."""
        return self.filter(status__in=[ReportStatus.DUE, ReportStatus.RETURNED])


def report_attachment_path(instance, filename):
    return f"grants/reports/{instance.report_id}/{filename}"


class Report(models.Model):
    """A grantee's interim or final report. Its due date is fixed when the grant is
    awarded and never moves: reminders count from it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reports", verbose_name=_("grant")
    )
    kind = models.CharField(_("report"), max_length=10, choices=ReportKind.choices)
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DUE
    )
    narrative = models.TextField(_("narrative report"), blank=True, max_length=20000)
    spent = models.DecimalField(_("spent (GEL)"), null=True, blank=True, **MONEY)
    financial = models.TextField(_("financial report"), blank=True, max_length=10000)
    outcome = models.TextField(_("advocacy outcome"), blank=True, max_length=5000)
    outcome_indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="+", verbose_name=_("indicators the outcome concerns")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    staff_comment = models.TextField(_("comments from project staff"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["application", "due_on"]
        verbose_name = _("grantee report")
        verbose_name_plural = _("grantee reports")
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="one_report_of_each_kind"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.RETURNED) | ~Q(staff_comment=""),
                name="a_returned_report_says_why",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference} · {self.get_kind_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in (ReportStatus.DUE, ReportStatus.RETURNED)

    def days_left(self, today: datetime.date | None = None) -> int:
        return (self.due_on - (today or timezone.localdate())).days


class ReportAttachment(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    file = models.FileField(_("file"), upload_to=report_attachment_path, storage=private_storage)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")

    def __str__(self):
        return self.name


def export_path(instance, filename):
    return f"grants/exports/{instance.pk}/{filename}"


class CallExport(models.Model):
    """A call's applications, reviews and awards as one XLSX, written by a worker."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("being written")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="exports", verbose_name=_("call")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    done = models.PositiveIntegerField(_("rows written"), default=0)
    total = models.PositiveIntegerField(_("rows to write"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, storage=private_storage, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("call export")
        verbose_name_plural = _("call exports")

    def __str__(self):
        # Tbilisi time, as the page's "requested" shows it.
        return f"{self.call} · {timezone.localtime(self.requested_at):%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
