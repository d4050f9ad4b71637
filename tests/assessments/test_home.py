"""The home page: what a citizen sees first, in Georgian and in English.

A map and a ranking of the headline score (the external assessment when a cycle has
one published, else the self-assessment), the regional average, the biggest
improvements since the previous cycle and a link to every thematic area.
"""

import re

from assessments.workflow import Status
from tests import factories


def test_it_ranks_municipalities_by_their_external_score_in_georgian(visit, published_2021):
    page = visit("/ka/")

    assert page.status_code == 200
    assert page.lang == "ka"
    assert page.row("თელავი")[:3] == ["1", "თელავი", "80,0"]
    assert page.row("სიღნაღი")[:3] == ["2", "სიღნაღი", "57,5"]


def test_it_ranks_municipalities_by_their_external_score_in_english(visit, published_2021):
    page = visit("/en/")

    assert page.lang == "en"
    assert page.row("Telavi") == ["1", "Telavi", "80.0", "High"]
    assert page.row("Sighnaghi") == ["2", "Sighnaghi", "57.5", "Developing"]
    assert "Scores of the independent external assessment" in page.text


def test_it_no_longer_shows_a_column_of_self_scores(visit, published_2021):
    page = visit("/en/")

    assert page.row("Rank") == ["Rank", "Municipality", "Score", "Band"]
    # Telavi rates itself 56.7 and Sighnaghi 100.0: neither is on the home page.
    assert "56.7" not in page.text
    assert "100.0" not in page.text


def test_it_ranks_by_the_self_assessment_while_no_external_one_is_published(
    visit, telavi, sighnaghi, cycle_2021, publish
):
    publish(factories.assessment(telavi, cycle_2021, "self"), {"A.1.1": 0, "A.1.2": 2, "B.1.1": 8})
    publish(
        factories.assessment(sighnaghi, cycle_2021, "self"), {"A.1.1": 1, "A.1.2": 3, "B.1.1": 5}
    )

    page = visit("/en/")

    assert page.row("Sighnaghi") == ["1", "Sighnaghi", "100.0", "High"]
    assert page.row("Telavi") == ["2", "Telavi", "56.7", "Developing"]
    assert "Scores of the self-assessment" in page.text


def test_it_shows_the_regional_average_of_the_headline_scores(visit, published_2021):
    page = visit("/en/")

    # (80.0 + 57.5) ÷ 2 = 68.75, shown as 68.8, in the band "Good".
    assert page.row("Regional average") == ["", "Regional average", "68.8", "Good"]
    assert "Regional average 68.8 Good out of 100" in page.text
    assert "68.8" in page.meta("description")


def test_the_map_marks_each_municipality_with_its_score_and_band(visit, published_2021):
    page = visit("/en/")

    svg = re.search(r"<svg[^>]*chart-map.*?</svg>", page.html, re.S).group(0)
    description = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "Sighnaghi: 57.5 (Developing); Telavi: 80.0 (High)." in description
    assert svg.count("<circle") == 2  # no boundaries are known: a circle at each centre
    # The picture holds no links (role="img" may not contain any): they are in the list.
    assert "<a " not in svg
    places = re.search(r'<ul class="map-places".*?</ul>', page.html, re.S).group(0)
    assert (
        '<a href="/en/municipalities/telavi/">Telavi</a>: <span class="score">80.0</span>, High'
        in places
    )


def test_it_names_the_biggest_improvements_since_the_previous_cycle(
    visit, published_2020, published_2021
):
    page = visit("/en/")

    improvements = re.search(r'<ol class="improvements">.*?</ol>', page.html, re.S).group(0)
    assert 'href="/en/scorecards/2021/telavi/"' in improvements
    assert "+60.0" in improvements and "20.0 → 80.0" in improvements
    assert "Sighnaghi" not in improvements  # 57.5 in both years: no improvement


def test_it_says_when_there_is_no_earlier_cycle_to_compare_with(visit, published_2021):
    page = visit("/en/")

    assert "This is the first cycle with published results" in page.text


def test_it_compares_no_overall_scores_across_a_change_of_methodology(
    visit, published_2021, telavi, cso, publish
):
    earlier = factories.cycle(2020, factories.methodology(code="2016", is_current=False))
    publish(
        factories.assessment(telavi, earlier, "external", organization=cso),
        {"A.1.1": 0, "A.2.1": 10, "B.1.1": 20},
    )

    page = visit("/en/")

    assert "The methodology changed after 2020, so overall scores are not compared" in page.text
    assert 'class="improvements"' not in page.html


def test_it_links_every_thematic_area_with_its_regional_average(visit, published_2021):
    page = visit("/en/")

    assert ("/en/areas/2021/A/", "A. Governance") in page.links
    assert ("/en/areas/2021/B/", "B. Infrastructure") in page.links
    # A: Telavi 80, Sighnaghi 75 → 77.5; B: only Sighnaghi's external has a score, 40.
    assert "A. Governance — regional average 77.5" in page.text
    assert "B. Infrastructure — regional average 40.0" in page.text


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(visit, published_2021):
    assert "/en/" in visit("/ka/").hrefs()
    assert "/ka/" in visit("/en/").hrefs()


def test_the_root_redirects_to_georgian(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ka/"


def test_unpublished_scores_never_appear(visit, telavi, cycle_2021):
    under_review = factories.assessment(telavi, cycle_2021, "self")
    for code, value in {"A.1.1": 1, "A.1.2": 3, "B.1.1": 5}.items():
        factories.answer(under_review, code, value)
    under_review.status = Status.REVIEW
    under_review.save()

    page = visit("/en/")

    assert "100.0" not in page.text
    assert "No results have been published yet." in page.text


def test_the_demonstration_notice_is_shown_in_both_languages(visit, db, settings):
    settings.DEMO_MODE = True
    assert "Demonstration data." in visit("/en/").text
    assert "სადემონსტრაციო" in visit("/ka/").text


def test_there_is_no_demonstration_notice_on_a_real_site(visit, db, settings):
    settings.DEMO_MODE = False
    assert "Demonstration data." not in visit("/en/").text
