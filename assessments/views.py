"""The public portal: published results only, the same in Georgian and English."""

import csv
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from indicators.models import MethodologyVersion, ThematicArea
from municipalities.models import Municipality, Organization
from musqat.cache import generation, public_page
from musqat.spreadsheets import CONTENT_TYPES, Sheet, download, write_csv, write_xlsx

from . import charts, documents, opendata, published
from .models import Cycle, Document, EvidenceFile, RenderStatus, ScoreSnapshot
from .roles import may
from .workflow import Kind

COMPARE_MIN, COMPARE_MAX = 2, 8
INLINE_EVIDENCE = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp")


def _published_cycle(year=None):
    """The newest cycle with published results, or the given one (404 if nothing is published)."""
    cycles = published.published_cycles()
    if year is None:
        return cycles.first()
    return get_object_or_404(cycles, year=year)


def _cycle_from_query(request, cycles):
    """The cycle named by ?cycle=YEAR among the given ones; the newest, with a message, if bad."""
    wanted = request.GET.get("cycle")
    if not wanted:
        return cycles[0] if cycles else None, None
    for cycle in cycles:
        if str(cycle.year) == wanted.strip():
            return cycle, None
    message = _("There are no published results for the cycle “%(cycle)s”.") % {"cycle": wanted}
    return (cycles[0] if cycles else None), message


def _report(cycle):
    """The regional report PDF of a cycle in the page's language, if one was ever queued."""
    return documents.find(Document.REPORT, cycle=cycle) if cycle else None


@public_page
def home(request):
    cycle = _published_cycle()
    results = published.cycle_results(cycle, with_areas=True) if cycle else None
    return render(
        request,
        "assessments/home.html",
        {
            "cycle": cycle,
            "results": results,
            "map": charts.region_map(results) if results else None,
            "pdf": _report(cycle),
        },
    )


SORT_KEYS = {
    "rank": lambda row: row.rank,
    "name": lambda row: row.municipality.name,
    "score": lambda row: row.headline,
    "change": lambda row: row.change,
    "gap": lambda row: row.gap,
}


def _sorted_rows(rows, sort, areas):
    """Rows sorted by ?sort=KEY or -KEY (descending); empty values always last."""
    descending = sort.startswith("-")
    key_name = sort.lstrip("-")
    keys = dict(SORT_KEYS)
    for i, area in enumerate(areas):
        keys[f"area-{area.code}"] = lambda row, i=i: row.area_scores(areas)[i]
    key = keys.get(key_name)
    if key is None:
        return None
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    present.sort(key=key, reverse=descending)
    return present + missing


def _sort_header(key, label, sort, cycle):
    """A column heading that sorts by its column, and says how the table is sorted now."""
    first = key if key in ("rank", "name") else f"-{key}"  # best first
    state = {key: "ascending", f"-{key}": "descending"}.get(sort)
    target = {"ascending": f"-{key}", "descending": key}.get(state, first)
    return {
        "key": key,
        "label": label,
        "aria_sort": state,
        "href": f"?cycle={cycle.year}&sort={target}" if cycle else "",
        "numeric": key not in ("rank", "name"),
    }


@public_page
def municipality_list(request):
    cycles = list(published.published_cycles())
    cycle, message = _cycle_from_query(request, cycles)
    results = published.cycle_results(cycle, with_areas=True) if cycle else None
    sort = request.GET.get("sort") or "rank"
    rows = []
    if results:
        rows = _sorted_rows(results.rows, sort, results.areas)
        if rows is None:
            message = _("Unknown sort order “%(sort)s”; sorted by rank.") % {"sort": sort}
            sort, rows = "rank", results.rows
    columns = [("rank", _("Rank")), ("name", _("Municipality")), ("score", _("Score"))]
    columns += [("change", pgettext("score change", "Change")), ("gap", _("Gap"))]
    if results:
        columns += [(f"area-{area.code}", area.name) for area in results.areas]
    headers = [_sort_header(key, label, sort, cycle) for key, label in columns]
    return render(
        request,
        "assessments/municipality_list.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "results": results,
            "rows": rows,
            "sort": sort,
            "headers": headers,
            "message": message,
            "pdf": _report(cycle),
        },
    )


@public_page
def municipality(request, slug):
    place = get_object_or_404(Municipality.objects.select_related("region"), slug=slug)
    history = published.municipality_history(place)
    latest = history[-1] if history else None
    results = row = None
    areas = []
    if latest:
        results = published.cycle_results(latest.cycle, with_areas=True)
        row = next(r for r in results.rows if r.municipality.pk == place.pk)
        areas = zip(
            results.areas, row.area_scores(results.areas), results.area_averages, strict=True
        )
    return render(
        request,
        "assessments/municipality.html",
        {
            "municipality": place,
            "history": list(reversed(history)),
            "latest": latest,
            "results": results,
            "row": row,
            "areas": list(areas),
            "trend": charts.trend_chart(history) if history else None,
            "trend_kinds": [k for k in published.KINDS if any(k in e.snapshots for e in history)],
        },
    )


def _published_scorecard(year, slug) -> published.Scorecard:
    place = get_object_or_404(Municipality, slug=slug)
    cycle = get_object_or_404(Cycle, year=year)
    card = published.scorecard(place, cycle)
    if card is None:
        raise Http404(_("This scorecard is not published."))
    return card


@public_page
def scorecard_revisions(request, year, slug):
    """Every published revision of a municipality's assessments in one cycle, corrections
    with their public notes, so that earlier numbers stay readable."""
    place = get_object_or_404(Municipality, slug=slug)
    cycle = get_object_or_404(Cycle.objects.select_related("methodology"), year=year)
    snapshots = list(
        ScoreSnapshot.objects.filter(assessment__municipality=place, assessment__cycle=cycle)
        .select_related("assessment")
        .prefetch_related("areas")
        .order_by("assessment__kind", "-revision")
    )
    if not snapshots:
        raise Http404(_("This scorecard is not published."))
    areas = list(ThematicArea.objects.filter(version_id=cycle.methodology_id))
    revisions = [
        {
            "snapshot": snapshot,
            "kind": Kind(snapshot.assessment.kind).label,
            "areas": [
                next((s.score for s in snapshot.areas.all() if s.area_id == area.pk), None)
                for area in areas
            ],
        }
        for snapshot in snapshots
    ]
    return render(
        request,
        "assessments/revisions.html",
        {"municipality": place, "cycle": cycle, "areas": areas, "revisions": revisions},
    )


@public_page
def scorecard(request, year, slug):
    card = _published_scorecard(year, slug)
    pdf = documents.find(
        Document.SCORECARD,
        cycle=card.cycle,
        municipality=card.municipality,
    )
    return render(
        request,
        "assessments/scorecard.html",
        {"card": card, "pdf": pdf, **documents.scorecard_charts(card)},
    )


def scorecard_csv(request, year, slug):
    """The scorecard's indicator-level data as CSV, in the page's language."""
    card = _published_scorecard(year, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"musqat-{card.cycle.year}-{card.municipality.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([
        _("Thematic area"), _("Criterion"), _("Indicator code"), _("Indicator"), _("Kind"),
        _("Answer"), _("Value"), _("Not applicable"), _("Score (0–100)"),
        _("Criterion score"), _("Area score"), _("Evidence"),
    ])  # fmt: skip
    for area in card.areas:
        for criterion in area.children:
            for row in criterion.children:
                for answer in row.answers:
                    kind = answer.kind
                    writer.writerow([
                        area.item.code, criterion.item.code, row.indicator.code,
                        row.indicator.name, Kind(kind).label, answer.text,
                        "" if answer.value is None else format(answer.value.normalize(), "f"),
                        _("yes") if answer.is_na else _("no"),
                        _decimal(answer.points),
                        _decimal(getattr(criterion, f"{kind}_score")),
                        _decimal(getattr(area, f"{kind}_score")),
                        answer.evidence,
                    ])  # fmt: skip
    return response


def _decimal(value) -> str:
    return "" if value is None else str(value.quantize(Decimal("0.01")))


@public_page
def compare(request):
    cycles = list(published.published_cycles())
    cycle, cycle_message = _cycle_from_query(request, cycles)
    municipalities = list(Municipality.objects.all())
    by_slug = {m.slug: m for m in municipalities}
    wanted = list(dict.fromkeys(s.strip() for s in request.GET.getlist("m") if s.strip()))
    errors = []
    if cycle_message:
        errors.append(cycle_message)
    unknown = [slug for slug in wanted if slug not in by_slug]
    if unknown:
        errors.append(_("Unknown municipality: %(slugs)s.") % {"slugs": ", ".join(unknown)})
    chosen = [by_slug[slug] for slug in wanted if slug in by_slug]
    if wanted and len(chosen) > COMPARE_MAX:
        errors.append(
            _("Choose at most %(max)s municipalities; you chose %(count)s.")
            % {"max": COMPARE_MAX, "count": len(chosen)}
        )
    elif wanted and len(chosen) < COMPARE_MIN:
        errors.append(
            _("Choose at least %(min)s municipalities to compare.") % {"min": COMPARE_MIN}
        )
    kind = request.GET.get("kind") or ""
    if cycle and kind not in Kind.values:
        if kind:
            errors.append(_("Unknown kind of assessment; showing the default."))
        kind = published.headline_kind(cycle.assessments.published().values_list("kind", flat=True))
    table = None
    if cycle and COMPARE_MIN <= len(chosen) <= COMPARE_MAX and not unknown:
        table = published.comparison(cycle, kind=kind, municipalities=chosen)
    return render(
        request,
        "assessments/compare.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "kind": kind,
            "kinds": Kind.choices,
            "municipalities": municipalities,
            "chosen": {m.slug for m in chosen},
            "errors": errors,
            "table": table,
            "max": COMPARE_MAX,
        },
    )


@public_page
def area(request, year, code):
    cycle = _published_cycle(year)
    theme = get_object_or_404(ThematicArea, version_id=cycle.methodology_id, code=code)
    results = published.cycle_results(cycle)
    places = [row.municipality for row in results.published]
    table = published.comparison(
        cycle, kind=results.headline_kind, municipalities=places, area=theme
    )
    return render(
        request,
        "assessments/area.html",
        {
            "cycle": cycle,
            "area": theme,
            "results": results,
            "table": table,
            "other_areas": ThematicArea.objects.filter(version_id=cycle.methodology_id),
        },
    )


@public_page
def methodology(request, code=None):
    if code is None:
        version = MethodologyVersion.objects.filter(is_current=True).first()
        if version is None:
            raise Http404(_("No methodology has been published yet."))
    else:
        version = get_object_or_404(MethodologyVersion, code=code)
    return render(
        request,
        "assessments/methodology.html",
        {
            **documents.methodology_context(version),
            "versions": MethodologyVersion.objects.select_related("previous"),
            "pdf": documents.find(Document.HANDBOOK, methodology=version),
        },
    )


@public_page
def about(request):
    return render(
        request,
        "assessments/about.html",
        {
            "organizations": Organization.objects.prefetch_related("municipalities"),
            "municipalities": Municipality.objects.all(),
            "contact_email": settings.CONTACT_EMAIL,
        },
    )


def evidence_file(request, pk):
    """An evidence file: public once its revision is published, otherwise only for the
    people who may see the assessment (anyone else is told it does not exist)."""
    document = get_object_or_404(EvidenceFile.objects.select_related("response__assessment"), pk=pk)
    assessment = document.response.assessment
    is_public = (
        ScoreSnapshot.objects.current()
        .filter(assessment=assessment, published_at__gte=document.uploaded_at)
        .exists()
    )
    if not is_public and not may(request.user, "view", assessment):
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


# --- PDFs ---------------------------------------------------------------------------------

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
            "failed": rendering is not None and rendering.status == RenderStatus.FAILED,
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
    rendering = documents.find(Document.SCORECARD, cycle=cycle, municipality=place)
    title = _("%(name)s: scorecard %(year)s") % {"name": place.name, "year": year}
    return _pdf(request, rendering, title=title, back=reverse(
        "assessments:scorecard", args=[year, slug]
    ))  # fmt: skip


def report_pdf(request, year):
    cycle = _published_cycle(year)
    rendering = _report(cycle)
    title = _("Regional report %(year)s") % {"year": year}
    return _pdf(request, rendering, title=title, back=reverse("assessments:municipality_list")
                + f"?cycle={year}")  # fmt: skip


def handbook_pdf(request, code):
    version = get_object_or_404(MethodologyVersion, code=code)
    if not version.cycles.filter(pk__in=Cycle.objects.with_published()).exists():
        raise Http404(_("No methodology has been published yet."))
    rendering = documents.find(Document.HANDBOOK, methodology=version)
    title = _("Methodology handbook: %(name)s") % {"name": version.name}
    return _pdf(request, rendering, title=title, back=reverse(
        "assessments:methodology_version", args=[code]
    ))  # fmt: skip


# --- Open data ----------------------------------------------------------------------------


def _download(name: str, build) -> HttpResponse:
    """A generated file as an attachment, kept until the next publication.

    Cached apart from the pages, since public_page keeps no headers, and for
    everyone: the files hold published data only and are the same in both languages.
    """
    extension = name.rsplit(".", 1)[1]
    key = f"open-data:{generation()}:{name}"
    content = cache.get(key)
    if content is None:
        content = build(extension)
        cache.set(key, content, timeout=settings.PUBLIC_PAGE_SECONDS)
    return download(content, name)


def _dataset_file(dataset: opendata.Dataset, extension: str) -> bytes:
    if extension == "csv":
        return write_csv(dataset.names, dataset.rows).encode("utf-8")
    # The workbook carries its own data dictionary, on a second sheet.
    dictionary = Sheet(
        "dictionary",
        opendata.DICTIONARY_COLUMNS[1:],
        [row[1:] for row in opendata.dictionary_rows() if row[0] == dataset.name],
        widths={0: 24, 3: 80, 4: 80},
    )
    return write_xlsx([Sheet(dataset.name, dataset.names, dataset.rows), dictionary])


@public_page
def open_data(request):
    cycles = list(published.published_cycles())
    counts = opendata.row_counts(cycles)
    return render(
        request,
        "assessments/data.html",
        {
            "cycles": [
                {
                    "cycle": cycle,
                    "datasets": [
                        {
                            "name": name,
                            "title": opendata.DATASET_TITLES[name],
                            "rows": counts[cycle.pk][name],
                        }
                        for name in opendata.CYCLE_DATASETS
                    ],
                }
                for cycle in cycles
            ],
            "versions": opendata.public_versions(cycles),
            "dictionary": opendata.dictionary(),
            "licence_name": opendata.LICENCE_NAME,
            "licence_url": opendata.LICENCE_URL,
            "citation": opendata.citation(
                cycles[0].year if cycles else None, request.build_absolute_uri()
            ),
        },
    )


def open_data_file(request, year, dataset, extension):
    """A cycle's scores or indicator responses, as CSV or XLSX (404 until published)."""
    if dataset not in opendata.CYCLE_DATASETS or extension not in CONTENT_TYPES:
        raise Http404
    cycle = _published_cycle(year)
    return _download(
        f"musqat-{cycle.year}-{dataset}.{extension}",
        lambda ext: _dataset_file(opendata.cycle_dataset(cycle, dataset), ext),
    )


def open_data_methodology(request, code):
    """A methodology version's matrix as CSV, in the columns its import reads."""
    cycles = list(published.published_cycles())
    version = get_object_or_404(opendata.public_versions(cycles), code=code)
    return _download(
        f"musqat-methodology-{version.code}.csv",
        lambda ext: _dataset_file(opendata.methodology_dataset(version), ext),
    )


def open_data_dictionary(request):
    """Every column of every open-data file: type, unit and description in both languages."""
    return _download(
        "musqat-data-dictionary.csv",
        lambda ext: write_csv(opendata.DICTIONARY_COLUMNS, opendata.dictionary_rows()).encode(),
    )
