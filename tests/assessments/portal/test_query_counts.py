"""The scorecard, the municipality list and the comparison run a fixed number of queries.

Each test reads a page as a citizen does, then adds more of what the page shows (another
municipality, earlier cycles, another assessment, more indicators, more planned actions)
and reads it again: a query per municipality, cycle, indicator, answer or action would
make the second count larger than the first.
"""

import pytest
from django.core.cache import cache

from indicators.models import Criterion, ThematicArea
from tests import factories

# Telavi's 2021 scorecard: the municipality, its history, the grade bands, the cycle's
# scores, the area, criterion and indicator scores and the previous cycle's, the evidence
# files, the methodology (one query: indicators with their criteria and areas), the awarded
# grants on its findings; its PDF and its action plan.
SCORECARD_QUERIES = 13
# With a plan answering the cycle, the actions that mark its findings.
SCORECARD_WITH_PLAN_QUERIES = SCORECARD_QUERIES + 1
MUNICIPALITY_LIST_QUERIES = 8
COMPARISON_QUERIES = 9

ANSWERS = {"yes_no": 1, "scale": 2, "percent": 70, "numeric": 10}


def publish_all(publish, assessment):
    """Publish an answer to every indicator the assessment asks, with evidence."""
    answers = {i.code: ANSWERS[i.response_type] for i in assessment.indicators()}
    texts = {code: {"evidence": "ოქმი", "links": "https://example.org"} for code in answers}
    return publish(assessment, answers, texts)


@pytest.fixture
def read(client, django_assert_num_queries):
    """Read a page afresh (not from the page cache), expecting `count` queries."""

    def read(url, count):
        cache.clear()
        with django_assert_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
        return response

    return read


@pytest.fixture
def another_municipality(cycle_2021, cso, publish):
    """Kvareli, with both kinds of assessment of 2021 published."""

    def add(slug="kvareli", name="Kvareli"):
        place = factories.municipality(slug, name, slug)
        publish_all(publish, factories.assessment(place, cycle_2021, "self"))
        publish_all(publish, factories.assessment(place, cycle_2021, "external", organization=cso))
        return place

    return add


@pytest.fixture
def earlier_cycles(methodology, telavi, sighnaghi, cso, publish):
    """2019 and 2020 published for Telavi and Sighnaghi, both kinds."""

    def add():
        for year in (2019, 2020):
            cycle = factories.cycle(year, methodology)
            for place in (telavi, sighnaghi):
                publish_all(publish, factories.assessment(place, cycle, "self"))
                external = factories.assessment(place, cycle, "external", organization=cso)
                publish_all(publish, external)

    return add


@pytest.fixture
def more_indicators(methodology):
    """A new criterion with two indicators, and a third in an existing one."""

    def add():
        area = ThematicArea.objects.get(version=methodology, code="B")
        criterion = Criterion.objects.create(
            area=area, code="B.2", name_ka="ბ2", name_en="Roads", order=1
        )
        factories.indicator(criterion, "B.2.1", "yes_no")
        factories.indicator(criterion, "B.2.2", "percent", unit_ka="%", unit_en="%")
        factories.indicator(Criterion.objects.get(area=area, code="B.1"), "B.1.2", "yes_no")

    return add


def test_a_scorecard_needs_the_same_queries_with_another_municipality(
    read, published_2021, another_municipality
):
    read("/en/scorecards/2021/telavi/", SCORECARD_QUERIES)

    another_municipality()

    read("/en/scorecards/2021/telavi/", SCORECARD_QUERIES)
    read("/ka/scorecards/2021/kvareli/", SCORECARD_QUERIES)


def test_a_scorecard_needs_the_same_queries_with_earlier_cycles(
    read, published_2021, earlier_cycles
):
    before = read("/en/scorecards/2021/telavi/", SCORECARD_QUERIES)
    assert "No earlier cycle." in before.content.decode()

    earlier_cycles()

    after = read("/en/scorecards/2021/telavi/", SCORECARD_QUERIES)
    assert "Since 2020:" in after.content.decode()
    read("/en/scorecards/2020/telavi/", SCORECARD_QUERIES)
    read("/en/scorecards/2019/sighnaghi/", SCORECARD_QUERIES)


def test_a_scorecard_needs_the_same_queries_with_more_indicators_answered(
    read, published_2021, another_municipality, more_indicators
):
    more_indicators()
    read("/en/scorecards/2021/telavi/", SCORECARD_QUERIES)

    # Kvareli answers every indicator, each answer with evidence and a link.
    another_municipality()
    read("/en/scorecards/2021/kvareli/", SCORECARD_QUERIES)


def test_a_scorecard_with_only_one_kind_published_needs_no_more_queries(
    read, published_2021, cycle_2021, publish
):
    place = factories.municipality("lagodekhi", "Lagodekhi", "ლაგოდეხი")
    publish_all(publish, factories.assessment(place, cycle_2021, "self"))

    read("/en/scorecards/2021/lagodekhi/", SCORECARD_QUERIES)


def test_a_scorecard_needs_the_same_queries_however_many_actions_mark_it(
    read, telavi_plan, telavi_staff
):
    page = read("/en/scorecards/2021/telavi/?show=all", SCORECARD_WITH_PLAN_QUERIES)
    assert page.content.decode().count("Action planned:") == 3

    for number in (3, 4, 5):
        factories.action(telavi_plan, number, indicators=["A.1.1", "A.1.2", "A.2.1"])

    page = read("/en/scorecards/2021/telavi/?show=all", SCORECARD_WITH_PLAN_QUERIES)
    assert page.content.decode().count("Action planned:") == 4


def test_a_scorecard_needs_at_most_fifteen_queries(read, telavi_plan, earlier_cycles):
    earlier_cycles()

    assert SCORECARD_WITH_PLAN_QUERIES <= 15
    read("/ka/scorecards/2021/telavi/", SCORECARD_WITH_PLAN_QUERIES)


@pytest.mark.parametrize("query", ["", "?sort=name", "?cycle=2021&sort=-area-B"])
def test_the_municipality_list_needs_the_same_queries_at_any_size(
    read, published_2021, another_municipality, earlier_cycles, query
):
    read(f"/en/municipalities/{query}", MUNICIPALITY_LIST_QUERIES)

    another_municipality("kvareli", "Kvareli")
    another_municipality("gurjaani", "Gurjaani")
    earlier_cycles()

    page = read(f"/ka/municipalities/{query}", MUNICIPALITY_LIST_QUERIES)
    assert "kvareli" in page.content.decode()


def test_comparing_eight_needs_the_same_queries_as_comparing_two(
    read, published_2021, another_municipality, earlier_cycles, more_indicators
):
    read("/en/compare/?m=telavi&m=sighnaghi", COMPARISON_QUERIES)

    slugs = ["kvareli", "gurjaani", "lagodekhi", "akhmeta", "sagarejo", "dedoplistskaro"]
    for slug in slugs:
        another_municipality(slug, slug.title())
    earlier_cycles()
    more_indicators()

    everyone = "&".join(f"m={slug}" for slug in ["telavi", "sighnaghi", *slugs])
    page = read(f"/en/compare/?{everyone}", COMPARISON_QUERIES)
    assert "Dedoplistskaro" in page.content.decode()
    read(f"/ka/compare/?cycle=2020&{everyone}", COMPARISON_QUERIES)
