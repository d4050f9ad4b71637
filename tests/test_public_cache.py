"""What a visit to a stored public page costs, and what it is given.

A stored page is found with one read of the cache (its generation and the page together),
or of the generation alone when the process served it lately, and sent as it is stored:
compressed for browsers that accept gzip, as built for any other client. A page built
while something was published, or stored before the generation counter was lost, is never
served again.
"""

import gzip
import itertools
import threading
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from municipalities.models import Municipality
from musqat import cache as page_cache
from musqat.cache import GENERATION_KEY, clear_public_pages, public_page

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def cache_calls(monkeypatch):
    """The names of the cache's methods called from now on (not the calls they make to
    each other inside a backend, such as the local-memory get_many's to get)."""
    calls, depth = [], [0]
    for name in ("get", "get_many", "set", "set_many", "add", "incr", "delete"):
        method = getattr(cache, name)

        def recording(*args, _name=name, _method=method, **kwargs):
            if not depth[0]:
                calls.append(_name)
            depth[0] += 1
            try:
                return _method(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, name, recording)
    return calls


@pytest.fixture
def another_process(monkeypatch):
    """Serve the next visits as a web process that has not served the page yet would."""

    def another_process():
        monkeypatch.setattr(page_cache, "recent_pages", page_cache.RecentPages(1024 * 1024))

    return another_process


@pytest.mark.parametrize("headers", [{}, GZIP], ids=["as built", "compressed"])
def test_a_page_this_process_served_costs_one_read_of_the_generation(
    client, published_2021, cache_calls, django_assert_num_queries, headers
):
    client.get("/ka/scorecards/2021/telavi/", **headers)
    cache_calls.clear()

    with django_assert_num_queries(0):
        response = client.get("/ka/scorecards/2021/telavi/", **headers)

    assert response.status_code == 200
    assert cache_calls == ["get"]


@pytest.mark.parametrize("headers", [{}, GZIP], ids=["as built", "compressed"])
def test_a_page_another_process_stored_is_found_with_one_read_of_the_cache(
    client, published_2021, cache_calls, django_assert_num_queries, another_process, headers
):
    first = client.get("/ka/scorecards/2021/telavi/", **headers)
    another_process()
    cache_calls.clear()

    with django_assert_num_queries(0):
        response = client.get("/ka/scorecards/2021/telavi/", **headers)

    assert response.content == first.content
    assert cache_calls == ["get_many"]


def test_a_page_kept_in_memory_is_not_served_once_something_is_published(client, published_2021):
    client.get("/en/municipalities/")
    Municipality.objects.filter(slug="telavi").update(name_en="Telavi (renamed)")

    clear_public_pages()

    assert "Telavi (renamed)" in client.get("/en/municipalities/").content.decode()


def test_a_process_keeps_no_more_pages_than_its_limit():
    recent = page_cache.RecentPages(limit=10)
    recent.keep("first", (1, "text/html", b"1234"))
    recent.keep("second", (1, "text/html", b"1234"))
    recent.get("first")
    recent.keep("first", (1, "text/html", b"1234"))  # served again: the most recent
    recent.keep("third", (1, "text/html", b"1234"))

    assert list(recent.pages) == ["first", "third"]
    assert recent.size == 8


def test_a_browser_that_accepts_gzip_gets_the_page_compressed(client, published_2021):
    plain = client.get("/en/scorecards/2021/telavi/")
    assert "Content-Encoding" not in plain

    for _visit in range(2):  # the stored page, then the same again
        compressed = client.get("/en/scorecards/2021/telavi/", **GZIP)
        assert compressed["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in compressed["Vary"]
        assert gzip.decompress(compressed.content) == plain.content
        assert int(compressed["Content-Length"]) == len(compressed.content)


def test_a_browser_first_to_a_page_gets_it_compressed_too(client, published_2021):
    first = client.get("/ka/municipalities/", **GZIP)

    assert first["Content-Encoding"] == "gzip"
    assert "თელავი" in gzip.decompress(first.content).decode()
    assert "თელავი" in client.get("/ka/municipalities/").content.decode()


def test_a_client_without_gzip_gets_the_page_as_built(client, published_2021):
    compressed = client.get("/en/municipalities/", **GZIP)

    for _visit in range(2):  # built, then stored
        page = client.get("/en/municipalities/")
        assert "Content-Encoding" not in page
        assert "Accept-Encoding" in page["Vary"]
        assert page.content == gzip.decompress(compressed.content)
        assert page.content.startswith(b"<!doctype html>")


def test_a_signed_in_user_gets_a_fresh_page_and_never_the_stored_one(
    client, published_2021, telavi_staff
):
    client.get("/en/municipalities/", **GZIP)
    Municipality.objects.filter(slug="telavi").update(name_en="Telavi (renamed)")

    client.force_login(telavi_staff)
    page = client.get("/en/municipalities/", **GZIP)

    assert "Content-Encoding" not in page
    assert "Telavi (renamed)" in page.content.decode()


def test_pages_stored_before_the_generation_was_lost_are_not_served(client, published_2021):
    client.get("/en/municipalities/")
    # A change the signals do not see, then the counter lost (evicted, or the cache flushed
    # but for the pages): a counter started afresh must not match the stored page's.
    Municipality.objects.filter(slug="telavi").update(name_en="Telavi (renamed)")
    cache.delete(GENERATION_KEY)

    assert "Telavi (renamed)" in client.get("/en/municipalities/").content.decode()


def test_a_page_built_while_something_is_published_is_not_served_again(db):
    builds = itertools.count(1)

    @public_page
    def page(request):
        body = f"build {next(builds)}"
        if body == "build 1":
            clear_public_pages()  # a publication commits while the first build runs
        return HttpResponse(body)

    def visit():
        request = RequestFactory().get("/en/somewhere/")
        request.user = AnonymousUser()
        return page(request).content

    assert visit() == b"build 1"
    assert visit() == b"build 2"  # the first was built from data older than the publication
    assert visit() == b"build 2"


def anonymous_visit(page, path="/en/crowded/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return page(request)


def marks_of_building():
    """The cache's keys that say a page is being built (local-memory cache)."""
    return [key for key in cache._cache if ":building:" in key]


def test_a_request_waits_for_the_page_another_is_building_instead_of_building_it(db):
    """A crowd arriving at a page nobody has stored: one builds it, the others wait."""
    builds = []
    release = threading.Event()

    @public_page
    def page(request):
        builds.append(threading.current_thread().name)
        release.wait(5)
        return HttpResponse(b"the page")

    first = threading.Thread(target=anonymous_visit, args=(page,), name="first")
    first.start()
    while not builds:
        time.sleep(0.01)
    answers = []
    waiting = threading.Thread(
        target=lambda: answers.append(anonymous_visit(page).content), name="second"
    )
    waiting.start()
    time.sleep(0.2)  # the second finds the first building, and waits
    release.set()
    first.join(5)
    waiting.join(5)

    assert builds == ["first"]
    assert answers == [b"the page"]
    assert marks_of_building() == []


def test_a_request_builds_the_page_itself_when_the_builder_stored_nothing(db):
    calls = itertools.count(1)

    @public_page
    def page(request):
        number = next(calls)
        if number == 1:
            raise RuntimeError("the first build fails")
        return HttpResponse(f"build {number}")

    with pytest.raises(RuntimeError):
        anonymous_visit(page)

    assert marks_of_building() == []  # the failed build let go of the page
    started = time.monotonic()
    assert anonymous_visit(page).content == b"build 2"
    assert time.monotonic() - started < page_cache.WAIT_SECONDS


def test_a_request_waits_no_longer_than_its_limit_for_a_builder_that_died(db, monkeypatch):
    monkeypatch.setattr(page_cache, "WAIT_SECONDS", 0.3)

    @public_page
    def page(request):
        return HttpResponse(b"built here")

    # A builder that died half-way leaves its mark until it expires.
    request = RequestFactory().get("/en/crowded/")
    key = page_cache._page_key(request, gzipped=False)
    cache.add(page_cache._building_key(key, page_cache.generation()), 1, timeout=60)
    started = time.monotonic()

    assert anonymous_visit(page).content == b"built here"
    assert 0.3 <= time.monotonic() - started < 2


# --- The early answer: a stored page before the rest of the stack ---------------------------

SCORECARD = "/ka/scorecards/2021/telavi/"


@pytest.fixture
def resolutions(monkeypatch):
    """How many times the URL resolver was asked from now on."""
    from django.urls.resolvers import URLResolver

    counted = []
    resolve = URLResolver.resolve

    def counting(self, path):
        counted.append(path)
        return resolve(self, path)

    monkeypatch.setattr(URLResolver, "resolve", counting)
    return counted


@pytest.mark.parametrize("headers", [{}, GZIP], ids=["as built", "compressed"])
def test_a_stored_page_is_answered_before_url_resolution_with_the_same_headers(
    client, published_2021, resolutions, django_assert_num_queries, headers
):
    first = client.get(SCORECARD, **headers)
    resolutions.clear()

    with django_assert_num_queries(0):
        again = client.get(SCORECARD, **headers)

    assert resolutions == []
    assert again.content == first.content
    same = ["Content-Type", "Content-Security-Policy", "X-Frame-Options", "Content-Language"]
    for name in [*same, "Vary", "X-Content-Type-Options", "Referrer-Policy"]:
        assert again[name] == first[name], name
    assert again.get("Content-Encoding") == first.get("Content-Encoding")
    assert int(again["Content-Length"]) == len(again.content)
    assert again["X-Request-ID"] != first["X-Request-ID"]


def test_a_visitor_with_a_session_goes_the_whole_way(client, published_2021, resolutions):
    client.get(SCORECARD)
    client.cookies[settings.SESSION_COOKIE_NAME] = "an-old-session"
    resolutions.clear()

    again = client.get(SCORECARD)

    assert again.status_code == 200
    assert resolutions != []


def test_the_early_answer_follows_publishing(client, published_2021):
    client.get("/en/municipalities/")
    Municipality.objects.filter(slug="telavi").update(name_en="Telavi (renamed)")
    clear_public_pages()

    assert "Telavi (renamed)" in client.get("/en/municipalities/").content.decode()


def test_a_response_that_sets_a_cookie_is_never_answered_early(db, settings):
    from musqat.cache import PublicPageMiddleware

    @public_page
    def page(request):
        response = HttpResponse(b"with a cookie")
        response.set_cookie("chosen", "1")
        return response

    def visit():
        request = RequestFactory().get("/en/cookie-page/")
        request.user = AnonymousUser()
        return PublicPageMiddleware(page)(request)

    assert visit().cookies["chosen"].value == "1"

    assert [key for key in cache._cache if "whole:" in key] == []
