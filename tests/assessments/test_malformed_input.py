"""An attacker's checklist: malformed or oversized input gets a 400 page that says why, in
the person's language, and never a 500; nothing is half-saved, and where the form itself
refuses, everything typed is kept.

NUL characters (which PostgreSQL refuses in any query), digits that are not ASCII,
over-long file names, too many files and oversized bodies. Each test holds on SQLite and
on PostgreSQL (DATABASE_URL=postgres://…).
"""

import io
import re
from html import unescape

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from assessments.models import EvidenceFile, Response
from musqat.bad_requests import RequestLimitsMiddleware
from tests import factories
from tests.assessments.conftest import PDF, pdf
from tests.conftest import Page


@pytest.fixture
def monitor_browser(browser_of, cso_monitor):
    return browser_of(cso_monitor, "en")


def text_of(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def written(response, name):
    """What a text area of the page shows."""
    found = re.search(
        rf'<textarea\b[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>',
        response.content.decode(),
        re.S,
    )
    assert found, f"no text area {name}"
    return unescape(found.group(1)).strip()


def field(page, code, name):
    return page.forms[code].add_prefix(name)


def files_in(folder):
    return [path for path in folder.rglob("*") if path.is_file()]


NUL_REFUSED = "The address or the form contains a null character (NUL)"
CHECK_THE_ADDRESS = "Check the address and try again."


# --- NUL characters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/ka/areas/2021/%00/", ["არასწორი მოთხოვნა", "ნულოვან სიმბოლოს (NUL)", "შეამოწმეთ"]),
        ("/en/areas/2021/%00/", ["Bad request", NUL_REFUSED, CHECK_THE_ADDRESS]),
        ("/en/municipalities/tela%00vi/", ["Bad request", NUL_REFUSED, CHECK_THE_ADDRESS]),
        ("/en/compare/?m=telavi&m=%00", ["Bad request", NUL_REFUSED, CHECK_THE_ADDRESS]),
        ("/en/?utm%00=1", ["Bad request", NUL_REFUSED, CHECK_THE_ADDRESS]),
    ],
)
def test_it_refuses_a_nul_in_a_public_address_with_a_page_that_says_why(
    client, published_2021, path, said
):
    page = Page(client.get(path))

    assert page.status_code == 400
    assert page.lang == path[1:3]
    title, reason, advice = said
    assert page.title.startswith(title)
    assert reason in page.text and advice in page.text


def test_it_refuses_a_nul_in_the_monitor_s_search(monitor_browser, telavi_external):
    page = Page(monitor_browser.get(reverse("monitor:dashboard"), {"q": "Tel\x00avi"}))

    assert page.status_code == 400
    assert NUL_REFUSED in page.text


def test_it_refuses_a_nul_in_a_form_and_saves_nothing(
    telavi_external, monitor_browser, open_area, media
):
    page = open_area(monitor_browser, telavi_external)
    refused = page.post({"A.2.1": {"value": "60", "evidence": "Minutes\x00", "new_files": pdf()}})

    assert refused.status_code == 400
    assert NUL_REFUSED in text_of(refused)
    assert "remove the character from what you typed, and save again" in text_of(refused)
    assert not Response.objects.exists() and not EvidenceFile.objects.exists()
    assert files_in(media) == []


# --- Numbers in the query -----------------------------------------------------------------


@pytest.mark.parametrize("cycle", ["²", "2022²"])
def test_it_lists_every_assessment_when_the_cycle_is_not_a_plain_year(
    monitor_browser, telavi_external, cycle_2021, telavi, cso, cycle
):
    factories.assessment(telavi, cycle_2021, "external", organization=cso)
    page = Page(monitor_browser.get(reverse("monitor:dashboard"), {"cycle": cycle}))

    assert page.status_code == 200
    assert [row[:2] for row in page.rows[1:]] == [["Telavi", "2022"], ["Telavi", "2021"]]


# --- Evidence file names ------------------------------------------------------------------


def test_it_refuses_an_evidence_file_name_over_200_characters_and_keeps_the_text(
    telavi_external, monitor_browser, open_area, media
):
    page = open_area(monitor_browser, telavi_external)
    long_name = "minutes-of-the-council-" + "x" * 174 + ".pdf"  # 201 characters
    refused = page.post(
        {"A.2.1": {"value": "60", "evidence": "Council minutes", "new_files": pdf(long_name)}}
    )

    assert refused.status_code == 400
    shortened = "minutes-of-the-council-" + "x" * 36 + "…"
    assert (
        f"The name of “{shortened}” is 201 characters long; a file name may be 200 "
        "characters at most. Rename the file and choose it again."
    ) in text_of(refused)
    assert written(refused, field(page, "A.2.1", "evidence")) == "Council minutes"
    assert not Response.objects.exists() and not EvidenceFile.objects.exists()
    assert files_in(media) == []


def test_it_says_in_georgian_that_a_file_name_is_too_long(
    telavi_external, browser_of, cso_monitor, open_area, media
):
    page = open_area(browser_of(cso_monitor, "ka"), telavi_external)
    refused = page.post({"A.2.1": {"new_files": pdf("ო" * 197 + ".pdf")}})

    assert refused.status_code == 400
    assert "სახელი 201 სიმბოლოსგან შედგება" in text_of(refused)
    assert files_in(media) == []


def test_it_keeps_a_long_file_name_whole_as_the_title_and_stores_it_cut_to_fit(
    telavi_external, monitor_browser, open_area, media
):
    name = "a" + ".b" * 60 + ".pdf"  # left to storage, it could not be shortened
    page = open_area(monitor_browser, telavi_external)
    for _twice in range(2):  # the second time, storage adds to a name already taken
        saved = page.post({"A.2.1": {"value": "60", "new_files": pdf(name)}})
        assert saved.status_code == 302
        page = open_area(monitor_browser, telavi_external)

    stored = list(EvidenceFile.objects.all())
    assert [document.title for document in stored] == [name, name]
    assert all(len(document.file.name) <= 100 for document in stored)
    assert all(document.file.name.endswith(".pdf") for document in stored)
    assert len(files_in(media)) == 2
    assert stored[0].file.read() == PDF


# --- Too many files, too big a body -------------------------------------------------------


def test_it_refuses_more_evidence_files_in_one_save_than_allowed_and_keeps_the_text(
    telavi_external, monitor_browser, open_area, media, settings
):
    settings.EVIDENCE_MAX_FILES = 2
    page = open_area(monitor_browser, telavi_external)
    refused = page.post(
        {
            "A.1.1": {"value": "1", "evidence": "Decision №12", "new_files": pdf("decision.pdf")},
            "A.2.1": {"value": "60", "new_files": [pdf("one.pdf"), pdf("two.pdf")]},
        }
    )

    assert refused.status_code == 400
    text = text_of(refused)
    assert "Nothing was saved: 2 answers need attention" in text
    # Beside each of the two answers, and again in the summary at the top.
    assert text.count("3 files were chosen in this save; at most 2 can be added") == 4
    assert written(refused, field(page, "A.1.1", "evidence")) == "Decision №12"
    assert not Response.objects.exists() and not EvidenceFile.objects.exists()
    assert files_in(media) == []


def test_the_form_says_how_many_files_and_how_much_one_save_may_bring(
    telavi_external, monitor_browser, open_area, settings
):
    page = open_area(monitor_browser, telavi_external)

    assert (
        "PDF, images or office documents, up to 10.0 MB each; at most 10 files and 30.0 MB "
        "in one save."
    ) in text_of(page.response)


def test_it_answers_more_files_than_the_parser_takes_with_a_georgian_page(
    telavi_external, browser_of, cso_monitor, open_area, media, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    page = open_area(browser_of(cso_monitor, "ka"), telavi_external)
    refused = page.post({"A.2.1": {"new_files": [pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf")]}})

    assert refused.status_code == 400
    shown = Page(refused)
    assert shown.lang == "ka"
    assert shown.title.startswith("არასწორი მოთხოვნა")
    assert "ფორმით ერთდროულად დასაშვებზე (2) მეტი ფაილი გაიგზავნა." in shown.text
    assert "არაფერი შენახულა" in shown.text
    assert not EvidenceFile.objects.exists() and files_in(media) == []


def test_it_refuses_a_body_over_the_limit_and_says_what_to_do(
    telavi_external, monitor_browser, open_area, media, settings
):
    settings.REQUEST_MAX_BYTES = 8 * 1024
    page = open_area(monitor_browser, telavi_external)
    refused = page.post({"A.2.1": {"value": "60", "new_files": pdf(content=PDF.ljust(16 * 1024))}})

    assert refused.status_code == 400
    text = text_of(refused)
    assert re.search(r"The form sent 1\d\.\d KB at once; at most 8\.0 KB can be sent", text)
    assert "save again with fewer or smaller files at a time" in text
    assert not Response.objects.exists() and files_in(media) == []


class Unread(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = readline = read


def test_it_refuses_an_oversized_body_before_reading_any_of_it(db, settings):
    request = RequestFactory().post("/monitor/", content_type="application/octet-stream")
    request.META["CONTENT_LENGTH"] = str(50 * 1024 * 1024)
    request.META["wsgi.input"] = Unread()
    request._stream = Unread()
    reached = []

    response = RequestLimitsMiddleware(reached.append)(request)

    assert response.status_code == 400 and reached == []
    assert "The form sent 50.0 MB at once; at most 30.0 MB" in text_of(response)


# --- Other bad requests -------------------------------------------------------------------


def test_a_bad_request_that_django_refuses_gets_the_site_s_page_not_a_500(published_2021):
    browser = Client(raise_request_exception=False)
    page = Page(browser.get("/ka/", headers={"host": "attacker.example"}))

    assert page.status_code == 400
    assert page.title.startswith("არასწორი მოთხოვნა")
    assert "attacker.example" not in page.html
