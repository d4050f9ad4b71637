"""The CSO monitor's workspace at /monitor/: the dashboard, filling in an area, saving a
draft, submitting, and nothing at all for monitors of other CSOs."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from assessments.models import Response, ReviewComment
from assessments.workflow import Status
from tests import factories
from tests.assessments.conftest import answer_all, answer_data
from tests.conftest import Page


@pytest.fixture
def monitor_browser(browser_of, cso_monitor):
    return browser_of(cso_monitor, "en")


@pytest.fixture
def sighnaghi_for_another_cso(sighnaghi, cycle_2022, other_cso):
    return factories.assessment(sighnaghi, cycle_2022, "external", organization=other_cso)


def text_box(html, name):
    """What the text box of this name shows."""
    tag = re.search(rf'<input type="text" name="{re.escape(name)}"[^>]*>', html).group(0)
    return unescape(re.search(r'value="([^"]*)"', tag).group(1))


def see(browser, url, **kwargs):
    return Page(browser.get(url, **kwargs))


# --- The dashboard ---------------------------------------------------------------------------


def test_it_lists_the_cso_s_assessments_with_their_progress_per_area(
    telavi_external, telavi_self, sighnaghi_for_another_cso, monitor_browser
):
    factories.answer(telavi_external, "A.1.1", 1)
    factories.answer(sighnaghi_for_another_cso, "A.1.1", 1)

    page = see(monitor_browser, reverse("monitor:dashboard"))

    assert page.status_code == 200
    telavi = page.row("Telavi")
    assert telavi[1:3] == ["2022", "Draft"]
    assert "1 of 3 answered" in telavi[3]
    assert telavi[4] == "A: 1/2 B: 0/1"
    assert "Sighnaghi" not in page.text
    assert len(page.rows) == 2  # the heading and Telavi's external assessment


def test_it_marks_an_assessment_returned_with_comments(
    telavi_external, monitor_browser, project_staff
):
    ReviewComment.objects.create(assessment=telavi_external, text="See A.2.1", author=project_staff)
    page = see(monitor_browser, reverse("monitor:dashboard"))
    assert "Returned with comments" in page.row("Telavi")[0]


def test_it_filters_the_dashboard_by_cycle_status_and_name(
    telavi_external, sighnaghi_external, cycle_2021, telavi, cso, monitor_browser, to_status
):
    factories.assessment(telavi, cycle_2021, "external", organization=cso)
    to_status(sighnaghi_external, Status.SUBMITTED)
    url = reverse("monitor:dashboard")

    def listed(**query):
        page = see(monitor_browser, url, query_params=query)
        return [(row[0], row[1]) for row in page.rows[1:]]

    assert listed() == [("Sighnaghi", "2022"), ("Telavi", "2022"), ("Telavi", "2021")]
    assert listed(cycle="2021") == [("Telavi", "2021")]
    assert listed(status="submitted") == [("Sighnaghi", "2022")]
    assert listed(q="თელ") == [("Telavi", "2022"), ("Telavi", "2021")]
    assert listed(q="Gurjaani") == []
    assert "No assessments match." in see(monitor_browser, url, query_params={"q": "x"}).text


def test_it_asks_a_visitor_to_sign_in(client, telavi_external):
    response = client.get(reverse("monitor:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == "/monitor/login/?next=/monitor/"


def test_it_lets_a_monitor_sign_in_with_their_password(client, cso_monitor, telavi_external):
    response = client.post(
        reverse("monitor:login"), {"username": "cso-monitor", "password": "pw"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("monitor:dashboard")
    assert "Telavi" in Page(response).text or "თელავი" in Page(response).text


@pytest.mark.parametrize("size", [1, 8])
def test_it_runs_the_same_queries_however_many_assessments_are_listed(
    size, cycle_2022, cso, cso_monitor, browser_of, project_staff, django_assert_num_queries
):
    for number in range(size):
        place = factories.municipality(f"place-{number}", f"Place {number}", f"ადგილი {number}")
        assessment = factories.assessment(place, cycle_2022, "external", organization=cso)
        answer_all(assessment, {"A.1.1": 1, "A.2.1": 40})
        ReviewComment.objects.create(assessment=assessment, text="Check", author=project_staff)
    browser = browser_of(cso_monitor, "en")
    browser.get(reverse("monitor:dashboard"))  # the session and the user, once

    # One more: the progress reports waiting for the organisation's verdict; seven more:
    # what to do next (assessments under way, their progress, reports to judge) and the
    # grant deadlines (open calls, reports due).
    with django_assert_num_queries(20):
        page = see(browser, reverse("monitor:dashboard"))

    assert len(page.rows) == size + 1


# --- Filling in an area ----------------------------------------------------------------------


def test_it_saves_a_draft_that_the_monitor_finds_on_coming_back(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external)
    saved = page.post(
        {
            "A.2.1": {
                "value": "60",
                "evidence": "მოვინახულეთ 12 სოფელი 20-დან",
                "links": "https://telavi.gov.ge/services/water",
            }
        }
    )

    assert saved.status_code == 302
    assert saved["Location"] == page.url
    back = monitor_browser.get(saved["Location"])
    text = Page(back).text
    assert "Saved 1 answer of Governance as a draft." in text
    again = open_area(monitor_browser, telavi_external)
    shown = text_box(again.html, again.forms["A.2.1"].add_prefix("value"))
    assert Decimal(shown) == 60
    assert "მოვინახულეთ 12 სოფელი 20-დან" in again.html
    assert "https://telavi.gov.ge/services/water" in again.html
    assert "A (1/2)" in Page(again.response).text


def test_it_says_so_when_nothing_had_changed(telavi_external, monitor_browser, open_area):
    factories.answer(telavi_external, "A.2.1", 60)
    saved = open_area(monitor_browser, telavi_external).post()
    assert saved.status_code == 302
    assert (
        "Nothing had changed, so nothing was saved."
        in Page(monitor_browser.get(saved["Location"])).text
    )
    assert Response.objects.get().version == 1


def test_it_takes_the_monitor_to_the_next_area_on_save_and_go_on(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external)
    data = page.data({"A.2.1": {"value": "60"}}) | {"next": "1"}
    moved = monitor_browser.post(page.url, data)
    assert moved["Location"] == reverse("monitor:area", args=[telavi_external.pk, "B"])


def test_it_leaves_out_the_indicators_the_cso_does_not_answer(
    telavi_external, monitor_browser, open_area
):
    page = open_area(monitor_browser, telavi_external)
    assert list(page.forms) == ["A.1.1", "A.2.1"]  # A.1.2 is for the municipality only


# --- Submitting ------------------------------------------------------------------------------


def test_it_refuses_to_submit_and_lists_what_is_missing(telavi_external, monitor_browser):
    factories.answer(telavi_external, "A.1.1", 1)
    url = reverse("monitor:transition", args=[telavi_external.pk])

    confirm = see(monitor_browser, url, query_params={"action": "submit"})
    assert "The assessment cannot be submitted yet." in confirm.text
    assert "A.2.1 Indicator A.2.1" in confirm.text
    assert "B.1.1 Indicator B.1.1" in confirm.text
    assert "A.1.1 Indicator" not in confirm.text

    refused = monitor_browser.post(url, {"action": "submit"})
    assert refused.status_code == 400
    assert "B.1.1 Indicator B.1.1" in Page(refused).text
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.DRAFT


def test_it_submits_a_complete_assessment_after_confirmation(telavi_external, monitor_browser):
    answer_all(telavi_external)
    url = reverse("monitor:transition", args=[telavi_external.pk])

    confirm = see(monitor_browser, url, query_params={"action": "submit"})
    assert "Once submitted, the answers can no longer be changed" in confirm.text
    done = monitor_browser.post(url, {"action": "submit"}, follow=True)

    assert done.redirect_chain[-1][0] == reverse("monitor:assessment", args=[telavi_external.pk])
    assert "Done: Submit. The assessment is now submitted." in Page(done).text
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.SUBMITTED


def test_it_offers_submit_only_while_the_assessment_is_a_draft(
    telavi_external, monitor_browser, to_status
):
    answer_all(telavi_external)
    url = reverse("monitor:assessment", args=[telavi_external.pk])
    assert "Submit…" in see(monitor_browser, url).text
    to_status(telavi_external, Status.SUBMITTED)
    overview = see(monitor_browser, url)
    assert "Submit…" not in overview.text
    assert "read only" in overview.text


def test_it_lets_the_monitor_read_but_not_change_a_submitted_assessment(
    telavi_external, monitor_browser, to_status
):
    to_status(telavi_external, Status.SUBMITTED)
    url = reverse("monitor:area", args=[telavi_external.pk, "A"])

    page = see(monitor_browser, url)
    assert page.status_code == 200
    assert "you can read it but no longer change it" in page.text
    assert "Yes" in page.text and "60%" in page.text
    assert "Save draft" not in page.text
    assert 'name="i' not in page.html  # no answer field at all

    forged = answer_data(telavi_external, "A", {"A.1.1": {"value": "0"}})
    refused = monitor_browser.post(url, forged)
    assert refused.status_code == 403
    assert "its answers can no longer be changed. Nothing was saved." in Page(refused).text
    assert Response.objects.get(indicator__code="A.1.1").value == 1


def test_it_refuses_a_second_submit(telavi_external, monitor_browser, to_status):
    to_status(telavi_external, Status.SUBMITTED)
    refused = monitor_browser.post(
        reverse("monitor:transition", args=[telavi_external.pk]), {"action": "submit"}
    )
    assert refused.status_code == 403


# --- Other CSOs ------------------------------------------------------------------------------


def test_it_shows_a_monitor_of_another_cso_nothing_of_this_cso_s_work(
    telavi_external, browser_of, other_monitor, sighnaghi_for_another_cso
):
    answer_all(telavi_external)
    browser = browser_of(other_monitor, "en")

    dashboard = see(browser, reverse("monitor:dashboard"))
    assert "Sighnaghi" in dashboard.text
    assert "Telavi" not in dashboard.text
    pk = telavi_external.pk
    for url in (
        reverse("monitor:assessment", args=[pk]),
        reverse("monitor:area", args=[pk, "A"]),
        reverse("monitor:transition", args=[pk]) + "?action=submit",
    ):
        assert browser.get(url).status_code == 404, url
    submit = browser.post(reverse("monitor:transition", args=[pk]), {"action": "submit"})
    assert submit.status_code == 404
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.DRAFT


def test_it_does_not_open_a_municipality_s_self_assessment_to_the_monitor(
    telavi_self, monitor_browser
):
    assert (
        monitor_browser.get(reverse("monitor:assessment", args=[telavi_self.pk])).status_code == 404
    )


def test_it_shows_a_number_as_it_was_typed_on_coming_back(
    telavi_external, browser_of, cso_monitor, open_area
):
    open_area(browser_of(cso_monitor, "en"), telavi_external).post({"A.2.1": {"value": "60"}})
    for language, expected in (("en", "60"), ("ka", "60")):
        again = open_area(browser_of(cso_monitor, language), telavi_external)
        assert text_box(again.html, again.forms["A.2.1"].add_prefix("value")) == expected
