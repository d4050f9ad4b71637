"""Every public page runs a fixed number of queries, however much is published.

Each page is measured on Telavi and Sighnaghi in 2021, then again after more of
everything: another cycle, more indicators and criteria, more municipalities with
both kinds of assessment published, evidence texts, links and files.
"""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import EvidenceFile
from indicators.models import Criterion, ThematicArea
from tests import factories

MORE_MUNICIPALITIES = [("kvareli", "Kvareli"), ("gurjaani", "Gurjaani"), ("lagodekhi", "Lagodekhi")]


def an_answer_to(indicator):
    return {
        "yes_no": 1,
        "scale": len(indicator.labels_in("ka")) - 1,
        "percent": 70,
        "numeric": indicator.best,
    }[indicator.response_type]


@pytest.fixture
def grow(request, methodology, cycle_2021, cso, publish, settings, tmp_path):
    """Add more of everything: call it between two measurements."""
    settings.MEDIA_ROOT = settings.PRIVATE_ROOT = tmp_path

    def grow():
        request.getfixturevalue("published_2020")
        a = ThematicArea.objects.get(version=methodology, code="A")
        b = ThematicArea.objects.get(version=methodology, code="B")
        a1 = Criterion.objects.get(area=a, code="A.1")
        b2 = Criterion.objects.create(area=b, code="B.2", name_ka="ბ2", name_en="B two", order=1)
        factories.indicator(a1, "A.1.3", "yes_no")
        factories.indicator(
            b2,
            "B.2.1",
            "scale",
            scale_labels_ka="არა\nკი\nსრულად",
            scale_labels_en="No\nYes\nFully",
        )
        factories.indicator(
            b2, "B.2.2", "numeric", worst=Decimal(0), best=Decimal(100), unit_en="km"
        )
        for slug, name in MORE_MUNICIPALITIES:
            place = factories.municipality(slug, name, slug)
            for year_cycle in (request.getfixturevalue("cycle_2020"), cycle_2021):
                for kind in ("self", "external"):
                    organization = cso if kind == "external" else None
                    assessment = factories.assessment(
                        place, year_cycle, kind, organization=organization
                    )
                    codes = {i.code: an_answer_to(i) for i in assessment.indicators()}
                    texts = {
                        code: {
                            "evidence": "მტკიცებულება",
                            "evidence_en": "Evidence",
                            "links": "https://example.org",
                        }
                        for code in codes
                    }
                    # Files uploaded before publication, so that the scorecard shows them.
                    for code in list(codes)[:2]:
                        EvidenceFile.objects.create(
                            response=factories.answer(assessment, code, codes[code]),
                            file=SimpleUploadedFile("report.pdf", b"%PDF-1.4"),
                            title="Report",
                        )
                    publish(assessment, codes, texts)
        cache.clear()

    return grow


def queries_for(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


PAGES = [
    ("/en/", 8),
    ("/en/municipalities/", 8),
    ("/en/municipalities/?sort=-area-B&cycle=2021", 8),
    # The grants working on the municipality, and the calls open to it; its current plan.
    ("/en/municipalities/telavi/", 11),
    # The plan answering the cycle, whose actions mark the findings.
    ("/en/scorecards/2021/telavi/", 13),
    ("/en/scorecards/2021/telavi/data.csv", 10),
    ("/en/compare/?m=telavi&m=sighnaghi", 9),
    ("/en/areas/2021/A/", 15),
    ("/en/methodology/", 7),
    ("/en/about/", 3),
]


@pytest.mark.parametrize("url, count", PAGES)
def test_a_page_runs_the_same_number_of_queries_however_much_is_published(
    client, published_2021, grow, django_assert_num_queries, url, count
):
    with django_assert_num_queries(count):
        client.get(url)

    grow()

    with django_assert_num_queries(count):
        client.get(url)


def test_a_scorecard_needs_at_most_fifteen_queries(
    client, published_2021, grow, django_assert_max_num_queries
):
    grow()

    with django_assert_max_num_queries(15):
        client.get("/en/scorecards/2021/kvareli/")


def test_a_fuller_scorecard_needs_no_more_queries_than_a_small_one(client, published_2021, grow):
    small = queries_for(client, "/ka/scorecards/2021/telavi/")

    grow()
    # Kvareli: more indicators, every answer with evidence and links, files, and a 2020
    # scorecard to show changes against.
    larger = queries_for(client, "/ka/scorecards/2021/kvareli/")

    assert larger == small


def test_comparing_eight_needs_no_more_queries_than_comparing_two(client, published_2021, grow):
    grow()
    two = queries_for(client, "/en/compare/?m=telavi&m=sighnaghi")

    factories.municipality("akhmeta", "Akhmeta", "ახმეტა")
    factories.municipality("sagarejo", "Sagarejo", "საგარეჯო")
    factories.municipality("tianeti", "Tianeti", "თიანეთი")
    slugs = ["telavi", "sighnaghi", "kvareli", "gurjaani", "lagodekhi", "akhmeta", "sagarejo"]
    eight = queries_for(client, "/en/compare/?" + "&".join(f"m={s}" for s in [*slugs, "tianeti"]))

    assert eight == two


def test_the_municipality_page_needs_no_more_queries_with_a_longer_history(
    client, published_2021, grow
):
    one_cycle = queries_for(client, "/en/municipalities/telavi/")

    grow()  # Telavi now has 2020 too

    assert queries_for(client, "/en/municipalities/telavi/") == one_cycle
