"""Assessment rounds and the assessments in them."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
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

from .. import scoring
from ..workflow import EDITABLE_STATES, Kind, Status

ANSWERED_BY = {
    Kind.SELF: [AnsweredBy.MUNICIPALITY, AnsweredBy.BOTH],
    Kind.EXTERNAL: [AnsweredBy.CSO, AnsweredBy.BOTH],
}


class CycleQuerySet(models.QuerySet):
    def with_published(self):
        """Cycles that have at least one published assessment (a subquery, not a join:
        no duplicate rows to remove, so it stays quick with years of snapshots)."""
        snapshots = self.model._meta.apps.get_model("assessments", "ScoreSnapshot")
        published = snapshots.objects.filter(assessment__cycle=OuterRef("pk"), is_current=True)
        return self.filter(Exists(published))


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

    # What the assessment is of, and who carries it out: settled while it is a draft.
    IDENTITY_FIELDS = ("municipality", "cycle", "kind", "organization")

    def clean(self):
        if self.kind == Kind.SELF and self.organization_id:
            raise ValidationError(
                {"organization": _("A self-assessment belongs to the municipality, not a CSO.")}
            )
        changed = self.changed_identity()
        if changed:
            raise ValidationError(
                {
                    name: _(
                        "Once an assessment has left its draft, its municipality, cycle, kind "
                        "and organisation stay as they are; create a new assessment instead."
                    )
                    for name in changed
                }
            )

    def changed_identity(self) -> list[str]:
        """The identity fields changed since the stored assessment left its draft."""
        if self.pk is None:
            return []
        attnames = [self._meta.get_field(name).attname for name in self.IDENTITY_FIELDS]
        stored = Assessment.objects.filter(pk=self.pk).values("status", *attnames).first()
        if stored is None or stored["status"] in EDITABLE_STATES:
            return []
        return [
            name
            for name, attname in zip(self.IDENTITY_FIELDS, attnames, strict=True)
            if stored[attname] != getattr(self, attname)
        ]

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
        methodology = read_methodology(self.cycle.methodology_id, kind=self.kind)
        answers = self.responses.order_by().values_list("indicator_id", "value", "is_na")
        return methodology.score(answers)


@dataclass(frozen=True)
class MethodologyRows:
    """A methodology version as scoring and publishing read it: the engine's plain
    structure, and the rows (id, code) its codes stand for, in the engine's order."""

    spec: scoring.Methodology
    areas: tuple[tuple[int, str], ...]
    criteria: tuple[tuple[int, str], ...]
    # Only the indicators that the assessment's kind answers.
    indicators: tuple[tuple[int, str], ...]

    def score(self, answers: Iterable[tuple[int, Decimal | None, bool]]) -> scoring.Result:
        """Score (indicator id, value, is N/A) answers; answers to indicators outside
        this kind's set take no part, as the engine leaves them out anyway."""
        codes = dict(self.indicators)
        return scoring.score(
            self.spec,
            {
                codes[indicator_id]: scoring.Answer(value=value, is_na=is_na)
                for indicator_id, value, is_na in answers
                if indicator_id in codes
            },
        )


# What the engine needs of an indicator (its scale's top level is counted from the Georgian
# labels), and no more: the long texts stay in the database.
SPEC_FIELDS = ("code", "response_type", "weight", "worst", "best", "scale_labels_ka")


def read_methodology(version_id: int, *, kind: str) -> MethodologyRows:
    """Read a methodology version for one kind of assessment: three small queries.

    Only the indicators that this kind of assessment answers take part; a
    criterion left with none has no score, like one whose indicators are all N/A.
    Nothing is kept between calls, so an edit to a draft methodology is never
    scored stale; a batch reads once and passes the result along.
    """
    areas = list(
        ThematicArea.objects.filter(version_id=version_id)
        .order_by("order", "code")
        .values_list("pk", "code", "weight")
    )
    criteria = list(
        Criterion.objects.filter(area__version_id=version_id).values_list(
            "pk", "code", "weight", "area__code"
        )
    )
    indicators = list(
        Indicator.objects.filter(
            criterion__area__version_id=version_id, answered_by__in=ANSWERED_BY[kind]
        )
        .select_related("criterion")
        .only(*SPEC_FIELDS, "criterion__code")
    )
    spec = scoring.Methodology(
        areas=[scoring.AreaSpec(code, weight) for _pk, code, weight in areas],
        criteria=[
            scoring.CriterionSpec(code, area, weight) for _pk, code, weight, area in criteria
        ],
        indicators=[indicator_spec(i) for i in indicators],
    )
    return MethodologyRows(
        spec=spec,
        areas=tuple((row[0], row[1]) for row in areas),
        criteria=tuple((row[0], row[1]) for row in criteria),
        indicators=tuple((i.pk, i.code) for i in indicators),
    )


def methodology_spec(version_id: int, *, kind: str) -> scoring.Methodology:
    """The plain structure of a methodology version, as the scoring engine reads it."""
    return read_methodology(version_id, kind=kind).spec


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
    """Why a version may no longer change, by hand or by import: published results use it."""
    if Assessment.objects.published().filter(cycle__methodology=version).exists():
        return _(
            "Methodology %(code)s already has published assessments, so it may no longer "
            "change. Create a new methodology version and make the changes there."
        ) % {"code": version.code}
    return None
