"""Answer forms: each response type checked, bad input refused with a message in the
person's language and nothing typed lost, evidence files checked by type and size, and
two people saving the same answer never silently overwrite each other.

The CSO monitor fills in Telavi's external assessment (area A: A.1.1 yes/no and A.2.1
percent; area B: B.1.1 a number of days) in the monitor workspace; the Telavi staff
member fills in the self-assessment (A.1.2 is a scale 0–3) in the admin.
"""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import EvidenceFile, Response
from tests import factories
from tests.assessments.conftest import PDF, PNG, WINDOWS_PROGRAM, evidence, pdf
from tests.error_summary import error_summary


@pytest.fixture
def monitor_browser(browser_of, cso_monitor):
    return browser_of(cso_monitor, "en")


@pytest.fixture
def nino(cso):
    """A second monitor of the same CSO, who works on the same assessment."""
    person = factories.cso_monitor("nino", cso)
    person.first_name, person.last_name = "Nino", "Beridze"
    person.save()
    return person


# --- Reading a page as a person does -----------------------------------------------------


def inputs(html, name):
    return [tag for tag in re.findall(r"<input\b[^>]*>", html) if f'name="{name}"' in tag]


def chosen(html, name):
    """The radio button of this name that is shown chosen, or None."""
    for tag in inputs(html, name):
        if 'type="radio"' in tag and re.search(r"\schecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def ticked(html, name):
    """Whether the check box of this name is shown ticked."""
    return any(
        'type="checkbox"' in tag and re.search(r"\schecked\b", tag) for tag in inputs(html, name)
    )


def typed(html, name):
    """What a text box shows."""
    for tag in inputs(html, name):
        if 'type="hidden"' not in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return unescape(found.group(1)) if found else ""
    raise AssertionError(f"no text box {name}")


def written(html, name):
    """What a text area shows."""
    found = re.search(
        rf'<textarea\b[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S
    )
    assert found, f"no text area {name}"
    return unescape(found.group(1)).strip()


def text_of(response):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def name(page, code, field):
    return page.forms[code].add_prefix(field)


# --- Each response type --------------------------------------------------------------------


def test_it_rejects_a_yes_no_answer_other_than_yes_or_no_and_keeps_the_rest(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external)
    refused = page.post(
        {
            "A.1.1": {"value": "2", "evidence": "დადგენილება №12"},
            "A.2.1": {"value": "60", "evidence": "We visited 12 of 20 villages"},
        }
    )

    # The valid answer is saved; the refused one comes back as typed, with its error.
    assert refused.status_code == 400
    assert "Select a valid choice. 2 is not one of the available choices." in text_of(refused)
    assert "Not saved: 1 answer needs attention" in text_of(refused)
    assert "Saved 1 answer of Governance as a draft." in text_of(refused)
    html = refused.content.decode()
    assert written(html, name(page, "A.1.1", "evidence")) == "დადგენილება №12"
    assert typed(html, name(page, "A.2.1", "value")) == "60"
    assert written(html, name(page, "A.2.1", "evidence")) == "We visited 12 of 20 villages"
    saved = Response.objects.get()
    assert (saved.indicator.code, saved.value) == ("A.2.1", Decimal(60))


def test_it_rejects_a_scale_level_out_of_range(telavi_self, browser_of, telavi_staff, open_area):
    browser = browser_of(telavi_staff, "en")
    page = open_area(browser, telavi_self, admin=True)
    refused = page.post({"A.1.1": {"value": "0"}, "A.1.2": {"value": "4"}})

    assert refused.status_code == 400
    assert "Select a valid choice. 4 is not one of the available choices." in text_of(refused)
    assert chosen(refused.content.decode(), name(page, "A.1.1", "value")) == "0"
    assert list(Response.objects.values_list("indicator__code", "value")) == [("A.1.1", 0)]


def test_it_offers_a_scale_s_levels_in_words(telavi_self, browser_of, telavi_staff, open_area):
    page = open_area(browser_of(telavi_staff, "en"), telavi_self, admin=True)
    assert "2 – Adopted" in text_of(page.response)
    georgian = open_area(browser_of(telavi_staff, "ka"), telavi_self, admin=True)
    assert "2 – მიღებული" in text_of(georgian.response)


@pytest.mark.parametrize("admin", [False, True], ids=["monitor", "admin"])
def test_its_hidden_copies_of_the_answers_point_at_no_help_text(
    telavi_self, telavi_external, browser_of, telavi_staff, monitor_browser, open_area, admin
):
    """A hidden input may carry no aria-* attribute (HTML); the visible field keeps its own."""
    if admin:
        page = open_area(browser_of(telavi_staff, "en"), telavi_self, admin=True)
    else:
        page = open_area(monitor_browser, telavi_external)
    html = page.response.content.decode()
    hidden = [tag for tag in re.findall(r"<input\b[^>]*>", html) if 'type="hidden"' in tag]

    assert any('name="initial-' in tag for tag in hidden)
    assert not [tag for tag in hidden if "aria-" in tag]
    assert re.search(r'<textarea\b[^>]*aria-describedby="[^"]*na_reason_helptext"', html)


def test_it_saves_a_scale_level(telavi_self, browser_of, telavi_staff, open_area):
    page = open_area(browser_of(telavi_staff, "en"), telavi_self, admin=True)
    assert page.post({"A.1.2": {"value": "3"}}).status_code == 302
    assert Response.objects.get(indicator__code="A.1.2").value == 3


@pytest.mark.parametrize("percent", ["150", "-1", "100.5"])
def test_it_rejects_a_percentage_out_of_range(telavi_external, monitor_browser, open_area, percent):
    page = open_area(monitor_browser, telavi_external)
    refused = page.post({"A.1.1": {"value": "1"}, "A.2.1": {"value": percent}})

    assert refused.status_code == 400
    assert "Enter a percentage from 0 to 100." in text_of(refused)
    html = refused.content.decode()
    assert typed(html, name(page, "A.2.1", "value")) == percent
    assert chosen(html, name(page, "A.1.1", "value")) == "1"
    assert list(Response.objects.values_list("indicator__code", "value")) == [("A.1.1", 1)]


def test_it_rejects_a_percentage_in_words(telavi_external, monitor_browser, open_area):
    page = open_area(monitor_browser, telavi_external)
    refused = page.post({"A.2.1": {"value": "sixty"}})
    assert refused.status_code == 400
    assert "Enter a number." in text_of(refused)
    assert typed(refused.content.decode(), name(page, "A.2.1", "value")) == "sixty"


def test_it_rejects_a_number_in_words_and_keeps_the_evidence(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external, "B")
    refused = page.post({"B.1.1": {"value": "twelve", "evidence": "Registry of complaints"}})
    assert refused.status_code == 400
    assert "Enter a number." in text_of(refused)
    html = refused.content.decode()
    assert typed(html, name(page, "B.1.1", "value")) == "twelve"
    assert written(html, name(page, "B.1.1", "evidence")) == "Registry of complaints"


def test_it_takes_a_decimal_comma_from_a_georgian_page(
    telavi_external, browser_of, cso_monitor, open_area
):
    browser = browser_of(cso_monitor, "ka")
    assert open_area(browser, telavi_external).post({"A.2.1": {"value": "12,5"}}).status_code == 302
    assert (
        open_area(browser, telavi_external, "B").post({"B.1.1": {"value": "7,25"}}).status_code
        == 302
    )
    values = dict(Response.objects.values_list("indicator__code", "value"))
    assert values == {"A.2.1": Decimal("12.5"), "B.1.1": Decimal("7.25")}


def test_it_shows_a_georgian_message_on_a_georgian_page(
    telavi_external, browser_of, cso_monitor, open_area
):
    page = open_area(browser_of(cso_monitor, "ka"), telavi_external)
    refused = page.post({"A.2.1": {"value": "150"}})
    assert refused.status_code == 400
    assert "შეიყვანეთ პროცენტი 0-დან 100-მდე." in text_of(refused)
    assert "Enter a percentage" not in text_of(refused)


def test_it_needs_a_reason_when_an_indicator_does_not_apply(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external, "B")
    refused = page.post({"B.1.1": {"is_na": True, "evidence": "No such service"}})
    assert refused.status_code == 400
    assert "Say why this indicator does not apply." in text_of(refused)
    html = refused.content.decode()
    assert written(html, name(page, "B.1.1", "evidence")) == "No such service"
    assert ticked(html, name(page, "B.1.1", "is_na"))
    assert not Response.objects.exists()


def test_it_says_in_georgian_that_a_reason_is_needed(
    telavi_external, browser_of, cso_monitor, open_area
):
    page = open_area(browser_of(cso_monitor, "ka"), telavi_external, "B")
    refused = page.post({"B.1.1": {"is_na": True}})
    assert "მიუთითეთ, რატომ არ ეხება ეს ინდიკატორი." in text_of(refused)


def test_it_refuses_a_value_on_an_answer_that_does_not_apply(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external, "B")
    refused = page.post({"B.1.1": {"is_na": True, "na_reason": "No such service", "value": "9"}})
    assert refused.status_code == 400
    assert "Leave the value empty when the indicator does not apply." in text_of(refused)
    assert written(refused.content.decode(), name(page, "B.1.1", "na_reason")) == "No such service"


def test_it_saves_an_answer_that_does_not_apply_with_its_reason(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external, "B")
    saved = page.post({"B.1.1": {"is_na": True, "na_reason": "მუნიციპალიტეტს სერვისი არ აქვს"}})
    assert saved.status_code == 302
    response = Response.objects.get()
    assert response.is_na and response.value is None


def test_it_refuses_a_line_of_links_that_is_not_a_web_address(
    telavi_external, monitor_browser, open_area
):
    links = "https://telavi.gov.ge/decisions/12\nftp://files.example.org/report"
    page = open_area(monitor_browser, telavi_external)
    refused = page.post({"A.2.1": {"value": "40", "links": links}})
    assert refused.status_code == 400
    assert (
        "Line 2 is not a web address (http:// or https://): ftp://files.example.org/report"
        in text_of(refused)
    )
    html = refused.content.decode()
    assert written(html, name(page, "A.2.1", "links")) == links
    assert typed(html, name(page, "A.2.1", "value")) == "40"


def test_it_says_in_georgian_which_line_is_not_a_web_address(
    telavi_external, browser_of, cso_monitor, open_area
):
    page = open_area(browser_of(cso_monitor, "ka"), telavi_external)
    refused = page.post({"A.2.1": {"links": "https://telavi.gov.ge\nტელეფონით"}})
    assert "ხაზი 2 არ არის ვებმისამართი (http:// ან https://): ტელეფონით" in text_of(refused)


# --- Evidence files --------------------------------------------------------------------------


def test_it_refuses_a_file_over_the_size_limit(
    telavi_external, monitor_browser, open_area, settings, media
):
    settings.EVIDENCE_MAX_BYTES = 1024
    page = open_area(monitor_browser, telavi_external)
    big = pdf("minutes.pdf", PDF.ljust(2048, b"0"))
    refused = page.post({"A.2.1": {"value": "60", "evidence": "Minutes", "new_files": big}})

    assert refused.status_code == 400
    assert "“minutes.pdf” is 2.0 KB; an evidence file may be 1.0 KB at most." in text_of(refused)
    assert "The files chosen for this answer must be chosen again." in text_of(refused)
    assert written(refused.content.decode(), name(page, "A.2.1", "evidence")) == "Minutes"
    assert not EvidenceFile.objects.exists() and not Response.objects.exists()


def test_it_says_in_georgian_that_a_file_is_too_big(
    telavi_external, browser_of, cso_monitor, open_area, settings, media
):
    settings.EVIDENCE_MAX_BYTES = 1024
    page = open_area(browser_of(cso_monitor, "ka"), telavi_external)
    refused = page.post({"A.2.1": {"new_files": pdf("ოქმი.pdf", PDF.ljust(2048, b"0"))}})
    assert refused.status_code == 400
    assert "ფაილის „ოქმი.pdf“ ზომაა" in text_of(refused)
    assert "მტკიცებულების ფაილის მაქსიმალური ზომაა" in text_of(refused)


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("notes.txt", b"plain text notes"),
        ("setup.exe", WINDOWS_PROGRAM),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        # A program renamed to look like a PDF: its first bytes give it away.
        ("report.pdf", WINDOWS_PROGRAM),
        ("photo.png", PDF),
    ],
)
def test_it_refuses_a_file_that_is_not_a_pdf_image_or_office_document(
    telavi_external, monitor_browser, open_area, media, filename, content
):
    page = open_area(monitor_browser, telavi_external)
    upload = SimpleUploadedFile(filename, content)
    refused = page.post({"A.2.1": {"value": "60", "new_files": upload}})

    assert refused.status_code == 400
    assert f"“{filename}” is not a PDF, an image (PNG, JPEG, GIF, WebP) or an office document" in (
        text_of(refused)
    )
    assert typed(refused.content.decode(), name(page, "A.2.1", "value")) == "60"
    assert not EvidenceFile.objects.exists()


def test_it_keeps_evidence_files_and_shows_them_on_coming_back(
    telavi_external, monitor_browser, open_area, media
):
    page = open_area(monitor_browser, telavi_external)
    saved = page.post(
        {
            "A.2.1": {
                "value": "60",
                "new_files": [pdf("minutes.pdf"), SimpleUploadedFile("map.png", PNG)],
            }
        }
    )
    assert saved.status_code == 302

    titles = sorted(EvidenceFile.objects.values_list("title", flat=True))
    assert titles == ["map.png", "minutes.pdf"]
    again = open_area(monitor_browser, telavi_external)
    assert "minutes.pdf" in text_of(again.response) and "map.png" in text_of(again.response)


def test_it_removes_the_evidence_files_the_monitor_ticks(
    telavi_external, monitor_browser, open_area, media
):
    response = factories.answer(telavi_external, "A.2.1", 60)
    kept, dropped = evidence(response, "kept.pdf"), evidence(response, "dropped.pdf")
    page = open_area(monitor_browser, telavi_external)

    saved = page.post({"A.2.1": {"remove_files": [str(dropped.pk)]}})

    assert saved.status_code == 302
    assert list(EvidenceFile.objects.all()) == [kept]
    assert not (media / dropped.file.name).exists()


# --- Two people, one answer ------------------------------------------------------------------


def test_it_tells_the_second_of_two_people_saving_one_answer_who_saved_first(
    telavi_external, monitor_browser, browser_of, nino, open_area, cso_monitor
):
    factories.answer(telavi_external, "A.2.1", 50)
    mine = open_area(monitor_browser, telavi_external)
    hers = open_area(browser_of(nino, "en"), telavi_external)

    assert hers.post({"A.2.1": {"value": "70", "evidence": "Nino's count"}}).status_code == 302
    refused = mine.post({"A.2.1": {"value": "40", "evidence": "My count"}})

    assert refused.status_code == 400
    message = text_of(refused)
    assert "Nino Beridze saved this answer at" in message
    assert "It now says: 70%." in message
    html = refused.content.decode()
    assert typed(html, name(mine, "A.2.1", "value")) == "40"
    assert written(html, name(mine, "A.2.1", "evidence")) == "My count"
    response = Response.objects.get(indicator__code="A.2.1")
    assert (response.value, response.evidence, response.updated_by) == (70, "Nino's count", nino)

    # Having seen hers, saving again replaces it knowingly.
    assert mine.again(refused).post().status_code == 302
    response.refresh_from_db()
    assert (response.value, response.evidence, response.updated_by) == (
        40,
        "My count",
        cso_monitor,
    )


def test_it_keeps_two_people_filling_in_one_blank_answer_from_overwriting_each_other(
    telavi_external, monitor_browser, browser_of, nino, open_area
):
    mine = open_area(monitor_browser, telavi_external)
    hers = open_area(browser_of(nino, "en"), telavi_external)

    assert hers.post({"A.2.1": {"value": "70"}}).status_code == 302
    refused = mine.post({"A.2.1": {"value": "40"}})

    assert refused.status_code == 400
    assert "Nino Beridze saved this answer at" in text_of(refused)
    assert Response.objects.get(indicator__code="A.2.1").value == 70


def test_it_does_not_overwrite_an_answer_changed_meanwhile_by_someone_who_did_not_touch_it(
    telavi_external, monitor_browser, browser_of, nino, open_area
):
    factories.answer(telavi_external, "A.1.1", 1)
    factories.answer(telavi_external, "A.2.1", 50)
    mine = open_area(monitor_browser, telavi_external)
    hers = open_area(browser_of(nino, "en"), telavi_external)

    assert hers.post({"A.1.1": {"value": "0", "evidence": "No strategy found"}}).status_code == 302
    assert mine.post({"A.2.1": {"value": "55"}}).status_code == 302

    answers = {r.indicator.code: r for r in Response.objects.select_related("indicator")}
    assert (answers["A.1.1"].value, answers["A.1.1"].evidence) == (0, "No strategy found")
    assert answers["A.2.1"].value == 55


def test_it_names_the_first_person_in_georgian_too(
    telavi_external, browser_of, cso_monitor, nino, open_area
):
    mine = open_area(browser_of(cso_monitor, "ka"), telavi_external)
    hers = open_area(browser_of(nino, "ka"), telavi_external)
    assert hers.post({"A.2.1": {"value": "70"}}).status_code == 302
    refused = mine.post({"A.2.1": {"value": "40"}})
    assert "ამ გვერდის გახსნის შემდეგ ეს პასუხი სხვამ შეინახა (Nino Beridze," in text_of(refused)
    assert "ახლა პასუხია: 70%." in text_of(refused)


def test_it_does_not_report_a_conflict_on_an_answer_the_person_did_not_touch(
    telavi_external, monitor_browser, browser_of, nino, open_area
):
    factories.answer(telavi_external, "A.1.1", 1)
    mine = open_area(monitor_browser, telavi_external)
    hers = open_area(browser_of(nino, "en"), telavi_external)
    assert hers.post({"A.1.1": {"value": "0"}}).status_code == 302

    refused = mine.post({"A.2.1": {"value": "150"}})  # only A.2.1 touched, and wrongly

    assert refused.status_code == 400
    assert "Nothing was saved: 1 answer needs attention" in text_of(refused)
    assert "saved this answer at" not in text_of(refused)


def test_it_does_not_overwrite_a_reply_saved_meanwhile_by_a_colleague(
    telavi_external, telavi_staff, browser_of, open_replies, to_status, telavi
):
    colleague = factories.municipal_staff("eka", telavi)
    colleague.first_name, colleague.last_name = "Eka", "Kapanadze"
    colleague.save()
    to_status(telavi_external, "reply")
    mine = open_replies(browser_of(telavi_staff, "en"), telavi_external)
    hers = open_replies(browser_of(colleague, "en"), telavi_external)

    assert hers.post({"A.2.1": {"reply": "სოფლები 2023 წელს ჩაერთვება"}}).status_code == 302
    refused = mine.post({"A.2.1": {"reply": "Another reply"}})

    assert refused.status_code == 400
    assert "Eka Kapanadze saved a reply to this finding at" in text_of(refused)
    # The summary at the top names the finding and leads to its reply.
    heading, lines = error_summary(refused.content.decode())
    assert heading == "Nothing was saved: 1 field needs attention"
    [(target, text)] = lines
    assert target.endswith("-reply")
    assert text.startswith("A.2.1 ")
    assert "Eka Kapanadze saved a reply to this finding at" in text
    assert Response.objects.get(indicator__code="A.2.1").reply == "სოფლები 2023 წელს ჩაერთვება"


# --- Coming back to a saved yes/no or scale answer --------------------------------------------


def as_a_browser_sends(page, changes):
    """The POST a browser makes from the page: a radio group with nothing shown chosen
    sends nothing at all."""
    data = page.data(changes)
    for code, form in page.forms.items():
        field = form.add_prefix("value")
        if code not in changes or "value" not in changes[code]:
            shown = chosen(page.html, field)
            if any('type="radio"' in tag for tag in inputs(page.html, field)):
                if shown is None:
                    data.pop(field, None)
                else:
                    data[field] = shown
    return data


def test_it_shows_a_saved_yes_chosen_on_coming_back(telavi_external, monitor_browser, open_area):
    factories.answer(telavi_external, "A.1.1", 1)
    page = open_area(monitor_browser, telavi_external)
    assert chosen(page.html, name(page, "A.1.1", "value")) == "1"


def test_it_keeps_a_saved_yes_when_evidence_is_added(telavi_external, monitor_browser, open_area):
    factories.answer(telavi_external, "A.1.1", 1)
    page = open_area(monitor_browser, telavi_external)
    data = as_a_browser_sends(page, {"A.1.1": {"evidence": "Council decision №12"}})
    assert monitor_browser.post(page.url, data).status_code == 302
    response = Response.objects.get(indicator__code="A.1.1")
    assert response.evidence == "Council decision №12"
    assert response.value == 1


def test_it_shows_a_saved_scale_level_chosen_on_coming_back(
    telavi_self, browser_of, telavi_staff, open_area
):
    factories.answer(telavi_self, "A.1.2", 2)
    page = open_area(browser_of(telavi_staff, "en"), telavi_self, admin=True)
    assert chosen(page.html, name(page, "A.1.2", "value")) == "2"
