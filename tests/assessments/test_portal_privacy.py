"""Only published revisions are public: nothing that is still in the workflow shows.

Two cases. An assessment that was never published shows nowhere, whatever stage it is
in: four of them, each with a score no published assessment has, sit in draft,
submitted, the right of reply and review. An assessment that was published and is
being corrected keeps its last published revision public — its numbers, its texts and
its evidence files — until the corrected revision is published and replaces it.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import services
from assessments.models import EvidenceFile, Response, ScoreSnapshot
from assessments.scoring import for_display
from assessments.workflow import Status
from indicators.models import Indicator
from tests import factories

# Gurjaani's and Kvareli's self-assessments: A = 100, B = (6 − 20) ÷ (5 − 20) = 93.3 → 96.7.
SELF_ANSWERS = {"A.1.1": 1, "A.1.2": 3, "B.1.1": 6}
# Lagodekhi's and Akhmeta's external assessments: A = (100 + 99) ÷ 2 = 99.5, B = 100 → 99.8.
EXTERNAL_ANSWERS = {"A.1.1": 1, "A.2.1": 99, "B.1.1": 5}
HIDDEN_SCORES = ["96.7", "99.8", "99.5", "93.3"]


def answer_all(assessment, answers):
    for code, value in answers.items():
        factories.answer(assessment, code, value)


@pytest.fixture
def not_yet_published(published_2021, cycle_2021, cso, project_staff):
    """Gurjaani (draft), Kvareli (submitted), Lagodekhi (right of reply), Akhmeta (review):
    every indicator answered, nothing ever published."""

    def answered(slug, name, kind, answers):
        place = factories.municipality(slug, name, slug)
        organization = cso if kind == "external" else None
        assessment = factories.assessment(place, cycle_2021, kind, organization=organization)
        answer_all(assessment, answers)
        return assessment

    def submitted(assessment):
        return services.submit_assessment(assessment=assessment, by=project_staff)

    gurjaani = answered("gurjaani", "Gurjaani", "self", SELF_ANSWERS)
    kvareli = submitted(answered("kvareli", "Kvareli", "self", SELF_ANSWERS))
    lagodekhi = services.open_reply(
        assessment=submitted(answered("lagodekhi", "Lagodekhi", "external", EXTERNAL_ANSWERS)),
        by=project_staff,
        days=14,
    )
    akhmeta = services.move_assessment(
        assessment=submitted(answered("akhmeta", "Akhmeta", "external", EXTERNAL_ANSWERS)),
        action="start_review",
        by=project_staff,
    )
    assessments = {
        Status.DRAFT: gurjaani,
        Status.SUBMITTED: kvareli,
        Status.REPLY: lagodekhi,
        Status.REVIEW: akhmeta,
    }
    for status, assessment in assessments.items():
        assessment.refresh_from_db()
        assert assessment.status == status
    return assessments


def assert_no_hidden_score(page):
    for score in HIDDEN_SCORES:
        assert score not in page.text


# --- Never published ------------------------------------------------------------------------


def test_the_home_page_shows_no_unpublished_score_count_or_rank(visit, not_yet_published):
    page = visit("/en/")

    assert_no_hidden_score(page)
    assert "Municipalities published 2 / 6" in page.text
    assert page.row("Telavi")[:3] == ["1", "Telavi", "80.0"]
    for name in ("Gurjaani", "Kvareli", "Lagodekhi", "Akhmeta"):
        assert page.row(name)[:3] == ["–", name, "–"]
    # The regional average is still Telavi's and Sighnaghi's: (80 + 57.5) ÷ 2.
    assert page.row("Regional average")[2] == "68.8"
    assert "B. Infrastructure — regional average 40.0" in page.text


def test_the_list_shows_no_unpublished_score_or_rank(visit, not_yet_published):
    page = visit("/en/municipalities/?sort=-score")

    assert_no_hidden_score(page)
    assert page.row("Gurjaani")[:3] == ["–", "Gurjaani (not published)", "–"]
    assert page.row("Akhmeta")[:3] == ["–", "Akhmeta (not published)", "–"]
    assert page.row("Telavi")[:3] == ["1", "Telavi", "80.0"]


@pytest.mark.parametrize("slug", ["gurjaani", "kvareli", "lagodekhi", "akhmeta"])
def test_the_municipality_page_shows_no_unpublished_score(visit, not_yet_published, slug):
    page = visit(f"/en/municipalities/{slug}/")

    assert page.status_code == 200
    assert_no_hidden_score(page)
    assert "No scorecard of this municipality has been published yet." in page.text


def test_a_published_municipality_s_page_still_counts_only_published_ranks(
    visit, not_yet_published
):
    page = visit("/en/municipalities/sighnaghi/")

    assert "Rank 2 / 2" in page.text
    assert page.row("B. Infrastructure") == ["B. Infrastructure", "40.0", "40.0"]


@pytest.mark.parametrize("kind", ["self", "external"])
def test_the_comparison_shows_no_unpublished_score(visit, not_yet_published, kind):
    slugs = ["telavi", "gurjaani", "kvareli", "lagodekhi", "akhmeta"]
    page = visit(f"/en/compare/?kind={kind}&" + "&".join(f"m={slug}" for slug in slugs))

    assert_no_hidden_score(page)
    assert page.row("Overall score")[2:] == ["–", "–", "–", "–"]


def test_the_area_page_shows_no_unpublished_municipality(visit, not_yet_published):
    page = visit("/en/areas/2021/B/")

    assert_no_hidden_score(page)
    assert page.row("Criterion or indicator") == ["Criterion or indicator", "Telavi", "Sighnaghi"]


def test_the_scorecard_ranks_count_only_published_assessments(visit, not_yet_published):
    page = visit("/en/scorecards/2021/sighnaghi/?show=all")

    assert "Self-assessment 100.0 High rank 1" in page.text
    assert "External assessment 57.5 Developing rank 2" in page.text


@pytest.mark.parametrize("slug", ["gurjaani", "kvareli", "lagodekhi", "akhmeta"])
@pytest.mark.parametrize("lang", ["ka", "en"])
def test_an_unpublished_scorecard_is_not_found(visit, not_yet_published, slug, lang):
    assert visit(f"/{lang}/scorecards/2021/{slug}/").status_code == 404
    assert visit(f"/{lang}/scorecards/2021/{slug}/data.csv").status_code == 404


def test_a_cycle_with_nothing_published_is_not_public(visit, telavi, methodology, project_staff):
    cycle_2022 = factories.cycle(2022, methodology, is_open=True)
    assessment = factories.assessment(telavi, cycle_2022, "self")
    answer_all(assessment, SELF_ANSWERS)
    assessment = services.submit_assessment(assessment=assessment, by=project_staff)
    services.move_assessment(assessment=assessment, action="start_review", by=project_staff)

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
    answer_all(external, EXTERNAL_ANSWERS)
    external = services.submit_assessment(assessment=external, by=project_staff)
    services.move_assessment(assessment=external, action="start_review", by=project_staff)

    page = visit("/en/")

    assert "Scores of the self-assessment" in page.text
    assert page.row("Telavi")[:3] == ["1", "Telavi", "96.7"]
    assert "99.8" not in page.text
    assert '<option value="self" selected>' in visit("/en/compare/").html


def test_the_hidden_scores_are_really_there_to_leak(not_yet_published):
    """What the tests above rely on: had the pages scored the live answers, they would show."""
    live = {str(for_display(a.score().overall)) for a in not_yet_published.values()}

    assert live == {"96.7", "99.8"}
    assert not ScoreSnapshot.objects.filter(assessment__in=not_yet_published.values()).exists()


# --- A correction under way -----------------------------------------------------------------
#
# Telavi's external assessment was published at 80.0, with A.2.1 at 60 % ("We visited
# 12 of 20 villages"). The correction raises A.2.1 to 70 % (14 of 20 villages) and
# rewrites the municipality's reply: A = (100 + 70) ÷ 2 = 85.0.

PUBLISHED_ANSWER = (
    "External assessment 60% Score: 60.0 / 100 Evidence: We visited 12 of 20 villages"
    " The municipality's reply: The other villages join in 2022"
)
CORRECTED_ANSWER = (
    "External assessment 70% Score: 70.0 / 100 Evidence: We visited 14 of 20 villages"
    " The municipality's reply: The last six villages join in 2023"
)
# How far the correction has gone, and the status that leaves the assessment in.
CORRECTION_STAGES = {
    "taken back": Status.REVIEW,
    "returned, answers changed": Status.DRAFT,
    "resubmitted": Status.SUBMITTED,
    "reply rewritten": Status.REPLY,
    "ready to publish": Status.REVIEW,
}


def change_answer(assessment, code, *, by, **fields):
    """Save an answer as its owner would in their form."""
    response = assessment.responses.get(indicator__code=code)
    for name, value in fields.items():
        setattr(response, name, value)
    response._history_user = by
    response.save()


@pytest.fixture
def correct(published_2021, project_staff, cso_monitor, telavi_staff):
    """Take Telavi's external assessment back and carry the correction up to a stage.

    The project staff take it back (review) and return it with a comment (draft); the
    CSO monitor changes A.2.1 and resubmits; the project staff open the right of reply,
    where the Telavi staff member rewrites the reply, and then close it (review).
    """
    external = published_2021["telavi", "external"]

    def correct(until):
        services.move_assessment(assessment=external, action="correct", by=project_staff)
        if until == "taken back":
            return external
        services.return_assessment(
            assessment=external,
            by=project_staff,
            comments=[(Indicator.objects.get(code="A.2.1").pk, "Two more villages were visited.")],
        )
        change_answer(
            external,
            "A.2.1",
            by=cso_monitor,
            value=70,
            evidence="მოვინახულეთ 14 სოფელი 20-დან",
            evidence_en="We visited 14 of 20 villages",
        )
        if until == "returned, answers changed":
            return external
        services.submit_assessment(assessment=external, by=cso_monitor)
        if until == "resubmitted":
            return external
        services.open_reply(assessment=external, by=project_staff, days=14)
        change_answer(
            external,
            "A.2.1",
            by=telavi_staff,
            reply="ბოლო ექვსი სოფელი 2023 წელს ჩაერთვება",
            reply_en="The last six villages join in 2023",
        )
        if until == "reply rewritten":
            return external
        services.move_assessment(assessment=external, action="close_reply", by=telavi_staff)
        return external

    return correct


@pytest.mark.parametrize("stage", CORRECTION_STAGES)
def test_a_correction_under_way_leaves_the_published_scorecard_as_it_was(visit, correct, stage):
    external = correct(until=stage)
    external.refresh_from_db()
    assert external.status == CORRECTION_STAGES[stage]

    english = visit("/en/scorecards/2021/telavi/?show=all")
    georgian = visit("/ka/scorecards/2021/telavi/?show=all")

    assert english.status_code == 200
    assert "External assessment 80.0 High rank 1" in english.text
    assert PUBLISHED_ANSWER in english.text
    assert "მოვინახულეთ 12 სოფელი 20-დან" in georgian.text
    assert "Corrected" not in english.text


@pytest.mark.parametrize("stage", CORRECTION_STAGES)
def test_the_changed_answers_of_a_correction_do_not_show(visit, correct, stage):
    correct(until=stage)

    english = visit("/en/scorecards/2021/telavi/?show=all")
    georgian = visit("/ka/scorecards/2021/telavi/?show=all")

    for text in ("85.0", "70%", "14 of 20 villages", "The last six villages join in 2023"):
        assert text not in english.text
    for text in ("14 სოფელი", "ბოლო ექვსი სოფელი"):
        assert text not in georgian.text


def test_a_correction_under_way_changes_no_number_on_the_other_pages(client, visit, correct):
    correct(until="ready to publish")

    home = visit("/en/")
    assert "Municipalities published 2 / 2" in home.text
    assert home.row("Telavi")[:3] == ["1", "Telavi", "80.0"]
    assert visit("/en/municipalities/").row("Telavi")[:3] == ["1", "Telavi", "80.0"]
    area = visit("/en/areas/2021/A/")
    assert area.row("Area score") == ["Area score", "★ best: 80.0 High", "75.0 Good"]
    assert area.row("A.2.1") == ["A.2.1 Indicator A.2.1", "★ best: 60.0 Good", "50.0 Developing"]
    rows = client.get("/en/scorecards/2021/telavi/data.csv").content.decode().splitlines()
    assert [row for row in rows if ",A.2.1," in row] == [
        "A,A.2,A.2.1,Indicator A.2.1,External assessment,60%,60,no,60.00,60.00,80.00,"
        "We visited 12 of 20 villages"
    ]


def test_a_cycle_whose_only_assessment_is_being_corrected_stays_public(
    visit, telavi, methodology, publish, project_staff
):
    cycle_2022 = factories.cycle(2022, methodology, is_open=True)
    assessment = factories.assessment(telavi, cycle_2022, "self")
    publish(assessment, SELF_ANSWERS)
    services.move_assessment(assessment=assessment, action="correct", by=project_staff)

    assert visit("/en/areas/2022/A/").status_code == 200
    assert visit("/en/").row("Telavi")[:3] == ["1", "Telavi", "96.7"]
    assert visit("/en/scorecards/2022/telavi/").status_code == 200


def test_the_corrected_revision_replaces_the_published_one_with_its_note(
    visit, correct, project_staff
):
    external = correct(until="ready to publish")
    services.publish_assessment(
        assessment=external,
        by=project_staff,
        note_ka="A.2.1 შესწორდა: 14 სოფელი, 70%",
        note_en="A.2.1 corrected: 14 villages, 70%",
    )

    english = visit("/en/scorecards/2021/telavi/?show=all")
    georgian = visit("/ka/scorecards/2021/telavi/?show=all")

    # A = (100 + 70) ÷ 2
    assert "External assessment 85.0 High rank 1" in english.text
    assert "Corrected (revision 2, " in english.text
    assert "A.2.1 corrected: 14 villages, 70%" in english.text
    assert CORRECTED_ANSWER in english.text
    assert PUBLISHED_ANSWER not in english.text
    assert "A.2.1 შესწორდა: 14 სოფელი, 70%" in georgian.text
    assert "მოვინახულეთ 14 სოფელი 20-დან" in georgian.text
    assert visit("/en/").row("Telavi")[:3] == ["1", "Telavi", "85.0"]


# --- Evidence files ------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = settings.PRIVATE_ROOT = tmp_path
    return tmp_path


def attach(assessment, code, name):
    """Upload an evidence file to an answer (made empty if it is not there yet)."""
    response, _created = Response.objects.get_or_create(
        assessment=assessment, indicator=assessment.indicators().get(code=code)
    )
    return EvidenceFile.objects.create(
        response=response, file=SimpleUploadedFile(name, b"%PDF-1.4 evidence"), title=name
    )


@pytest.fixture
def telavi_external_2021(telavi, cycle_2021, cso):
    """Telavi's external assessment, before anything is published."""
    return factories.assessment(telavi, cycle_2021, "external", organization=cso)


def test_a_published_assessment_s_evidence_file_is_served(
    client, visit, media, telavi_external_2021, publish
):
    document = attach(telavi_external_2021, "A.2.1", "villages.pdf")
    publish(telavi_external_2021, EXTERNAL_ANSWERS)

    response = client.get(f"/en/evidence/{document.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")  # a PDF opens in the browser
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"
    assert (f"/en/evidence/{document.pk}/", "villages.pdf") in visit(
        "/en/scorecards/2021/telavi/?show=all"
    ).links


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.REPLY, Status.REVIEW])
def test_an_unpublished_assessment_s_evidence_file_is_not_found(
    citizen, media, not_yet_published, status
):
    document = attach(not_yet_published[status], "A.1.1", "internal.pdf")

    assert citizen.get(f"/en/evidence/{document.pk}/").status_code == 404
    assert citizen.get(f"/ka/evidence/{document.pk}/").status_code == 404


def test_the_assessment_s_own_people_open_its_unpublished_evidence_file_privately(
    client, media, not_yet_published, cso_monitor, sighnaghi_staff
):
    # Lagodekhi's external assessment is assigned to the CSO monitor's organization.
    document = attach(not_yet_published[Status.REPLY], "A.2.1", "internal.pdf")

    client.force_login(cso_monitor)
    response = client.get(f"/en/evidence/{document.pk}/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]

    client.force_login(sighnaghi_staff)
    assert client.get(f"/en/evidence/{document.pk}/").status_code == 404


def test_a_file_added_during_a_correction_is_not_found_until_it_is_republished(
    client,
    visit,
    media,
    telavi_external_2021,
    publish,
    project_staff,
    cso_monitor,
    django_capture_on_commit_callbacks,
):
    external = telavi_external_2021
    published = attach(external, "A.2.1", "villages.pdf")
    publish(external, EXTERNAL_ANSWERS)
    services.move_assessment(assessment=external, action="correct", by=project_staff)
    services.return_assessment(
        assessment=external, by=project_staff, comments=[], note="Add the 2021 report."
    )
    added = attach(external, "A.2.1", "report-2021.pdf")

    assert client.get(f"/en/evidence/{added.pk}/").status_code == 404
    assert client.get(f"/en/evidence/{published.pk}/").status_code == 200
    links = visit("/en/scorecards/2021/telavi/?show=all").links
    assert (f"/en/evidence/{published.pk}/", "villages.pdf") in links
    assert (f"/en/evidence/{added.pk}/", "report-2021.pdf") not in links
    client.force_login(cso_monitor)
    assert client.get(f"/en/evidence/{added.pk}/").status_code == 200
    client.logout()

    services.submit_assessment(assessment=external, by=cso_monitor)
    services.move_assessment(assessment=external, action="start_review", by=project_staff)
    with django_capture_on_commit_callbacks(execute=True):  # so the page cache is cleared
        services.publish_assessment(
            assessment=external,
            by=project_staff,
            note_ka="დაემატა 2021 წლის ანგარიში",
            note_en="The 2021 report was added",
        )

    assert client.get(f"/en/evidence/{added.pk}/").status_code == 200
    assert (f"/en/evidence/{added.pk}/", "report-2021.pdf") in visit(
        "/en/scorecards/2021/telavi/?show=all"
    ).links


@pytest.mark.parametrize("name", ["findings.html", "chart.svg"])
def test_an_evidence_file_never_opens_as_a_page_of_the_site(
    client, media, telavi_external_2021, publish, name
):
    document = attach(telavi_external_2021, "A.2.1", name)
    publish(telavi_external_2021, EXTERNAL_ANSWERS)

    response = client.get(f"/en/evidence/{document.pk}/")

    assert response.status_code == 200
    active = response["Content-Type"].split(";")[0] in ("text/html", "image/svg+xml")
    assert not active or response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_the_revisions_page_says_what_each_correction_changed(visit, correct, project_staff):
    external = correct(until="ready to publish")
    services.publish_assessment(
        assessment=external,
        by=project_staff,
        note_ka="A.2.1 შესწორდა: 14 სოფელი, 70%",
        note_en="A.2.1 corrected: 14 villages, 70%",
    )

    page = visit("/en/scorecards/2021/telavi/revisions/")
    georgian = visit("/ka/scorecards/2021/telavi/revisions/")

    assert "External assessment: what revision 2 changed" in page.text
    # Indicator, before (answer and score), after (answer and score).
    assert (
        "A.2.1 Indicator A.2.1 The evidence, reason or reply was rewritten. 60% 60.0 70% 70.0"
        in (page.text)
    )
    assert "A.1.1" not in page.text.split("what revision 2 changed")[1]  # unchanged answers
    assert "60% 60,0 70% 70,0" in georgian.text
