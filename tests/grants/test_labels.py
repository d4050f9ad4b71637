"""What the grant pages say about what they show: how to apply only while one can, whose
scores a finding's numbers are, which texts are the applicant's own and in which language,
and an awarded application's status and reports as its organisation reads them."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from grants import services
from grants.templatetags.grants import lang_of, later_of, score_heading, score_kind
from tests.conftest import Page

CALL_PAGE = "/en/grants/kakheti-2024/"


def status_of(page):
    """The text of the application page's Status line."""
    found = re.search(r'id="application-status">(.*?)</dd>', page.html, re.S)
    return page.plain(found.group(1))


# --- How to apply, only while one can -------------------------------------------------------


def test_an_open_call_tells_how_to_apply(visit, open_call):
    page = visit(CALL_PAGE)

    assert "How to apply" in page.text
    assert "/monitor/grants/" in page.hrefs()
    assert "Applications to this call are closed" not in page.text


def test_a_call_past_its_deadline_says_applications_are_closed(visit, open_call):
    now = timezone.now()
    open_call.opens_at = now - datetime.timedelta(days=20)
    open_call.closes_at = now - datetime.timedelta(days=1)
    open_call.save()

    page = visit(CALL_PAGE)

    assert "How to apply" not in page.text
    assert "Submit before the deadline" not in page.text
    assert "/monitor/grants/" not in page.hrefs()
    assert "Applications to this call are closed. The applications received" in page.text


def test_a_call_under_review_says_its_applications_are_being_reviewed(
    visit, open_call, submitted_application, project_staff
):
    services.start_review(call=open_call, by=project_staff, now=open_call.closes_at)

    page = visit(CALL_PAGE)

    assert "How to apply" not in page.text
    assert "/monitor/grants/" not in page.hrefs()
    assert "The applications received are being reviewed" in page.text


def test_a_decided_call_points_to_its_results_instead_of_how_to_apply(visit, awarded_application):
    page = visit(CALL_PAGE)

    assert "How to apply" not in page.text
    assert "Go to the applicant workspace" not in page.text
    assert "/monitor/grants/" not in page.hrefs()
    assert "Applications to this call are closed and the decisions are made." in page.text
    assert "#results-heading" in page.hrefs()
    assert 'id="results-heading"' in page.html


# --- The applicant's own texts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("წყალი ყველა სოფელს", "ka"),
        ("Water for every village", "en"),
        ("Telavi: წყალი", "ka"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_text_in_georgian_letters_is_marked_georgian(text, language):
    assert lang_of(text) == language


def test_an_award_marks_the_applicant_s_georgian_title_and_summary(visit, awarded_application):
    awarded_application.title = "წყალი ყველა სოფელს"
    awarded_application.summary = "ადვოკატირება წყლის მომსახურებისთვის."
    awarded_application.public_summary_en = ""
    awarded_application.save()

    page = visit(f"/en/grants/kakheti-2024/awards/{awarded_application.reference}/")

    assert '<span class="fw-semibold" lang="ka">წყალი ყველა სოფელს</span>' in page.html
    assert '<div lang="ka"><p>ადვოკატირება წყლის მომსახურებისთვის.</p></div>' in page.html
    assert "წყალი ყველა სოფელს (as written by the applicant)" in page.text
    assert "The summary as written by the applicant." in page.text


def test_a_summary_written_by_the_project_is_not_called_the_applicant_s(visit, awarded_application):
    page = visit(f"/en/grants/kakheti-2024/awards/{awarded_application.reference}/")

    assert '<div lang="en"><p>Drinking water for every village</p></div>' in page.html
    assert "The summary as written by the applicant." not in page.text
    call = visit(CALL_PAGE)
    assert call.row("Civic Monitor")[4] == "Drinking water for every village"


# --- Whose scores -----------------------------------------------------------------------------


def finding(kind, later_kind=None, later=True):
    cycle = SimpleNamespace(year=2023)
    return SimpleNamespace(
        kind=kind, later=SimpleNamespace(kind=later_kind, cycle=cycle) if later else None
    )


def test_a_score_heading_names_the_assessment_and_the_year():
    with translation.override("en"):
        assert score_heading("external", 2021) == "External assessment score, 2021"
        assert score_heading("self", 2021) == "Self-assessment score, 2021"
        assert score_heading(None, 2021) == "Published score, 2021"


def test_the_kind_of_findings_is_the_first_one_known():
    findings = [finding(None, later=False), finding("self", "external")]

    assert score_kind(findings) == "self"
    assert score_kind(findings, "later") == "external"
    assert later_of(findings).cycle.year == 2023
    assert score_kind([finding(None, later=False)]) is None
    assert later_of([finding("external", later=False)]) is None


def test_an_award_says_its_scores_are_of_the_external_assessment(visit, awarded_application):
    page = visit(f"/en/grants/kakheti-2024/awards/{awarded_application.reference}/")

    assert page.rows[0][:3] == ["Indicator", "External assessment score, 2021", "Later score"]
    assert page.row("A.2.1")[1] == "60.0 (scorecard 2021) / 100"


# --- The applicant's page after the decision ------------------------------------------------


@pytest.fixture
def monitor_browser(browser_of, cso_monitor):
    return browser_of(cso_monitor, "en")


def test_an_awarded_application_shows_its_decision_as_its_status(
    monitor_browser, awarded_application
):
    page = Page(monitor_browser.get(reverse("apply:application", args=[awarded_application.pk])))

    assert status_of(page) == "awarded"


def test_a_submitted_application_is_read_only_until_decided(monitor_browser, submitted_application):
    page = Page(monitor_browser.get(reverse("apply:application", args=[submitted_application.pk])))

    assert status_of(page) == "Submitted · read only"


def test_an_awarded_application_says_each_report_s_due_date_once(
    monitor_browser, awarded_application
):
    today = timezone.localdate()
    awarded_application.reports.filter(kind="interim").update(
        due_on=today + datetime.timedelta(days=12)
    )
    awarded_application.reports.filter(kind="final").update(status="accepted")

    page = Page(monitor_browser.get(reverse("apply:application", args=[awarded_application.pk])))

    due = (today + datetime.timedelta(days=12)).strftime("%d.%m.%Y")
    assert f"interim report : due {due} (12 days left)" in page.text
    assert "final report : accepted" in page.text
    assert "due · due" not in page.text
