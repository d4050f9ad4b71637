"""Comparing municipalities, a thematic area across them, and the About page's contact,
as a citizen reads them."""

import re

import pytest

from indicators.models import GradeBand

# --- Colours as people see them -----------------------------------------------------------


def luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, other):
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def cells(page, heading):
    """The score cells of the table row whose heading contains the given text:
    (class, style, text) of each."""
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", page.html, re.S):
        th = re.search(r"<th\b[^>]*>(.*?)</th>", row, re.S)
        if th and heading in page.plain(th.group(1)):
            return [
                (attrs_class, style, page.plain(inner))
                for attrs_class, style, inner in re.findall(
                    r'<td class="([^"]*)"(?: style="([^"]*)")?>(.*?)</td>', row, re.S
                )
            ]
    raise AssertionError(f"no table row for {heading!r}")


def band_rules(page):
    """{band id: (background, text colour)} from the page's rules for its band classes."""
    return {
        int(pk): (background, text)
        for pk, background, text in re.findall(
            r"\.band-(\d+)\{background:(#\w{6});color:(#\w{6})\}", page.html
        )
    }


def band_of(cell):
    """The band id of a score cell, from its class, or None."""
    found = re.search(r"\bband-(\d+)\b", cell[0])
    return int(found.group(1)) if found else None


@pytest.fixture
def bands(methodology):
    return {band.label_en: band for band in GradeBand.objects.filter(version=methodology)}


# --- Comparing municipalities ---------------------------------------------------------------


def test_each_compared_score_takes_its_band_s_colour_and_names_the_band(
    visit, published_2021, bands
):
    page = visit("/en/compare/?cycle=2021&m=telavi&m=sighnaghi")

    telavi, sighnaghi = cells(page, "Overall score")
    # Telavi's 80.0 is High, Sighnaghi's 57.5 Developing: the colour and the name.
    assert "score-band" in telavi[0].split()
    rules = band_rules(page)
    assert rules[band_of(telavi)][0] == bands["High"].colour
    assert telavi[2] == "★ best: 80.0 High"
    assert rules[band_of(sighnaghi)][0] == bands["Developing"].colour
    assert sighnaghi[2] == "57.5 Developing"
    assert [text for _c, _s, text in cells(page, "A. Governance")][1:] == ["75.0 Good"]


def test_a_compared_score_s_text_reads_at_four_and_a_half_to_one_on_its_band(visit, published_2021):
    page = visit("/en/compare/?cycle=2021&m=telavi&m=sighnaghi")

    rules = band_rules(page)
    coloured = [
        rules[band_of(cell)]
        for heading in ("Overall score", "A. Governance", "A.1 Strategy", "B.1 Response")
        for cell in cells(page, heading)
        if band_of(cell)
    ]

    assert len(coloured) == 7  # every score but Telavi's B.1, which has none
    assert all(contrast(background, text) >= 4.5 for background, text in coloured)


def test_a_comparison_cell_without_a_score_has_no_band(visit, published_2021):
    page = visit("/en/compare/?cycle=2021&m=telavi&m=sighnaghi")

    telavi, _sighnaghi = cells(page, "B.1 Response")

    assert telavi == ("text-end score", "", "–")


def test_the_comparison_draws_the_overall_score_and_each_area_as_bar_charts(visit, published_2021):
    page = visit("/en/compare/?cycle=2021&m=telavi&m=sighnaghi")

    charts = re.findall(
        r'<svg class="chart chart-bars"[^>]*role="img"[^>]*>(.*?)</svg>', page.html, re.S
    )
    titles = [page.plain(re.search(r"<title[^>]*>(.*?)</title>", chart, re.S).group(1))
              for chart in charts]  # fmt: skip
    assert titles == [
        "Overall score per municipality, 2021",
        "Governance: score per municipality, 2021",
        "Infrastructure: score per municipality, 2021",
    ]
    # The bars carry the table's numbers: Telavi 80.0, Sighnaghi 57.5 overall.
    overall = page.plain(charts[0])
    assert "Telavi" in overall and "80.0" in overall and "57.5" in overall
    assert "Telavi" in page.plain(charts[2]) and "–" in page.plain(charts[2])


def test_there_is_no_chart_before_municipalities_are_chosen(visit, published_2021):
    page = visit("/en/compare/")

    assert "chart-bars" not in page.html


# --- A thematic area ------------------------------------------------------------------------


def test_the_area_page_colours_its_scores_by_band(visit, published_2021, bands):
    page = visit("/en/areas/2021/A/")

    telavi, sighnaghi = cells(page, "Area score")

    assert band_rules(page)[band_of(telavi)][0] == bands["High"].colour
    assert sighnaghi[2] == "75.0 Good"


def test_the_area_page_s_breadcrumb_leads_back_through_the_cycle_s_municipalities(
    visit, published_2021
):
    page = visit("/en/areas/2021/A/")

    breadcrumb = re.search(r'<ol class="breadcrumb">(.*?)</ol>', page.html, re.S).group(1)
    assert page.plain(breadcrumb) == "Overview Municipalities, 2021 A. Governance"
    assert ("/en/", "Overview") in page.links
    assert ("/en/municipalities/?cycle=2021", "Municipalities, 2021") in page.links
    assert '<li class="breadcrumb-item active" aria-current="page">A. Governance</li>' in (
        page.html
    )


def test_the_area_page_offers_every_published_cycle(visit, published_2021, published_2020):
    page = visit("/en/areas/2021/A/")

    form = re.search(r'<form method="get"[^>]*cycle-form.*?</form>', page.html, re.S).group(0)
    assert re.findall(r'<option value="(\d+)"', form) == ["2021", "2020"]
    assert '<option value="2021" selected>' in form
    assert 'type="submit"' in form  # no script needed


def test_choosing_a_cycle_opens_the_same_area_in_that_cycle(client, published_2021, published_2020):
    response = client.get("/en/areas/2021/A/?cycle=2020")

    assert response.status_code == 302
    assert response["Location"] == "/en/areas/2020/A/"
    assert client.get(response["Location"]).status_code == 200


def test_an_unknown_cycle_keeps_the_area_page_and_says_why(visit, published_2021):
    page = visit("/en/areas/2021/A/?cycle=1999")

    assert page.status_code == 200
    assert "There are no published results for the cycle “1999”." in page.text
    assert "no-store" in page.response["Cache-Control"]


def test_an_unpublished_cycle_has_no_area_page(client, published_2021):
    assert client.get("/en/areas/2019/A/").status_code == 404


# --- About: the contact --------------------------------------------------------------------


def test_the_about_page_gives_no_contact_sentence_when_there_is_nowhere_to_write(
    visit, cso, settings
):
    settings.CONTACT_EMAIL = ""

    page = visit("/en/about/")

    assert "Civic Monitor" in page.text
    assert "Questions, corrections and data requests" not in page.text
    assert not any(href.startswith("mailto:") for href in page.hrefs())


def test_the_about_page_gives_the_programme_s_address_when_it_is_set(visit, cso, settings):
    settings.CONTACT_EMAIL = "musqat@example.org"

    page = visit("/en/about/")

    assert "Questions, corrections and data requests: musqat@example.org" in page.text
    assert ("mailto:musqat@example.org", "musqat@example.org") in page.links


def test_without_the_programme_s_address_it_sends_readers_to_a_partner_s(visit, cso, settings):
    settings.CONTACT_EMAIL = ""
    cso.email = "info@civic-monitor.example.org"
    cso.website = "https://civic-monitor.example.org"
    cso.save()

    page = visit("/en/about/")

    assert ("mailto:info@civic-monitor.example.org", "info@civic-monitor.example.org") in (
        page.links
    )
    assert ("https://civic-monitor.example.org", "https://civic-monitor.example.org") in (
        page.links
    )
    assert "write to one of the partner organisations above" in page.text
