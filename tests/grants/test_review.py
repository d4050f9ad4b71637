"""The grant reviewers' workspace at /review/, as the reviewer, the applicant and staff meet it.

The call "Small grants 2024" has closed and is under review. Two applications: the CSO
monitor's organisation for Telavi (KAKHETI-2024-001, "Water for every village") and
another organisation for Sighnaghi (KAKHETI-2024-002, "Roads for Sighnaghi"). The rubric:
Relevance (weight 2) and Feasibility (weight 1).
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.permissions import GRANT_REVIEWER_GROUP
from grants import services
from grants.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStage,
    Eligibility,
    ReviewAssignment,
    ReviewScore,
)
from municipalities.models import Organization, OrganizationMembership
from tests import factories
from tests.conftest import Page
from tests.error_summary import error_summary
from tests.grants.conftest import complete


@pytest.fixture
def other_application(open_call, other_monitor, sighnaghi):
    """Another organisation's application, for Sighnaghi, submitted second."""
    application = services.start_application(
        call=open_call,
        organization_id=other_monitor.organization_memberships.get().organization_id,
        by=other_monitor,
    )
    complete(application, other_monitor, sighnaghi)
    application.title = "Roads for Sighnaghi"
    application.save()
    return application


@pytest.fixture
def under_review(submitted_application, other_application, open_call, project_staff):
    """Both applications submitted, the call closed and under review, both eligible."""
    services.submit_application(application=other_application, by=other_application.created_by)
    services.start_review(call=open_call, by=project_staff, now=open_call.closes_at)
    for application in (submitted_application, other_application):
        services.check_eligibility(application=application, eligible=True, by=project_staff)
    submitted_application.refresh_from_db()
    return submitted_application


@pytest.fixture
def sighnaghi_application(under_review, other_application):
    other_application.refresh_from_db()
    return other_application


@pytest.fixture
def assignment(under_review, grant_reviewer, project_staff):
    """The grant reviewer's review of the Telavi application, not declared yet."""
    return services.assign_reviewer(
        application=under_review, reviewer=grant_reviewer, by=project_staff
    )


@pytest.fixture
def second_reviewer(db):
    return factories.user("second-reviewer", group=GRANT_REVIEWER_GROUP)


@pytest.fixture
def second_assignment(under_review, second_reviewer, project_staff):
    return services.assign_reviewer(
        application=under_review, reviewer=second_reviewer, by=project_staff
    )


@pytest.fixture
def reviewer(client, grant_reviewer):
    """The grant reviewer, signed in, reading English."""
    client.force_login(grant_reviewer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def criteria(open_call):
    return {c.name_en: c for c in open_call.rubric.all()}


def declared(assignment, has_conflict=False, note=""):
    return services.declare_conflict(
        review=assignment, has_conflict=has_conflict, note=note, by=assignment.reviewer
    )


def scores_form(criteria, points, comments=None, button="save"):
    """The review form as a browser posts it: points by criterion name ("na" for N/A)."""
    data = {button: ""}
    for name, criterion in criteria.items():
        if name in points:
            data[f"points_{criterion.pk}"] = points[name]
        data[f"comment_{criterion.pk}"] = (comments or {}).get(name, "")
    return data


def chosen(page, criterion):
    """The value of the criterion's checked radio button on the page, or None."""
    found = re.search(
        rf'<input type="radio" name="points_{criterion.pk}" value="([^"]+)"[^>]*\bchecked\b',
        page.html,
    )
    return found.group(1) if found else None


def review_url(assignment):
    return reverse("review:review", args=[assignment.pk])


def declare_url(assignment):
    return reverse("review:declare", args=[assignment.pk])


# Who gets in


def test_a_citizen_is_sent_to_the_reviewers_sign_in_page(client, assignment):
    for url in ("/review/", review_url(assignment), declare_url(assignment)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/review/login/?next=")
    page = Page(client.get("/review/login/", HTTP_ACCEPT_LANGUAGE="en"))
    assert page.status_code == 200
    assert "reviewers of the grant competition" in page.text


def test_the_applicant_cannot_open_any_review_page(client, cso_monitor, assignment):
    client.force_login(cso_monitor)
    for url in ("/review/", review_url(assignment), declare_url(assignment)):
        page = Page(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
        assert page.status_code == 403
        assert "for the grant competition's reviewers" in page.text
        assert "KAKHETI-2024-001" not in page.text
    response = client.post(declare_url(assignment), {"has_conflict": "no"})
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.has_conflict is None


def test_project_staff_is_not_a_reviewer_unless_in_the_reviewers_group(client, project_staff):
    client.force_login(project_staff)
    assert client.get("/review/").status_code == 403
    project_staff.groups.add(Group.objects.get(name=GRANT_REVIEWER_GROUP))
    assert client.get("/review/").status_code == 200


def test_signing_out_leads_back_to_the_sign_in_page(reviewer):
    response = reviewer.post("/review/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/review/login/"
    assert reviewer.get("/review/").status_code == 302


# The dashboard


def test_a_reviewer_sees_only_the_applications_assigned_to_them(
    reviewer, assignment, sighnaghi_application, second_reviewer, project_staff
):
    services.assign_reviewer(
        application=sighnaghi_application, reviewer=second_reviewer, by=project_staff
    )
    page = Page(reviewer.get("/review/"))
    assert page.status_code == 200
    assert "Small grants 2024" in page.text
    assert page.row("KAKHETI-2024-001")[1:4] == [
        "Civic Monitor",
        "Telavi",
        "shown once you have declared no conflict",
    ]
    assert "KAKHETI-2024-002" not in page.text
    assert "Other organisation" not in page.text


def test_the_dashboard_says_where_the_reviewer_is_with_each_application(
    reviewer, assignment, sighnaghi_application, grant_reviewer, project_staff, criteria
):
    other = services.assign_reviewer(
        application=sighnaghi_application, reviewer=grant_reviewer, by=project_staff
    )
    page = Page(reviewer.get("/review/"))
    assert "declare conflicts of interest" in page.row("KAKHETI-2024-001")[4]
    assert "declare conflicts of interest" in page.row("KAKHETI-2024-002")[4]
    assert "under review" in page.text

    declared(other, has_conflict=True, note="I advise this organisation.")
    declared(assignment)
    page = Page(reviewer.get("/review/"))
    assert page.row("KAKHETI-2024-001")[3:5] == ["Water for every village", "in progress"]
    assert page.row("KAKHETI-2024-002")[3:5] == [
        "shown once you have declared no conflict",
        "excluded (conflict of interest)",
    ]
    assert review_url(assignment) in page.hrefs()
    assert review_url(other) not in page.hrefs()

    services.save_review(
        review=assignment,
        scores={c.pk: (3, "") for c in criteria.values()},
        submit=True,
        by=assignment.reviewer,
    )
    assert Page(reviewer.get("/review/")).row("KAKHETI-2024-001")[4] == "submitted"


def test_the_dashboard_shows_nothing_of_other_reviewers(
    reviewer, assignment, second_assignment, criteria
):
    declared(second_assignment)
    services.save_review(
        review=second_assignment,
        scores={c.pk: (1, "Weak") for c in criteria.values()},
        submit=True,
        by=second_assignment.reviewer,
    )
    page = Page(reviewer.get("/review/"))
    assert len([row for row in page.rows if "KAKHETI-2024-001" in row[0]]) == 1
    assert "second-reviewer" not in page.html
    assert "submitted" not in page.row("KAKHETI-2024-001")[4]


def test_the_dashboards_query_count_does_not_grow_with_its_rows(
    reviewer, grant_reviewer, assignment, open_call, telavi, sighnaghi, project_staff
):
    # The reviewer belongs to an organisation, so that the automatic exclusion is asked.
    bystander = Organization.objects.create(slug="bystander", name_ka="ა", name_en="Bystander")
    OrganizationMembership.objects.create(user=grant_reviewer, organization=bystander)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert reviewer.get("/review/").status_code == 200
        return len(captured)

    one_row = queries()
    for number in range(3, 9):
        organization = Organization.objects.create(
            slug=f"cso-{number}", name_ka=f"ორგანიზაცია {number}", name_en=f"CSO {number}"
        )
        application = Application.objects.create(
            call=open_call,
            organization=organization,
            reference=f"KAKHETI-2024-{number:03d}",
            status=ApplicationStatus.SUBMITTED,
            eligibility=Eligibility.ELIGIBLE,
            title=f"Project {number}",
            municipality=telavi if number % 2 else sighnaghi,
            submitted_at=timezone.now(),
        )
        review = ReviewAssignment.objects.create(
            application=application, reviewer=grant_reviewer, assigned_by=project_staff
        )
        if number % 3 == 0:
            declared(review)
    assert queries() == one_row


# Declaring conflicts of interest


def test_a_reviewer_must_declare_before_the_application_opens(reviewer, assignment, criteria):
    response = reviewer.get(review_url(assignment))
    assert response.status_code == 302
    assert response["Location"] == declare_url(assignment)

    page = Page(reviewer.get(declare_url(assignment)))
    assert page.status_code == 200
    assert "Small grants 2024" in page.text
    assert "Civic Monitor" in page.text
    assert "Telavi" in page.text
    # Enough to know about a conflict, nothing more.
    for hidden in ("Water for every village", "Advocacy for the water service", "Meetings"):
        assert hidden not in page.text

    forged = reviewer.post(review_url(assignment), scores_form(criteria, {"Relevance": "5"}))
    assert forged.status_code == 403
    assert not ReviewScore.objects.exists()


def test_declaring_a_conflict_needs_a_note_and_excludes_the_reviewer(reviewer, assignment):
    page = Page(reviewer.post(declare_url(assignment), {"has_conflict": "yes", "note": " "}))
    assert page.status_code == 400
    assert "Say briefly what the conflict of interest is." in page.text
    assignment.refresh_from_db()
    assert assignment.has_conflict is None

    response = reviewer.post(
        declare_url(assignment), {"has_conflict": "yes", "note": "My sister chairs it."}
    )
    assert response.status_code == 302
    assert response["Location"] == "/review/"
    assignment.refresh_from_db()
    assert assignment.has_conflict is True
    assert assignment.conflict_note == "My sister chairs it."

    page = Page(reviewer.get(review_url(assignment)))
    assert page.status_code == 403
    assert "excluded from this application by a conflict of interest" in page.text
    assert "Water for every village" not in page.text

    page = Page(reviewer.get(declare_url(assignment)))
    assert "You declared a conflict of interest" in page.text
    assert '<form method="post" novalidate>' not in page.html
    # The declaration cannot be taken back.
    again = reviewer.post(declare_url(assignment), {"has_conflict": "no"})
    assert again.status_code == 403
    assignment.refresh_from_db()
    assert assignment.has_conflict is True


def test_declaring_no_conflict_opens_the_whole_application(reviewer, assignment):
    response = reviewer.post(declare_url(assignment), {"has_conflict": "no"})
    assert response.status_code == 302
    assert response["Location"] == review_url(assignment)

    page = Page(reviewer.get(review_url(assignment)))
    assert page.status_code == 200
    for shown in (
        "Water for every village",
        "Civic Monitor",
        "Nino Beridze",
        "nino@example.org",
        "Telavi",
        "Advocacy for the water service.",
        "More villages served.",
        "Meetings and a public hearing.",
    ):
        assert shown in page.text
    assert page.row("Meetings") == ["Meetings", "7,000.00 ₾"]
    assert page.row("Hearing") == ["Hearing", "5,000.00 ₾"]
    assert page.row("Total") == ["Total", "12,000.00 ₾"]
    # Telavi's published external finding on A.2.1 (2021): 60 %, labelled as such.
    assert page.row("A.2.1")[1] == "60.0 A.2.1 / 100"
    assert "External assessment score, 2021" in page.row("Indicator")
    assert any(href.endswith("#indicator-A.2.1") for href in page.hrefs())
    attachment = assignment.application.attachments.get()
    assert (reverse("apply:attachment", args=[attachment.pk]), "budget.pdf") in page.links
    # The scoring form: 0 to 5, and N/A as a choice of its own.
    assert "Relevance" in page.text and "Feasibility" in page.text
    assert page.html.count('value="na"') == 2
    assert "Submit review" in page.text


def test_a_reviewer_whose_organisation_applied_to_the_call_is_excluded_automatically(
    reviewer, grant_reviewer, assignment, other_application, criteria
):
    # The reviewer joined the organisation that applied for Sighnaghi after being assigned.
    OrganizationMembership.objects.create(
        user=grant_reviewer, organization=other_application.organization
    )
    page = Page(reviewer.get(declare_url(assignment)))
    assert page.status_code == 200
    assert "You are excluded from reviewing this application automatically" in page.text
    assert 'name="has_conflict"' not in page.html

    assert reviewer.post(declare_url(assignment), {"has_conflict": "no"}).status_code == 403
    assignment.refresh_from_db()
    assert assignment.has_conflict is None
    page = Page(reviewer.get(review_url(assignment)))
    assert page.status_code == 403
    assert "Water for every village" not in page.text
    assert "excluded (conflict of interest)" in Page(reviewer.get("/review/")).text


def test_a_reviewer_whose_organisation_assessed_the_municipality_is_excluded_automatically(
    reviewer, grant_reviewer, assignment, telavi, methodology, criteria
):
    declared(assignment)  # declared before joining the organisation: still excluded
    watchdog = Organization.objects.create(slug="watchdog", name_ka="დ", name_en="Watchdog")
    factories.assessment(
        telavi, factories.cycle(2019, methodology), "external", organization=watchdog
    )
    OrganizationMembership.objects.create(user=grant_reviewer, organization=watchdog)

    page = Page(reviewer.get(review_url(assignment)))
    assert page.status_code == 403
    assert "Water for every village" not in page.text
    forged = reviewer.post(review_url(assignment), scores_form(criteria, {"Relevance": "5"}))
    assert forged.status_code == 403
    assert not ReviewScore.objects.exists()
    assert "excluded (conflict of interest)" in Page(reviewer.get("/review/")).text


# Scoring


def test_a_reviewer_saves_scores_with_na_which_is_not_zero(reviewer, assignment, criteria):
    declared(assignment)
    response = reviewer.post(
        review_url(assignment),
        scores_form(
            criteria,
            {"Relevance": "na", "Feasibility": "0"},
            {"Relevance": "Does not apply here.", "Feasibility": "No plan."},
        ),
    )
    assert response.status_code == 302
    saved = {s.criterion.name_en: s for s in assignment.scores.select_related("criterion")}
    assert saved["Relevance"].points is None
    assert saved["Relevance"].comment == "Does not apply here."
    assert saved["Feasibility"].points == 0
    assignment.refresh_from_db()
    assert not assignment.is_submitted

    page = Page(reviewer.get(review_url(assignment)))
    assert chosen(page, criteria["Relevance"]) == "na"
    assert chosen(page, criteria["Feasibility"]) == "0"
    assert "Does not apply here." in page.text


def test_submitting_needs_every_criterion_and_keeps_what_was_typed(reviewer, assignment, criteria):
    declared(assignment)
    page = Page(
        reviewer.post(
            review_url(assignment),
            scores_form(
                criteria,
                {"Relevance": "4"},
                {"Relevance": "Builds on the finding.", "Feasibility": "Half-written"},
                button="submit",
            ),
        )
    )
    assert page.status_code == 400
    assert "The review was not submitted" in page.text
    assert "Score this criterion, or mark it N/A." in page.text
    assert "Builds on the finding." in page.text
    assert "Half-written" in page.text
    assert chosen(page, criteria["Relevance"]) == "4"
    assert chosen(page, criteria["Feasibility"]) is None
    assignment.refresh_from_db()
    assert not assignment.is_submitted
    assert not assignment.scores.exists()


def test_a_comment_without_a_score_is_not_saved_as_na(reviewer, assignment, criteria):
    declared(assignment)
    page = Page(
        reviewer.post(
            review_url(assignment), scores_form(criteria, {}, {"Feasibility": "Thinking…"})
        )
    )
    assert page.status_code == 400
    assert "Choose a score, or N/A, to keep this comment." in page.text
    assert "Thinking…" in page.text
    assert not assignment.scores.exists()


def test_a_score_outside_the_scale_is_refused(reviewer, assignment, criteria):
    declared(assignment)
    response = reviewer.post(
        review_url(assignment), scores_form(criteria, {"Relevance": "6", "Feasibility": "-1"})
    )
    assert response.status_code == 400
    assert not assignment.scores.exists()


def test_a_submitted_review_can_no_longer_change(reviewer, assignment, criteria):
    declared(assignment)
    submitted = reviewer.post(
        review_url(assignment),
        scores_form(criteria, {"Relevance": "4", "Feasibility": "na"}, button="submit"),
    )
    assert submitted.status_code == 302
    assignment.refresh_from_db()
    assert assignment.is_submitted

    page = Page(reviewer.get(review_url(assignment)))
    assert "You have submitted this review; it can no longer change." in page.text
    assert 'name="submit"' not in page.html
    assert page.row("Relevance")[:2] == ["Relevance", "4"]
    assert page.row("Feasibility")[:2] == ["Feasibility", "N/A"]

    forged = Page(
        reviewer.post(
            review_url(assignment),
            scores_form(criteria, {"Relevance": "0", "Feasibility": "0"}, {"Relevance": "Oops"}),
        )
    )
    assert forged.status_code == 403
    assert "You have submitted this review; it can no longer change." in forged.text
    assert "Oops" in forged.text  # what was typed is kept on the page, not saved
    points = dict(assignment.scores.values_list("criterion__name_en", "points"))
    assert points == {"Relevance": 4, "Feasibility": None}


def test_scores_cannot_change_when_the_call_is_not_under_review(
    reviewer, assignment, open_call, criteria
):
    declared(assignment)
    open_call.stage = CallStage.DECIDED
    open_call.save(update_fields=["stage"])

    page = Page(reviewer.get(review_url(assignment)))
    assert page.status_code == 200
    assert "This call is not under review." in page.text
    assert 'name="save"' not in page.html

    forged = Page(
        reviewer.post(
            review_url(assignment),
            scores_form(criteria, {"Relevance": "5", "Feasibility": "5"}, {"Relevance": "Late"}),
        )
    )
    assert forged.status_code == 403
    assert "This call is not under review." in forged.text
    assert "Late" in forged.text
    assert not assignment.scores.exists()


def test_a_forged_post_to_another_reviewers_assignment_is_not_found(
    reviewer, assignment, second_assignment, criteria
):
    declared(assignment)
    assert reviewer.post(declare_url(second_assignment), {"has_conflict": "no"}).status_code == 404
    forged = reviewer.post(
        review_url(second_assignment), scores_form(criteria, {"Relevance": "0"}, button="submit")
    )
    assert forged.status_code == 404
    assert reviewer.get(review_url(second_assignment)).status_code == 404
    second_assignment.refresh_from_db()
    assert second_assignment.has_conflict is None
    assert not second_assignment.scores.exists()


def test_an_unassigned_application_is_not_found(reviewer, assignment, sighnaghi_application):
    declared(assignment)
    not_assigned = ReviewAssignment.objects.create(
        application=sighnaghi_application,
        reviewer=factories.user("third-reviewer", group=GRANT_REVIEWER_GROUP),
    )
    assert reviewer.get(review_url(not_assigned)).status_code == 404
    assert reviewer.get(declare_url(not_assigned)).status_code == 404
    assert reviewer.get(reverse("review:review", args=[999999])).status_code == 404


# Other reviewers' scores


def test_other_reviewers_scores_stay_hidden_until_the_reviewer_submits(
    reviewer, assignment, second_assignment, criteria
):
    declared(second_assignment)
    services.save_review(
        review=second_assignment,
        scores={
            criteria["Relevance"].pk: (1, "Second reviewer's secret comment"),
            criteria["Feasibility"].pk: (2, ""),
        },
        submit=True,
        by=second_assignment.reviewer,
    )
    declared(assignment)
    form = {"Relevance": "5", "Feasibility": "5"}
    reviewer.post(review_url(assignment), scores_form(criteria, form))

    response = reviewer.get(review_url(assignment))
    page = Page(response)
    assert response.context["all_scores"] is None
    for hidden in ("All submitted reviews", "Reviewer 1", "Mean", "second-reviewer"):
        assert hidden not in page.text
    assert "Second reviewer's secret comment" not in page.html

    reviewer.post(review_url(assignment), scores_form(criteria, form, button="submit"))
    page = Page(reviewer.get(review_url(assignment)))
    assert "All submitted reviews" in page.text
    header = next(row for row in page.rows if "Reviewer 1" in row)
    assert header == ["Criterion", "You", "Reviewer 1", "Mean"]
    assert page.rows[page.rows.index(header) + 1] == ["Relevance", "5", "1", "3.00"]
    assert page.rows[page.rows.index(header) + 2] == ["Feasibility", "5", "2", "3.50"]
    # Totals: you 5; reviewer 1 (2×1 + 2) ÷ 3 = 1.33. The application: (2×3 + 3.5) ÷ 3
    # = 3.1666… → 3.17, half up, the same as services.application_result gives.
    assert page.row("Weighted mean") == ["Weighted mean", "5.00", "1.33", "3.17"]
    result = services.application_result(assignment.application)
    assert result.score.quantize(Decimal("0.01")) == Decimal("3.17")
    assert "second-reviewer" not in page.html
    assert "Second reviewer's secret comment" not in page.html


def test_a_reviewers_unsubmitted_scores_never_reach_the_others(
    client, second_reviewer, assignment, second_assignment, criteria
):
    declared(assignment)
    services.save_review(
        review=assignment,
        scores={c.pk: (0, "Draft thoughts") for c in criteria.values()},
        submit=False,
        by=assignment.reviewer,
    )
    declared(second_assignment)
    services.save_review(
        review=second_assignment,
        scores={c.pk: (4, "") for c in criteria.values()},
        submit=True,
        by=second_reviewer,
    )
    client.force_login(second_reviewer)
    page = Page(client.get(review_url(second_assignment), HTTP_ACCEPT_LANGUAGE="en"))
    header = next(row for row in page.rows if "Mean" in row)
    assert header == ["Criterion", "You", "Mean"]
    assert "Draft thoughts" not in page.html
    assert page.row("Weighted mean") == ["Weighted mean", "4.00", "4.00"]


def test_a_long_list_of_assignments_comes_in_pages(
    reviewer, grant_reviewer, assignment, sighnaghi_application, project_staff, monkeypatch
):
    monkeypatch.setattr("grants.review.views.PAGE_SIZE", 1)
    services.assign_reviewer(
        application=sighnaghi_application, reviewer=grant_reviewer, by=project_staff
    )

    def listed(page):
        return [row[0] for row in page.rows if row[0].startswith("KAKHETI")]

    first = Page(reviewer.get("/review/"))
    assert listed(first) == ["KAKHETI-2024-001"]
    assert "Page 1 of 2" in first.text
    second = Page(reviewer.get("/review/?page=2"))
    assert listed(second) == ["KAKHETI-2024-002"]
    # What to do next counts every assignment, whichever page is shown.
    assert "Declare whether you have a conflict of interest: 2 applications" in second.text


def test_a_refused_review_is_summed_up_with_a_link_to_each_criterion_in_error(
    reviewer, assignment, criteria
):
    declared(assignment)
    page = Page(
        reviewer.post(
            review_url(assignment),
            scores_form(
                criteria,
                {"Relevance": "4"},
                {"Relevance": "x" * 5001},
                button="submit",
            ),
        )
    )

    assert page.status_code == 400
    heading, lines = error_summary(page.html)
    assert heading.startswith("The review was not submitted")
    relevance, feasibility = criteria["Relevance"], criteria["Feasibility"]
    assert (f"id_comment_{relevance.pk}", "Relevance: comment: ") in [
        (target, text[: len("Relevance: comment: ")]) for target, text in lines
    ]
    assert (
        f"id_points_{feasibility.pk}_0",
        "Feasibility: Score this criterion, or mark it N/A.",
    ) in lines
    # Leaving the page would lose what was typed: the browser asks first.
    assert re.search(r"<form [^>]*data-warn-unsaved[^>]* data-unsaved", page.html)


def test_a_declaration_without_its_note_links_to_the_note(reviewer, assignment):
    page = Page(reviewer.post(declare_url(assignment), {"has_conflict": "yes", "note": " "}))

    heading, lines = error_summary(page.html)
    assert heading == "Nothing was saved: 1 field needs attention"
    assert lines == [
        ("id_note", "If yes, what is it?: Say briefly what the conflict of interest is.")
    ]


def next_steps(page):
    """The dashboard's "What to do next", a line each, with where each line leads."""
    found = re.search(r'<ul[^>]*id="next-steps"[^>]*>(.*?)</ul>', page.html, re.S)
    if not found:
        return []
    return [
        (page.plain(item), (re.findall(r'href="([^"]+)"', item) or [None])[0])
        for item in re.findall(r"<li\b[^>]*>(.*?)</li>", found.group(1), re.S)
    ]


def test_the_dashboard_says_what_to_do_next_across_every_assignment(
    reviewer, assignment, sighnaghi_application, grant_reviewer, project_staff, criteria
):
    other = services.assign_reviewer(
        application=sighnaghi_application, reviewer=grant_reviewer, by=project_staff
    )
    page = Page(reviewer.get("/review/"))
    assert next_steps(page) == [
        (
            "Declare whether you have a conflict of interest: 2 applications "
            "(first: KAKHETI-2024-001)",
            declare_url(assignment),
        )
    ]

    declared(assignment)
    declared(other, has_conflict=True, note="I advise this organisation.")
    page = Page(reviewer.get("/review/"))
    assert next_steps(page) == [
        (
            "Score and submit your review: 1 application (first: KAKHETI-2024-001)",
            review_url(assignment),
        )
    ]

    # Before the call's review starts, the application can be read but not scored yet.
    Call.objects.filter(pk=assignment.application.call_id).update(stage=CallStage.ANNOUNCED)
    page = Page(reviewer.get("/review/"))
    assert next_steps(page) == [
        (
            "1 application waits for its call's review to start: you can read it now and "
            "score it then.",
            None,
        )
    ]

    Call.objects.filter(pk=assignment.application.call_id).update(stage=CallStage.UNDER_REVIEW)
    services.save_review(
        review=assignment,
        scores={c.pk: (3, "") for c in criteria.values()},
        submit=True,
        by=assignment.reviewer,
    )
    page = Page(reviewer.get("/review/"))
    assert next_steps(page) == []
    assert "Nothing waits for you now." in page.text
