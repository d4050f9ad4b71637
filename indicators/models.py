from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from musqat.numbers import plain_number

POSITIVE_WEIGHT = Q(weight__gt=0)
code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("Use letters, digits, dots, dashes or underscores.")
)


# Why a version may no longer change, asked of every lock here: the assessments app
# registers one (published results use the version). indicators itself knows no app.
version_locks: list[Callable[["MethodologyVersion"], str | None]] = []


def refuse_if_frozen(version: "MethodologyVersion | None") -> None:
    reason = version.why_frozen() if version is not None else None
    if reason:
        raise ValidationError(reason)


def is_new_or_changed(item: models.Model, names=None) -> bool:
    """Whether saving `item` would add a row or change its stored one (in `names`, or in
    any of its fields)."""
    if item.pk is None:
        return True
    names = names or [field.attname for field in item._meta.concrete_fields]
    stored = type(item).objects.filter(pk=item.pk).values(*names).first()
    return stored is None or any(stored[name] != getattr(item, name) for name in names)


class MethodologyVersion(models.Model):
    code = models.SlugField(
        _("code"), max_length=30, unique=True, help_text=_("ASCII, for example 2020.")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("previous version"),
    )
    is_current = models.BooleanField(
        _("current version"), default=False, help_text=_("The version the public site explains.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-code"]
        verbose_name = _("methodology version")
        verbose_name_plural = _("methodology versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_methodology"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        created = self._state.adding
        super().save(*args, **kwargs)
        if created and not self.grade_bands.exists():
            self.create_default_bands()

    # What a frozen version keeps; which version the site explains may still change.
    CONTENT_FIELDS = (
        "code",
        "name_ka",
        "name_en",
        "description_ka",
        "description_en",
        "previous_id",
    )

    def why_frozen(self) -> str | None:
        """Why this version may no longer change (None while it may): published results
        use it, and a published number changes only through a correction."""
        if self.pk is None:
            return None
        return next((reason for lock in version_locks if (reason := lock(self))), None)

    def clean(self):
        if is_new_or_changed(self, self.CONTENT_FIELDS):
            refuse_if_frozen(self)

    def create_default_bands(self):
        """The design's default bands: 0–39.9, 40–59.9, 60–79.9 and 80–100."""
        for order, (minimum, label, colour) in enumerate(DEFAULT_BANDS):
            labels = {}
            for lang in ("ka", "en"):
                with translation.override(lang):
                    labels[f"label_{lang}"] = gettext(label)
            GradeBand.objects.create(
                version=self, order=order, min_score=minimum, colour=colour, **labels
            )


class MethodologyItem(models.Model):
    """What every level of the tree has: a code, a bilingual name and description, a weight
    among its siblings and an order."""

    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_(
            "A positive number. Items are weighted among their siblings; the default is 1."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def methodology(self) -> "MethodologyVersion | None":
        raise NotImplementedError

    def clean(self):
        if is_new_or_changed(self):
            refuse_if_frozen(self.methodology)


class ThematicArea(MethodologyItem):
    version = models.ForeignKey(
        MethodologyVersion,
        on_delete=models.CASCADE,
        related_name="areas",
        verbose_name=_("methodology version"),
    )

    class Meta:
        ordering = ["version", "order", "code"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_area_code"),
            models.CheckConstraint(condition=POSITIVE_WEIGHT, name="area_weight_positive"),
        ]

    @property
    def methodology(self):
        return self.version if self.version_id else None

    def following(self):
        """The next area of the same methodology version, or None after the last."""
        later = Q(order__gt=self.order) | Q(order=self.order, code__gt=self.code)
        siblings = ThematicArea.objects.filter(version_id=self.version_id)
        return siblings.filter(later).order_by("order", "code").first()


class Criterion(MethodologyItem):
    area = models.ForeignKey(
        ThematicArea,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("thematic area"),
    )

    class Meta:
        ordering = ["area__order", "order", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["area", "code"], name="unique_criterion_code"),
            models.CheckConstraint(condition=POSITIVE_WEIGHT, name="criterion_weight_positive"),
        ]

    @property
    def methodology(self):
        return self.area.version if self.area_id else None


class ResponseType(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    SCALE = "scale", _("Scale of levels")
    PERCENT = "percent", _("Percentage (0–100)")
    NUMERIC = "numeric", _("Number with thresholds")


class AnsweredBy(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipal staff")
    CSO = "cso", _("CSO monitor")
    BOTH = "both", _("Both")


class Indicator(MethodologyItem):
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("criterion")
    )
    response_type = models.CharField(
        _("response type"), max_length=10, choices=ResponseType.choices
    )
    scale_labels = models.TextField(
        _("scale labels"),
        blank=True,
        help_text=_("Scale indicators only: one label per line, from level 0 upwards."),
    )
    worst = models.DecimalField(
        _("worst value"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Numeric indicators only: the value that scores 0."),
    )
    best = models.DecimalField(
        _("best value"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "Numeric indicators only: the value that scores 100. "
            "Set it below the worst value when lower is better."
        ),
    )
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    answered_by = models.CharField(
        _("answered by"), max_length=12, choices=AnsweredBy.choices, default=AnsweredBy.BOTH
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("counterpart in the previous version"),
    )
    comparable = models.BooleanField(
        _("comparable with the previous version"),
        default=False,
        help_text=_("Changes between cycles are shown only for comparable indicators."),
    )

    class Meta:
        ordering = ["criterion__area__order", "criterion__order", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["criterion", "code"], name="unique_indicator_code"),
            models.CheckConstraint(condition=POSITIVE_WEIGHT, name="indicator_weight_positive"),
            models.CheckConstraint(
                condition=(
                    Q(response_type="numeric", worst__isnull=False, best__isnull=False)
                    & ~Q(worst=models.F("best"))
                )
                | (~Q(response_type="numeric") & Q(worst__isnull=True, best__isnull=True)),
                name="indicator_thresholds_match_type",
            ),
        ]

    def labels_in(self, lang: str) -> list[str]:
        text = getattr(self, f"scale_labels_{lang}", "") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def shown_labels(self) -> list[str]:
        """The scale's labels in the current language; the Georgian ones where it has none."""
        return self.labels_in(get_language() or "ka") or self.labels_in("ka")

    def answer_in_words(self, value: Decimal | None, is_na: bool) -> str:
        """An answer as people read it, in the current language: the scale label, yes or
        no, a percentage, a number with its unit."""
        if is_na:
            return gettext("Not applicable")
        if value is None:
            return gettext("No answer")
        if self.response_type == ResponseType.YES_NO:
            return gettext("Yes") if value == 1 else gettext("No")
        if self.response_type == ResponseType.SCALE:
            labels = self.shown_labels
            level = int(value)
            label = labels[level] if 0 <= level < len(labels) else ""
            return gettext("%(label)s (level %(level)s of %(top)s)") % {
                "label": label,
                "level": level,
                "top": len(labels) - 1,
            }
        if self.response_type == ResponseType.PERCENT:
            return f"{plain_number(value)}%"
        return f"{plain_number(value)} {self.unit}".strip()

    @property
    def scale_max(self) -> int | None:
        if self.response_type != ResponseType.SCALE:
            return None
        return len(self.labels_in("ka")) - 1

    @property
    def methodology(self):
        return self.criterion.area.version if self.criterion_id else None

    def clean(self):
        super().clean()
        errors = {}
        is_scale = self.response_type == ResponseType.SCALE
        is_numeric = self.response_type == ResponseType.NUMERIC
        counts = {lang: len(self.labels_in(lang)) for lang in ("ka", "en")}
        if is_scale:
            for lang, count in counts.items():
                if count < 2:
                    errors[f"scale_labels_{lang}"] = _(
                        "A scale needs a label for every level, at least two levels (0 and 1)."
                    )
            if "scale_labels_en" not in errors and counts["ka"] != counts["en"]:
                errors["scale_labels_en"] = _(
                    "The Georgian and English scales must have the same number of levels."
                )
        else:
            for lang, count in counts.items():
                if count:
                    errors[f"scale_labels_{lang}"] = _("Only scale indicators have level labels.")
        if is_numeric:
            if self.worst is None:
                errors["worst"] = _("A numeric indicator needs a worst value.")
            if self.best is None:
                errors["best"] = _("A numeric indicator needs a best value.")
            if self.worst is not None and self.worst == self.best:
                errors["best"] = _("The best value must differ from the worst value.")
        else:
            if self.worst is not None:
                errors["worst"] = _("Only numeric indicators have thresholds.")
            if self.best is not None:
                errors["best"] = _("Only numeric indicators have thresholds.")
        if self.previous_id and self.criterion_id:
            version = self.criterion.area.version
            if self.previous.criterion.area.version_id != version.previous_id:
                errors["previous"] = _(
                    "The counterpart must belong to the previous methodology version."
                )
        if errors:
            raise ValidationError(errors)


DEFAULT_BANDS = [
    (Decimal("0"), "Low", "#b2182b"),
    (Decimal("40"), "Developing", "#ef8a62"),
    (Decimal("60"), "Good", "#67a9cf"),
    (Decimal("80"), "High", "#2166ac"),
]
# Make the default labels visible to makemessages.
_("Low"), _("Developing"), _("Good"), _("High")


class GradeBand(models.Model):
    """A score band of a methodology version; it reaches up to the next band's minimum."""

    version = models.ForeignKey(
        MethodologyVersion,
        on_delete=models.CASCADE,
        related_name="grade_bands",
        verbose_name=_("methodology version"),
    )
    min_score = models.DecimalField(
        _("lowest score"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0)],
        help_text=_("Scores from this value (inclusive) up to the next band belong here."),
    )
    label = models.CharField(_("label"), max_length=60)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour such as #2166ac."))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "min_score"]
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        constraints = [
            models.UniqueConstraint(fields=["version", "min_score"], name="unique_band_minimum"),
            models.CheckConstraint(
                condition=Q(min_score__gte=0, min_score__lte=100), name="band_minimum_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.label} (≥ {self.min_score})"

    @property
    def methodology(self):
        return self.version if self.version_id else None

    def clean(self):
        if is_new_or_changed(self):
            refuse_if_frozen(self.methodology)
