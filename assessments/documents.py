"""PDF documents: scorecards, regional reports and methodology handbooks.

Each is a template under templates/pdf/ that WeasyPrint lays out with the bundled
Noto Sans Georgian; charts and the map are the same SVG templates as the pages.
Rendering happens only in the Celery task tasks.render_pdf. This module says which
documents exist, what published data each file shows (its source fingerprint),
how to lay one out, and how to store it so that a half-written file is never served.
"""

from __future__ import annotations

import atexit
import functools
import gc
import hashlib
import os
import re
import tempfile
import time
import traceback
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from indicators.models import (
    Criterion,
    GradeBand,
    Indicator,
    MethodologyVersion,
    ThematicArea,
)
from municipalities.models import Municipality
from musqat.cache import clear_public_pages

from . import charts, methodology_example, published
from .models import Cycle, Document, Rendering, RenderStatus, ScoreSnapshot
from .templatetags.pdf import css_string
from .workflow import Status

# Bump when a PDF template changes, so that every stored file counts as stale.
LAYOUT = "2"
STATIC_ROOT = settings.BASE_DIR / "static"
STYLESHEET = STATIC_ROOT / "css" / "pdf.css"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


# --- What there is to render, and what each file shows ----------------------------------


def key_of(rendering: Rendering) -> tuple:
    return (rendering.document, rendering.cycle_id, rendering.municipality_id,
            rendering.methodology_id)  # fmt: skip


def _digest(*parts) -> str:
    return hashlib.sha256(repr((LAYOUT, settings.DEMO_MODE) + parts).encode()).hexdigest()[:32]


def _methodology_digest(version_id: int) -> str:
    """Everything a handbook prints of a methodology version."""
    rows = [
        list(ThematicArea.objects.filter(version_id=version_id).values_list()),
        list(Criterion.objects.filter(area__version_id=version_id).values_list()),
        list(Indicator.objects.filter(criterion__area__version_id=version_id).values_list()),
        list(GradeBand.objects.filter(version_id=version_id).values_list()),
        list(MethodologyVersion.objects.filter(pk=version_id).values_list()),
    ]
    return _digest("handbook", version_id, rows)


def current_sources(*, cycle: Cycle | None = None) -> dict[tuple, str]:
    """Every document that published data calls for, with the fingerprint of that data.

    A scorecard shows its cycle's ranks and its municipality's earlier cycles, a
    report its cycle and the cycle before (for changes), a handbook its methodology.
    """
    snapshots = list(
        ScoreSnapshot.objects.current().values_list(
            "pk", "assessment__cycle_id", "assessment__cycle__year",
            "assessment__cycle__methodology_id", "assessment__municipality_id",
        )
    )  # fmt: skip
    by_cycle: dict[int, list[int]] = {}
    years: dict[int, int] = {}
    versions: dict[int, int] = {}
    for pk, cycle_id, year, version_id, _municipality in snapshots:
        by_cycle.setdefault(cycle_id, []).append(pk)
        years[cycle_id] = year
        versions[cycle_id] = version_id
    wanted = [cycle.pk] if cycle else list(by_cycle)
    sources = {}
    for cycle_id in wanted:
        if cycle_id not in by_cycle:
            continue
        in_cycle = sorted(by_cycle[cycle_id])
        earlier = [c for c in by_cycle if years[c] < years[cycle_id]]
        before = max(earlier, key=years.get) if earlier else None
        sources[(Document.REPORT, cycle_id, None, None)] = _digest(
            "report", cycle_id, in_cycle, sorted(by_cycle.get(before, []))
        )
        for municipality_id in {s[4] for s in snapshots if s[1] == cycle_id}:
            history = sorted(
                s[0] for s in snapshots if s[4] == municipality_id and years[s[1]] < years[cycle_id]
            )
            sources[(Document.SCORECARD, cycle_id, municipality_id, None)] = _digest(
                "scorecard", cycle_id, municipality_id, in_cycle, history
            )
        version_id = versions[cycle_id]
        sources[(Document.HANDBOOK, None, None, version_id)] = _methodology_digest(version_id)
    return sources


def source_of(rendering: Rendering) -> str | None:
    """The fingerprint of what this document would show now (None: nothing published)."""
    if rendering.document == Document.HANDBOOK:
        return _methodology_digest(rendering.methodology_id)
    return current_sources(cycle=rendering.cycle).get(key_of(rendering))


def renderings_for(keys) -> list[Rendering]:
    """The render records of these documents in every language, created as needed."""
    records = []
    for document, cycle_id, municipality_id, methodology_id in keys:
        for language in LANGUAGES:
            record, _created = Rendering.objects.get_or_create(
                document=document,
                cycle_id=cycle_id,
                municipality_id=municipality_id,
                methodology_id=methodology_id,
                language=language,
            )
            records.append(record)
    return records


def needs_render(rendering: Rendering, source: str | None, *, stuck_after: timedelta) -> bool:
    """Missing, failed, made from older data, or queued so long ago that the job was lost."""
    if source is None:
        return False
    if rendering.status == RenderStatus.FAILED or rendering.requested_at is None:
        return True
    if rendering.status in (RenderStatus.PENDING, RenderStatus.RUNNING):
        return rendering.requested_at <= timezone.now() - stuck_after
    return (
        rendering.source != source
        or not rendering.file
        or not default_storage.exists(rendering.file.name)
    )


def queue(renderings) -> int:
    """Mark these documents pending and queue their render once the transaction commits.

    A broker that cannot be reached leaves them pending; the sweep queues them again.
    """
    from .tasks import render_pdf

    renderings = list(renderings)
    now = timezone.now()
    Rendering.objects.filter(pk__in=[r.pk for r in renderings]).update(
        status=RenderStatus.PENDING, requested_at=now
    )
    for rendering in renderings:
        rendering.status, rendering.requested_at = RenderStatus.PENDING, now

    def send(pk):
        return lambda: render_pdf.delay(pk)

    for rendering in renderings:
        # robust: a broker that cannot be reached is logged; the sweep queues it again.
        transaction.on_commit(send(rendering.pk), robust=True)
    return len(renderings)


def renderings_to_make(*, cycle: Cycle | None = None, force: bool = False,
                       stuck_after: timedelta | None = None) -> list[Rendering]:  # fmt: skip
    """The documents (of one cycle, or all) whose file is missing, failed or stale;
    with `force`, all of them."""
    stuck_after = stuck_after if stuck_after is not None else settings.RENDER_STUCK_AFTER
    sources = current_sources(cycle=cycle)
    return [
        r
        for r in renderings_for(sources)
        if force or needs_render(r, sources[key_of(r)], stuck_after=stuck_after)
    ]


def queue_stale(*, cycle: Cycle | None = None, force: bool = False,
                stuck_after: timedelta | None = None) -> list[Rendering]:  # fmt: skip
    """Queue every document (of one cycle, or all) whose file is missing, failed or stale."""
    if not settings.RENDER_PDFS:
        return []
    wanted = renderings_to_make(cycle=cycle, force=force, stuck_after=stuck_after)
    queue(wanted)
    return wanted


def queue_after_publish(cycle: Cycle, municipality: Municipality) -> None:
    """A publication calls for its scorecard at once; once the whole cycle is published,
    for the report and for every scorecard whose ranks it changed."""
    if not settings.RENDER_PDFS:
        return
    if not cycle.assessments.exclude(status=Status.PUBLISHED).exists():
        # Later cycles show this one as their history (changes, earlier scores).
        for later in Cycle.objects.with_published().filter(year__gte=cycle.year):
            queue_stale(cycle=later, stuck_after=timedelta(0))
        return
    queue(renderings_for([(Document.SCORECARD, cycle.pk, municipality.pk, None)]))


# --- Laying out -------------------------------------------------------------------------


def css_content(text: str) -> str:
    """A translated "Page %(page)s of %(pages)s" as a CSS content value with counters."""
    parts = re.split(r"%\((page|pages)\)s", text)
    return mark_safe(" ".join(
        f"counter({part})" if i % 2 else css_string(part) for i, part in enumerate(parts) if part
    ))  # fmt: skip


def _common_context() -> dict:
    return {
        "demo_mode": settings.DEMO_MODE,
        "LANGUAGE_CODE": translation.get_language(),
        "page_counter": css_content(_("Page %(page)s of %(pages)s")),
        "site_url": settings.SITE_URL,
    }


def area_chart(card: published.Scorecard, *, codes_only: bool = False) -> charts.BarChart:
    return charts.bar_chart(
        [(area.item.code if codes_only else area.item.name, area.by_kind) for area in card.areas],
        kinds=list(card.kinds),
    )


def scorecard_charts(card: published.Scorecard, *, codes_only: bool = False) -> dict:
    """The area chart and one criterion chart per area, for the page and the PDF.

    On paper a table beside each criterion chart names every criterion, so `codes_only`
    labels its bars by code alone: a compact chart, and far less text to lay out.
    """
    criterion_charts = [
        charts.bar_chart(
            [(c.item.code if codes_only else f"{c.item.code} {c.item.name}", c.by_kind)
             for c in area.children],
            kinds=list(card.kinds),
        )
        for area in card.areas
    ]  # fmt: skip
    return {
        "area_chart": area_chart(card),
        "sections": list(zip(card.areas, criterion_charts, strict=True)),
    }


def methodology_context(version: MethodologyVersion) -> dict:
    """What the methodology page and the handbook show of a version."""
    areas = list(
        ThematicArea.objects.filter(version=version).prefetch_related(
            "criteria__indicators__previous"
        )
    )
    indicators = [i for a in areas for c in a.criteria.all() for i in c.indicators.all()]
    changes = None
    if version.previous_id:
        kept = {i.previous_id for i in indicators if i.previous_id}
        changes = {
            "new": [i for i in indicators if not i.previous_id],
            "changed": [i for i in indicators if i.previous_id and not i.comparable],
            "comparable": [i for i in indicators if i.previous_id and i.comparable],
            "removed": list(
                Indicator.objects.filter(criterion__area__version_id=version.previous_id)
                .exclude(pk__in=kept)
            ),
        }  # fmt: skip
    return {
        "version": version,
        "areas": areas,
        "indicator_count": len(indicators),
        "criterion_count": sum(len(a.criteria.all()) for a in areas),
        "bands": GradeBand.objects.filter(version=version),
        "changes": changes,
        "example": methodology_example.worked_example(),
    }


def _scorecard(rendering: Rendering) -> tuple[str, dict]:
    card = published.scorecard(rendering.municipality, rendering.cycle)
    if card is None:
        raise LookupError(f"{rendering} is not published")
    criteria = [criterion for area in card.areas for criterion in area.children]
    rows = [row for criterion in criteria for row in criterion.children]
    return "pdf/scorecard.html", {
        "card": card,
        "replies": [
            r.external_answer for r in rows if r.external_answer and r.external_answer.score.reply
        ],
        "counts": {"areas": len(card.areas), "criteria": len(criteria), "indicators": len(rows)},
        **scorecard_charts(card, codes_only=True),
    }


def _report(rendering: Rendering) -> tuple[str, dict]:
    results = published.cycle_results(rendering.cycle, with_areas=True)
    kinds = [k for k in published.KINDS if any(k in row.overall for row in results.rows)]
    area_charts = [
        (
            area,
            charts.bar_chart(
                [(row.municipality.name, {k: row.areas.get(k, {}).get(area.pk) for k in kinds})
                 for row in results.published],
                kinds=kinds,
            ),
        )
        for area in results.areas
    ]  # fmt: skip
    cards = []
    for row in results.published:
        card = published.scorecard(row.municipality, rendering.cycle)
        # The table above the chart names the areas.
        cards.append((card, area_chart(card, codes_only=True)))
    return "pdf/report.html", {
        "cycle": rendering.cycle,
        "results": results,
        "map": charts.region_map(results),
        "area_charts": area_charts,
        "cards": cards,
        "kinds": kinds,
        "methodology": rendering.cycle.methodology,
    }


def _handbook(rendering: Rendering) -> tuple[str, dict]:
    return "pdf/handbook.html", methodology_context(rendering.methodology)


LAYOUTS = {
    Document.SCORECARD: _scorecard,
    Document.REPORT: _report,
    Document.HANDBOOK: _handbook,
}


@functools.cache
def _bundled_files():
    """Fonts, styles and images come from the project's static folder, never the network;
    one that cannot be read stops the render instead of leaving a gap."""
    from weasyprint.urls import URLFetcher

    class BundledFiles(URLFetcher):
        def fetch(self, url, headers=None):
            path = os.path.realpath(url.removeprefix("file://").split("?")[0])
            if not url.startswith("file://") or not path.startswith(str(STATIC_ROOT) + os.sep):
                raise ValueError(f"PDFs use only bundled files, not {url}")
            return super().fetch(url, headers)

    return BundledFiles(allowed_protocols=["file"], fail_on_errors=True)


@functools.cache
def _style():
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = weasyprint.CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=_bundled_files())
    # Let go of the fonts before the interpreter tears down the modules they need.
    atexit.register(_style.cache_clear)
    return css, fonts


# Whitespace before a block-level or SVG tag shows nowhere; dropping it spares the
# layout engine a few thousand empty text boxes per document.
BLANK_BEFORE_BLOCK = re.compile(
    r"\s+<(?=/?(?:html|head|body|style|title|meta|section|div|p|h[1-4]|ul|ol|li|table|caption"
    r"|thead|tbody|tr|th|td|svg|g|defs|pattern|rect|line|path|circle|text|desc)[\s>/])"
)


def warm_up() -> None:
    """Load the fonts and the stylesheet and lay out a line of each script, so that a
    worker's first document is as quick as the rest."""
    import weasyprint

    css, fonts = _style()
    weasyprint.HTML(string="<p>ქართული <b>Latin 0123</b></p>").render(
        stylesheets=[css], font_config=fonts
    ).write_pdf()


def render(rendering: Rendering) -> tuple[bytes, int]:
    """Lay the document out in the current language: the PDF and its page count."""
    import weasyprint

    template, context = LAYOUTS[rendering.document](rendering)
    html = BLANK_BEFORE_BLOCK.sub("<", render_to_string(template, {**_common_context(), **context}))
    css, fonts = _style()
    # Layout makes a great many short-lived objects; letting the cyclic collector scan
    # them again and again mid-render costs about a fifth of the time. Collect once after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = weasyprint.HTML(
            string=html, base_url=settings.SITE_URL.rstrip("/") + "/", url_fetcher=_bundled_files()
        ).render(stylesheets=[css], font_config=fonts)
        content, pages = document.write_pdf(), len(document.pages)
    finally:
        if collecting:
            gc.enable()
    del document
    gc.collect(0)  # everything made during the render is still in the youngest generation
    return content, pages


# --- Storing ----------------------------------------------------------------------------


def _file_name(rendering: Rendering, source: str) -> str:
    return f"pdf/{rendering.document}/{rendering.download_name()[:-4]}-{source[:12]}.pdf"


def store(rendering: Rendering, content: bytes, source: str) -> str:
    """Write the file beside its final name, then rename it into place in one step."""
    name = _file_name(rendering, source)
    path = default_storage.path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return name


def render_and_store(rendering_id: int) -> str:
    """The render task's work: skip a file that is already current, else render and store.

    Safe to run twice or after a worker died half-way: the record points at the last
    complete file until the new one is complete, never at a half-written one.
    """
    rendering = (
        Rendering.objects.select_related("cycle__methodology", "municipality", "methodology")
        .filter(pk=rendering_id)
        .first()
    )
    if rendering is None:
        return "gone"
    source = source_of(rendering)
    if source is None:
        Rendering.objects.filter(pk=rendering.pk).update(
            # Errors are kept as the software reports them, like exception messages.
            status=RenderStatus.FAILED,
            error="Nothing of this document is published.",
        )
        return "unpublished"
    if (
        rendering.is_ready
        and rendering.source == source
        and default_storage.exists(rendering.file.name)
    ):
        return "current"
    Rendering.objects.filter(pk=rendering.pk).update(
        status=RenderStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    started = time.perf_counter()
    with translation.override(rendering.language):
        content, pages = render(rendering)
    name = store(rendering, content, source)
    old = rendering.file.name
    rendering.file.name = name
    rendering.status = RenderStatus.DONE
    rendering.source = source
    rendering.pages = pages
    rendering.error = ""
    rendering.duration = round(time.perf_counter() - started, 3)
    rendering.finished_at = timezone.now()
    rendering.save(
        update_fields=["file", "status", "source", "pages", "error", "duration", "finished_at"]
    )
    if old and old != name:
        default_storage.delete(old)
    clear_public_pages()
    # Published again while this one was rendering: render once more.
    if source_of(rendering) != source:
        queue([rendering])
    return "rendered"


def record_failure(rendering_id: int, error: BaseException, *, final: bool) -> None:
    """Keep the error; a last failure stays failed (the sweep tries again later)."""
    Rendering.objects.filter(pk=rendering_id).update(
        status=RenderStatus.FAILED if final else RenderStatus.PENDING,
        error="".join(traceback.format_exception_only(error)).strip()[:2000],
        finished_at=timezone.now(),
    )


# --- Reading ----------------------------------------------------------------------------


def find(document: str, *, language: str | None = None, cycle=None, municipality=None,
         methodology=None) -> Rendering | None:  # fmt: skip
    """A document's render record, in the given language or the current one."""
    return Rendering.objects.filter(
        document=document,
        language=language or translation.get_language(),
        cycle=cycle,
        municipality=municipality,
        methodology=methodology,
    ).first()
