from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import (
    AnsweredBy,
    Criterion,
    Indicator,
    MethodologyVersion,
    ThematicArea,
)
from municipalities.models import Municipality, Organization

from . import scoring
from .workflow import EDITABLE_STATES, Kind, Status

SCORE_DIGITS = {"max_digits": 9, "decimal_places": 4}

# Which indicators each kind of assessment answers.
ANSWERED_BY = {
    Kind.SELF: [AnsweredBy.MUNICIPALITY, AnsweredBy.BOTH],
    Kind.EXTERNAL: [AnsweredBy.CSO, AnsweredBy.BOTH],
}


class CycleQuerySet(models.QuerySet):
    def with_published(self):
        """Cycles that have at least one published assessment."""
        return self.filter(assessments__snapshots__is_current=True).distinct()


class Cycle(models.Model):
    """One assessment round, for example 2021, tied to one methodology version."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    methodology = models.ForeignKey(
        MethodologyVersion,
        on_delete=models.PROTECT,
        related_name="cycles",
        verbose_name=_("methodology version"),
    )
    is_open = models.BooleanField(
        _("open for data entry"), default=False, help_text=_("Drafts may be edited.")
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True)
                | Q(opens_on__isnull=True)
                | Q(closes_on__gte=models.F("opens_on")),
                name="cycle_closes_after_it_opens",
            ),
        ]

    def __str__(self):
        return str(self.year)

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("A cycle cannot close before it opens.")})


class AssessmentQuerySet(models.QuerySet):
    def published(self):
        """Assessments with a public revision (also while a correction is under way)."""
        return self.filter(snapshots__is_current=True)


class Assessment(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("municipality"),
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("cycle")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("CSO organisation"),
        help_text=_("External assessments only: the organisation that carries it out."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    reply_deadline = models.DateField(_("reply deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-cycle__year", "municipality__slug", "kind"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "cycle", "kind"], name="one_assessment_per_kind_and_cycle"
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.EXTERNAL) | Q(organization__isnull=True),
                name="only_external_assessments_have_an_organization",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.REPLY) | Q(kind=Kind.EXTERNAL),
                name="only_external_assessments_have_a_reply_stage",
            ),
        ]

    def __str__(self):
        return f"{self.municipality} {self.cycle} – {self.get_kind_display()}"

    def clean(self):
        if self.kind == Kind.SELF and self.organization_id:
            raise ValidationError(
                {"organization": _("A self-assessment belongs to the municipality, not a CSO.")}
            )

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATES

    def reply_is_open(self, today=None) -> bool:
        """The right of reply is open, and its last day has not passed."""
        today = today or timezone.localdate()
        return self.status == Status.REPLY and (
            self.reply_deadline is None or today <= self.reply_deadline
        )

    def indicators(self):
        """The indicators this assessment answers: its kind decides (DESIGN.md)."""
        return Indicator.objects.filter(
            criterion__area__version_id=self.cycle.methodology_id,
            answered_by__in=ANSWERED_BY[self.kind],
        )

    def score(self) -> scoring.Result:
        """Score the current answers (partial while some are missing)."""
        methodology = methodology_spec(self.cycle.methodology_id, kind=self.kind)
        answers = {
            response.indicator.code: response.as_answer()
            for response in self.responses.select_related("indicator")
        }
        return scoring.score(methodology, answers)


def methodology_spec(version_id: int, *, kind: str) -> scoring.Methodology:
    """The plain structure of a methodology version, as the scoring engine reads it.

    Only the indicators that this kind of assessment answers take part; a
    criterion left with none has no score, like one whose indicators are all N/A.
    """
    areas = ThematicArea.objects.filter(version_id=version_id).order_by("order", "code")
    criteria = Criterion.objects.filter(area__version_id=version_id).select_related("area")
    indicators = Indicator.objects.filter(
        criterion__area__version_id=version_id, answered_by__in=ANSWERED_BY[kind]
    ).select_related("criterion")
    return scoring.Methodology(
        areas=[scoring.AreaSpec(a.code, a.weight) for a in areas],
        criteria=[scoring.CriterionSpec(c.code, c.area.code, c.weight) for c in criteria],
        indicators=[indicator_spec(i) for i in indicators],
    )


def indicator_spec(indicator: Indicator) -> scoring.IndicatorSpec:
    return scoring.IndicatorSpec(
        code=indicator.code,
        criterion=indicator.criterion.code,
        response_type=indicator.response_type,
        weight=indicator.weight,
        scale_max=indicator.scale_max,
        worst=indicator.worst,
        best=indicator.best,
    )


def methodology_lock(version: MethodologyVersion) -> str | None:
    """Why a version's matrix may no longer be imported into: published results use it."""
    if Assessment.objects.published().filter(cycle__methodology=version).exists():
        return _(
            "Methodology %(code)s already has published assessments, so an import may not "
            "change it. Create a new methodology version and import the matrix there."
        ) % {"code": version.code}
    return None


class AnswerTexts(models.Model):
    """What an answer says in words, besides its value: kept on the answer and frozen
    with every published revision."""

    na_reason = models.TextField(_("reason it does not apply"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("One address per line."))
    reply = models.TextField(
        _("municipality's reply"),
        blank=True,
        help_text=_("External assessments: the municipality's answer to this finding."),
    )
    # The texts above are written in Georgian; English pages show these translations,
    # or say that the text exists in Georgian only.
    na_reason_en = models.TextField(_("reason it does not apply (English)"), blank=True)
    evidence_en = models.TextField(_("evidence (English)"), blank=True)
    reply_en = models.TextField(_("municipality's reply (English)"), blank=True)

    TEXT_FIELDS = ["na_reason", "evidence", "links", "reply", "na_reason_en", "evidence_en",
                   "reply_en"]  # fmt: skip

    class Meta:
        abstract = True

    def text_in(self, field: str, lang: str) -> str:
        """A free-text field as English pages show it: the translation or nothing."""
        if lang == "en":
            return getattr(self, f"{field}_en")
        return getattr(self, field)

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Response(AnswerTexts):
    """One answer: an assessment × an indicator."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="responses", verbose_name=_("assessment")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="responses", verbose_name=_("indicator")
    )
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Yes = 1 and no = 0; a scale level; a percentage; or a number."),
    )
    is_na = models.BooleanField(_("not applicable"), default=False)
    # Raised by every save, so that two people editing one answer notice each other.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "indicator"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="one_response_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(is_na=False) | (Q(value__isnull=True) & ~Q(na_reason="")),
                name="not_applicable_has_a_reason_and_no_value",
            ),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.indicator.code}"

    @property
    def is_answered(self) -> bool:
        return self.is_na or self.value is not None

    def as_answer(self) -> scoring.Answer:
        return scoring.Answer(value=self.value, is_na=self.is_na)

    def clean(self):
        if self.is_na:
            errors = {}
            if not self.na_reason.strip():
                errors["na_reason"] = _("Say why this indicator does not apply.")
            if self.value is not None:
                errors["value"] = _("Leave the value empty when the indicator does not apply.")
            if errors:
                raise ValidationError(errors)
            return
        if self.value is None or not self.indicator_id:
            return
        try:
            scoring.check_value(indicator_spec(self.indicator), self.value)
        except scoring.InvalidAnswer as error:
            raise ValidationError(
                {"value": invalid_answer_message(error, self.indicator)}
            ) from None


def invalid_answer_message(error: scoring.InvalidAnswer, indicator: Indicator) -> str:
    messages = {
        "not_a_number": _("Enter a number."),
        "yes_no": _("Answer yes (1) or no (0)."),
        "scale_range": _("Choose a level from 0 to %(max)s."),
        "percent_range": _("Enter a percentage from 0 to 100."),
        "scale_undefined": _("This indicator's scale has no levels yet."),
        "thresholds_undefined": _("This indicator's thresholds are not set yet."),
        "unknown_type": _("This indicator's response type is unknown."),
    }
    return str(messages[error.code]) % error.params


def evidence_path(instance, filename):
    response = instance.response
    return f"evidence/{response.assessment_id}/{response.indicator_id}/{filename}"


class EvidenceFile(models.Model):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="files", verbose_name=_("response")
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    title = models.CharField(_("title"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.title or self.file.name


class ReviewCommentQuerySet(models.QuerySet):
    def open(self):
        """Comments the owner has not yet answered by resubmitting."""
        return self.filter(resolved=False)

    def for_reading(self):
        """Open comments as their pages list them: by indicator, oldest first."""
        return (
            self.open()
            .select_related("indicator", "author")
            .order_by("indicator__code", "created_at")
        )


class ReviewComment(models.Model):
    """A reviewer's comment, on the assessment or on one indicator."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="comments", verbose_name=_("assessment")
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    history = HistoricalRecords()

    objects = ReviewCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self):
        return self.text[:60]


class SnapshotQuerySet(models.QuerySet):
    def current(self):
        """The public revision of each published assessment. A correction under way
        leaves it public until the corrected revision replaces it."""
        return self.filter(is_current=True)


class ScoreSnapshot(models.Model):
    """The frozen scores of one published revision of an assessment."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("assessment")
    )
    revision = models.PositiveSmallIntegerField(_("revision"))
    is_current = models.BooleanField(_("current revision"), default=True)
    overall = models.DecimalField(_("overall score"), null=True, **SCORE_DIGITS)
    coverage = models.DecimalField(_("coverage"), max_digits=7, decimal_places=6)
    # A correction explains itself publicly, in both languages.
    note_ka = models.TextField(_("public note (Georgian)"), blank=True)
    note_en = models.TextField(_("public note (English)"), blank=True)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "-revision"]
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "revision"], name="unique_snapshot_revision"
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(is_current=True),
                name="one_current_snapshot_per_assessment",
            ),
            models.CheckConstraint(
                condition=Q(revision=1) | (~Q(note_ka="") & ~Q(note_en="")),
                name="a_correction_has_a_public_note",
            ),
        ]

    def __str__(self):
        return f"{self.assessment} r{self.revision}"

    @property
    def note(self) -> str:
        return self.note_en if get_language() == "en" else self.note_ka


class AreaScore(models.Model):
    snapshot = models.ForeignKey(ScoreSnapshot, on_delete=models.CASCADE, related_name="areas")
    area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), null=True, **SCORE_DIGITS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "area"], name="unique_area_score"),
        ]

    def __str__(self):
        return f"{self.snapshot} · {self.area}"


class CriterionScore(models.Model):
    snapshot = models.ForeignKey(ScoreSnapshot, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), null=True, **SCORE_DIGITS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "criterion"], name="unique_criterion_score"
            ),
        ]

    def __str__(self):
        return f"{self.snapshot} · {self.criterion}"


class IndicatorScore(AnswerTexts):
    """One indicator of a published revision: the answer, its texts and its score."""

    snapshot = models.ForeignKey(ScoreSnapshot, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True)
    is_na = models.BooleanField(_("not applicable"), default=False)
    normalised = models.DecimalField(
        _("normalised score (0–1)"), max_digits=9, decimal_places=6, null=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "indicator"], name="unique_indicator_score"
            ),
        ]

    def __str__(self):
        return f"{self.snapshot} · {self.indicator}"


class NotificationSettings(models.Model):
    """How a user wants to hear from the platform."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("email language"), max_length=5, choices=settings.LANGUAGES, default="ka"
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)


def language_of(user) -> str:
    try:
        return user.notification_settings.language
    except NotificationSettings.DoesNotExist:
        return settings.LANGUAGE_CODE


class SentNotification(models.Model):
    """An email already sent, so that a retried task does not send it twice."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent notification")
        verbose_name_plural = _("sent notifications")

    def __str__(self):
        return self.key


class Document(models.TextChoices):
    SCORECARD = "scorecard", _("Scorecard")
    REPORT = "report", _("Regional report")
    HANDBOOK = "handbook", _("Methodology handbook")


class RenderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Rendering(models.Model):
    """One PDF in one language, and how its last render went.

    A scorecard belongs to a municipality and a cycle, a regional report to a cycle,
    a handbook to a methodology version. `source` fingerprints the published data
    the stored file shows, so a file made from older data is known to be stale.
    """

    document = models.CharField(_("document"), max_length=20, choices=Document.choices)
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="renderings",
        verbose_name=_("cycle"),
    )  # fmt: skip
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("municipality"),
    )  # fmt: skip
    methodology = models.ForeignKey(
        MethodologyVersion, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("methodology version"),
    )  # fmt: skip
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    file = models.FileField(_("file"), upload_to="pdf/", blank=True, max_length=200)
    source = models.CharField(_("source fingerprint"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    duration = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    requested_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["document", "-cycle__year", "municipality__name", "language"]
        verbose_name = _("PDF rendering")
        verbose_name_plural = _("PDF renderings")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "municipality", "language"],
                condition=Q(document="scorecard"),
                name="one_scorecard_pdf_per_language",
            ),
            models.UniqueConstraint(
                fields=["cycle", "language"],
                condition=Q(document="report"),
                name="one_report_pdf_per_language",
            ),
            models.UniqueConstraint(
                fields=["methodology", "language"],
                condition=Q(document="handbook"),
                name="one_handbook_pdf_per_language",
            ),
            models.CheckConstraint(
                condition=(
                    Q(document="scorecard", cycle__isnull=False, municipality__isnull=False)
                    | Q(document="report", cycle__isnull=False, municipality__isnull=True)
                    | Q(document="handbook", methodology__isnull=False, cycle__isnull=True)
                ),
                name="a_pdf_names_what_it_shows",
            ),
        ]

    def __str__(self):
        if self.document == Document.SCORECARD:
            subject = f"{self.municipality} {self.cycle}"
        elif self.document == Document.REPORT:
            subject = str(self.cycle)
        else:
            subject = str(self.methodology)
        return f"{self.get_document_display()}: {subject} ({self.language})"

    @property
    def is_ready(self) -> bool:
        return self.status == RenderStatus.DONE and bool(self.file)

    def download_name(self) -> str:
        if self.document == Document.SCORECARD:
            stem = f"scorecard-{self.cycle.year}-{self.municipality.slug}"
        elif self.document == Document.REPORT:
            stem = f"report-{self.cycle.year}"
        else:
            stem = f"methodology-{self.methodology.code}"
        return f"musqat-{stem}-{self.language}.pdf"


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_ROOT, outside MEDIA_ROOT: no /media/ address serves
    them, only views that check who asks. Like the default storage it reads its folder
    from the setting when first used and again whenever the setting changes (tests), and
    not once at import time, when a FileField evaluates its storage."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no public address; serve them through a view.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


class ExportKind(models.TextChoices):
    CYCLE_RESULTS = "cycle_results", _("Results of a cycle (XLSX)")


class Export(models.Model):
    """A staff export, written in the background: what was asked, how far it got, the file.

    The file is stored in the private storage (PRIVATE_ROOT, not the media folder) and
    served only through the admin's download view, to project staff.
    """

    kind = models.CharField(
        _("export"), max_length=20, choices=ExportKind.choices, default=ExportKind.CYCLE_RESULTS
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="exports", verbose_name=_("cycle")
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    done = models.PositiveIntegerField(_("rows written"), default=0)
    total = models.PositiveIntegerField(_("rows in all"), default=0)
    file = models.FileField(
        _("file"), upload_to="exports/", storage=private_storage, blank=True, max_length=200
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("requested by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.cycle} ({self.language})"

    @property
    def is_ready(self) -> bool:
        return self.status == RenderStatus.DONE and bool(self.file)

    @property
    def is_under_way(self) -> bool:
        return self.status in (RenderStatus.PENDING, RenderStatus.RUNNING)

    @property
    def percent(self) -> int:
        """How far the export got; 100 only once its file is stored."""
        if self.status == RenderStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)

    def download_name(self) -> str:
        return f"musqat-{self.cycle.year}-results-{self.language}.xlsx"
