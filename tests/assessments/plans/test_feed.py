"""A municipality's Atom feed, as a journalist's feed reader takes it: valid Atom in
Georgian and English, announcing publications, the plan's adoption, progress reports and
verdicts, each with an absolute link, a unique id and a date, and never a draft."""

import datetime

import pytest
from defusedxml import ElementTree
from django.core.cache import cache

from assessments import services as assessments
from assessments.models import ActionStatus, ActionUpdate, VerdictKind
from assessments.plans import services
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGUAGES = ["ka", "en"]


@pytest.fixture
def followed(telavi_plan, telavi_staff, cso_monitor, monitoring_cso):
    """Telavi reports action 2 done; the CSO monitor disputes it."""
    report = services.report_progress(
        action=telavi_plan.actions.get(number=2),
        by=telavi_staff,
        reported_on=datetime.date(2022, 6, 1),
        status=ActionStatus.DONE,
        text="წყალი ყველა სოფელშია <script>alert(1)</script>",
    )
    services.give_verdict(
        update=report,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="სამ სოფელში წყალი ჯერ არ არის",
    )
    return telavi_plan


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ElementTree.fromstring(response.content)


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def text(element, name):
    return element.findtext(f"{ATOM}{name}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_feed_is_atom_with_every_required_element(client, followed, language):
    feed = read_feed(client, f"/{language}/municipalities/telavi/feed/")

    assert feed.tag == f"{ATOM}feed"
    assert feed.get(XML_LANG) == language
    assert text(feed, "id")
    assert text(feed, "title").startswith("თელავი" if language == "ka" else "Telavi")
    assert text(feed, "updated")
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == f"http://testserver/{language}/municipalities/telavi/feed/"
    found = entries(feed)
    assert found
    for entry in found:
        assert text(entry, "id")
        assert text(entry, "title")
        datetime.datetime.fromisoformat(text(entry, "updated"))
        assert entry.find(f"{ATOM}link").get("href").startswith(f"http://testserver/{language}/")
    ids = [text(entry, "id") for entry in found]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_announces_publications_the_adoption_reports_and_verdicts_newest_first(
    client, followed, language
):
    found = entries(read_feed(client, f"/{language}/municipalities/telavi/feed/"))

    links = [entry.find(f"{ATOM}link").get("href") for entry in found]
    plan = f"http://testserver/{language}/municipalities/telavi/plan/"
    # Newest first: the verdict, the report, the two 2021 publications; the plan was
    # adopted on 10 January 2022, before any of them was made in this test.
    assert links[:2] == [f"{plan}#action-2", f"{plan}#action-2"]
    assert links[2:4] == [f"http://testserver/{language}/scorecards/2021/telavi/"] * 2
    assert links[4:] == [plan]
    updated = [datetime.datetime.fromisoformat(text(entry, "updated")) for entry in found]
    assert updated == sorted(updated, reverse=True)
    assert updated[-1] == datetime.datetime(2022, 1, 10, 9, 0, tzinfo=datetime.UTC)
    titles = [text(entry, "title") for entry in found]
    name = "თელავი" if language == "ka" else "Telavi"
    assert all(name in title for title in titles)
    organisation = "სამოქალაქო მონიტორი" if language == "ka" else "Civic Monitor"
    assert titles[0].startswith(organisation)
    if language == "en":
        assert titles[0] == "Civic Monitor on action 2 of Telavi: disputed"
        assert titles[1] == "Telavi, action 2 “Action 2”: done, 100%"
        assert titles[-1] == "Telavi adopted its action plan for 2022–2023"
    else:
        assert "ღონისძიება 2" in titles[1]


def test_what_people_typed_reaches_a_reader_as_text_not_markup(client, followed):
    report = entries(read_feed(client, "/en/municipalities/telavi/feed/"))[1]

    summary = report.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    # Once the reader decodes the HTML, the script is text on the page.
    assert "&lt;script&gt;" in summary.text
    assert "<script>" not in summary.text


def test_a_draft_plan_never_appears_in_the_feed(client, draft_plan, telavi_staff):
    for action in draft_plan.actions.all():
        action.title_ka = action.title_en = "SECRET-ACTION"
        action.save()
    ActionUpdate.objects.create(
        action=draft_plan.actions.get(number=1),
        reported_on=datetime.date(2022, 2, 1),
        status=ActionStatus.IN_PROGRESS,
        text="SECRET-REPORT",
        author=telavi_staff,
    )

    for language in LANGUAGES:
        response = client.get(f"/{language}/municipalities/telavi/feed/")
        found = entries(ElementTree.fromstring(response.content))

        assert b"SECRET" not in response.content
        assert all("/plan/" not in entry.find(f"{ATOM}link").get("href") for entry in found)
        assert len(found) == 2  # the two 2021 publications


def test_a_correction_is_announced_and_the_first_publication_keeps_its_entry(
    client, published_2021, project_staff, cso_monitor
):
    before = len(entries(read_feed(client, "/en/municipalities/telavi/feed/")))
    external = published_2021["telavi", "external"]
    assessments.move_assessment(assessment=external, action="correct", by=project_staff)
    assessments.return_assessment(
        assessment=external, by=project_staff, comments=[], note="A.2.1: recount the villages."
    )
    factories.answer(external, "A.2.1", 70)
    assessments.submit_assessment(assessment=external, by=cso_monitor)
    assessments.move_assessment(assessment=external, action="start_review", by=project_staff)
    assessments.publish_assessment(
        assessment=external,
        by=project_staff,
        note_ka="A.2.1 შესწორდა: 70%",
        note_en="A.2.1 corrected: 70%",
    )
    cache.clear()

    found = entries(read_feed(client, "/en/municipalities/telavi/feed/"))

    assert len(found) == before + 1
    assert text(found[0], "title") == (
        "Telavi: scorecard 2021 corrected (External assessment, revision 2)"
    )
    assert "A.2.1 corrected: 70%" in found[0].find(f"{ATOM}summary").text


def test_a_municipality_s_pages_point_feed_readers_to_its_feed(client, telavi_plan):
    link = '<link rel="alternate" type="application/atom+xml"'
    for path in (
        "/ka/municipalities/telavi/",
        "/ka/municipalities/telavi/plan/",
        "/ka/scorecards/2021/telavi/",
    ):
        head = client.get(path).content.decode().split("</head>")[0]
        assert f'{link} title="' in head
        assert 'href="/ka/municipalities/telavi/feed/"' in head


def test_an_unknown_municipality_has_no_feed(client, db):
    assert client.get("/en/municipalities/nowhere/feed/").status_code == 404


def test_the_feed_is_cached_for_citizens(client, followed, django_assert_num_queries):
    first = client.get("/ka/municipalities/telavi/feed/")

    with django_assert_num_queries(0):
        second = client.get("/ka/municipalities/telavi/feed/")

    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_the_feed_needs_no_more_queries_with_more_reports(
    client, followed, telavi_staff, django_assert_num_queries
):
    with django_assert_num_queries(FEED_QUERIES):
        client.get("/en/municipalities/telavi/feed/")

    action = followed.actions.get(number=1)
    for day in range(1, 6):
        services.report_progress(
            action=action,
            by=telavi_staff,
            reported_on=datetime.date(2022, 2, day),
            status=ActionStatus.IN_PROGRESS,
            text=f"ანგარიში {day}",
            files=[factories.pdf()],
        )
    cache.clear()

    with django_assert_num_queries(FEED_QUERIES):
        client.get("/en/municipalities/telavi/feed/")


FEED_QUERIES = 5
