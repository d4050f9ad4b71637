"""Files made in the background: PDFs of published results and staff exports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import MethodologyVersion
from municipalities.models import Municipality
from musqat.storage import private_storage

from .cycles import Cycle


class Document(models.TextChoices):
    SCORECARD = "scorecard", _("Scorecard")
    REPORT = "report", _("Regional report")
    HANDBOOK = "handbook", _("Methodology handbook")


class JobStatus(models.TextChoices):
    """How far a background job (a PDF rendering, an export) has got."""

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
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
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
        return self.status == JobStatus.DONE and bool(self.file)

    def download_name(self) -> str:
        if self.document == Document.SCORECARD:
            stem = f"scorecard-{self.cycle.year}-{self.municipality.slug}"
        elif self.document == Document.REPORT:
            stem = f"report-{self.cycle.year}"
        else:
            stem = f"methodology-{self.methodology.code}"
        return f"musqat-{stem}-{self.language}.pdf"


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
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
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
        return self.status == JobStatus.DONE and bool(self.file)

    @property
    def is_under_way(self) -> bool:
        return self.status in (JobStatus.PENDING, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        """How far the export got; 100 only once its file is stored."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)

    def download_name(self) -> str:
        return f"musqat-{self.cycle.year}-results-{self.language}.xlsx"
