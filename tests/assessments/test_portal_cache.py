"""The page cache: anonymous visitors get a stored page until something public changes.

Pages are stored per path and query, so per language; publishing, or saving anything
the public pages show, makes every stored page stale once the change is committed.
Only the addresses the site links to are stored: made-up ones are served, not kept.
"""

import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from municipalities.models import Municipality
from musqat.cache import GENERATION_KEY
from tests import factories

GURJAANI_EXTERNAL = {"A.1.1": 1, "A.2.1": 90, "B.1.1": 5}  # A = 95, B = 100 → 97.5


@pytest.fixture
def gurjaani(db):
    return factories.municipality("gurjaani", "Gurjaani", "გურჯაანი")


def test_a_second_anonymous_visit_is_served_from_the_cache(
    client, published_2021, django_assert_num_queries
):
    first = client.get("/en/")

    with django_assert_num_queries(0):
        second = client.get("/en/")

    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize(
    "path",
    [
        "municipalities/",
        "municipalities/?sort=-gap",
        "municipalities/telavi/",
        "scorecards/2021/telavi/",
        "compare/?m=telavi&m=sighnaghi",
        "compare/?cycle=2021&kind=self&m=telavi&m=sighnaghi",
        "municipalities/?cycle=2021&sort=-score",
        "areas/2021/A/",
        "methodology/",
        "about/",
    ],
)
def test_every_public_page_is_cached(client, published_2021, django_assert_num_queries, path):
    client.get(f"/ka/{path}")

    with django_assert_num_queries(0):
        assert client.get(f"/ka/{path}").status_code == 200


def test_pages_with_different_queries_are_cached_apart(visit, published_2021):
    by_score = visit("/en/municipalities/?sort=-score")
    by_name = visit("/en/municipalities/?sort=name")

    assert [row[1] for row in by_score.rows[1:]] == ["Telavi", "Sighnaghi"]
    assert [row[1] for row in by_name.rows[1:]] == ["Sighnaghi", "Telavi"]


def test_georgian_and_english_pages_are_cached_apart(
    client, visit, published_2021, django_assert_num_queries
):
    assert visit("/ka/").lang == "ka"

    english = visit("/en/")
    assert english.lang == "en"
    assert "Regional average 68.8" in english.text

    with django_assert_num_queries(0):
        assert visit("/en/").lang == "en"
        assert visit("/ka/").lang == "ka"


def test_publishing_shows_the_new_score_on_the_next_visit(
    visit, published_2021, gurjaani, cycle_2021, cso, publish, django_capture_on_commit_callbacks
):
    before = visit("/en/")
    assert before.row("Gurjaani")[:3] == ["–", "Gurjaani", "–"]

    with django_capture_on_commit_callbacks(execute=True):
        publish(
            factories.assessment(gurjaani, cycle_2021, "external", organization=cso),
            GURJAANI_EXTERNAL,
        )
        # Until the publication is committed, visitors keep the stored page.
        assert visit("/en/").html == before.html

    after = visit("/en/")
    assert after.row("Gurjaani")[:3] == ["1", "Gurjaani", "97.5"]
    assert after.row("Telavi")[:3] == ["2", "Telavi", "80.0"]
    assert visit("/ka/").row("გურჯაანი")[:3] == ["1", "გურჯაანი", "97,5"]


def test_a_scorecard_that_was_not_found_appears_once_published(
    visit, published_2021, gurjaani, cycle_2021, cso, publish, django_capture_on_commit_callbacks
):
    assert visit("/en/scorecards/2021/gurjaani/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        publish(
            factories.assessment(gurjaani, cycle_2021, "external", organization=cso),
            GURJAANI_EXTERNAL,
        )

    page = visit("/en/scorecards/2021/gurjaani/")
    assert page.status_code == 200
    assert "Overall score 97.5 High Rank 1 in Kakheti" in page.text


def test_saving_a_municipality_refreshes_the_pages_that_name_it(
    visit, published_2021, telavi, django_capture_on_commit_callbacks
):
    assert "Telavi" in visit("/en/").text

    with django_capture_on_commit_callbacks(execute=True):
        telavi.name_en = "Telavi town"
        telavi.save()

    assert "Telavi town" in visit("/en/").text


def test_a_logged_in_user_always_gets_a_fresh_page(
    client, visit, published_2021, telavi_staff, django_assert_max_num_queries
):
    assert "Telavi" in visit("/en/").text
    # A change that bypasses save() and its signals: the stored page does not know of it.
    Municipality.objects.filter(slug="telavi").update(name_en="Telavi (renamed)")
    assert "Telavi (renamed)" not in visit("/en/").text

    client.force_login(telavi_staff)

    assert "Telavi (renamed)" in visit("/en/").text
    with django_assert_max_num_queries(20) as captured:
        client.get("/en/")
    assert len(captured) > 0


def test_a_logged_in_user_s_page_is_not_stored_for_anonymous_visitors(
    client, published_2021, telavi_staff, django_assert_num_queries
):
    staff = Client()
    staff.force_login(telavi_staff)
    staff.get("/en/municipalities/")

    with django_assert_num_queries(8):  # built afresh, not taken from the cache
        client.get("/en/municipalities/")


# --- Made-up addresses -------------------------------------------------------------------


@pytest.fixture
def stored_pages(monkeypatch):
    """The keys of the pages stored in the cache from now on."""
    keys = []
    store = cache.set

    def recording_store(key, *args, **kwargs):
        if key.startswith("public-pages:") and key != GENERATION_KEY:
            keys.append(key)
        return store(key, *args, **kwargs)

    monkeypatch.setattr(cache, "set", recording_store)
    return keys


def test_query_parameters_a_page_does_not_read_store_no_page(
    client, visit, published_2021, stored_pages
):
    client.get("/en/")
    assert len(stored_pages) == 1

    for _visit in range(20):
        page = visit(f"/en/?utm_source={uuid.uuid4().hex}")
        assert page.status_code == 200
        assert "Regional average 68.8" in page.text
    client.get("/en/municipalities/", {"cycle": "2021", "fbclid": uuid.uuid4().hex})
    client.get("/en/scorecards/2021/telavi/", {"sort": "name"})

    assert len(stored_pages) == 1


@pytest.mark.parametrize(
    "query",
    [
        "cycle=1999",  # no such cycle: the page says so
        "cycle=0a1b2c3d4e",
        "sort=0a1b2c3d4e",
        "cycle=+2021",  # read as 2021, but not as the site writes it
        "cycle=2021&cycle=2021",
        "sort=name&sort=-score",
    ],
)
def test_made_up_values_of_the_list_s_parameters_store_no_page(
    client, published_2021, stored_pages, query
):
    assert client.get(f"/en/municipalities/?{query}").status_code == 200

    assert stored_pages == []


@pytest.mark.parametrize(
    "query",
    [
        "m=telavi&m=nowhere",
        "m=telavi&m=sighnaghi&m=telavi",
        "m=telavi&m=sighnaghi&kind=0a1b2c3d4e",
    ],
)
def test_made_up_comparisons_store_no_page(client, published_2021, stored_pages, query):
    assert client.get(f"/en/compare/?{query}").status_code == 200

    assert stored_pages == []
