"""Each role's home: what to do next, with its deadline, and nobody else's work."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from assessments.models import ActionStatus, JobStatus, Rendering
from assessments.monitor.plans import awaiting_verdict
from assessments.plans import services as plan_services
from assessments.templatetags.deadlines import days_left
from assessments.work import monitor_work, municipal_work, project_work
from assessments.workflow import Status
from tests import factories

from .conftest import answer_all

TODAY = datetime.date(2022, 3, 1)


@pytest.fixture
def closing(cycle_2022):
    """The 2022 cycle closes on 4 March 2022: three days after TODAY."""
    cycle_2022.closes_on = datetime.date(2022, 3, 4)
    cycle_2022.save()
    return cycle_2022


def failed_rendering(cycle, municipality, language="ka", error="boom"):
    return Rendering.objects.create(
        document="scorecard",
        cycle=cycle,
        municipality=municipality,
        language=language,
        status=JobStatus.FAILED,
        error=error,
    )


# --- Days left ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "english"),
    [(3, "in 3 days"), (1, "in 1 day"), (0, "today"), (-2, "2 days overdue")],
)
def test_days_left_says_how_long_and_marks_overdue_in_words_and_a_sign(days, english):
    with translation.override("en"):
        shown = str(days_left(days))
    assert english in shown
    assert ("deadline-overdue" in shown and "⚠" in shown) == (days < 0)
    with translation.override("ka"):
        georgian = str(days_left(days))
    if days < 0:
        # The catalogue's phrasing of a passed deadline.
        assert "ვადა გადაცილებულია 2 დღით" in georgian


def test_days_left_counts_from_a_date():
    from django.utils import translation

    with translation.override("en"):
        assert "in 3 days" in str(days_left(datetime.date(2022, 3, 4), TODAY))
    with translation.override("ka"):
        assert "3 დღეში" in str(days_left(datetime.date(2022, 3, 4), TODAY))
    assert days_left(None) == ""


# --- Municipal staff --------------------------------------------------------------------------


def test_telavi_staff_see_telavi_s_work_only_with_next_steps_and_days_left(
    telavi_staff, telavi_self, telavi_external, sighnaghi_self, closing, to_status
):
    factories.answer(telavi_self, "A.1.1", 1)
    factories.answer(telavi_self, "A.1.2", 2)
    to_status(telavi_external, Status.REPLY)
    telavi_external.reply_deadline = datetime.date(2022, 3, 10)
    telavi_external.save()

    with translation.override("en"):
        work = municipal_work(telavi_staff, today=TODAY)

    assert {item.object for item in work.assessments} == {telavi_self, telavi_external}
    assert all(item.object.municipality.slug == "telavi" for item in work.assessments)
    by_kind = {item.object.kind: item for item in work.assessments}
    draft = by_kind["self"]
    # Area A is complete (2 of 2); B is next.
    assert draft.step.label == "Fill area B"
    assert draft.step.url == reverse(
        "admin:assessments_assessment_area", args=[telavi_self.pk, "B"]
    )
    assert (draft.progress.answered, draft.progress.total) == (2, 3)
    assert (draft.due, draft.days) == (datetime.date(2022, 3, 4), 3)
    reply = by_kind["external"]
    assert reply.step.label == "Reply to the CSO's findings"
    assert reply.step.url == reverse(
        "admin:assessments_assessment_reply", args=[telavi_external.pk]
    )
    assert reply.days == 9


def test_a_complete_draft_s_next_step_is_to_submit_it(telavi_staff, telavi_self, closing):
    answer_all(telavi_self)
    with translation.override("en"):
        (item,) = municipal_work(telavi_staff, today=TODAY).assessments
    assert item.step.label == "Submit for review"
    assert item.step.url == reverse(
        "admin:assessments_assessment_transition", args=[telavi_self.pk, "submit"]
    )


def test_telavi_staff_see_the_reports_their_plan_owes(telavi_plan, telavi_staff, sighnaghi_staff):
    with translation.override("en"):
        work = municipal_work(telavi_staff, today=datetime.date(2022, 4, 12))
    assert [item.object.number for item in work.reports] == [1, 2]
    first = work.reports[0]
    assert first.step.label == "Report progress on action 1"
    assert first.step.url == reverse("admin:assessments_action_report", args=[first.object.pk])
    # Adopted on 10 January 2022; a report is due 90 days later, on 10 April.
    assert first.due == datetime.date(2022, 4, 10)
    assert first.days == -2 and first.is_overdue
    # Sighnaghi's staff owe nothing for Telavi's plan.
    assert municipal_work(sighnaghi_staff, today=datetime.date(2022, 4, 12)).reports == []


def test_a_report_moves_the_next_one_on(telavi_plan, telavi_staff):
    action = telavi_plan.actions.get(number=2)
    plan_services.report_progress(
        action=action,
        by=telavi_staff,
        reported_on=datetime.date(2022, 4, 1),
        status=ActionStatus.IN_PROGRESS,
        text="მიმდინარეობს",
        today=datetime.date(2022, 4, 1),
    )
    work = municipal_work(telavi_staff, today=datetime.date(2022, 4, 12))
    due = {item.object.number: item.due for item in work.reports}
    assert due[2] == datetime.date(2022, 6, 30)


def test_the_admin_index_shows_the_work_to_telavi_staff(
    browser_of, telavi_staff, telavi_self, sighnaghi_self, closing
):
    page = browser_of(telavi_staff, "en").get("/admin/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "What to do next" in text
    assert reverse("admin:assessments_assessment_area", args=[telavi_self.pk, "A"]) in text
    assert "Fill area A" in text
    assert "Sighnaghi" not in text
    # The list of what the admin offers is still there.
    assert 'id="content-main"' in text or "app-assessments" in text


# --- Project staff ----------------------------------------------------------------------------


def test_project_staff_see_the_review_queue_overdue_work_and_failed_renderings(
    project_staff, telavi_self, sighnaghi_self, telavi_external, closing, to_status
):
    to_status(telavi_self, Status.SUBMITTED)
    to_status(telavi_external, Status.REPLY)
    telavi_external.reply_deadline = datetime.date(2022, 2, 20)
    telavi_external.save()
    failed_rendering(closing, telavi_self.municipality)
    with translation.override("en"):
        late = project_work(today=datetime.date(2022, 3, 5))

    review = {item.object: item.step for item in late.review}
    assert review[telavi_self].label == "Start review"
    assert review[telavi_self].url == reverse(
        "admin:assessments_assessment_transition", args=[telavi_self.pk, "start_review"]
    )
    # The reply's deadline has passed: the next step is to close it, and it is overdue.
    assert review[telavi_external].label == "Close the right of reply"
    assert [item.days for item in late.review if item.object == telavi_external] == [-13]
    # Sighnaghi's draft is past its cycle's close.
    assert [item.object for item in late.overdue] == [sighnaghi_self]
    assert late.overdue_count == 1
    assert late.failed_count == 1 and late.failed[0].error == "boom"


def test_the_admin_index_shows_project_staff_their_queue(
    browser_of, project_staff, telavi_self, to_status
):
    to_status(telavi_self, Status.SUBMITTED)
    failed_rendering(telavi_self.cycle, telavi_self.municipality)
    text = browser_of(project_staff, "en").get("/admin/").content.decode()
    assert "Waiting for your review" in text
    assert "Start review" in text
    assert "PDF renderings that failed (1)" in text
    assert "Grant reports waiting for your review" in text


# --- The monitor ------------------------------------------------------------------------------


def test_the_monitor_sees_their_organisation_s_assessments_and_verdicts_to_give(
    cso_monitor, other_monitor, telavi_external, telavi_plan, telavi_staff, closing
):
    action = telavi_plan.actions.get(number=1)
    update = plan_services.report_progress(
        action=action,
        by=telavi_staff,
        reported_on=datetime.date(2022, 3, 1),
        status=ActionStatus.IN_PROGRESS,
        text="მიმდინარეობს",
        today=datetime.date(2022, 3, 1),
    )
    with translation.override("en"):
        work = monitor_work(cso_monitor, awaiting_verdict(cso_monitor), today=TODAY)
    (item,) = work.assessments
    assert item.object == telavi_external
    assert item.step.url == reverse("monitor:area", args=[telavi_external.pk, "A"])
    assert item.days == 3
    (verdict,) = work.verdicts
    assert verdict.step.label == "Give a verdict on the report on action 1"
    assert verdict.step.url == reverse("monitor:verdict", args=[update.pk])
    # A monitor of another organisation sees none of it.
    other = monitor_work(other_monitor, awaiting_verdict(other_monitor), today=TODAY)
    assert other.assessments == [] and other.verdicts == []


def test_the_monitor_dashboard_shows_the_next_steps(browser_of, cso_monitor, telavi_external):
    text = browser_of(cso_monitor, "en").get("/monitor/").content.decode()
    assert "What to do next" in text
    assert reverse("monitor:area", args=[telavi_external.pk, "A"]) in text
    assert "Grant deadlines" in text


# --- Fixed numbers of queries -----------------------------------------------------------------


def count(function):
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_the_number_of_queries_stays_fixed_as_data_grows(
    telavi_staff,
    project_staff,
    cso_monitor,
    telavi,
    telavi_self,
    telavi_external,
    sighnaghi_self,
    telavi_plan,
    methodology,
    cso,
    to_status,
):
    # Something in every list from the start: an empty list asks the database nothing.
    to_status(telavi_self, Status.SUBMITTED)
    failed_rendering(telavi_self.cycle, telavi)

    def measure():
        # Fresh users: what `permissions` caches on them is read again each time.
        staff = type(telavi_staff).objects.get(pk=telavi_staff.pk)
        monitor = type(cso_monitor).objects.get(pk=cso_monitor.pk)
        return (
            count(lambda: municipal_work(staff, today=TODAY)),
            count(lambda: project_work(today=TODAY)),
            count(lambda: monitor_work(monitor, awaiting_verdict(monitor), today=TODAY)),
        )

    before = measure()
    for year in (2023, 2024, 2025):
        cycle = factories.cycle(year, methodology, is_open=True)
        factories.assessment(telavi, cycle, "self")
        submitted = factories.assessment(telavi, cycle, "external", organization=cso)
        to_status(submitted, Status.SUBMITTED)
    for number in (3, 4, 5):
        factories.action(telavi_plan, number)
    for language in ("ka", "en"):
        failed_rendering(cycle, telavi, language)
    assert measure() == before


# --- Deadlines on the pages they apply to -----------------------------------------------------


def deadline_shown(response):
    """The deadline line of a page, in one line of text, or None."""
    html = response.content.decode()
    found = re.search(r'<span class="deadline-line">(.*?)</span></span>', html, re.S)
    if not found:
        found = re.search(r'<span class="deadline-line">(.*?)</strong></span>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()) if found else None


def in_words(due):
    with translation.override("en"):
        return re.sub(r"<[^>]+>", "", str(days_left(due))).strip()


def test_an_assessment_s_own_pages_show_its_deadline_with_the_days_left(
    browser_of, telavi_staff, cso_monitor, telavi_self, telavi_external, closing, to_status
):
    due = f"Answers due: 04.03.2022 · {in_words(closing.closes_on)}"
    staff = browser_of(telavi_staff, "en")
    assert (
        deadline_shown(
            staff.get(reverse("admin:assessments_assessment_change", args=[telavi_self.pk]))
        )
        == due
    )
    assert (
        deadline_shown(
            staff.get(reverse("admin:assessments_assessment_area", args=[telavi_self.pk, "A"]))
        )
        == due
    )
    monitor = browser_of(cso_monitor, "en")
    assert (
        deadline_shown(monitor.get(reverse("monitor:assessment", args=[telavi_external.pk]))) == due
    )
    assert (
        deadline_shown(monitor.get(reverse("monitor:area", args=[telavi_external.pk, "A"]))) == due
    )

    # Once the CSO's findings are open to the municipality's reply, the reply's deadline.
    to_status(telavi_external, Status.REPLY)
    telavi_external.refresh_from_db()
    reply_due = telavi_external.reply_deadline
    shown = deadline_shown(
        staff.get(reverse("admin:assessments_assessment_reply", args=[telavi_external.pk]))
    )
    assert shown == f"Replies due: {reply_due:%d.%m.%Y} · {in_words(reply_due)}"
    # The monitor can no longer change the answers: no deadline is theirs.
    assert (
        deadline_shown(monitor.get(reverse("monitor:assessment", args=[telavi_external.pk])))
        is None
    )


def test_an_action_s_pages_show_when_its_next_progress_report_is_due(
    browser_of, telavi_staff, telavi_plan
):
    action = telavi_plan.actions.get(number=1)
    due = next(item.due for item in municipal_work(telavi_staff).reports if item.object == action)
    staff = browser_of(telavi_staff, "en")
    expected = f"Next progress report due: {due:%d.%m.%Y} · {in_words(due)}"
    assert (
        deadline_shown(staff.get(reverse("admin:assessments_action_change", args=[action.pk])))
        == expected
    )
    assert (
        deadline_shown(staff.get(reverse("admin:assessments_action_report", args=[action.pk])))
        == expected
    )

    # A finished action owes no report.
    action.status = ActionStatus.DONE
    action.save()
    assert (
        deadline_shown(staff.get(reverse("admin:assessments_action_change", args=[action.pk])))
        is None
    )
