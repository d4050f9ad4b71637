"""The anonymous page cache: per language (the path carries it), cleared by publishing.

Every cached page's key includes a generation number. Publishing, or any change
to what public pages show, bumps the generation, so every page is built afresh
on its next visit; the old entries simply expire.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "public-pages:generation"


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def clear_public_pages(**_kwargs) -> None:
    """Make every cached public page stale (works as a signal receiver too)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def public_page(view):
    """Cache the view's successful GET responses for anonymous visitors."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        cacheable = request.method == "GET" and not request.user.is_authenticated
        if not cacheable:
            return view(request, *args, **kwargs)
        key = f"public-pages:{generation()}:{request.get_full_path()}"
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            cache.set(
                key,
                (response.content, response["Content-Type"]),
                timeout=settings.PUBLIC_PAGE_SECONDS,
            )
        return response

    return wrapper
