"""The home page: what a citizen sees first, in Georgian and in English."""

import pytest
from django.core.cache import cache

from assessments import services
from assessments.workflow import Status
from tests import factories


def publish(assessment, staff, **answers):
    for code, value in answers.items():
        factories.answer(assessment, code.replace("_", "."), value)
    assessment.status = Status.REVIEW
    assessment.save()
    return services.publish_assessment(assessment=assessment, by=staff)


@pytest.fixture
def published_2021(telavi, sighnaghi, cycle_2021, cso, project_staff):
    """Telavi and Sighnaghi, both kinds published; Telavi's external is 62.5, Sighnaghi's 25."""
    for place, good in ((telavi, True), (sighnaghi, False)):
        publish(
            factories.assessment(place, cycle_2021, "self"),
            project_staff,
            A_1_1=1,
            A_1_2=3,
            B_1_1=5,
        )
        publish(
            factories.assessment(place, cycle_2021, "external", organization=cso),
            project_staff,
            A_1_1=1 if good else 0,
            A_2_1=50,
            B_1_1=20 if good else 16,
        )
    cache.clear()


def test_the_home_page_lists_municipalities_with_their_scores_in_georgian(client, published_2021):
    page = client.get("/ka/")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<html lang="ka">' in text
    assert "თელავი" in text and "სიღნაღი" in text
    # Telavi: self 100.0; external A = (100 + 50) ÷ 2 = 75, B = 0 → 37.5; Sighnaghi external:
    # A = (0 + 50) ÷ 2 = 25, B = (16 − 20) ÷ (5 − 20) = 0.2667 → 26.7 → overall 25.8
    assert "37,5" in text and "25,8" in text
    assert "100,0" in text


def test_the_home_page_in_english(client, published_2021):
    page = client.get("/en/")
    text = page.content.decode()
    assert '<html lang="en">' in text
    assert "Telavi" in text and "Sighnaghi" in text
    assert "37.5" in text and "+62.5" in text  # the gap: 100.0 − 37.5


def test_the_language_switch_leads_to_the_same_page_in_the_other_language(client, published_2021):
    text = client.get("/ka/").content.decode()
    assert 'href="/en/"' in text
    text = client.get("/en/").content.decode()
    assert 'href="/ka/"' in text


def test_the_root_redirects_to_georgian(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ka/"


def test_unpublished_scores_never_appear(client, telavi, cycle_2021, project_staff):
    draft = factories.assessment(telavi, cycle_2021, "self")
    for code, value in {"A.1.1": 1, "A.1.2": 3, "B.1.1": 5}.items():
        factories.answer(draft, code, value)
    draft.status = Status.REVIEW
    draft.save()

    text = client.get("/en/").content.decode()
    assert "100.0" not in text
    assert "No results have been published yet." in text


def test_the_demonstration_notice_is_shown_in_both_languages(client, db, settings):
    settings.DEMO_MODE = True
    assert "Demonstration data." in client.get("/en/").content.decode()
    assert "სადემონსტრაციო" in client.get("/ka/").content.decode()
    settings.DEMO_MODE = False
    assert "Demonstration data." not in client.get("/en/").content.decode()


def test_the_home_page_query_count_does_not_grow_with_municipalities(
    client, published_2021, django_assert_num_queries, cycle_2021, project_staff
):
    with django_assert_num_queries(4):
        client.get("/en/")
    for slug in ("kvareli", "gurjaani", "akhmeta"):
        place = factories.municipality(slug, slug.title(), slug)
        publish(
            factories.assessment(place, cycle_2021, "self"),
            project_staff,
            A_1_1=1,
            A_1_2=1,
            B_1_1=9,
        )
    with django_assert_num_queries(4):
        client.get("/en/")
