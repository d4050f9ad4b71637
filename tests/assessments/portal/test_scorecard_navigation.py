"""Finding one's way in a scorecard: the overview, its summary, the filters, one area at a
time and the full page for printing (see assessments/portal/scorecards.py).

Telavi 2021 (tests/conftest.py, published_2021): self A.1.1 no, A.1.2 level 2 of 3, B.1.1
8 days; external A.1.1 yes, A.2.1 60 % (with the municipality's reply), B.1.1 N/A. So the
only gap is A.1.1 (0 − 100), A.1.2 was assessed only by the municipality and A.2.1 only by
the CSO.
"""

import re

import pytest
from django.utils import translation

from assessments.models import IndicatorScore
from tests import factories

SCORECARD = "/en/scorecards/2021/telavi/"


def cards(page) -> list[str]:
    """The codes of the indicator cards (answers in full) on a page, in order."""
    return re.findall(r'<article class="indicator" aria-labelledby="indicator-([^"]+)"', page.html)


def test_the_overview_lists_every_indicator_without_its_answers(visit, published_2021):
    page = visit(SCORECARD)

    assert cards(page) == []
    assert "We visited 12 of 20 villages" not in page.text  # evidence: on the area's page
    for code in ("A.1.1", "A.1.2", "A.2.1", "B.1.1"):
        assert (f"{SCORECARD}?area={code[0]}#indicator-{code}", f"{code} Indicator {code}") in (
            page.links
        )
    assert page.html.count('<details class="area-section area-details"') == 2


def test_the_overview_is_much_lighter_than_the_full_page(client, published_2021):
    overview = client.get(SCORECARD).content
    full = client.get(f"{SCORECARD}?show=all").content

    assert len(overview) < len(full)
    assert b"We visited 12 of 20 villages" in full


def test_the_overview_sums_up_the_largest_gaps_and_the_weakest_indicators(visit, published_2021):
    page = visit(SCORECARD)

    assert "The largest gap between the self-assessment and the external assessment" in page.text
    assert page.row("A.1.1 Indicator A.1.1") == ["A.1.1 Indicator A.1.1", "0.0", "100.0", "−100.0"]
    assert "The 2 weakest indicators (External assessment)" in page.text
    weakest = page.html.split("weakest indicators")[1].split("</table>")[0]
    assert re.findall(r"#indicator-([A-Z.0-9]+)", weakest) == ["A.2.1", "A.1.1"]


def test_each_filter_keeps_its_indicators_with_their_answers(visit, published_2021):
    assert cards(visit(f"{SCORECARD}?show=gaps")) == ["A.1.1"]
    assert cards(visit(f"{SCORECARD}?show=one-sided")) == ["A.1.2", "A.2.1"]
    assert cards(visit(f"{SCORECARD}?show=replied")) == ["A.2.1"]
    assert cards(visit(f"{SCORECARD}?show=changed")) == []  # no earlier cycle
    assert cards(visit(f"{SCORECARD}?show=acted")) == []  # no plan, no grant


def test_the_largest_gaps_come_first(visit, published_2021):
    # A second gap, smaller than A.1.1's 100: Telavi's external B.1.1 scored 60 (self 80).
    score = IndicatorScore.objects.get(
        snapshot__assessment=published_2021.assessments["telavi", "external"],
        indicator__code="B.1.1",
    )
    IndicatorScore.objects.filter(pk=score.pk).update(is_na=False, normalised="0.6", value=11)

    assert cards(visit(f"{SCORECARD}?show=gaps")) == ["A.1.1", "B.1.1"]
    assert "(2)" in visit(f"{SCORECARD}?show=gaps").text


def test_changes_since_the_previous_cycle_are_found(visit, published_2021, published_2020):
    # External A.1.1 0 → 100 and A.2.1 40 → 60 since 2020.
    assert cards(visit(f"{SCORECARD}?show=changed")) == ["A.1.1", "A.2.1"]


def test_findings_with_planned_actions_are_found(visit, telavi_plan):
    page = visit(f"{SCORECARD}?show=acted")

    assert cards(page) == ["A.1.1", "A.2.1", "B.1.1"]
    assert "Action planned:" in page.text


def test_a_one_sided_indicator_says_who_did_not_assess_it(visit, published_2021):
    page = visit(f"{SCORECARD}?show=one-sided")

    assert "Assessed only by the municipality: the CSO did not assess this indicator." in page.text
    assert "Assessed only by the CSO: the municipality did not assess this indicator." in page.text


def test_a_scorecard_with_one_kind_published_offers_no_gap_or_one_side_filter(
    visit, telavi, cycle_2021, publish
):
    publish(factories.assessment(telavi, cycle_2021, "self"), {"A.1.1": 1, "A.1.2": 2, "B.1.1": 8})
    page = visit(SCORECARD)

    assert f"{SCORECARD}?show=gaps" not in page.hrefs()
    assert f"{SCORECARD}?show=one-sided" not in page.hrefs()
    assert "Assessed only by" not in visit(f"{SCORECARD}?show=all").text


def test_one_area_at_a_time_with_its_neighbours(visit, published_2021):
    page = visit(f"{SCORECARD}?area=A")

    assert cards(page) == ["A.1.1", "A.1.2", "A.2.1"]
    assert (f"{SCORECARD}?area=B", "B. Infrastructure →") in page.links
    assert "We visited 12 of 20 villages" in page.text
    last = visit(f"{SCORECARD}?area=B")
    assert cards(last) == ["B.1.1"]
    assert any(
        href == f"{SCORECARD}?area=A" and text.startswith("← A. ") for href, text in last.links
    )


def test_the_full_page_has_every_answer_and_the_areas_open(visit, published_2021):
    page = visit(f"{SCORECARD}?show=all")

    assert cards(page) == ["A.1.1", "A.1.2", "A.2.1", "B.1.1"]
    assert page.html.count('<details class="area-section area-details" id="area-A" open>') == 1


def test_the_contents_stay_in_reach_and_mark_where_the_reader_is(visit, published_2021):
    page = visit(f"{SCORECARD}?show=replied")

    # A column on wide screens and a jump menu on phones; only one is displayed.
    assert page.html.count('<nav class="scorecard-contents"') == 2
    assert page.html.count(f'<a href="{SCORECARD}?show=replied" aria-current="page">') == 2
    assert '<details class="jump-menu d-lg-none">' in page.html
    assert page.html.count("aria-current") >= 2


@pytest.mark.parametrize("query", ["?show=nothing", "?area=Z", "?area=" + "A" * 500])
def test_an_unknown_view_shows_the_overview_with_a_note_and_is_not_stored(
    client, published_2021, query
):
    with translation.override("en"):
        response = client.get(SCORECARD + query)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    note = re.search(
        r'<div class="alert alert-warning" role="status">(.*?)</div>', response.content.decode()
    ).group(1)
    assert "here is its overview" in note
    assert len(note) < 120  # what was typed is cut short


def test_the_georgian_scorecard_names_its_filters_in_georgian(visit, published_2021):
    page = visit("/ka/scorecards/2021/telavi/")

    for english in ("Largest gaps", "The municipality replied", "At a glance", "Find"):
        assert english not in page.text
