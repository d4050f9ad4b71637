"""Refusals in the person's language, in the frame of the part of the site they were in.

A citizen on the public site, a CSO monitor, a grant reviewer and a Telavi staff member in
the admin each meet the 400, 403 and 404 pages in Georgian and in English, and each page
says what happened and where to go instead; a form sent after the session ended says so
and offers to reload; an error in a view gives a 500 page that needs neither a database
nor a request context. The status codes stay what they were.

This module is also the URLconf of its tests: the site's addresses, and one that raises
each refusal in each part of the site.
"""

import re
from html import unescape

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client
from django.urls import path, reverse

from assessments.permissions import GRANT_REVIEWER_GROUP
from assessments.workflow import Status
from musqat import urls as site_urls
from musqat.refusals import NotAllowed
from tests import factories

# --- The URLconf: the site, and a view that raises each refusal ------------------------------


def raising(request, code):
    if code == "400":
        raise SuspiciousOperation("developer's text, not for people")
    if code == "403":
        raise PermissionDenied("developer's text, not for people")
    if code == "403-told":
        raise NotAllowed("This call is closed: its applications can no longer be changed.")
    if code == "404":
        raise Http404("developer's text, not for people")
    raise RuntimeError("developer's text, not for people")


urlpatterns = [
    path("admin/raise/<str:code>/", raising),
    path("monitor/raise/<str:code>/", raising),
    path("review/raise/<str:code>/", raising),
    *site_urls.urlpatterns,
    *i18n_patterns(path("raise/<str:code>/", raising), prefix_default_language=True),
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

# --- What a page says -------------------------------------------------------------------------

TITLES = {
    "ka": {
        "400": "არასწორი მოთხოვნა",
        "403": "მოქმედება დაუშვებელია",
        "404": "გვერდი ვერ მოიძებნა",
    },
    "en": {"400": "Bad request", "403": "Not allowed", "404": "Page not found"},
}
# Words of the refusal pages' English text: none may be left on a Georgian page.
ENGLISH = (
    "the", "page", "not", "you", "your", "this", "was", "what", "can", "back", "go", "sign",
    "reload", "form", "saved", "error", "allowed", "found", "request", "account", "ask",
    "team", "address", "check", "only", "nothing", "try", "again", "server", "sorry",
)  # fmt: skip


def text_of(response) -> str:
    """What a person reads: the page's text, without its scripts, styles and tags."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def english_words_in(response) -> list[str]:
    words = set(re.findall(r"[A-Za-z]+", text_of(response).lower()))
    return sorted(words & set(ENGLISH))


def h1_of(response) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", found.group(1))).split()) if found else ""


def in_georgian(response):
    assert '<html lang="ka"' in response.content.decode()
    assert english_words_in(response) == []


# --- The people -------------------------------------------------------------------------------


@pytest.fixture
def grant_reviewer(db):
    return factories.user("grant-reviewer", group=GRANT_REVIEWER_GROUP)


@pytest.fixture
def telavi_external(telavi, methodology, cso):
    """The CSO's external assessment of Telavi, a draft."""
    cycle = factories.cycle(2022, methodology)
    return factories.assessment(telavi, cycle, "external", organization=cso)


def browser(person=None, language="ka", **options) -> Client:
    """A person's browser; in the workspaces and the admin the language is the language
    switch's cookie, on the public site the address's prefix."""
    client = Client(**options)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if person is not None:
        client.force_login(person)
    return client


# --- The public site --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ka", "en"])
@pytest.mark.parametrize("code", ["400", "403", "404"])
def test_a_citizen_is_refused_in_the_language_of_the_address(language, code):
    # The address wins over the cookie of the other language.
    cookie = "ka" if language == "en" else "en"
    response = browser(language=cookie).get(f"/{language}/raise/{code}/")

    assert response.status_code == int(code)
    assert h1_of(response) == TITLES[language][code]
    page = response.content.decode()
    assert f'<html lang="{language}"' in page
    assert "developer's text" not in page
    assert f'href="/{language}/"' in page  # the home page, in the same language
    assert 'class="site-nav"' in page  # the public site's own header
    if language == "ka":
        in_georgian(response)


def test_the_public_404_offers_the_municipalities_and_the_methodology():
    page = browser().get("/en/no-such-municipality/").content.decode()

    assert "There is no page at this address" in page
    assert 'href="/en/municipalities/"' in page
    assert reverse("assessments:about").replace("/ka/", "/en/") in page  # contact


def test_a_refusal_offers_the_page_the_person_came_from_when_it_is_this_site_s():
    client = browser(language="en")
    came_from = "http://testserver/en/municipalities/"

    page = client.get("/en/no-such-page/", HTTP_REFERER=came_from).content.decode()
    elsewhere = client.get("/en/no-such-page/", HTTP_REFERER="https://evil.example/").content

    assert f'href="{came_from}"' in page and "Go back to the previous page" in page
    assert b"evil.example" not in elsewhere


# --- The workspaces ---------------------------------------------------------------------------


WORKSPACES = {
    "monitor": ("cso_monitor", "/monitor/", "/monitor/logout/"),
    "review": ("grant_reviewer", "/review/", "/review/logout/"),
}


@pytest.mark.parametrize("language", ["ka", "en"])
@pytest.mark.parametrize("code", ["400", "403", "404"])
@pytest.mark.parametrize("workspace", sorted(WORKSPACES))
def test_a_workspace_user_is_refused_in_the_workspace_in_their_language(
    request, workspace, code, language
):
    person, start, logout = WORKSPACES[workspace]
    client = browser(request.getfixturevalue(person), language)

    response = client.get(f"/{workspace}/raise/{code}/")

    assert response.status_code == int(code)
    assert h1_of(response) == TITLES[language][code]
    page = response.content.decode()
    assert f'<html lang="{language}"' in page
    assert f'action="{logout}"' in page  # the workspace's header, signed in
    assert f'href="{start}"' in page  # its start page
    assert "developer's text" not in page
    if language == "ka":
        in_georgian(response)


def test_a_signed_out_person_is_offered_the_workspace_s_sign_in():
    page = browser(language="en").get("/review/raise/403/").content.decode()

    assert 'href="/review/login/"' in page and "Sign in" in page


def test_a_refusal_meant_for_the_person_says_why(cso_monitor):
    response = browser(cso_monitor, "en").get("/monitor/raise/403-told/")

    assert response.status_code == 403
    assert "This call is closed: its applications can no longer be changed." in text_of(response)
    assert "Your account may not open this page" not in text_of(response)


def test_a_monitor_who_forges_a_publish_is_told_only_project_staff_can(
    telavi_external, cso_monitor
):
    response = browser(cso_monitor, "en").post(
        reverse("monitor:transition", args=[telavi_external.pk]), {"action": "publish"}
    )

    assert response.status_code == 403
    assert "Only project staff can take this step (Publish)." in text_of(response)
    assert 'href="/monitor/"' in response.content.decode()
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.DRAFT


def test_a_monitor_who_submits_twice_is_told_the_assessment_is_no_longer_a_draft(
    telavi_external, cso_monitor
):
    telavi_external.status = Status.SUBMITTED
    telavi_external.save()

    response = browser(cso_monitor, "en").post(
        reverse("monitor:transition", args=[telavi_external.pk]), {"action": "submit"}
    )

    assert response.status_code == 403
    assert (
        "This assessment is “Submitted”: this step (Submit) can be taken only while it is "
        "“Draft”." in text_of(response)
    )


# --- The admin --------------------------------------------------------------------------------


def test_telavi_staff_opening_a_municipality_get_a_georgian_403_in_the_admin(telavi, telavi_staff):
    response = browser(telavi_staff, "ka").get(
        reverse("admin:municipalities_municipality_change", args=[telavi.pk])
    )

    assert response.status_code == 403
    assert h1_of(response) == TITLES["ka"]["403"]
    page = response.content.decode()
    assert 'id="header"' in page and 'id="admin-language"' in page  # the admin's header
    assert 'id="logout-form"' in page  # still signed in, with the admin's user links
    assert 'class="breadcrumbs"' in page
    assert f'href="{reverse("admin:index")}"' in page
    in_georgian(response)


@pytest.mark.parametrize("language", ["ka", "en"])
@pytest.mark.parametrize("code", ["400", "403", "404"])
def test_staff_are_refused_in_the_admin_in_their_language(project_staff, code, language):
    response = browser(project_staff, language).get(f"/admin/raise/{code}/")

    assert response.status_code == int(code)
    assert h1_of(response) == TITLES[language][code]
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert 'id="nav-sidebar"' in page  # the admin's navigation stays
    assert "developer's text" not in page
    if language == "ka":
        in_georgian(response)


# --- A form sent after the session ended ------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "language"),
    [("/monitor/login/", "ka"), ("/admin/login/", "ka"), ("/en/search/", "en")],
)
def test_a_form_without_its_token_is_refused_with_a_page_that_offers_to_reload(address, language):
    client = browser(language=language, enforce_csrf_checks=True)
    client.get(address)  # the page with the form; its token is then lost

    response = client.post(address, {"username": "cso-monitor", "password": "pw"})

    assert response.status_code == 403
    page = response.content.decode()
    assert f'href="{address}"' in page  # reload the form
    if language == "ka":
        in_georgian(response)
    else:
        assert h1_of(response) == "The form could not be sent"
        assert "the session ended" in text_of(response)
        assert "CSRF verification failed" in page  # what the project team can look up


def test_a_signed_in_monitor_whose_token_failed_keeps_the_workspace(cso_monitor):
    client = browser(cso_monitor, "en", enforce_csrf_checks=True)

    response = client.post("/monitor/", {})

    assert response.status_code == 403
    assert 'action="/monitor/logout/"' in response.content.decode()


# --- A server error ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ka", "en"])
@pytest.mark.parametrize("address", ["/{language}/raise/500/", "/admin/raise/500/"])
def test_an_error_gives_a_500_page_in_the_person_s_language_without_the_database(
    address, language, django_assert_num_queries
):
    client = browser(language=language)
    client.raise_request_exception = False

    with django_assert_num_queries(0):
        response = client.get(address.format(language=language))

    assert response.status_code == 500
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert h1_of(response) == {"ka": "სერვერის შეცდომა", "en": "Server error"}[language]
    assert "developer's text" not in page
    start = "/admin/" if address.startswith("/admin/") else f"/{language}/"
    assert f'href="{start}"' in page
    if language == "ka":
        in_georgian(response)
