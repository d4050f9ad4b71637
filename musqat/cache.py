"""The anonymous page cache: per language (the path carries it), cleared by publishing.

Every cached page is stored with the generation number it was built under. Publishing,
or any change to what public pages show, bumps the generation, so every page is built
afresh on its next visit; the old entries are overwritten or simply expire.

A visit that finds its page costs one round trip to the cache: the generation and the page
are read together, and the stored bytes are sent as they are. Each web process also keeps
the pages it served lately: a visit that finds its page there reads only the generation.
A page is stored as the client asked for it: gzip-compressed (a tenth of its size) for the
browsers that accept gzip, as built for any other client (which would otherwise have it
unpacked at every visit).

Only the addresses the site itself links to are stored, so that nobody can fill
the cache by making up addresses: a page is stored only when its query names
nothing but the parameters the page reads, each once and with a plain value, and
when the page accepted them (a page that refuses a value says so, and marks its
response ``no-store``). Any other request is served, just not stored.
"""

import gzip
import hashlib
import re
import threading
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.encoding import escape_uri_path
from django.utils.translation import get_language, get_language_from_path

GENERATION_KEY = "public-pages:generation"
PAGE_KEY_PREFIX = "public-pages:page:"
# Cycle years, sort orders, slugs and codes: whatever the site's own links carry.
PLAIN_VALUE = re.compile(r"[-.\w]{1,64}", re.ASCII)
# As Django's GZipMiddleware reads Accept-Encoding.
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Most of the best level's saving in a fraction of its time: a page is compressed when it
# is built, while its visitor waits.
COMPRESS_LEVEL = 4


# How much of the pages it served lately a web process keeps in its own memory.
RECENT_PAGES_BYTES = 32 * 1024 * 1024


class RecentPages:
    """The pages this process served lately, the least recently served dropped beyond a
    size: each entry carries its generation, so one read of the shared generation tells
    whether it may still be served."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.pages: dict[str, tuple] = {}
        self.lock = threading.Lock()

    def get(self, key: str):
        return self.pages.get(key)

    def keep(self, key: str, entry: tuple) -> None:
        with self.lock:
            replaced = self.pages.pop(key, None)
            if replaced is not None:
                self.size -= len(replaced[2])
            self.pages[key] = entry
            self.size += len(entry[2])
            while self.size > self.limit:
                oldest = next(iter(self.pages))
                self.size -= len(self.pages.pop(oldest)[2])


recent_pages = RecentPages(RECENT_PAGES_BYTES)


def _start_generation() -> int:
    """A first generation that no stored page can carry: should the counter ever be lost
    (an evicted key, a flushed cache), pages stored under the old one never match again."""
    started = time.time_ns()
    if cache.add(GENERATION_KEY, started, timeout=None):
        return started
    return cache.get(GENERATION_KEY, started)


def generation() -> int:
    """The current generation of public pages, for caches of what they show."""
    current = cache.get(GENERATION_KEY)
    return _start_generation() if current is None else current


def clear_public_pages(**_kwargs) -> None:
    """Make every cached public page stale (works as a signal receiver too)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        _start_generation()


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


def _page_key(request, *, gzipped: bool, language: str | None = None) -> str:
    """Where a page is stored: by its address, language and encoding."""
    path = escape_uri_path(request.path)
    # Scheme and host (one of ALLOWED_HOSTS) are in the key: a page's canonical and share
    # links carry them, so a page asked for through another host is never served for this one.
    origin = f"{request.scheme}://{request.get_host()}"
    # The language too, though the path names it: a page is never served in another.
    address = f"{language or get_language()}|{origin}{path}?{request.GET.urlencode()}"
    # Hashed: an address may be longer than a cache backend takes as a key (memcached: 250).
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}{'gzip:' if gzipped else ''}{digest}"


def _find(key: str):
    """The current generation and the page stored under the key (None for either that is
    missing): one read of the generation for a page this process served lately, else
    one read of both together."""
    stored = recent_pages.get(key)
    if stored is None:
        found = cache.get_many([GENERATION_KEY, key])
        return found.get(GENERATION_KEY), found.get(key)
    current = cache.get(GENERATION_KEY)
    if stored[0] != current:  # something was published since: another process
        stored = cache.get(key)  # may have stored the page afresh
    return current, stored


# A crowd asking for a page that is not stored (just after publishing, say) is served by
# one of them building it while the others wait for it, up to WAIT_SECONDS: the others
# would only build the same page, each taking the processor from the rest.
BUILDING_SECONDS = 30  # a builder that died lets the page be built again after this
WAIT_SECONDS = 3.0
WAIT_STEP_SECONDS = 0.02


def _building_key(key: str, current) -> str:
    return f"{key}:building:{current}"


def _built_by_another(key: str, current):
    """The page, once the request already building it has stored it; None when this
    request is to build it (nobody is, the builder gave up without storing it, or it
    takes too long). An unreachable cache makes every request build its own page."""
    building = _building_key(key, current)
    if cache.add(building, 1, timeout=BUILDING_SECONDS):
        return None  # this request builds it
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = cache.get_many([key, building])
        stored = found.get(key)
        if stored is not None and stored[0] == current:
            return stored
        if building not in found:
            return None  # built and not stored (an error page), or nobody building
        time.sleep(WAIT_STEP_SECONDS)
    return None


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
        gzipped = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
        key = _page_key(request, gzipped=gzipped)
        current, stored = _find(key)
        if current is None:
            current = _start_generation()
        if stored is None or stored[0] != current:
            stored = _built_by_another(key, current)
        if stored is not None and stored[0] == current:
            recent_pages.keep(key, stored)
            _generation, content_type, content = stored
            response = HttpResponse(content, content_type=content_type)
            request.public_page = (key, current)
        else:
            building = _building_key(key, current)
            try:
                response = view(request, *args, **kwargs)
                if not _storable_response(response):
                    return response
                content_type, content = response["Content-Type"], response.content
                if gzipped:
                    content = gzip.compress(content, compresslevel=COMPRESS_LEVEL, mtime=0)
                    response.content = content
                stored = (current, content_type, content)
                cache.set(key, stored, timeout=settings.PUBLIC_PAGE_SECONDS)
                recent_pages.keep(key, stored)
                request.public_page = (key, current)
            finally:
                cache.delete(building)
        if gzipped:
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        return response

    return wrapper


# --- Answering a stored page early -----------------------------------------------------------

# A visitor with one of these cookies may be signed in, or have a message waiting: such a
# request goes the whole way, to the page's own check.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)
# Headers that belong to one response, never to the stored page.
OWN_HEADERS = {"content-length", "x-request-id", "set-cookie", "date"}


class PublicPageMiddleware:
    """Answers a stored public page before the rest of the middleware and the URL
    resolution, for a visitor with no session: the page as the whole stack answered it
    the first time, headers included (the Content-Security-Policy and the others are the
    same for every anonymous visitor), under the same generation rule as the pages
    themselves. It sits after the security and static-file middleware, which still add
    their headers, and stores only what the page's own decorator stored or served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self._key(request)
        if key is not None:
            current, stored = _find(key)
            if stored is not None and current is not None and stored[0] == current:
                recent_pages.keep(key, stored)
                _generation, headers, content = stored
                response = HttpResponse(content)
                for name, value in headers:
                    response[name] = value
                response["Content-Length"] = str(len(content))
                return response
        response = self.get_response(request)
        marked = getattr(request, "public_page", None)
        if key is not None and marked is not None and self._storable(response):
            headers = [
                (name, value) for name, value in response.items() if name.lower() not in OWN_HEADERS
            ]
            stored = (marked[1], headers, response.content)
            cache.set(key, stored, timeout=settings.PUBLIC_PAGE_SECONDS)
            recent_pages.keep(key, stored)
        return response

    @staticmethod
    def _key(request) -> str | None:
        """Where the whole response is kept; None for a request the early answer is not
        for (not a GET, a visitor with a session, an address with no language)."""
        if request.method != "GET" or any(name in request.COOKIES for name in PERSONAL_COOKIES):
            return None
        language = get_language_from_path(request.path_info)
        if language is None:
            return None
        try:
            gzipped = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
            return "whole:" + _page_key(request, gzipped=gzipped, language=language)
        except DisallowedHost:
            return None  # the rest of the stack refuses it

    @staticmethod
    def _storable(response) -> bool:
        return _storable_response(response) and not response.cookies
