"""Publishing quickly: one publication reads the methodology and the answers once and writes
each level of scores with one insert; project staff may publish a cycle's assessments
together, all or nothing, from the admin's list."""

import threading
import time
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from assessments import services
from assessments.models import AnswerTexts, Assessment, Response, ScoreSnapshot
from assessments.workflow import Status, TransitionNotAllowed
from tests import factories
from tests.assessments.conftest import bring_to

CHANGELIST = reverse("admin:assessments_assessment_changelist")


def under_review(assessment, by):
    return bring_to(assessment, Status.REVIEW, by=by)


def with_texts(assessment):
    """Every answer with words in every text field, so that freezing them is checked too."""
    for response in Response.objects.filter(assessment=assessment):
        for name in AnswerTexts.TEXT_FIELDS:
            setattr(response, name, f"{name} of {response.indicator.code}")
        response.save()
    return assessment


def stored_rows(snapshot):
    """What a revision froze, without the ids that differ between two snapshots."""
    return {
        "overall": snapshot.overall,
        "coverage": snapshot.coverage,
        "areas": {s.area.code: s.score for s in snapshot.areas.select_related("area")},
        "criteria": {
            s.criterion.code: s.score for s in snapshot.criteria.select_related("criterion")
        },
        "indicators": {
            s.indicator.code: (
                s.value,
                s.is_na,
                s.normalised,
                *(
                    getattr(s, name).replace("Sighnaghi", "Telavi")
                    for name in AnswerTexts.TEXT_FIELDS
                ),
            )
            for s in snapshot.indicators.select_related("indicator")
        },
    }


@pytest.fixture
def two_externals(telavi_external, sighnaghi_external, project_staff):
    for assessment in (telavi_external, sighnaghi_external):
        with_texts(under_review(assessment, project_staff))
    return [telavi_external, sighnaghi_external]


def test_publishing_together_stores_the_same_rows_as_publishing_one_by_one(
    telavi_external, sighnaghi_external, project_staff
):
    # The same answers and texts in two assessments: one published alone, one in a batch.
    for assessment in (telavi_external, sighnaghi_external):
        under_review(assessment, project_staff)
        with_texts(assessment)
        factories.answer(assessment, "A.2.1", 37.5)

    alone = services.publish_assessment(assessment=telavi_external, by=project_staff)
    (together,) = services.publish_assessments(assessments=[sighnaghi_external], by=project_staff)

    assert stored_rows(together) == stored_rows(alone)
    # External answers A.1.1 yes, A.2.1 37.5%, B.1.1 8 days (worst 20, best 5): 0.8.
    assert stored_rows(alone)["criteria"] == {"A.1": D(100), "A.2": D("37.5"), "B.1": D(80)}
    assert stored_rows(alone)["indicators"]["A.2.1"][:3] == (D("37.5"), False, D("0.375"))
    assert stored_rows(alone)["indicators"]["B.1.1"][3:] == tuple(
        f"{name} of B.1.1" for name in AnswerTexts.TEXT_FIELDS
    )


def test_a_publication_takes_a_fixed_handful_of_queries(
    telavi_external, project_staff, methodology, django_assert_num_queries
):
    under_review(telavi_external, project_staff)
    # Lock, methodology (3), answers, earlier revision, revision, three levels of scores,
    # status and its history, the history's id for the e-mail's key, and the savepoint.
    with django_assert_num_queries(15):
        services.publish_assessment(assessment=telavi_external, by=project_staff, render=False)


def test_publishing_a_cycle_together_takes_as_many_queries_as_publishing_one(
    telavi_self, telavi_external, sighnaghi_self, sighnaghi_external, project_staff,
    django_assert_num_queries,
):  # fmt: skip
    everything = [telavi_self, telavi_external, sighnaghi_self, sighnaghi_external]
    for assessment in everything:
        under_review(assessment, project_staff)

    # Lock, corrections, answers, each kind's methodology (2 × 3), revisions, three levels
    # of scores, statuses and their history, and the savepoint around them.
    with django_assert_num_queries(17):
        snapshots = services.publish_assessments(
            assessments=everything, by=project_staff, render=False
        )

    assert [s.revision for s in snapshots] == [1, 1, 1, 1]
    for assessment in everything:
        assessment.refresh_from_db()
        assert assessment.status == Status.PUBLISHED and assessment.published_at is not None
        assert assessment.snapshots.get().is_current
        latest = assessment.history.latest()
        assert (latest.history_change_reason, latest.history_user) == ("publish", project_staff)


def test_it_tells_each_municipality_once_its_assessment_is_published_together(
    two_externals, project_staff, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        services.send_notification, "delay_on_commit", lambda **kwargs: queued.append(kwargs)
    )
    services.publish_assessments(assessments=two_externals, by=project_staff, render=False)

    assert [(q["event"], q["assessment_id"]) for q in queued] == [
        ("published", a.pk) for a in sorted(two_externals, key=lambda a: a.pk)
    ]
    for q in queued:
        history_id = services.Assessment.objects.get(pk=q["assessment_id"]).history.latest()
        assert q["key"] == f"published:{q['assessment_id']}:{history_id.history_id}"


def test_it_rejects_publishing_together_by_anyone_but_project_staff(two_externals, telavi_staff):
    with pytest.raises(TransitionNotAllowed):
        services.publish_assessments(assessments=two_externals[:1], by=telavi_staff)
    assert not ScoreSnapshot.objects.exists()


def test_it_publishes_nothing_when_one_is_not_under_review(
    two_externals, sighnaghi_self, project_staff
):
    with pytest.raises(TransitionNotAllowed):
        services.publish_assessments(assessments=[*two_externals, sighnaghi_self], by=project_staff)
    assert not ScoreSnapshot.objects.exists()
    assert {a.status for a in services.Assessment.objects.all()} == {Status.REVIEW, Status.DRAFT}


def test_it_publishes_nothing_when_one_is_incomplete(two_externals, project_staff):
    telavi, sighnaghi = two_externals
    sighnaghi.responses.get(indicator__code="A.2.1").delete()

    with translation.override("en"), pytest.raises(ValidationError, match="Incomplete: Sighnaghi"):
        services.publish_assessments(assessments=two_externals, by=project_staff)

    assert not ScoreSnapshot.objects.exists()
    telavi.refresh_from_db()
    assert telavi.status == Status.REVIEW


def test_it_leaves_a_correction_to_be_published_on_its_own(two_externals, project_staff):
    telavi, sighnaghi = two_externals
    services.publish_assessment(assessment=telavi, by=project_staff)
    services.move_assessment(assessment=telavi, action="correct", by=project_staff)

    with translation.override("en"), pytest.raises(ValidationError, match="correction"):
        services.publish_assessments(assessments=two_externals, by=project_staff)

    assert list(ScoreSnapshot.objects.values_list("assessment", "revision")) == [(telavi.pk, 1)]
    sighnaghi.refresh_from_db()
    assert sighnaghi.status == Status.REVIEW


def test_a_failed_batch_leaves_every_status_unchanged(two_externals, project_staff, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "_store_scores", broken)
    with pytest.raises(RuntimeError):
        services.publish_assessments(assessments=two_externals, by=project_staff)

    assert not ScoreSnapshot.objects.exists()
    assert {a.status for a in services.Assessment.objects.all()} == {Status.REVIEW}


# --- The admin's action -------------------------------------------------------------------


def publish_selected(browser, assessments, **extra):
    data = {"action": "publish_selected", "_selected_action": [a.pk for a in assessments]}
    return browser.post(CHANGELIST, data | extra, follow=bool(extra))


def test_project_staff_confirm_then_publish_the_selected_assessments(
    two_externals, project_staff, browser_of
):
    browser = browser_of(project_staff, "en")

    confirmation = publish_selected(browser, two_externals)

    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert "Publish the selected assessments" in page
    assert "Telavi 2022 – External assessment" in page and "Yes, publish them" in page
    assert not ScoreSnapshot.objects.exists()

    done = publish_selected(browser, two_externals, confirmed="yes")

    assert "Published 2 assessments." in done.content.decode()
    assert ScoreSnapshot.objects.filter(is_current=True).count() == 2


def test_the_confirmation_names_what_cannot_be_published(
    two_externals, sighnaghi_self, project_staff, browser_of
):
    page = publish_selected(browser_of(project_staff, "en"), [*two_externals, sighnaghi_self])

    text = page.content.decode()
    assert "Sighnaghi 2022 – Self-assessment</a>: It is not under review." in text
    assert "Yes, publish them" not in text


def test_a_refused_batch_says_why_and_publishes_nothing(
    two_externals, sighnaghi_self, project_staff, browser_of
):
    selected = [*two_externals, sighnaghi_self]
    done = publish_selected(browser_of(project_staff, "en"), selected, confirmed="yes")

    assert "Nothing was published" in done.content.decode()
    assert not ScoreSnapshot.objects.exists()


def test_a_batch_takes_as_many_queries_for_two_assessments_as_for_four(
    telavi_self, telavi_external, sighnaghi_self, sighnaghi_external, project_staff
):
    from django.test.utils import CaptureQueriesContext

    def queries(assessments):
        for assessment in assessments:
            under_review(assessment, project_staff)
        with CaptureQueriesContext(connection) as captured:
            services.publish_assessments(assessments=assessments, by=project_staff, render=False)
        return len(captured)

    two = queries([telavi_external, sighnaghi_external])
    four = queries([telavi_self, sighnaghi_self])  # the other kind: its own methodology reads

    assert two == four


def test_municipal_staff_are_not_offered_the_action(two_externals, telavi_staff, browser_of):
    page = browser_of(telavi_staff, "en").get(CHANGELIST)

    assert page.status_code == 200
    assert b"publish_selected" not in page.content


@pytest.mark.django_db(transaction=True)
def test_a_batch_and_a_single_step_on_one_of_its_assessments_do_not_deadlock(
    telavi_self, telavi_external, sighnaghi_external, project_staff
):
    """The batch waits for an assessment a form save holds, while a single publication of
    a later one starts: whichever goes first, the other is refused or waits, and PostgreSQL
    never has to break a deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    everything = sorted([telavi_self, telavi_external, sighnaghi_external], key=lambda a: a.pk)
    for assessment in everything:
        under_review(assessment, project_staff)
    _first, middle, last = everything
    release = threading.Event()
    results = {}

    def run(name, work):
        try:
            work()
            results[name] = "ok"
        except Exception as error:  # the outcome is what the test reads
            results[name] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    def holder():  # a form save holds the middle one, as answers/forms.py locks it
        with transaction.atomic():
            Assessment.objects.select_for_update().get(pk=middle.pk)
            release.wait(10)

    steps = [
        ("holder", holder),
        ("batch", lambda: services.publish_assessments(
            assessments=everything, by=project_staff, render=False, notify=False)),
        ("single", lambda: services.publish_assessment(
            assessment=last, by=project_staff, render=False, notify=False)),
    ]  # fmt: skip
    threads = []
    for name, work in steps:
        thread = threading.Thread(target=run, args=(name, work))
        thread.start()
        threads.append(thread)
        time.sleep(0.5)
    release.set()
    for thread in threads:
        thread.join(30)

    assert "deadlock" not in str(results), results
    assert results["holder"] == "ok" and results["single"] == "ok", results
    last.refresh_from_db()
    assert last.status == Status.PUBLISHED


def test_a_crafted_post_of_the_action_by_municipal_staff_publishes_nothing(
    two_externals, telavi_staff, browser_of
):
    publish_selected(browser_of(telavi_staff, "en"), two_externals[:1], confirmed="yes")

    assert not ScoreSnapshot.objects.exists()
