"""Published revisions: the frozen scores and answers of an assessment."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from indicators.models import Criterion, Indicator, ThematicArea

from .answers import AnswerTexts
from .cycles import Assessment

SCORE_DIGITS = {"max_digits": 9, "decimal_places": 4}


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
    snapshot = models.ForeignKey(
        ScoreSnapshot, on_delete=models.CASCADE, related_name="areas", verbose_name=_("snapshot")
    )
    area = models.ForeignKey(
        ThematicArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    score = models.DecimalField(_("score"), null=True, **SCORE_DIGITS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "area"], name="unique_area_score"),
        ]

    def __str__(self):
        return f"{self.snapshot} · {self.area}"


class CriterionScore(models.Model):
    snapshot = models.ForeignKey(
        ScoreSnapshot, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("snapshot")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
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

    snapshot = models.ForeignKey(
        ScoreSnapshot,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("snapshot"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
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
