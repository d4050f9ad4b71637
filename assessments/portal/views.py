"""The public portal's pages: published results only, the same in Georgian and English."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from indicators.models import MethodologyVersion, ThematicArea
from municipalities.models import Municipality, Organization
from musqat.cache import public_page

from ..models import Cycle, Document, ScoreSnapshot
from ..pdf.documents import find as find_pdf
from ..results import charts
from ..results.comparison import comparison
from ..results.cycles import KINDS, cycle_results, headline_kind, published_cycles
from ..results.methodology import methodology_context
from ..results.plans import current_plan
from ..results.revisions import revision_changes
from ..results.scorecard import municipality_history
from ..workflow import Kind
from .lookup import published_cycle, report_pdf_of
from .plans import plan_summary, today

COMPARE_MIN, COMPARE_MAX = 2, 8


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


def _not_stored_if(refused, response):
    """A page that refused part of its query is not kept in the page cache: otherwise
    every made-up value would store a page of its own."""
    if refused:
        patch_cache_control(response, no_store=True)
    return response


@public_page
def home(request):
    cycle = published_cycle()
    results = cycle_results(cycle, with_areas=True) if cycle else None
    return render(
        request,
        "assessments/home.html",
        {
            "cycle": cycle,
            "results": results,
            "map": charts.region_map(results) if results else None,
            "pdf": report_pdf_of(cycle),
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
        "is_area": key.startswith("area-"),
    }


@public_page(reads=("cycle", "sort"))
def municipality_list(request):
    cycles = list(published_cycles())
    cycle, message = _cycle_from_query(request, cycles)
    results = cycle_results(cycle, with_areas=True) if cycle else None
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
    response = render(
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
            "pdf": report_pdf_of(cycle),
        },
    )
    return _not_stored_if(message, response)


@public_page
def municipality(request, slug):
    place = get_object_or_404(Municipality.objects.select_related("region"), slug=slug)
    history = municipality_history(place)
    latest = history[-1] if history else None
    results = row = None
    areas = []
    if latest:
        results = cycle_results(latest.cycle, with_areas=True)
        row = next(r for r in results.rows if r.municipality.pk == place.pk)
        areas = zip(
            results.areas, row.area_scores(results.areas), results.area_averages, strict=True
        )
    plan = current_plan(place)
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
            "trend_kinds": [k for k in KINDS if any(k in e.snapshots for e in history)],
            "plan": plan_summary(plan, today()) if plan else None,
        },
    )


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
    changes = revision_changes(snapshots)
    revisions = [
        {
            "snapshot": snapshot,
            "kind": Kind(snapshot.assessment.kind).label,
            "areas": [
                next((s.score for s in snapshot.areas.all() if s.area_id == area.pk), None)
                for area in areas
            ],
            "changes": changes.get(snapshot.pk),
        }
        for snapshot in snapshots
    ]
    return render(
        request,
        "assessments/revisions.html",
        {"municipality": place, "cycle": cycle, "areas": areas, "revisions": revisions},
    )


@public_page(reads=("cycle", "kind"), lists=("m",))
def compare(request):
    cycles = list(published_cycles())
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
        kind = headline_kind(cycle.assessments.published().values_list("kind", flat=True))
    table = None
    if cycle and COMPARE_MIN <= len(chosen) <= COMPARE_MAX and not unknown:
        table = comparison(cycle, kind=kind, municipalities=chosen)
    response = render(
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
            "charts": table.charts() if table else [],
            "max": COMPARE_MAX,
        },
    )
    return _not_stored_if(errors, response)


@public_page(reads=("cycle",))
def area(request, year, code):
    cycles = list(published_cycles())
    cycle = next((c for c in cycles if c.year == year), None)
    if cycle is None:
        raise Http404(_("There are no published results for this cycle."))
    message = None
    if request.GET.get("cycle"):
        # The cycle form, which works without JavaScript: the chosen cycle's page of the
        # same area, or of its first area if that cycle's methodology has no such code.
        wanted, message = _cycle_from_query(request, cycles)
        if not message:
            areas = ThematicArea.objects.filter(version_id=wanted.methodology_id)
            same = areas.filter(code=code).first() or areas.first()
            if same is not None:
                return redirect("assessments:area", wanted.year, same.code)
    theme = get_object_or_404(ThematicArea, version_id=cycle.methodology_id, code=code)
    results = cycle_results(cycle)
    places = [row.municipality for row in results.published]
    table = comparison(cycle, kind=results.headline_kind, municipalities=places, area=theme)
    response = render(
        request,
        "assessments/area.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "area": theme,
            "results": results,
            "table": table,
            "other_areas": ThematicArea.objects.filter(version_id=cycle.methodology_id),
            "message": message,
        },
    )
    return _not_stored_if(message, response)


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
            **methodology_context(version),
            "versions": MethodologyVersion.objects.select_related("previous"),
            "pdf": find_pdf(Document.HANDBOOK, methodology=version),
        },
    )


@public_page
def about(request):
    organizations = list(Organization.objects.prefetch_related("municipalities"))
    return render(
        request,
        "assessments/about.html",
        {
            "organizations": organizations,
            "municipalities": Municipality.objects.all(),
            # MUSQAT_CONTACT_EMAIL; without it readers are sent to the partners only when
            # one of them lists an address to write to.
            "contact_email": settings.CONTACT_EMAIL,
            "partners_reachable": any(o.email or o.website for o in organizations),
        },
    )
