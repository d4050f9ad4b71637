"""Files the portal serves: scorecard data as CSV, evidence files and the PDFs."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from indicators.models import MethodologyVersion
from municipalities.models import Municipality
from musqat.spreadsheets import download, write_csv

from ..models import Cycle, Document, EvidenceFile, JobStatus, ScoreSnapshot
from ..pdf.documents import find as find_pdf
from ..permissions import may
from ..scoring import rounded
from ..workflow import Kind
from .lookup import published_cycle, published_scorecard, report_pdf_of

INLINE_EVIDENCE = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp")


def scorecard_csv(request, year, slug):
    """The scorecard's indicator-level data as CSV, in the page's language."""
    card = published_scorecard(year, slug)
    columns = [
        _("Thematic area"), _("Criterion"), _("Indicator code"), _("Indicator"), _("Kind"),
        _("Answer"), _("Value"), _("Not applicable"), _("Score (0–100)"),
        _("Criterion score"), _("Area score"), _("Evidence"),
    ]  # fmt: skip
    rows = (
        [
            area.item.code,
            criterion.item.code,
            row.indicator.code,
            row.indicator.name,
            Kind(answer.kind).label,
            answer.text,
            answer.value,
            _("yes") if answer.is_na else _("no"),
            _score(answer.points),
            _score(getattr(criterion, f"{answer.kind}_score")),
            _score(getattr(area, f"{answer.kind}_score")),
            answer.evidence,
        ]
        for area in card.areas
        for criterion in area.children
        for row in criterion.children
        for answer in row.answers
    )
    name = f"musqat-{card.cycle.year}-{card.municipality.slug}.csv"
    # write_csv keeps text that a spreadsheet would run as a formula inert.
    return download(write_csv(columns, rows), name)


def _score(value) -> str:
    """A score with two decimals, rounded half up as everywhere else."""
    return "" if value is None else str(rounded(value))


def evidence_file(request, pk):
    """An evidence file: public while a published revision shows it, otherwise only for
    the people who may see the assessment, and only while the answer still has it (anyone
    else is told it does not exist)."""
    document = get_object_or_404(EvidenceFile.objects.select_related("response__assessment"), pk=pk)
    assessment = document.response.assessment
    is_public = document.is_shown_in(
        ScoreSnapshot.objects.current().filter(assessment=assessment).first()
    )
    if not is_public and (document.removed_at or not may(request.user, "view", assessment)):
        raise Http404
    name = document.file.name.rsplit("/", 1)[-1]
    # Only types a browser cannot run open in the page; anything else (HTML, SVG,
    # office files) downloads, and the sandbox keeps scripts from running anyway.
    inline = name.lower().endswith(INLINE_EVIDENCE)
    response = FileResponse(document.file.open("rb"), as_attachment=not inline, filename=name)
    response["Content-Security-Policy"] = "sandbox"
    if not is_public:
        patch_cache_control(response, private=True, no_store=True)
    return response


PDF_REFRESH_SECONDS = 5


def _pdf(request, rendering, *, title, back):
    """The stored PDF in the page's language; while it is being made, a page that says so
    and reloads itself until it can offer it. Nothing is rendered here."""
    if (
        rendering is not None
        and rendering.is_ready
        and rendering.file.storage.exists(rendering.file.name)
    ):
        return FileResponse(
            rendering.file.open("rb"),
            as_attachment=False,
            filename=rendering.download_name(),
            content_type="application/pdf",
        )
    response = render(
        request,
        "assessments/pdf_pending.html",
        {
            "title": title,
            "back": back,
            "failed": rendering is not None and rendering.status == JobStatus.FAILED,
            "refresh": PDF_REFRESH_SECONDS,
        },
        status=202,
    )
    response["Retry-After"] = str(PDF_REFRESH_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


def scorecard_pdf(request, year, slug):
    place = get_object_or_404(Municipality, slug=slug)
    cycle = get_object_or_404(Cycle, year=year)
    if (
        not ScoreSnapshot.objects.current()
        .filter(assessment__municipality=place, assessment__cycle=cycle)
        .exists()
    ):
        raise Http404(_("This scorecard is not published."))
    rendering = find_pdf(Document.SCORECARD, cycle=cycle, municipality=place)
    title = _("%(name)s: scorecard %(year)s") % {"name": place.name, "year": year}
    return _pdf(request, rendering, title=title, back=reverse(
        "assessments:scorecard", args=[year, slug]
    ))  # fmt: skip


def report_pdf(request, year):
    cycle = published_cycle(year)
    rendering = report_pdf_of(cycle)
    title = _("Regional report %(year)s") % {"year": year}
    return _pdf(request, rendering, title=title, back=reverse("assessments:municipality_list")
                + f"?cycle={year}")  # fmt: skip


def handbook_pdf(request, code):
    version = get_object_or_404(MethodologyVersion, code=code)
    if not version.cycles.filter(pk__in=Cycle.objects.with_published()).exists():
        raise Http404(_("No methodology has been published yet."))
    rendering = find_pdf(Document.HANDBOOK, methodology=version)
    title = _("Methodology handbook: %(name)s") % {"name": version.name}
    return _pdf(request, rendering, title=title, back=reverse(
        "assessments:methodology_version", args=[code]
    ))  # fmt: skip
