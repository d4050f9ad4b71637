"""The workflow, through the services: every transition from every state, the right of
reply and its deadline, returning with comments, and a publish that is all or nothing.

draft → submitted → reply (external only) → review → published; review → draft (return);
published → review (a correction).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from assessments import services
from assessments.models import AreaScore, IndicatorScore, ReviewComment, ScoreSnapshot
from assessments.workflow import Status, TransitionNotAllowed
from indicators.models import Indicator
from tests import factories
from tests.assessments.conftest import answer_all, bring_to

ACTIONS = ["submit", "open_reply", "close_reply", "start_review", "return", "publish", "correct"]

# What project staff (who may make every transition of the table) can do from each state.
ALLOWED = {
    "self": {
        Status.DRAFT: {"submit": Status.SUBMITTED},
        Status.SUBMITTED: {"start_review": Status.REVIEW},
        Status.REVIEW: {"return": Status.DRAFT, "publish": Status.PUBLISHED},
        Status.PUBLISHED: {"correct": Status.REVIEW},
    },
    "external": {
        Status.DRAFT: {"submit": Status.SUBMITTED},
        Status.SUBMITTED: {"open_reply": Status.REPLY, "start_review": Status.REVIEW},
        Status.REPLY: {"close_reply": Status.REVIEW},
        Status.REVIEW: {"return": Status.DRAFT, "publish": Status.PUBLISHED},
        Status.PUBLISHED: {"correct": Status.REVIEW},
    },
}


def every_transition():
    for kind, states in ALLOWED.items():
        for state, allowed in states.items():
            for action in ACTIONS:
                target = allowed.get(action)
                word = f"to-{target}" if target else "refused"
                yield pytest.param(
                    kind, state, action, target, id=f"{kind}-{state}-{action}-{word}"
                )


def perform(action, assessment, by):
    """Make a transition through the service that carries it out."""
    if action == "submit":
        return services.submit_assessment(assessment=assessment, by=by, notify=False)
    if action == "open_reply":
        return services.open_reply(assessment=assessment, by=by, days=10, notify=False)
    if action == "return":
        indicator = assessment.indicators().get(code="A.1.1")
        return services.return_assessment(
            assessment=assessment, by=by, comments=[(indicator.pk, "Attach the minutes.")]
        )
    if action == "publish":
        return services.publish_assessment(
            assessment=assessment, by=by, note_ka="შესწორება", note_en="A correction"
        )
    return services.move_assessment(assessment=assessment, action=action, by=by)


@pytest.mark.parametrize(("kind", "state", "action", "target"), list(every_transition()))
def test_it_makes_only_the_transitions_the_table_allows_from_each_state(
    request, kind, state, action, target, project_staff
):
    assessment = bring_to(request.getfixturevalue(f"telavi_{kind}"), state, by=project_staff)

    if target:
        perform(action, assessment, project_staff)
        assessment.refresh_from_db()
        assert assessment.status == target
    else:
        with pytest.raises(TransitionNotAllowed):
            perform(action, assessment, project_staff)
        assessment.refresh_from_db()
        assert assessment.status == state


def test_it_refuses_a_publish_by_the_monitor_who_did_the_work(
    telavi_external, cso_monitor, project_staff
):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    with pytest.raises(TransitionNotAllowed):
        services.publish_assessment(assessment=telavi_external, by=cso_monitor)
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.REVIEW
    assert not ScoreSnapshot.objects.exists()


def test_it_refuses_a_submit_by_a_monitor_of_another_cso(telavi_external, other_monitor):
    answer_all(telavi_external)
    with pytest.raises(TransitionNotAllowed):
        services.submit_assessment(assessment=telavi_external, by=other_monitor)


def test_it_refuses_to_let_municipal_staff_submit_the_cso_s_assessment(
    telavi_external, telavi_staff
):
    answer_all(telavi_external)
    with pytest.raises(TransitionNotAllowed):
        services.submit_assessment(assessment=telavi_external, by=telavi_staff)


def test_it_lets_the_monitor_and_the_telavi_staff_member_submit_their_own(
    telavi_external, telavi_self, cso_monitor, telavi_staff
):
    answer_all(telavi_external)
    answer_all(telavi_self)
    services.submit_assessment(assessment=telavi_external, by=cso_monitor, notify=False)
    services.submit_assessment(assessment=telavi_self, by=telavi_staff, notify=False)
    telavi_external.refresh_from_db()
    telavi_self.refresh_from_db()
    assert (telavi_external.status, telavi_self.status) == (Status.SUBMITTED, Status.SUBMITTED)
    assert telavi_external.submitted_at is not None


def test_it_refuses_to_submit_with_answers_missing_and_names_them(telavi_external, cso_monitor):
    answer_all(telavi_external, {"A.1.1": 1})
    with pytest.raises(ValidationError) as refused:
        services.submit_assessment(assessment=telavi_external, by=cso_monitor)
    assert "A.2.1" in str(refused.value) and "B.1.1" in str(refused.value)
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.DRAFT


def test_it_counts_an_answer_marked_not_applicable_as_answered(telavi_external, cso_monitor):
    from tests import factories

    answer_all(telavi_external, {"A.1.1": 1, "A.2.1": 40})
    factories.answer(telavi_external, "B.1.1", is_na=True, na_reason="არ არის სერვისი")
    services.submit_assessment(assessment=telavi_external, by=cso_monitor, notify=False)
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.SUBMITTED


# --- The right of reply and its deadline ---------------------------------------------------


def test_it_gives_the_municipality_the_days_asked_for_today_included(
    telavi_external, project_staff
):
    bring_to(telavi_external, Status.SUBMITTED, by=project_staff)
    services.open_reply(assessment=telavi_external, by=project_staff, days=10, notify=False)
    telavi_external.refresh_from_db()
    today = timezone.localdate()
    assert telavi_external.status == Status.REPLY
    assert telavi_external.reply_deadline == today + datetime.timedelta(days=9)
    assert telavi_external.reply_is_open(today=telavi_external.reply_deadline)
    assert not telavi_external.reply_is_open(
        today=telavi_external.reply_deadline + datetime.timedelta(days=1)
    )


def test_it_refuses_a_reply_stage_of_no_days(telavi_external, project_staff):
    bring_to(telavi_external, Status.SUBMITTED, by=project_staff)
    with pytest.raises(ValidationError):
        services.open_reply(assessment=telavi_external, by=project_staff, days=0)
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.SUBMITTED


def test_it_closes_the_replies_whose_last_day_has_passed_and_leaves_the_others(
    telavi_external, sighnaghi_external, project_staff
):
    bring_to(telavi_external, Status.SUBMITTED, by=project_staff)
    bring_to(sighnaghi_external, Status.SUBMITTED, by=project_staff)
    services.open_reply(assessment=telavi_external, by=project_staff, days=3, notify=False)
    services.open_reply(assessment=sighnaghi_external, by=project_staff, days=10, notify=False)
    telavi_external.refresh_from_db()
    day_after_telavi_s_last = telavi_external.reply_deadline + datetime.timedelta(days=1)

    assert services.close_expired_replies(today=telavi_external.reply_deadline) == []
    closed = services.close_expired_replies(today=day_after_telavi_s_last)

    assert closed == [telavi_external.pk]
    telavi_external.refresh_from_db()
    sighnaghi_external.refresh_from_db()
    assert telavi_external.status == Status.REVIEW
    assert sighnaghi_external.status == Status.REPLY
    closing = telavi_external.history.latest()
    assert closing.history_user is None  # the platform closed it, not a person
    assert closing.history_change_reason == "close_reply"


def test_it_lets_the_platform_itself_only_close_a_reply(telavi_external, project_staff):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    with pytest.raises(TransitionNotAllowed):
        services.publish_assessment(assessment=telavi_external, by=None)
    with pytest.raises(TransitionNotAllowed):
        services.move_assessment(assessment=telavi_external, action="correct", by=None)


def test_it_keeps_the_special_transitions_from_skipping_their_own_checks(
    telavi_external, project_staff
):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    for action in ("submit", "open_reply", "return", "publish"):
        with pytest.raises(ValueError):
            services.move_assessment(assessment=telavi_external, action=action, by=project_staff)


# --- Returning with comments, and resubmitting -------------------------------------------


def indicator(assessment, code):
    return Indicator.objects.get(code=code, criterion__area__version=assessment.cycle.methodology)


def test_it_refuses_a_return_without_a_comment(telavi_external, project_staff):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.return_assessment(
            assessment=telavi_external,
            by=project_staff,
            comments=[(indicator(telavi_external, "A.2.1").pk, "   ")],
        )
    assert refused.value.messages == ["Say what needs to change: write at least one comment."]
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.REVIEW


def test_it_refuses_a_comment_on_an_indicator_the_assessment_does_not_answer(
    telavi_external, project_staff
):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    only_for_municipalities = indicator(telavi_external, "A.1.2")
    with pytest.raises(ValidationError):
        services.return_assessment(
            assessment=telavi_external,
            by=project_staff,
            comments=[(only_for_municipalities.pk, "Which level?")],
        )
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.REVIEW
    assert not ReviewComment.objects.exists()


def test_it_shows_the_monitor_the_comments_of_a_return_beside_the_answer(
    telavi_external, project_staff, cso_monitor, browser_of
):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    services.return_assessment(
        assessment=telavi_external,
        by=project_staff,
        comments=[(indicator(telavi_external, "A.2.1").pk, "Name the villages you visited.")],
        note="Otherwise well documented.",
    )
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.DRAFT

    browser = browser_of(cso_monitor, "en")
    overview = browser.get(reverse("monitor:assessment", args=[telavi_external.pk]))
    assert "Name the villages you visited." in overview.content.decode()
    assert "Otherwise well documented." in overview.content.decode()
    area = browser.get(reverse("monitor:area", args=[telavi_external.pk, "A"]))
    forms = {form.indicator.code: form for form in area.context["answers"]}
    assert [c.text for c in forms["A.2.1"].comments] == ["Name the villages you visited."]
    assert forms["A.1.1"].comments == []
    assert "Reviewer's comment" in area.content.decode()


def test_it_resolves_the_comments_on_resubmission(
    telavi_external, project_staff, cso_monitor, browser_of
):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    services.return_assessment(
        assessment=telavi_external,
        by=project_staff,
        comments=[(indicator(telavi_external, "A.2.1").pk, "Name the villages you visited.")],
    )
    services.submit_assessment(assessment=telavi_external, by=cso_monitor, notify=False)

    assert list(ReviewComment.objects.values_list("resolved", flat=True)) == [True]
    page = browser_of(cso_monitor, "en").get(
        reverse("monitor:area", args=[telavi_external.pk, "A"])
    )
    assert "Name the villages you visited." not in page.content.decode()


def test_it_needs_a_new_comment_for_a_second_return(telavi_self, project_staff):
    bring_to(telavi_self, Status.REVIEW, by=project_staff)
    services.return_assessment(
        assessment=telavi_self,
        by=project_staff,
        comments=[(indicator(telavi_self, "A.1.2").pk, "Which document?")],
    )
    services.submit_assessment(assessment=telavi_self, by=project_staff, notify=False)
    services.move_assessment(assessment=telavi_self, action="start_review", by=project_staff)
    # The first comment was resolved by the resubmission: a new return needs a new one.
    with pytest.raises(ValidationError):
        services.return_assessment(assessment=telavi_self, by=project_staff, comments=[])


# --- Publishing ----------------------------------------------------------------------------


def test_it_freezes_a_snapshot_of_every_level_on_publishing(telavi_external, project_staff):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    snapshot = services.publish_assessment(
        assessment=telavi_external, by=project_staff, notify=False
    )
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.PUBLISHED
    assert telavi_external.published_at is not None
    # A: (100 + 60) ÷ 2 = 80; B: (8 − 20) ÷ (5 − 20) = 80; overall 80.
    assert snapshot.revision == 1 and snapshot.is_current
    assert snapshot.overall == 80
    assert {a.area.code: a.score for a in snapshot.areas.all()} == {"A": 80, "B": 80}
    assert snapshot.indicators.count() == 3
    assert snapshot.published_by == project_staff


def test_it_publishes_all_or_nothing(telavi_external, project_staff, monkeypatch):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "_store_scores", broken)
    with pytest.raises(RuntimeError):
        services.publish_assessment(assessment=telavi_external, by=project_staff)

    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.REVIEW
    assert telavi_external.published_at is None
    assert not ScoreSnapshot.objects.exists()
    assert not AreaScore.objects.exists() and not IndicatorScore.objects.exists()


def test_it_leaves_the_published_revision_public_when_a_correction_fails(
    telavi_external, project_staff, monkeypatch
):
    bring_to(telavi_external, Status.PUBLISHED, by=project_staff)
    first = telavi_external.snapshots.get()
    services.move_assessment(assessment=telavi_external, action="correct", by=project_staff)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "_store_scores", broken)
    with pytest.raises(RuntimeError):
        services.publish_assessment(
            assessment=telavi_external, by=project_staff, note_ka="შესწორება", note_en="Fixed"
        )

    telavi_external.refresh_from_db()
    first.refresh_from_db()
    assert telavi_external.status == Status.REVIEW
    assert first.is_current
    assert list(telavi_external.snapshots.values_list("revision", flat=True)) == [1]


def test_it_needs_a_public_note_in_both_languages_for_a_correction(telavi_external, project_staff):
    bring_to(telavi_external, Status.PUBLISHED, by=project_staff)
    services.move_assessment(assessment=telavi_external, action="correct", by=project_staff)
    factories.answer(telavi_external, "B.1.1", 6)

    with pytest.raises(ValidationError):
        services.publish_assessment(
            assessment=telavi_external, by=project_staff, note_ka="შესწორება", note_en=""
        )
    second = services.publish_assessment(
        assessment=telavi_external,
        by=project_staff,
        note_ka="შესწორდა B.1.1",
        note_en="B.1.1 corrected",
        notify=False,
    )

    assert second.revision == 2 and second.is_current
    first = telavi_external.snapshots.get(revision=1)
    assert not first.is_current  # still readable, no longer the public one


# --- History ---------------------------------------------------------------------------------


def test_it_records_who_made_each_transition(telavi_external, cso_monitor, project_staff):
    answer_all(telavi_external)
    services.submit_assessment(assessment=telavi_external, by=cso_monitor, notify=False)
    services.open_reply(assessment=telavi_external, by=project_staff, days=5, notify=False)

    records = list(telavi_external.history.order_by("history_date", "history_id"))
    made = [(r.history_change_reason, r.history_user, r.status) for r in records[1:]]
    assert made == [
        ("submit", cso_monitor, Status.SUBMITTED),
        ("open_reply", project_staff, Status.REPLY),
    ]


def test_it_keeps_the_old_and_new_value_of_an_answer(telavi_external, cso_monitor):
    from tests import factories

    factories.answer(telavi_external, "A.2.1", 40)
    factories.answer(telavi_external, "A.2.1", 55)
    response = telavi_external.responses.get()
    values = [r.value for r in response.history.order_by("history_date", "history_id")]
    assert values == [40, 55]
