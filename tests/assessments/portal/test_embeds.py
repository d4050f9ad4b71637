"""The card and the badge that a municipality puts on its own website.

The card is the one page that other sites may frame; every other page still refuses to be
framed, whether it comes from the view or from the page cache. Both read only published
snapshots, as the scorecard does (see tests/conftest.py's `published_2021` for Telavi's
numbers: external 80.0, High, rank 1 of 2; self 56.7; gap −23.3).
"""

import html
import re
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from indicators.models import GradeBand
from tests import factories

CARD = "/{lang}/embed/telavi/"
BADGE = "/{lang}/embed/telavi/badge.svg"
SVG = "{http://www.w3.org/2000/svg}"
# The municipality, its history, the cycle's scores (for the rank) and the grade bands.
CARD_QUERIES = 4


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        directives[name] = sources
    return directives


def text_of(response) -> str:
    """The card's words, as a reader sees them (tags dropped, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def band_label(score: int, language: str) -> str:
    with translation.override(language):
        bands = GradeBand.objects.filter(min_score__lte=score).order_by("-min_score")
        return bands.first().label


# --- What the card says -------------------------------------------------------------------


def test_the_card_shows_telavi_s_latest_score_band_rank_gap_and_year(client, published_2021):
    response = client.get(CARD.format(lang="en"))

    assert response.status_code == 200
    text = text_of(response)
    assert "Telavi" in text
    assert "80.0 / 100" in text
    assert band_label(80, "en") == "High" and "High" in text
    assert "External assessment" in text
    assert "Rank in the region 1 of 2" in text
    assert "Gap, self minus external −23.3" in text
    assert "Scorecard 2021" in text


def test_the_card_links_to_the_full_scorecard_outside_the_frame(client, published_2021):
    page = client.get(CARD.format(lang="en")).content.decode()

    link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener">Full scorecard', page)
    assert link and link.group(1) == "http://testserver/en/scorecards/2021/telavi/"


def test_the_card_is_a_page_of_its_own_without_the_site_s_header_and_footer(client, published_2021):
    page = client.get(CARD.format(lang="en")).content.decode()

    assert '<html lang="en">' in page
    assert "<title>Telavi: scorecard 2021 · MUSQAT</title>" in page
    assert "css/embed.css" in page
    assert "<header" not in page and "<footer" not in page and "<nav" not in page


def test_the_georgian_card_is_in_georgian_and_links_to_the_georgian_scorecard(
    client, published_2021
):
    response = client.get(CARD.format(lang="ka"))

    page = response.content.decode()
    assert '<html lang="ka">' in page
    assert "თელავი" in page and "Telavi" not in page
    assert band_label(80, "ka") in page
    assert "80,0" in page or "80.0" in page
    assert 'href="http://testserver/ka/scorecards/2021/telavi/"' in page


def test_the_card_shows_the_latest_published_cycle(client, published_2020, published_2021):
    text = text_of(client.get(CARD.format(lang="en")))

    assert "Scorecard 2021" in text and "80.0" in text
    assert "20.0" not in text


def test_with_one_kind_published_the_card_shows_no_gap(client, published_2020):
    text = text_of(client.get(CARD.format(lang="en")))

    assert "20.0 / 100" in text and "Scorecard 2020" in text
    assert "Gap" not in text


def test_a_municipality_with_nothing_published_gets_a_card_that_says_so(client, telavi, cycle_2021):
    draft = factories.assessment(telavi, cycle_2021, "self")
    for code, value in {"A.1.1": 1, "A.1.2": 3, "B.1.1": 5}.items():
        factories.answer(draft, code, value).save()

    response = client.get(CARD.format(lang="en"))

    assert response.status_code == 200
    text = text_of(response)
    assert "No results of this municipality have been published yet." in text
    assert "/ 100" not in text and "Full scorecard" not in text
    assert 'href="http://testserver/en/municipalities/telavi/"' in response.content.decode()


def test_an_unknown_municipality_is_not_found_and_not_frameable(client, db):
    response = client.get("/en/embed/atlantis/")

    assert response.status_code == 404
    assert response["X-Frame-Options"] == "DENY"


def test_the_card_runs_a_fixed_number_of_queries(
    client, published_2021, django_assert_num_queries, cso, publish
):
    with django_assert_num_queries(CARD_QUERIES):
        client.get(CARD.format(lang="en"))
    kvareli = factories.municipality("kvareli", "Kvareli", "ყვარელი")
    cycle = published_2021.cycle
    publish(factories.assessment(kvareli, cycle, "self"), {"A.1.1": 1, "A.1.2": 3, "B.1.1": 5})
    cache.clear()  # built afresh, not answered from the page cache

    with django_assert_num_queries(CARD_QUERIES):
        response = client.get("/en/embed/kvareli/")

    assert "Rank in the region 1 of 3" in text_of(response)  # Kvareli's self 100.0


# --- Who may frame it ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ka", "en"])
def test_any_website_may_frame_the_card(client, published_2021, lang):
    response = client.get(CARD.format(lang=lang))

    assert policy(response)["frame-ancestors"] == ["https:", "http:"]
    assert "X-Frame-Options" not in response
    # The rest of the policy stands.
    assert policy(response)["script-src"] == ["'self'"]
    assert policy(response)["default-src"] == ["'self'"]


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/scorecards/2021/telavi/",
        "/ka/municipalities/telavi/",
        "/en/embed/telavi/badge.svg",
        "/ka/about/",
    ],
)
def test_every_other_page_still_refuses_to_be_framed(client, published_2021, path):
    client.get(CARD.format(lang="en"))  # the card's headers must not leak to other pages

    response = client.get(path)

    assert response.status_code == 200
    assert policy(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_card_from_the_page_cache_may_still_be_framed(
    client, published_2021, django_assert_num_queries
):
    first = client.get(CARD.format(lang="en"))

    with django_assert_num_queries(0):  # the early answer of the page cache
        again = client.get(CARD.format(lang="en"))
    client.cookies[settings.SESSION_COOKIE_NAME] = "an-old-session"
    by_the_view = client.get(CARD.format(lang="en"))  # the view's own cache

    for response in (again, by_the_view):
        assert response.content == first.content
        assert response["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert "X-Frame-Options" not in response


def test_the_scorecard_from_the_page_cache_still_refuses_frames(client, published_2021):
    client.get(CARD.format(lang="en"))
    client.get("/en/scorecards/2021/telavi/")

    again = client.get("/en/scorecards/2021/telavi/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "an-old-session"
    by_the_view = client.get("/en/scorecards/2021/telavi/")

    for response in (again, by_the_view):
        assert policy(response)["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"


# --- The badge ----------------------------------------------------------------------------


def badge(client, lang="en", slug="telavi"):
    response = client.get(f"/{lang}/embed/{slug}/badge.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    return ElementTree.fromstring(response.content)  # well-formed, or it raises


def test_the_badge_is_an_svg_image_with_score_band_and_a_title(client, published_2021):
    svg = badge(client)

    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert svg.get("aria-labelledby") == title.get("id")
    assert title.text.startswith("Telavi: 80.0 out of 100, High (External assessment, 2021)")
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts == ["MUSQAT", "80.0 · High"]


def test_the_georgian_badge_is_in_georgian_in_the_site_s_fonts(client, published_2021):
    svg = badge(client, "ka")

    assert svg.get("{http://www.w3.org/XML/1998/namespace}lang") == "ka"
    assert "თელავი" in svg.find(f"{SVG}title").text
    assert band_label(80, "ka") in [t.text for t in svg.iter(f"{SVG}text")][1]
    assert '"Noto Sans Georgian"' in svg.find(f"{SVG}style").text


def test_each_part_of_the_badge_fits_its_text(client, published_2021):
    svg = badge(client, "ka")

    boxes = list(svg.iter(f"{SVG}rect"))
    texts = list(svg.iter(f"{SVG}text"))
    assert float(svg.get("width")) == pytest.approx(sum(float(b.get("width")) for b in boxes))
    for box, text in zip(boxes, texts, strict=True):
        assert 0 < float(text.get("textLength")) < float(box.get("width"))
        left, right = float(box.get("x")), float(box.get("x")) + float(box.get("width"))
        assert left < float(text.get("x")) < right


def test_a_badge_with_nothing_published_says_so(client, telavi):
    svg = badge(client)

    assert [t.text for t in svg.iter(f"{SVG}text")][1] == "no published results"


def test_an_unknown_municipality_has_no_badge(client, db):
    assert client.get("/en/embed/atlantis/badge.svg").status_code == 404


# --- The snippet the scorecard offers -----------------------------------------------------


def snippet(municipality, lang):
    request = RequestFactory().get(f"/{lang}/scorecards/2021/{municipality.slug}/")
    with translation.override(lang):
        return render_to_string(
            "includes/embed_snippet.html", {"municipality": municipality}, request=request
        )


def boxes(page) -> list[str]:
    """What a person copies from each box: the text of the read-only text areas."""
    found = re.findall(r"<textarea[^>]*\breadonly\b[^>]*>(.*?)</textarea>", page, re.S)
    return [html.unescape(text) for text in found]


def test_the_snippet_offers_the_card_and_the_badge_with_absolute_addresses(telavi):
    page = snippet(telavi, "en")

    assert "<details" in page and "Put this card on your website" in page
    card, badge_html = boxes(page)
    assert card == (
        '<iframe src="http://testserver/en/embed/telavi/" title="Telavi: MUSQAT scorecard" '
        'width="320" height="200" style="border:0;max-width:100%" loading="lazy"></iframe>'
    )
    assert badge_html == (
        '<a href="http://testserver/en/municipalities/telavi/">'
        '<img src="http://testserver/en/embed/telavi/badge.svg" '
        'alt="Telavi: MUSQAT scorecard" height="20"></a>'
    )
    assert 'href="/en/embed/telavi/"' in page  # the preview


def test_the_georgian_snippet_gives_the_georgian_card(telavi):
    card, badge_html = boxes(snippet(telavi, "ka"))

    assert 'src="http://testserver/ka/embed/telavi/"' in card and "თელავი" in card
    assert 'src="http://testserver/ka/embed/telavi/badge.svg"' in badge_html


def test_a_name_with_quotes_still_makes_well_formed_html_to_copy(db):
    place = factories.municipality("quoted", 'The "Old" Town', "ძველი")

    card, _badge = boxes(snippet(place, "en"))

    assert 'title="The &quot;Old&quot; Town: MUSQAT scorecard"' in card
