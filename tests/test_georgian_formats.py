"""How Georgian pages write names, numbers, data types and units (and English pages too)."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import pgettext

from assessments.opendata import columns
from municipalities.models import Region
from musqat.numbers import plain_number
from musqat.people import latin, person_name
from musqat.templatetags.pdf import keep_units_together
from tests import factories

NBSP = "\xa0"


# --- People's names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("georgian", "written"),
    [
        ("ნინო ბერიძე", "Nino Beridze"),
        ("ლევან მაისურაძე", "Levan Maisuradze"),
        ("ანა ჩხეიძე", "Ana Chkheidze"),
        # Ejectives carry no apostrophe: კ/ქ are k, პ/ფ p, ტ/თ t, წ/ც ts, ჭ/ჩ ch.
        ("ქეთევან წიკლაური", "Ketevan Tsiklauri"),
        ("ჭავჭავაძე პაპუნაშვილი", "Chavchavadze Papunashvili"),
        ("ყიფიანი-ღლონტი", "Qipiani-Ghlonti"),
        ("ჟორჟ ჯაფარიძე ჰუსეინი", "Zhorzh Japaridze Huseini"),
        ("John Smith", "John Smith"),
    ],
)
def test_it_writes_georgian_names_in_latin_letters_by_the_national_system(georgian, written):
    assert latin(georgian) == written


def test_a_person_s_name_is_in_georgian_script_on_georgian_pages_and_latin_on_english_ones(db):
    person = factories.user("telavi-clerk", first_name="გიორგი", last_name="კაპანაძე")
    nameless = factories.user("no-name")

    with translation.override("ka"):
        assert person_name(person) == "გიორგი კაპანაძე"
        assert person_name("ნინო ბერიძე") == "ნინო ბერიძე"
    with translation.override("en"):
        assert person_name(person) == "Giorgi Kapanadze"
        assert person_name("ნინო ბერიძე") == "Nino Beridze"
        assert person_name(nameless) == "no-name"
    assert person_name(None) == ""


@pytest.mark.parametrize(
    ("language", "name"), [("ka", "ლევან მაისურაძე"), ("en", "Levan Maisuradze")]
)
def test_the_workspace_header_names_the_monitor_in_the_page_s_script(
    cso_monitor, client, language, name
):
    cso_monitor.first_name, cso_monitor.last_name = "ლევან", "მაისურაძე"
    cso_monitor.save()
    client.force_login(cso_monitor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get("/monitor/").content.decode()

    assert f'<span class="text-white small">{name}</span>' in page


# --- Numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "places", "grouped", "written"),
    [
        ("ka", "1.000", None, False, "1"),
        ("ka", "0.750", 3, False, "0,75"),
        ("en", "0.750", 3, False, "0.75"),
        ("ka", "0.3333333", 3, False, "0,333"),
        ("ka", "0.6666666", 3, False, "0,667"),
        ("ka", "1095.0", None, True, f"1{NBSP}095"),
        ("en", "1095.0", None, True, "1,095"),
        ("ka", "806.2", None, True, "806,2"),
        ("ka", "12345.60", None, True, f"12{NBSP}345,6"),
    ],
)
def test_it_writes_numbers_without_trailing_zeros(language, value, places, grouped, written):
    with translation.override(language):
        assert plain_number(Decimal(value), places, grouped=grouped) == written


def test_the_methodology_page_writes_normalised_values_without_trailing_zeros():
    template = Template("{% load scores %}{{ value|decimal:3 }} {{ whole|decimal:3 }}")
    with translation.override("ka"):
        shown = template.render(Context({"value": Decimal("0.75"), "whole": Decimal("1")}))
    assert shown == "0,75 1"


@pytest.mark.parametrize(
    ("language", "area", "region"),
    [("ka", f"1{NBSP}095&nbsp;კმ²", "კახეთის მხარე"), ("en", "1,095&nbsp;km²", "Kakheti")],
)
def test_the_facts_box_groups_the_area_and_drops_the_empty_decimal(
    db, visit, language, area, region
):
    factories.municipality("telavi", "Telavi", "თელავი", area_km2=Decimal("1095.0"))
    if language == "ka":
        # As the demonstration data names Kakheti: the formal name of a region.
        Region.objects.update(name_ka="კახეთის მხარე")

    page = visit(f"/{language}/municipalities/telavi/")

    facts = re.search(r'<dl class="facts">(.*?)</dl>', page.html, re.DOTALL).group(1)
    assert area in facts
    assert "1095" not in facts and "095,0" not in facts and "095.0" not in facts
    assert f"<dd>{region}</dd>" in facts


# --- The data dictionary --------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ka", "en"])
def test_the_data_dictionary_names_types_in_the_page_s_language(visit, db, language):
    page = visit(f"/{language}/data/")

    with translation.override(language):
        text, decimal = pgettext("data type", "text"), pgettext("data type", "decimal")
        dataset = str(columns.DATASET_TITLES["scores"])
    assert page.row("municipality_name_ka")[1] == text
    assert page.row("normalised")[1:3] == [decimal, "0–1"]
    # Column names are identifiers, the same in every language.
    assert "<code>municipality_name_ka</code>" in page.html
    assert re.search(rf"<caption>{dataset} <span[^>]*>\(.*<code>scores</code>", page.html)


def test_the_data_dictionary_names_types_in_english_for_english_readers(visit, db):
    page = visit("/en/data/")

    assert page.row("not_applicable")[1] == "boolean"
    assert page.row("published_at")[1:3] == ["date-time", "ISO 8601"]
    assert "dataset <code>scores</code>" in page.html


def test_the_dictionary_csv_keeps_the_type_for_programs_and_names_it_for_people(citizen, db):
    rows = list(
        csv.DictReader(
            io.StringIO(citizen.get("/ka/data/dictionary.csv").content.decode("utf-8-sig"))
        )
    )

    score = next(r for r in rows if (r["dataset"], r["column"]) == ("scores", "score"))
    assert score["type"] == "decimal"
    assert score["type_en"] == "decimal"
    with translation.override("ka"):
        assert score["type_ka"] == pgettext("data type", "decimal")


# --- PDFs -----------------------------------------------------------------------------------


def test_the_pdf_keeps_a_number_and_its_georgian_ending_on_one_line():
    html = (
        '<p title="3-დან">დონე 3 (4-დან), 2020-ში</p>'
        "<svg><text>4-დან</text></svg><p>from 2-3 days</p>"
    )

    kept = keep_units_together(html)

    assert kept == (
        '<p title="3-დან">დონე 3 (<span class="keep">4-დან</span>), '
        '<span class="keep">2020-ში</span></p>'
        "<svg><text>4-დან</text></svg><p>from 2-3 days</p>"
    )
