"""Only published assessments are public: nothing of one still in the workflow shows.

The hardest case is an assessment that was published once and then taken back for
correction: its snapshot still exists and is still marked current. Four such
assessments, each with a score no published assessment has, sit in every stage
before publication: draft, submitted, the right of reply and review.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import EvidenceFile, ScoreSnapshot
from assessments.scoring import for_display
from assessments.workflow import Status
from tests import factories

# Gurjaani's and Kvareli's self-assessments: A = 100, B = (6 − 20) ÷ (5 − 20) = 93.3 → 96.7.
SELF_ANSWERS = {"A.1.1": 1, "A.1.2": 3, "B.1.1": 6}
# Lagodekhi's and Akhmeta's external assessments: A = (100 + 99) ÷ 2 = 99.5, B = 100 → 99.8.
EXTERNAL_ANSWERS = {"A.1.1": 1, "A.2.1": 99, "B.1.1": 5}
HIDDEN_SCORES = ["96.7", "99.8", "99.5", "93.3"]


@pytest.fixture
def in_the_workflow(published_2021, cycle_2021, cso, publish, project_staff, telavi_staff):
    """Gurjaani (draft), Kvareli (submitted), Lagodekhi (right of reply), Akhmeta (review)."""

    def taken_back(slug, name, kind, answers):
        place = factories.municipality(slug, name, slug)
        organization = cso if kind == "external" else None
        assessment = factories.assessment(place, cycle_2021, kind, organization=organization)
        publish(assessment, answers)
        services.move_assessment(assessment=assessment, action="correct", by=project_staff)
        assessment.refresh_from_db()
        return assessment

    def move(assessment, *actions):
        for action in actions:
            if action == "submit":
                services.submit_assessment(assessment=assessment, by=project_staff)
            else:
                services.move_assessment(assessment=assessment, action=action, by=project_staff)
        assessment.refresh_from_db()
        return assessment

    assessments = {
        Status.DRAFT: move(taken_back("gurjaani", "Gurjaani", "self", SELF_ANSWERS), "return"),
        Status.SUBMITTED: move(
            taken_back("kvareli", "Kvareli", "self", SELF_ANSWERS), "return", "submit"
        ),
        Status.REPLY: move(
            taken_back("lagodekhi", "Lagodekhi", "external", EXTERNAL_ANSWERS),
            "return",
            "submit",
            "open_reply",
        ),
        Status.REVIEW: taken_back("akhmeta", "Akhmeta", "external", EXTERNAL_ANSWERS),
    }
    for status, assessment in assessments.items():
        assert assessment.status == status
        assert assessment.snapshots.filter(is_current=True).exists()
    return assessments


def assert_no_hidden_score(page):
    for score in HIDDEN_SCORES:
        assert score not in page.text


def test_the_home_page_shows_no_unpublished_score_count_or_rank(visit, in_the_workflow):
    page = visit("/en/")

    assert_no_hidden_score(page)
    assert "Municipalities published 2 / 6" in page.text
    assert page.row("Telavi")[:3] == ["1", "Telavi", "80.0"]
    for name in ("Gurjaani", "Kvareli", "Lagodekhi", "Akhmeta"):
        assert page.row(name)[:3] == ["–", name, "–"]
    # The regional average is still Telavi's and Sighnaghi's: (80 + 57.5) ÷ 2.
    assert page.row("Regional average")[2] == "68.8"
    assert "B. Infrastructure — regional average 40.0" in page.text


def test_the_list_shows_no_unpublished_score_or_rank(visit, in_the_workflow):
    page = visit("/en/municipalities/?sort=-score")

    assert_no_hidden_score(page)
    assert page.row("Gurjaani")[:3] == ["–", "Gurjaani (not published)", "–"]
    assert page.row("Akhmeta")[:3] == ["–", "Akhmeta (not published)", "–"]
    assert page.row("Telavi")[:3] == ["1", "Telavi", "80.0"]


@pytest.mark.parametrize("slug", ["gurjaani", "kvareli", "lagodekhi", "akhmeta"])
def test_the_municipality_page_shows_no_unpublished_score(visit, in_the_workflow, slug):
    page = visit(f"/en/municipalities/{slug}/")

    assert page.status_code == 200
    assert_no_hidden_score(page)
    assert "No scorecard of this municipality has been published yet." in page.text


def test_a_published_municipality_s_page_still_counts_only_published_ranks(visit, in_the_workflow):
    page = visit("/en/municipalities/sighnaghi/")

    assert "Rank 2 / 2" in page.text
    assert page.row("B. Infrastructure") == ["B. Infrastructure", "40.0", "40.0"]


@pytest.mark.parametrize("kind", ["self", "external"])
def test_the_comparison_shows_no_unpublished_score(visit, in_the_workflow, kind):
    slugs = ["telavi", "gurjaani", "kvareli", "lagodekhi", "akhmeta"]
    page = visit(f"/en/compare/?kind={kind}&" + "&".join(f"m={slug}" for slug in slugs))

    assert_no_hidden_score(page)
    assert page.row("Overall score")[2:] == ["–", "–", "–", "–"]


def test_the_area_page_shows_no_unpublished_municipality(visit, in_the_workflow):
    page = visit("/en/areas/2021/B/")

    assert_no_hidden_score(page)
    assert page.row("Criterion or indicator") == ["Criterion or indicator", "Telavi", "Sighnaghi"]


def test_the_scorecard_ranks_count_only_published_assessments(visit, in_the_workflow):
    page = visit("/en/scorecards/2021/sighnaghi/")

    assert "Self-assessment 100.0 High rank 1" in page.text
    assert "External assessment 57.5 Developing rank 2" in page.text


@pytest.mark.parametrize("slug", ["gurjaani", "kvareli", "lagodekhi", "akhmeta"])
@pytest.mark.parametrize("lang", ["ka", "en"])
def test_an_unpublished_scorecard_is_not_found(visit, in_the_workflow, slug, lang):
    assert visit(f"/{lang}/scorecards/2021/{slug}/").status_code == 404
    assert visit(f"/{lang}/scorecards/2021/{slug}/data.csv").status_code == 404


def test_a_cycle_with_nothing_published_is_not_public(
    visit, telavi, methodology, publish, project_staff
):
    cycle_2022 = factories.cycle(2022, methodology, is_open=True)
    assessment = factories.assessment(telavi, cycle_2022, "self")
    publish(assessment, SELF_ANSWERS)
    services.move_assessment(assessment=assessment, action="correct", by=project_staff)

    assert visit("/en/areas/2022/A/").status_code == 404
    assert "No results have been published yet." in visit("/en/").text
    assert "2022" not in visit("/en/municipalities/").text
    assert "There are no published results for the cycle “2022”." in (
        visit("/en/compare/?cycle=2022").text
    )


def test_an_external_assessment_under_review_does_not_make_the_external_score_lead(
    visit, telavi, cycle_2021, cso, publish, project_staff
):
    publish(factories.assessment(telavi, cycle_2021, "self"), SELF_ANSWERS)
    external = factories.assessment(telavi, cycle_2021, "external", organization=cso)
    publish(external, EXTERNAL_ANSWERS)
    services.move_assessment(assessment=external, action="correct", by=project_staff)

    page = visit("/en/")

    assert "Scores of the self-assessment" in page.text
    assert page.row("Telavi")[:3] == ["1", "Telavi", "96.7"]
    assert "99.8" not in page.text
    assert '<option value="self" selected>' in visit("/en/compare/").html


# --- Evidence files ------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attach(assessment, code, name):
    response = assessment.responses.get(indicator__code=code)
    return EvidenceFile.objects.create(
        response=response, file=SimpleUploadedFile(name, b"%PDF-1.4 evidence"), title=name
    )


def test_a_published_assessment_s_evidence_file_is_served(client, visit, media, published_2021):
    document = attach(published_2021["telavi", "external"], "A.2.1", "villages.pdf")

    response = client.get(f"/en/evidence/{document.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")  # a PDF opens in the browser
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"
    assert (f"/en/evidence/{document.pk}/", "villages.pdf") in visit(
        "/en/scorecards/2021/telavi/"
    ).links


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.REPLY, Status.REVIEW])
def test_an_unpublished_assessment_s_evidence_file_is_not_found(
    client, media, in_the_workflow, status
):
    document = attach(in_the_workflow[status], "A.1.1", "internal.pdf")

    assert client.get(f"/en/evidence/{document.pk}/").status_code == 404
    assert client.get(f"/ka/evidence/{document.pk}/").status_code == 404


@pytest.mark.parametrize("name", ["findings.html", "chart.svg"])
def test_an_evidence_file_never_opens_as_a_page_of_the_site(client, media, published_2021, name):
    document = attach(published_2021["telavi", "external"], "A.2.1", name)

    response = client.get(f"/en/evidence/{document.pk}/")

    assert response.status_code == 200
    active = response["Content-Type"].split(";")[0] in ("text/html", "image/svg+xml")
    assert not active or response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_the_snapshots_of_assessments_in_the_workflow_really_exist(in_the_workflow):
    """What the tests above rely on: the hidden scores are there to leak, had the pages let them."""
    hidden = ScoreSnapshot.objects.filter(is_current=True).exclude(
        assessment__status=Status.PUBLISHED
    )
    assert {str(for_display(snapshot.overall)) for snapshot in hidden} == {"96.7", "99.8"}
