"""What every address of the JSON API shares: plain JSON values, absolute links, JSON
responses and errors, and the rules for methods, CORS and caching.

Numbers are converted explicitly: every number (scores, answers, weights, thresholds,
coverage) is the stored Decimal rounded half up to 2 decimals (DESIGN.md), so that scores
agree with the pages, which round the same stored numbers to 1 decimal.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from indicators.models import GradeBand

from .. import scoring

LANGUAGES = [code for code, _name in settings.LANGUAGES]
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
CACHE_CONTROL = "public, max-age=300"


# --- Plain JSON values ----------------------------------------------------------------------


# Every number the API gives has 2 decimals; gaps and changes are differences at that precision.
API_PLACES = 2


def number(value: Decimal | None) -> float | None:
    """A stored Decimal as a JSON number rounded half up to 2 decimals, like every number
    the API gives (rounded as a Decimal, never re-derived from a float)."""
    value = scoring.rounded(value, API_PLACES)
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


# --- Links ----------------------------------------------------------------------------------


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


# --- Responses ------------------------------------------------------------------------------


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
