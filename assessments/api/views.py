"""The public JSON API (DESIGN.md, "Names that other tools rely on"), read-only.

Everything comes from assessments/results/, which reads only the current
snapshots of published assessments, and from the scoring engine (ranks, bands,
changes): nothing here computes a score. Numbers are converted explicitly: every
number (scores, answers, weights, thresholds, coverage) is the stored Decimal rounded
half up to 2 decimals (DESIGN.md), so that scores agree with the pages, which round
the same stored numbers to 1 decimal. The contract is the OpenAPI document in
assessments/api/openapi.py; tests/assessments/test_api.py holds every endpoint's real
output to it.

The API is not under a language prefix and does not read Accept-Language: names and
texts come in both languages. Its error details are for programmers and stay in
English for the same reason.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition

from indicators.models import Criterion, GradeBand, Indicator, MethodologyVersion, ThematicArea
from municipalities.models import Municipality
from musqat.cache import generation

from .. import scoring
from ..models import Cycle, ScoreSnapshot
from ..results.cycles import KINDS, cycle_results, headline_kind, published_cycles, rank_by_kind
from ..results.display import answer_texts
from ..results.scorecard import AnswerView, KindSummary, ScoredItem
from ..results.scorecard import scorecard as published_scorecard
from ..workflow import Kind
from . import openapi

LANGUAGES = [code for code, _name in settings.LANGUAGES]
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
CACHE_CONTROL = "public, max-age=300"
# Part of every ETag: bump it when the shape of a response changes, so that clients
# holding an old ETag get the new shape.
SHAPE = "2"


# --- Plain JSON values ----------------------------------------------------------------------


def number(value: Decimal | None) -> float | None:
    """A stored Decimal as a JSON number rounded half up to 2 decimals, like every number
    the API gives (rounded as a Decimal, never re-derived from a float)."""
    value = scoring.rounded(value)
    return None if value is None else float(value)


def both(item, field: str) -> dict[str, str]:
    """A translated field's Georgian and English texts ('' where one is not written)."""
    return {lang: getattr(item, f"{field}_{lang}") or "" for lang in LANGUAGES}


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def band(found: GradeBand | None) -> dict | None:
    if found is None:
        return None
    return {
        "label": both(found, "label"),
        "colour": found.colour,
        "min_score": number(found.min_score),
    }


def page_urls(request, name: str, *args, query: str = "") -> dict[str, str]:
    """A portal page's absolute address in each language."""
    urls = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            urls[lang] = request.build_absolute_uri(reverse(name, args=args) + query)
    return urls


def evidence_url(request, pk: int) -> str:
    # An evidence file is the same file in both languages: one address will do.
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse("assessments:evidence_file", args=[pk]))


def api_url(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", args=args))


def json_response(data, *, status: int = 200) -> HttpResponse:
    # No encoder for Decimals or dates on purpose: everything is converted above, and
    # anything that slipped through fails loudly instead of turning into a string.
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type="application/json")


def error(status: int, code: str, detail: str) -> HttpResponse:
    return json_response({"error": code, "detail": detail}, status=status)


class NotFound(Http404):
    pass


# --- Methods, CORS, caching -----------------------------------------------------------------


def api_endpoint(view):
    """GET and HEAD only (405 otherwise), a preflight answer for OPTIONS, JSON 404s,
    and CORS for any origin on every response, errors included."""

    @wraps(view)
    def endpoint(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = ALLOWED_METHODS
            response["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        elif request.method not in ("GET", "HEAD"):
            response = error(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed: this API is read-only (GET, HEAD, OPTIONS).",
            )
            response["Allow"] = ALLOWED_METHODS
        else:
            try:
                response = view(request, *args, **kwargs)
            except Http404 as missing:
                response = error(404, "not_found", str(missing) or "Not found.")
            if response.status_code in (200, 304):
                response["Cache-Control"] = CACHE_CONTROL
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        return response

    # Nothing here changes state, and a POST must get its 405, not a CSRF page.
    return csrf_exempt(endpoint)


@dataclass(frozen=True)
class Freshness:
    etag: str | None = None
    last_modified: datetime | None = None


def conditional(fingerprint):
    """ETag and Last-Modified (and so 304s) from a cheap fingerprint of what a response
    shows, computed once per request. A fingerprint of None (nothing published there)
    leaves the request unconditional, so that a missing resource is always a 404."""

    def fresh(request, *args, **kwargs) -> Freshness:
        memo = request.__dict__.setdefault("_api_freshness", {})
        key = (fingerprint.__name__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = fingerprint(*args, **kwargs) or Freshness()
        return memo[key]

    return condition(
        etag_func=lambda request, *a, **kw: fresh(request, *a, **kw).etag,
        last_modified_func=lambda request, *a, **kw: fresh(request, *a, **kw).last_modified,
    )


def _digest(*parts) -> str:
    # The page-cache generation moves whenever anything the public pages show is edited
    # (names, methodology, bands: assessments/apps.py), which the snapshots alone miss.
    return hashlib.sha256(repr((SHAPE, generation(), *parts)).encode()).hexdigest()[:32]


def _snapshots_freshness(scope: str, snapshots, *, shown: Q | None = None) -> Freshness | None:
    """Fingerprint a set of current snapshots: a publication adds one, a correction replaces
    one by a newer one, and either changes the count, the ids or the latest date.
    `shown` narrows the set to what must exist for the response to be found at all."""
    extra = {"shown": Count("pk", filter=shown)} if shown is not None else {}
    found = snapshots.aggregate(
        count=Count("pk"), ids=Sum("pk"), top=Max("pk"), latest=Max("published_at"), **extra
    )
    if not found["count"] or (shown is not None and not found["shown"]):
        return None
    tag = _digest(scope, found["count"], found["ids"], found["top"], found["latest"].isoformat())
    return Freshness(etag=tag, last_modified=found["latest"])


def _all_cycles_freshness():
    return _snapshots_freshness("cycles", ScoreSnapshot.objects.current())


def _cycle_freshness(year):
    return _snapshots_freshness(
        f"scores:{year}", ScoreSnapshot.objects.current().filter(assessment__cycle__year=year)
    )


def _scorecard_freshness(year, slug):
    # A scorecard shows its cycle's ranks and the municipality's earlier cycles.
    in_cycle = Q(assessment__cycle__year=year)
    of_place = Q(assessment__municipality__slug=slug)
    return _snapshots_freshness(
        f"scorecard:{year}:{slug}",
        ScoreSnapshot.objects.current().filter(in_cycle | of_place),
        shown=in_cycle & of_place,
    )


def _methodology_freshness(code):
    published_here = Q(cycles__assessments__snapshots__is_current=True)
    found = (
        MethodologyVersion.objects.filter(code=code)
        .annotate(
            count=Count("cycles__assessments__snapshots", filter=published_here),
            latest=Max("cycles__assessments__snapshots__published_at", filter=published_here),
        )
        .values_list("pk", "is_current", "count", "latest")
        .first()
    )
    if found is None or not (found[1] or found[2]):
        return None
    # No edit time is stored for a methodology, so there is no honest Last-Modified.
    return Freshness(etag=_digest("methodology", *found[:3], str(found[3])))


# --- /api/v1/cycles/ --------------------------------------------------------------------------


@api_endpoint
@conditional(_all_cycles_freshness)
def cycle_list(request):
    cycles = list(published_cycles())
    places, kinds, latest = defaultdict(set), defaultdict(list), {}
    snapshots = ScoreSnapshot.objects.current().values_list(
        "assessment__cycle_id", "assessment__municipality_id", "assessment__kind", "published_at"
    )
    for cycle_id, municipality_id, kind, published_at in snapshots:
        places[cycle_id].add(municipality_id)
        kinds[cycle_id].append(kind)
        latest[cycle_id] = max(latest.get(cycle_id, published_at), published_at)
    return json_response(
        {
            "cycles": [
                {
                    "year": cycle.year,
                    "methodology": cycle.methodology.code,
                    "headline_kind": headline_kind(kinds[cycle.pk]),
                    "counts": {
                        "municipalities": len(places[cycle.pk]),
                        **{kind: kinds[cycle.pk].count(kind) for kind in KINDS},
                    },
                    "latest_published_at": timestamp(latest[cycle.pk]),
                    "links": {
                        "scores": api_url(request, "cycle_scores", cycle.year),
                        "methodology": api_url(request, "methodology", cycle.methodology.code),
                        "ranking": page_urls(
                            request, "assessments:municipality_list", query=f"?cycle={cycle.year}"
                        ),
                        "report_pdf": page_urls(request, "assessments:report_pdf", cycle.year),
                    },
                }
                for cycle in cycles
            ],
            "links": {
                "self": api_url(request, "cycle_list"),
                "openapi": api_url(request, "openapi"),
                "documentation": page_urls(request, "assessments:api"),
            },
        }
    )


# --- /api/v1/cycles/<year>/scores/ ------------------------------------------------------------


@api_endpoint
@conditional(_cycle_freshness)
def cycle_scores(request, year):
    cycle = published_cycles().filter(year=year).first()
    if cycle is None:
        raise NotFound(f"No published results for {year}.")
    results = cycle_results(cycle, with_areas=True)
    ranks = rank_by_kind(
        (row.municipality.pk, kind, overall)
        for row in results.rows
        for kind, overall in row.overall.items()
    )
    assessments = []
    for kind in KINDS:
        rows = [row for row in results.rows if kind in row.overall]
        rank_of = ranks.get(kind, {})
        # Best first; an assessment without an overall score (no rank) last.
        rows.sort(key=lambda r: (rank_of[r.municipality.pk] or 10**6, r.municipality.slug))
        for row in rows:
            place = row.municipality
            area_scores = row.areas.get(kind, {})
            assessments.append(
                {
                    "municipality": place.slug,
                    "name": both(place, "name"),
                    "kind": kind,
                    "overall": number(row.overall[kind]),
                    "band": band(results.bands(row.overall[kind])),
                    "rank": rank_of[place.pk],
                    "areas": {
                        area.code: number(area_scores.get(area.pk)) for area in results.areas
                    },
                    "links": {
                        "scorecard": page_urls(
                            request, "assessments:scorecard", cycle.year, place.slug
                        ),
                        "api": api_url(request, "scorecard", cycle.year, place.slug),
                    },
                }
            )
    return json_response(
        {
            "cycle": {"year": cycle.year, "methodology": cycle.methodology.code},
            "headline_kind": results.headline_kind,
            "areas": [{"code": area.code, "name": both(area, "name")} for area in results.areas],
            "assessments": assessments,
            "links": {
                "self": api_url(request, "cycle_scores", cycle.year),
                "cycles": api_url(request, "cycle_list"),
                "methodology": api_url(request, "methodology", cycle.methodology.code),
            },
        }
    )


# --- /api/v1/scorecards/<year>/<slug>/ --------------------------------------------------------


def _kind_summary(summary: KindSummary | None) -> dict | None:
    if summary is None:
        return None
    snapshot, previous = summary.snapshot, summary.previous
    return {
        "overall": number(summary.overall),
        "band": band(summary.band),
        "rank": summary.rank,
        "coverage": number(scoring.points(snapshot.coverage)),  # a percentage
        "revision": snapshot.revision,
        "published_at": timestamp(snapshot.published_at),
        "correction_note": (
            {"ka": snapshot.note_ka, "en": snapshot.note_en} if snapshot.revision > 1 else None
        ),
        "previous": (
            {
                "year": previous.assessment.cycle.year,
                "overall": number(previous.overall),
                "comparable": summary.previous_is_comparable,
            }
            if previous
            else None
        ),
        "change": number(summary.change),
    }


def _answer(request, answer: AnswerView | None) -> dict | None:
    if answer is None:
        return None
    frozen = answer.score  # the published revision's answer and texts
    return {
        "value": number(answer.value),
        "not_applicable": answer.is_na,
        "score": number(answer.points),
        "change": number(answer.change),
        "answer_text": answer_texts(answer.indicator, answer.value, answer.is_na),
        "not_applicable_reason": {"ka": frozen.na_reason, "en": frozen.na_reason_en},
        "evidence": {"ka": frozen.evidence, "en": frozen.evidence_en},
        "reply": {"ka": frozen.reply, "en": frozen.reply_en},
        "links": answer.links,
        "files": [
            {
                "title": str(document),
                "url": evidence_url(request, document.pk),
            }
            for document in answer.files
        ],
    }


def _by_kind(item: ScoredItem) -> dict:
    return {Kind.SELF: number(item.self_score), Kind.EXTERNAL: number(item.external_score)}


@api_endpoint
@conditional(_scorecard_freshness)
def scorecard(request, year, slug):
    place = Municipality.objects.filter(slug=slug).first()
    if place is None:
        raise NotFound(f"No municipality “{slug}”.")
    cycle = Cycle.objects.filter(year=year).first()
    card = published_scorecard(place, cycle) if cycle else None
    if card is None:
        raise NotFound(f"No published scorecard of “{slug}” for {year}.")
    year, code = card.cycle.year, card.cycle.methodology.code
    areas = []
    for area in card.areas:
        criteria = []
        for criterion in area.children:
            criteria.append(
                {
                    "code": criterion.item.code,
                    "name": both(criterion.item, "name"),
                    "scores": _by_kind(criterion),
                    "indicators": [
                        {
                            "code": row.indicator.code,
                            "name": both(row.indicator, "name"),
                            "response_type": row.indicator.response_type,
                            "answers": {
                                Kind.SELF: _answer(request, row.self_answer),
                                Kind.EXTERNAL: _answer(request, row.external_answer),
                            },
                        }
                        for row in criterion.children
                    ],
                }
            )
        areas.append(
            {
                "code": area.item.code,
                "name": both(area.item, "name"),
                "scores": _by_kind(area),
                "changes": {
                    Kind.SELF: number(area.self_change),
                    Kind.EXTERNAL: number(area.external_change),
                },
                "criteria": criteria,
            }
        )
    return json_response(
        {
            "cycle": {"year": year, "methodology": code},
            "municipality": {
                "slug": place.slug,
                "name": both(place, "name"),
                "official_name": both(place, "official_name"),
            },
            "headline_kind": card.headline.kind,
            "kinds": {kind: _kind_summary(card.kinds.get(kind)) for kind in KINDS},
            "gap": number(card.gap),
            "areas": areas,
            "links": {
                "self": api_url(request, "scorecard", year, place.slug),
                "scores": api_url(request, "cycle_scores", year),
                "methodology": api_url(request, "methodology", code),
                "scorecard": page_urls(request, "assessments:scorecard", year, place.slug),
                "pdf": page_urls(request, "assessments:scorecard_pdf", year, place.slug),
                "csv": page_urls(request, "assessments:scorecard_csv", year, place.slug),
                "revisions": page_urls(
                    request, "assessments:scorecard_revisions", year, place.slug
                ),
            },
        }
    )


# --- /api/v1/methodology/<code>/ --------------------------------------------------------------


def _item(item) -> dict:
    return {
        "code": item.code,
        "name": both(item, "name"),
        "description": both(item, "description"),
        "weight": number(item.weight),
    }


def _indicator(indicator: Indicator) -> dict:
    is_scale = indicator.response_type == "scale"
    is_numeric = indicator.response_type == "numeric"
    return {
        **_item(indicator),
        "response_type": indicator.response_type,
        "answered_by": indicator.answered_by,
        "scale_labels": (
            {lang: indicator.labels_in(lang) for lang in LANGUAGES} if is_scale else None
        ),
        "thresholds": (
            {"worst": number(indicator.worst), "best": number(indicator.best)}
            if is_numeric
            else None
        ),
        "unit": both(indicator, "unit"),
        "data_source": both(indicator, "data_source"),
        "previous": indicator.previous.code if indicator.previous_id else None,
        "comparable": indicator.comparable,
    }


@api_endpoint
@conditional(_methodology_freshness)
def methodology(request, code):
    """A methodology version: public when it is the current one (the version the
    methodology page explains) or when a cycle with published results used it. The
    handbook PDF is offered for the latter only, as on the portal."""
    version = MethodologyVersion.objects.select_related("previous").filter(code=code).first()
    if version is None:
        raise NotFound(f"No public methodology version “{code}”.")
    cycles = Cycle.objects.with_published().filter(methodology=version).order_by("-year")
    years = list(cycles.values_list("year", flat=True))
    if not (version.is_current or years):
        raise NotFound(f"No public methodology version “{code}”.")
    criteria_of, indicators_of = defaultdict(list), defaultdict(list)
    for criterion in Criterion.objects.filter(area__version=version):
        criteria_of[criterion.area_id].append(criterion)
    for indicator in Indicator.objects.filter(criterion__area__version=version).select_related(
        "previous"
    ):
        indicators_of[indicator.criterion_id].append(indicator)
    areas = [
        {
            **_item(area),
            "criteria": [
                {
                    **_item(criterion),
                    "indicators": [_indicator(i) for i in indicators_of[criterion.pk]],
                }
                for criterion in criteria_of[area.pk]
            ],
        }
        for area in ThematicArea.objects.filter(version=version)
    ]
    return json_response(
        {
            "code": version.code,
            "name": both(version, "name"),
            "description": both(version, "description"),
            "is_current": version.is_current,
            "previous": version.previous.code if version.previous_id else None,
            "cycles": years,
            "grade_bands": [band(b) for b in GradeBand.objects.filter(version=version)],
            "areas": areas,
            "links": {
                "self": api_url(request, "methodology", version.code),
                "page": page_urls(request, "assessments:methodology_version", version.code),
                "handbook_pdf": (
                    page_urls(request, "assessments:handbook_pdf", version.code) if years else None
                ),
            },
        }
    )


# --- The document, and everything else under /api/v1/ ----------------------------------------

DOCUMENT_BODY = json.dumps(openapi.DOCUMENT, ensure_ascii=False, indent=2)
DOCUMENT_ETAG = hashlib.sha256(DOCUMENT_BODY.encode()).hexdigest()[:32]


@api_endpoint
@condition(etag_func=lambda request: DOCUMENT_ETAG)
def openapi_document(request):
    return HttpResponse(DOCUMENT_BODY, content_type="application/json")


@api_endpoint
def not_found(request, path=""):
    # /api/v1/cycles means /api/v1/cycles/: the catch-all would otherwise keep
    # Django's APPEND_SLASH from saying so.
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "not_found":
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                request.path + "/" + (f"?{query}" if query else "")
            )
    return error(
        404,
        "not_found",
        f"Nothing at {request.path}. The API is described at {reverse('api:openapi')}.",
    )
