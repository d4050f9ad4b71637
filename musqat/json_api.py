"""What every JSON API address of the site shares, whichever app serves it: JSON responses
and errors, the rules for methods, CORS and caching, texts in both languages, absolute
links, timestamps, and the JSON 404 of an unknown path (with the redirect a missing
trailing slash deserves).

Numbers are each app's business: they round by the scoring engine's rule.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

LANGUAGES = [code for code, _name in settings.LANGUAGES]
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
CACHE_CONTROL = "public, max-age=300"


def both(item, field: str) -> dict[str, str]:
    """A translated field's Georgian and English texts ('' where one is not written)."""
    return {lang: getattr(item, f"{field}_{lang}") or "" for lang in LANGUAGES}


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def page_urls(request, name: str, *args, query: str = "") -> dict[str, str]:
    """A portal page's absolute address in each language."""
    urls = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            urls[lang] = request.build_absolute_uri(reverse(name, args=args) + query)
    return urls


def json_response(data, *, status: int = 200) -> HttpResponse:
    # No encoder for Decimals or dates on purpose: every value is converted by the view,
    # and anything that slipped through fails loudly instead of turning into a string.
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body, status=status, content_type="application/json")


def error(status: int, code: str, detail: str) -> HttpResponse:
    return json_response({"error": code, "detail": detail}, status=status)


class NotFound(Http404):
    pass


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


@api_endpoint
def not_found(request, path=""):
    """Anything else under an API's prefix: a JSON 404, not the portal's HTML page."""
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
