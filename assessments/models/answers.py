"""Answers, their evidence files and the reviewers' comments on them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Indicator
from musqat.storage import private_storage

from .. import scoring
from .cycles import Assessment, indicator_spec


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


def answered(prefix: str = "") -> Q:
    """scoring.Answer.is_answered as the database reads it; `prefix` reaches it through a
    relation, e.g. "responses__"."""
    return Q(**{f"{prefix}is_na": True}) | Q(**{f"{prefix}value__isnull": False})


class ResponseQuerySet(models.QuerySet):
    def answered(self):
        return self.filter(answered())


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

    objects = ResponseQuerySet.as_manager()

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
        return self.as_answer().is_answered

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
    folder = f"evidence/{response.assessment_id}/{response.indicator_id}/"
    # A long name is cut here to fit the file field (the title keeps it whole), with room
    # for the "_" and 7 letters storage adds to a name already taken: left to storage,
    # a name with many dots in it cannot be cut and the upload fails.
    room = EvidenceFile._meta.get_field("file").max_length - len(folder) - 8
    if len(filename) > room:
        stem, dot, extension = filename.rpartition(".")
        if dot and len(extension) < 10:
            extension = f".{extension}"
        else:
            stem, extension = filename, ""
        filename = stem[: room - len(extension)] + extension
    return folder + filename


class EvidenceFileQuerySet(models.QuerySet):
    def present(self):
        """The files an answer has now (a removed one may still belong to a published
        revision, until the revision that replaces it is published)."""
        return self.filter(removed_at__isnull=True)


class EvidenceFile(models.Model):
    """A file an answer brings as evidence. It is private (PRIVATE_ROOT, never a /media/
    address): the evidence view serves it to those who may see the assessment, and to
    everyone once a published revision shows it."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="files", verbose_name=_("response")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, storage=private_storage)
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
    # Removed during a correction, a file the public revision shows stays (and is served)
    # until the corrected revision is published.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )
    history = HistoricalRecords()

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.title or self.file.name

    def is_shown_in(self, snapshot) -> bool:
        """A published revision shows the files that were there when it was published: a
        file added later stays private until a correction publishes it, and one removed
        later stays public until then."""
        if snapshot is None or self.uploaded_at > snapshot.published_at:
            return False
        return self.removed_at is None or self.removed_at > snapshot.published_at

    def remove(self, *, by) -> None:
        """Take the file away from its answer. A file some published revision shows is
        kept (marked removed) for as long as that revision may be public; any other is
        deleted."""
        published = self.response.assessment.snapshots.filter(
            published_at__gte=self.uploaded_at
        ).exists()
        if published:
            self.removed_at, self.removed_by = timezone.now(), by
            self._history_user = by
            self.save(update_fields=["removed_at", "removed_by"])
            return
        self.file.delete(save=False)
        self._history_user = by
        self.delete()


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
