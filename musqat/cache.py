"""The anonymous page cache: per language (the path carries it), cleared by publishing.

Every cached page's key includes a generation number. Publishing, or any change
to what public pages show, bumps the generation, so every page is built afresh
on its next visit; the old entries simply expire.

Only the addresses the site itself links to are stored, so that nobody can fill
the cache by making up addresses: a page is stored only when its query names
nothing but the parameters the page reads, each once and with a plain value, and
when the page accepted them (a page that refuses a value says so, and marks its
response ``no-store``). Any other request is served, just not stored.
"""

import hashlib
import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.encoding import escape_uri_path

GENERATION_KEY = "public-pages:generation"
# Cycle years, sort orders, slugs and codes: whatever the site's own links carry.
PLAIN_VALUE = re.compile(r"[-.\w]{1,64}", re.ASCII)


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def clear_public_pages(**_kwargs) -> None:
    """Make every cached public page stale (works as a signal receiver too)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def _storable_query(query, reads: tuple[str, ...], lists: tuple[str, ...]) -> bool:
    for name, values in query.lists():
        if name not in reads and name not in lists:
            return False
        if (len(values) > 1 and name not in lists) or len(set(values)) < len(values):
            return False
        if not all(PLAIN_VALUE.fullmatch(value) for value in values):
            return False
    return True


def _storable_response(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and "no-store" not in cache_control
        and "private" not in cache_control
    )


def public_page(view=None, *, reads: tuple[str, ...] = (), lists: tuple[str, ...] = ()):
    """Cache the view's successful GET responses for anonymous visitors.

    ``reads`` names the query parameters the page reads once (``?cycle=2021``),
    ``lists`` those it reads as a list (``?m=telavi&m=sighnaghi``); a page that
    reads none takes the bare decorator.
    """
    if view is None:
        return lambda view: public_page(view, reads=reads, lists=lists)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        cacheable = (
            request.method == "GET"
            and not request.user.is_authenticated
            and _storable_query(request.GET, reads, lists)
        )
        if not cacheable:
            return view(request, *args, **kwargs)
        path = escape_uri_path(request.path)
        # Scheme and host (one of ALLOWED_HOSTS) are in the key: a page's canonical and share
        # links carry them, so a page asked for through another host is never served for this one.
        origin = f"{request.scheme}://{request.get_host()}"
        # Hashed: an address may be longer than a cache backend takes as a key (memcached: 250).
        address = hashlib.sha256(f"{origin}{path}?{request.GET.urlencode()}".encode()).hexdigest()
        key = f"public-pages:{generation()}:{address}"
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if _storable_response(response):
            cache.set(
                key,
                (response.content, response["Content-Type"]),
                timeout=settings.PUBLIC_PAGE_SECONDS,
            )
        return response

    return wrapper
