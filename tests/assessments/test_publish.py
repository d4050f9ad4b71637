"""Submitting and publishing: the score snapshot, with each answer's texts, is frozen in one
transaction."""

from decimal import Decimal as D
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from assessments import services
from assessments.models import AnswerTexts, ScoreSnapshot
from assessments.workflow import Status, TransitionNotAllowed
from tests import factories


@pytest.fixture
def telavi_self_2021(telavi, cycle_2021):
    """Telavi's complete self-assessment, under review."""
    assessment = factories.assessment(telavi, cycle_2021, "self")
    factories.answer(assessment, "A.1.1", 1)
    factories.answer(assessment, "A.1.2", 2)
    factories.answer(assessment, "B.1.1", is_na=True, na_reason="No such service")
    assessment.status = Status.REVIEW
    assessment.save()
    return assessment


def test_publishing_freezes_every_level_of_the_score(telavi_self_2021, project_staff):
    snapshot = services.publish_assessment(assessment=telavi_self_2021, by=project_staff)

    # A.1 = 100 × (1 + 2/3) ÷ 2 = 83.3333; A.2 has no self-answered indicator; B.1 is N/A.
    assert snapshot.revision == 1
    assert snapshot.overall == D("83.3333")
    assert {a.area.code: a.score for a in snapshot.areas.all()} == {"A": D("83.3333"), "B": None}
    criteria = {c.criterion.code: c.score for c in snapshot.criteria.all()}
    assert criteria == {"A.1": D("83.3333"), "A.2": None, "B.1": None}
    indicators = {i.indicator.code: (i.normalised, i.is_na) for i in snapshot.indicators.all()}
    assert indicators == {
        "A.1.1": (D("1"), False),
        "A.1.2": (D("0.666667"), False),
        "B.1.1": (None, True),
    }
    telavi_self_2021.refresh_from_db()
    assert telavi_self_2021.status == Status.PUBLISHED
    assert telavi_self_2021.published_at is not None


def test_it_refuses_to_publish_with_missing_answers(telavi_self_2021, project_staff):
    telavi_self_2021.responses.get(indicator__code="A.1.2").delete()

    with pytest.raises(ValidationError, match="A.1.2"):
        services.publish_assessment(assessment=telavi_self_2021, by=project_staff)

    telavi_self_2021.refresh_from_db()
    assert telavi_self_2021.status == Status.REVIEW
    assert not ScoreSnapshot.objects.exists()


def test_a_failed_snapshot_leaves_the_status_unchanged(telavi_self_2021, project_staff):
    with (
        mock.patch("assessments.services.IndicatorScore.objects.bulk_create", side_effect=OSError),
        pytest.raises(OSError),
    ):
        services.publish_assessment(assessment=telavi_self_2021, by=project_staff)

    telavi_self_2021.refresh_from_db()
    assert telavi_self_2021.status == Status.REVIEW
    assert not ScoreSnapshot.objects.exists()


def test_it_rejects_publishing_by_anyone_but_project_staff(telavi_self_2021, telavi_staff):
    with pytest.raises(TransitionNotAllowed):
        services.publish_assessment(assessment=telavi_self_2021, by=telavi_staff)
    assert not ScoreSnapshot.objects.exists()


def texts_of(answer):
    """The words of an answer (a Response or a published IndicatorScore), by field."""
    return {name: getattr(answer, name) for name in AnswerTexts.TEXT_FIELDS}


def test_publishing_copies_each_answer_s_texts_into_the_revision(telavi_self_2021, project_staff):
    response = telavi_self_2021.responses.get(indicator__code="A.1.2")
    response.evidence = "სტანდარტი მიღებულია საკრებულოს მიერ"
    response.evidence_en = "The standard was adopted by the council"
    response.links = "https://telavi.gov.ge/standard"
    response.save()

    snapshot = services.publish_assessment(assessment=telavi_self_2021, by=project_staff)

    frozen = {
        score.indicator.code: texts_of(score)
        for score in snapshot.indicators.select_related("indicator")
    }
    answers = telavi_self_2021.responses.select_related("indicator")
    assert frozen == {r.indicator.code: texts_of(r) for r in answers}
    assert frozen["A.1.2"]["evidence_en"] == "The standard was adopted by the council"
    assert frozen["A.1.2"]["links"] == "https://telavi.gov.ge/standard"
    assert frozen["B.1.1"]["na_reason"] == "No such service"


def test_editing_an_answer_after_publication_leaves_the_revision_unchanged(
    telavi_self_2021, project_staff, telavi_staff
):
    published = services.publish_assessment(assessment=telavi_self_2021, by=project_staff)
    services.move_assessment(assessment=telavi_self_2021, action="correct", by=project_staff)
    services.return_assessment(
        assessment=telavi_self_2021, by=project_staff, comments=[], note="Check A.1.2."
    )
    response = telavi_self_2021.responses.get(indicator__code="A.1.2")
    response.value = D(3)
    response.evidence = "სტანდარტი გამოიყენება"
    response.evidence_en = "The standard is applied"
    response._history_user = telavi_staff
    response.save()

    frozen = published.indicators.get(indicator__code="A.1.2")
    assert (frozen.value, frozen.normalised) == (D(2), D("0.666667"))
    assert (frozen.evidence, frozen.evidence_en) == ("", "")
    published.refresh_from_db()
    assert (published.is_current, published.overall) == (True, D("83.3333"))


def test_a_correction_is_a_new_revision_with_a_public_note(
    telavi_self_2021, project_staff, telavi_staff
):
    first = services.publish_assessment(assessment=telavi_self_2021, by=project_staff)
    services.move_assessment(assessment=telavi_self_2021, action="correct", by=project_staff)
    services.return_assessment(
        assessment=telavi_self_2021, by=project_staff, comments=[], note="A.1.2 is applied now."
    )
    factories.answer(telavi_self_2021, "A.1.2", 3)
    services.submit_assessment(assessment=telavi_self_2021, by=telavi_staff)
    services.move_assessment(assessment=telavi_self_2021, action="start_review", by=project_staff)
    # Until the correction is published, the first revision stays the public one.
    assert list(ScoreSnapshot.objects.current()) == [first]

    with translation.override("en"), pytest.raises(ValidationError, match="public note"):
        services.publish_assessment(assessment=telavi_self_2021, by=project_staff)
    second = services.publish_assessment(
        assessment=telavi_self_2021,
        by=project_staff,
        note_ka="შესწორდა A.1.2",
        note_en="A.1.2 corrected",
    )

    first.refresh_from_db()
    assert (first.revision, first.is_current, first.overall) == (1, False, D("83.3333"))
    assert (second.revision, second.is_current, second.overall) == (2, True, D("100"))
    assert list(ScoreSnapshot.objects.current()) == [second]


def test_submitting_needs_every_indicator_answered_or_not_applicable(
    telavi, cycle_2021, telavi_staff
):
    assessment = factories.assessment(telavi, cycle_2021, "self")
    factories.answer(assessment, "A.1.1", 0)

    with pytest.raises(ValidationError, match="A.1.2, B.1.1"):
        services.submit_assessment(assessment=assessment, by=telavi_staff)

    factories.answer(assessment, "A.1.2", 0)
    factories.answer(assessment, "B.1.1", 12)
    services.submit_assessment(assessment=assessment, by=telavi_staff)
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED


def test_it_rejects_a_submission_by_another_municipality(telavi, cycle_2021, sighnaghi_staff):
    assessment = factories.assessment(telavi, cycle_2021, "self")
    with pytest.raises(TransitionNotAllowed):
        services.submit_assessment(assessment=assessment, by=sighnaghi_staff)


def test_the_history_of_a_response_keeps_old_and_new_values(telavi, cycle_2021, telavi_staff):
    assessment = factories.assessment(telavi, cycle_2021, "self")
    response = factories.answer(assessment, "A.1.2", 1)
    response.value = D(3)
    response._history_user = telavi_staff
    response.save()

    latest, first = response.history.all()[:2]
    assert (first.value, latest.value) == (D(1), D(3))
    assert latest.history_user == telavi_staff
    assert latest.diff_against(first).changed_fields == ["value"]
