"""The area pages of data entry, as the person filling them sees them (the monitor
workspace's and the admin's): one reading of numbers for the form and the import, a
summary of a refused save whose links lead to each field in error, the N/A reasons
labelled as needed only when N/A is ticked, and a refusal of one answer that keeps the
valid others saved.

The fixtures' methodology: A.1.1 yes/no, A.1.2 scale 0–3 (municipality), A.2.1 percent
(CSO), B.1.1 a number of days.
"""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from assessments.answers.forms import value_field
from assessments.answers.import_cells import RowProblem, parse_value
from assessments.models import Response
from indicators.models import Indicator
from tests import factories

from .test_answer_forms import text_of, typed, written

# --- One reading of numbers, typed in the form or imported ------------------------------------

# What people type, and the number both paths read; None where both refuse it.
NUMBERS = [
    ("1250", Decimal(1250)),
    ("1 250", Decimal(1250)),
    ("1\u00a0250", Decimal(1250)),  # a no-break space, as Georgian pages group thousands
    ("1\u202f250,5", Decimal("1250.5")),  # a narrow no-break space and a decimal comma
    ("1 250,5", Decimal("1250.5")),
    ("1,250.5", Decimal("1250.5")),  # as English pages print it
    ("1.250,5", Decimal("1250.5")),
    ("12,5", Decimal("12.5")),
    ("12.5", Decimal("12.5")),
    (" 7 ", Decimal(7)),
    ("0,250", Decimal("0.25")),
    ("1,250", None),  # 1250 in English, 1.25 in Georgian: refused, not guessed
    ("12 5", None),
    ("twelve", None),
    ("NaN", None),
    ("1E3", None),
    ("٦٠", None),  # Arabic-Indic digits: Django's own DecimalField would read 60
    ("12345678901234,5", None),  # more digits than an answer keeps
]


def read_by_the_form(indicator, text):
    try:
        return value_field(indicator).clean(text)
    except ValidationError:
        return None


def read_by_the_import(indicator, text):
    try:
        return parse_value(indicator, text)
    except RowProblem:
        return None


@pytest.mark.parametrize("language", ["ka", "en"])
@pytest.mark.parametrize("text, number", NUMBERS)
def test_the_form_and_the_import_read_a_number_alike(methodology, text, number, language):
    indicator = Indicator.objects.get(code="B.1.1")
    with override(language):
        assert read_by_the_form(indicator, text) == number
        assert read_by_the_import(indicator, text) == number


def test_the_form_says_why_a_thousands_comma_is_refused_as_the_import_does(methodology):
    indicator = Indicator.objects.get(code="B.1.1")
    with override("en"):
        with pytest.raises(ValidationError) as form:
            value_field(indicator).clean("1,250")
        with pytest.raises(RowProblem) as cell:
            parse_value(indicator, "1,250")
    assert form.value.messages == ["“1,250” is ambiguous: write 1250 or 1,25"]
    assert cell.value.message.startswith(form.value.messages[0] + "; indicator B.1.1 takes")


@pytest.mark.parametrize("language", ["ka", "en"])
def test_a_number_grouped_as_the_site_prints_it_is_saved_from_the_page(
    telavi_external, browser_of, cso_monitor, open_area, language
):
    page = open_area(browser_of(cso_monitor, language), telavi_external, "B")
    assert page.post({"B.1.1": {"value": "1\u00a0250,5"}}).status_code == 302
    assert Response.objects.get(indicator__code="B.1.1").value == Decimal("1250.5")


def test_a_percentage_with_a_decimal_comma_is_still_checked_for_its_range(
    telavi_external, monitor_browser, open_area
):
    refused = open_area(monitor_browser, telavi_external).post({"A.2.1": {"value": "100,5"}})
    assert refused.status_code == 400
    assert "Enter a percentage from 0 to 100." in text_of(refused)


@pytest.fixture
def monitor_browser(browser_of, cso_monitor):
    return browser_of(cso_monitor, "en")


# --- The summary of a refused save ------------------------------------------------------------


def summary_of(response):
    """The error summary's opening tag, heading and links (href, text) of a page."""
    html = response.content.decode()
    found = re.search(r'(<div\b[^>]*id="error-summary"[^>]*>)(.*?)</div>', html, re.S)
    assert found, "no error summary"
    tag, inside = found.groups()
    heading = re.search(r"<h2\b[^>]*>(.*?)</h2>", inside, re.S).group(1)
    links = [
        (href, " ".join(unescape(re.sub(r"<[^>]+>", "", text)).split()))
        for href, text in re.findall(r'<a\b[^>]*href="([^"]*)"[^>]*>(.*?)</a>', inside, re.S)
    ]
    return tag, unescape(heading).strip(), links


def ids_in(response):
    return set(re.findall(r'\sid="([^"]+)"', response.content.decode()))


@pytest.mark.parametrize("admin", [False, True], ids=["monitor", "admin"])
def test_a_refused_save_is_summed_up_at_the_top_with_a_link_to_each_field_in_error(
    telavi_self, telavi_external, browser_of, telavi_staff, cso_monitor, open_area, admin
):
    if admin:
        page = open_area(browser_of(telavi_staff, "en"), telavi_self, admin=True)
        changes = {"A.1.1": {"is_na": True}, "A.1.2": {"value": "4"}}
        value_code = "A.1.2"
    else:
        page = open_area(browser_of(cso_monitor, "en"), telavi_external)
        changes = {"A.1.1": {"is_na": True}, "A.2.1": {"value": "150"}}
        value_code = "A.2.1"
    refused = page.post(changes)

    assert refused.status_code == 400
    tag, heading, links = summary_of(refused)
    assert heading == "Nothing was saved: 2 answers need attention"
    assert 'role="alert"' in tag and 'tabindex="-1"' in tag
    reason = f"id_{page.forms['A.1.1'].prefix}-na_reason"
    value = f"id_{page.forms[value_code].prefix}-value"
    # In the page's order, each named by its code and name, and leading to an input there.
    assert [href for href, _text in links] == [
        f"#{reason}",
        f"#{value}_0" if admin else f"#{value}",  # a scale's first level; a text box
    ]
    assert [text for _href, text in links] == [
        "A.1.1 Indicator A.1.1",
        f"{value_code} Indicator {value_code}",
    ]
    assert {href[1:] for href, _text in links} <= ids_in(refused)
    # Beside each link, why.
    text = text_of(refused)
    assert re.search(r"A\.1\.1 Indicator A\.1\.1 ?: Say why this indicator does not apply\.", text)
    assert not Response.objects.exists()


def test_no_summary_without_a_refusal(telavi_external, monitor_browser, open_area):
    page = open_area(monitor_browser, telavi_external)
    assert 'id="error-summary"' not in page.html


def test_the_summary_speaks_georgian_on_a_georgian_page(
    telavi_external, browser_of, cso_monitor, open_area
):
    page = open_area(browser_of(cso_monitor, "ka"), telavi_external)
    refused = page.post({"A.2.1": {"value": "150"}})
    _tag, _heading, links = summary_of(refused)
    assert links == [(f"#id_{page.forms['A.2.1'].prefix}-value", "A.2.1 ინდიკატორი A.2.1")]


# --- The reasons for N/A --------------------------------------------------------------------


@pytest.mark.parametrize("admin", [False, True], ids=["monitor", "admin"])
def test_the_reasons_for_n_a_are_in_view_without_a_script_and_say_when_they_are_needed(
    telavi_self, telavi_external, browser_of, telavi_staff, cso_monitor, open_area, admin
):
    if admin:
        page = open_area(browser_of(telavi_staff, "en"), telavi_self, admin=True)
    else:
        page = open_area(browser_of(cso_monitor, "en"), telavi_external)
    html = page.html
    form = page.forms["A.1.1"]
    block = re.search(
        rf'<fieldset\b([^>]*)data-na-for="id_{form.prefix}-is_na"([^>]*)>(.*?)</fieldset>',
        html,
        re.S,
    )
    assert block, "no block of reasons tied to the N/A box"
    attributes, inside = block.group(1) + block.group(2), block.group(3)
    # Only the script hides it (and only while N/A is not ticked).
    assert not re.search(r"\shidden\b", attributes)
    legend = re.search(r"<legend\b[^>]*>(.*?)</legend>", inside, re.S).group(1)
    assert unescape(legend).strip() == "Needed only when “Not applicable” is ticked"
    assert f'name="{form.prefix}-na_reason"' in inside
    assert f'name="{form.prefix}-na_reason_en"' in inside
    assert f'id="id_{form.prefix}-is_na"' in html
    assert '<script src="/static/js/answer-form.js" defer></script>' in html


def test_the_script_hides_only_the_reasons_and_only_while_n_a_is_not_ticked():
    """The page is whole without the script; the script only toggles `hidden`."""
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static/js/answer-form.js").read_text()
    assert "block.hidden = !box.checked;" in script
    assert "innerHTML" not in script and "style." not in script


# --- A refusal of one answer keeps the others saved --------------------------------------------


def test_the_valid_answers_are_saved_and_the_refused_ones_come_back_to_be_corrected(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external)
    refused = page.post(
        {
            "A.1.1": {"value": "1", "evidence": "Council decision №12"},
            "A.2.1": {"value": "150", "evidence": "12 of 20 villages"},
        }
    )

    assert refused.status_code == 400
    _tag, heading, links = summary_of(refused)
    assert heading == "Not saved: 1 answer needs attention"
    assert [text for _href, text in links] == ["A.2.1 Indicator A.2.1"]
    assert "Saved 1 answer of Governance as a draft." in text_of(refused)
    saved = Response.objects.get()
    assert (saved.indicator.code, saved.value, saved.version) == ("A.1.1", 1, 1)
    html = refused.content.decode()
    assert typed(html, f"{page.forms['A.2.1'].prefix}-value") == "150"
    assert written(html, f"{page.forms['A.2.1'].prefix}-evidence") == "12 of 20 villages"

    # The page came back with the saved answer at its new version: correcting the refused
    # one and saving again saves only it, with no conflict with oneself.
    again = page.again(refused)
    assert again.forms["A.1.1"]["version"].value() == 1
    assert not again.forms["A.1.1"].is_bound
    assert again.post({"A.2.1": {"value": "60"}}).status_code == 302
    answers = dict(Response.objects.values_list("indicator__code", "version"))
    assert answers == {"A.1.1": 1, "A.2.1": 1}
    assert Response.objects.get(indicator__code="A.1.1").history.count() == 1


def test_an_answer_someone_else_saved_meanwhile_is_refused_and_the_others_are_saved(
    telavi_external, monitor_browser, browser_of, cso, open_area
):
    nino = factories.cso_monitor("nino", cso)
    factories.answer(telavi_external, "A.1.1", 1)
    mine = open_area(monitor_browser, telavi_external)
    hers = open_area(browser_of(nino, "en"), telavi_external)
    assert hers.post({"A.1.1": {"value": "0"}}).status_code == 302

    refused = mine.post({"A.1.1": {"evidence": "Decision №12"}, "A.2.1": {"value": "60"}})

    assert refused.status_code == 400
    assert "saved this answer at" in text_of(refused)
    answers = dict(Response.objects.values_list("indicator__code", "value"))
    assert answers == {"A.1.1": 0, "A.2.1": 60}  # hers kept, mine of A.2.1 saved
