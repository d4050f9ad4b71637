"""seed_demo's action plans: every municipality's plan for its 2021 findings, in force
today, with both voices; and a few closed 2020 plans whose actions show a before and an
after."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from assessments import demo, scoring
from assessments.demo.plans import DATA, seed_plans
from assessments.models import (
    Action,
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    Cycle,
    DueDateChange,
    PlanEvidence,
    PlanStatus,
    Verdict,
    VerdictAnswer,
    VerdictKind,
)
from assessments.plans import services
from assessments.plans.health import check_plans
from assessments.results.findings import weakest_indicators
from assessments.results.plans import plan_view
from municipalities.models import Municipality, Organization
from tests.assessments import pdf_tools

SLUGS = {
    "akhmeta", "dedoplistskaro", "gurjaani", "kvareli",
    "lagodekhi", "sagarejo", "sighnaghi", "telavi",
}  # fmt: skip


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module, in its own transaction that is rolled back at the end;
    the order documents go to a temporary folder, which the fixture returns."""
    from django.db import transaction

    private = tmp_path_factory.mktemp("seeded-private")
    with django_db_blocker.unblock(), override_settings(PRIVATE_ROOT=private):
        atomic = transaction.atomic()
        atomic.__enter__()
        call_command("seed_demo", stdout=io.StringIO())
        yield private
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def in_force():
    return ActionPlan.objects.filter(status=PlanStatus.ADOPTED).select_related(
        "municipality", "cycle", "adopted_by"
    )


def views(plans):
    today = timezone.localdate()
    return [view for plan in plans for view in plan_view(plan, today).actions]


def demo_people():
    User = get_user_model()
    return {
        "staff": User.objects.get(username="project-staff"),
        "municipal_staff": {
            slug: User.objects.get(username=username)
            for username, _first, _last, role, slug in demo.USERS
            if role == "municipal_staff"
        },
        "monitor": User.objects.get(username="cso-monitor"),
        "organization": Organization.objects.get(slug=demo.ORGANIZATION["slug"]),
    }


def test_every_municipality_has_an_adopted_plan_for_its_2021_findings_in_force_today(seeded):
    today = timezone.localdate()
    plans = list(in_force())
    assert {plan.municipality.slug for plan in plans} == SLUGS
    for plan in plans:
        assert plan.cycle.year == 2021
        assert plan.starts_on <= today <= plan.ends_on
        assert plan.order_number and plan.order_date < plan.starts_on
        assert plan.order_document.name.endswith(".pdf")
        assert plan.adopted_at.date() <= plan.starts_on
    adopters = {plan.municipality.slug: plan.adopted_by.username for plan in plans}
    assert adopters["telavi"] == "telavi-staff"
    assert adopters["sighnaghi"] == "sighnaghi-staff"
    assert adopters["kvareli"] == "project-staff"


def test_the_order_document_is_a_pdf_that_names_the_order(seeded, settings):
    settings.PRIVATE_ROOT = seeded
    telavi = in_force().get(municipality__slug="telavi")
    with telavi.order_document.open("rb") as document:
        words = pdf_tools.text(document.read())
    assert "Telavi Municipality" in words
    assert telavi.order_number.removeprefix("№ ") in words


def test_each_plan_has_four_to_six_actions_on_the_municipality_s_weakest_findings(seeded):
    cycle = Cycle.objects.get(year=2021)
    for plan in in_force():
        actions = list(plan.actions.prefetch_related("targets"))
        assert 4 <= len(actions) <= 6, plan
        weakest = {
            weak.indicator.pk
            for weak in weakest_indicators(cycle, [plan.municipality_id], limit=DATA["weakest"])
        }
        for action in actions:
            targets = list(action.targets.all())
            assert 1 <= len(targets) <= 3
            assert {target.indicator_id for target in targets} <= weakest
            # Adopting kept each finding's published score as the starting point.
            assert all(target.baseline_kind for target in targets)
            assert action.title_ka != action.title_en
            assert action.description_ka and action.description_en
            assert action.responsible_unit_ka and action.expected_result_en
            assert isinstance(action.budget, Decimal) and action.budget > 0
            assert action.budget_source_ka and action.budget_source_en
            assert plan.starts_on <= action.starts_on < action.due_on <= plan.ends_on


def test_the_actions_are_done_in_progress_planned_delayed_and_dropped(seeded):
    in_force_actions = Action.objects.filter(plan__status=PlanStatus.ADOPTED)
    statuses = Counter(in_force_actions.values_list("status", flat=True))
    assert set(statuses) == set(ActionStatus.values)
    assert statuses[ActionStatus.DONE] >= 8
    assert statuses[ActionStatus.IN_PROGRESS] >= 8
    for dropped in Action.objects.filter(status=ActionStatus.DROPPED):
        assert dropped.dropped_reason_ka and dropped.dropped_reason_en
        assert dropped.dropped_reason_ka != dropped.dropped_reason_en


def test_a_few_actions_are_overdue_and_the_daily_check_has_marked_them_delayed(seeded):
    overdue = [view for view in views(in_force()) if view.health.overdue]
    assert len(overdue) >= 2
    for view in overdue:
        assert view.action.status == ActionStatus.DELAYED
        assert view.state == "delayed"
    # The check has announced today's health already: running it again changes nothing.
    assert check_plans(today=timezone.localdate()) == {"marked": 0, "announced": 0}


def test_reports_are_dated_in_the_past_with_evidence_links_and_kept_with_their_author(seeded):
    today = timezone.localdate()
    reports = ActionUpdate.objects.select_related("action__plan", "author")
    assert reports.count() >= 80
    for report in reports:
        assert report.action.plan.starts_on <= report.reported_on <= today
        assert report.created_at.date() >= report.reported_on
        assert report.author.username in ("telavi-staff", "sighnaghi-staff", "project-staff")
    links = PlanEvidence.objects.filter(update__isnull=False)
    assert links.count() >= 70
    assert not links.filter(url="").exists()
    # Some actions are waiting for a verdict on their latest report, most have one.
    health = [view.health for view in views(in_force())]
    assert 0 < sum(h.unverified for h in health) < len(health) / 2


def test_the_demo_cso_confirms_disputes_and_finds_evidence_insufficient(seeded):
    organization = Organization.objects.get(slug=demo.ORGANIZATION["slug"])
    assert set(organization.municipalities.values_list("slug", flat=True)) == SLUGS
    verdicts = Verdict.objects.select_related("author")
    kinds = Counter(verdicts.values_list("verdict", flat=True))
    assert set(kinds) == set(VerdictKind.values)
    assert kinds[VerdictKind.CONFIRMED] > kinds[VerdictKind.DISPUTED] >= 4
    assert {v.organization_id for v in verdicts} == {organization.pk}
    assert {v.author.username for v in verdicts} == {"cso-monitor"}
    # A disputed verdict brings its evidence.
    assert not verdicts.filter(verdict=VerdictKind.DISPUTED, evidence__isnull=True).exists()
    # Where the demo CSO disputes the latest report, the plan page shows both voices.
    assert sum(view.is_disputed for view in views(in_force())) >= 3


def test_the_municipality_answers_the_disputed_verdicts_and_some_others(seeded):
    answers = VerdictAnswer.objects.select_related("verdict__update__action__plan")
    kinds = Counter(answers.values_list("verdict__verdict", flat=True))
    assert kinds[VerdictKind.DISPUTED] == Verdict.objects.filter(verdict="disputed").count()
    assert kinds[VerdictKind.INSUFFICIENT] >= 2
    for answer in answers:
        assert answer.created_at > answer.verdict.created_at
        assert answer.author.username in ("telavi-staff", "sighnaghi-staff", "project-staff")


def test_a_moved_due_date_keeps_the_first_promise_visible(seeded):
    moved = DueDateChange.objects.select_related("action")
    assert moved.count() >= 2
    for change in moved:
        assert change.action.original_due_on == change.old_due_on
        assert change.action.due_on == change.new_due_on > change.old_due_on
        assert change.action.due_date_moved


def test_closed_2020_plans_show_each_action_s_scores_before_and_after(seeded):
    closed = ActionPlan.objects.filter(status=PlanStatus.CLOSED).select_related(
        "municipality", "cycle"
    )
    assert 3 <= closed.count() <= 4
    for plan in closed:
        assert plan.cycle.year == 2020
        assert plan.ends_on < timezone.localdate()
        view = plan_view(plan, timezone.localdate())
        assert view.later_cycle.year == 2021
        compared = [target for action in view.actions for target in action.targets]
        assert compared and all(target.comparable for target in compared)
        for target in compared:
            assert target.change == scoring.change(target.later, target.baseline)
        # Done actions, all but one of which improved what they addressed.
        assert any(target.change > 0 for target in compared)


def test_one_action_marked_done_without_improvement_is_flagged(seeded):
    closed = ActionPlan.objects.filter(status=PlanStatus.CLOSED)
    flagged = [view for view in views(closed) if view.no_improvement]
    assert len(flagged) == 1
    (view,) = flagged
    assert view.action.plan.municipality.slug == "telavi"
    assert view.action.status == ActionStatus.DONE
    assert all(target.later <= target.baseline for target in view.targets)
    # The plans in force have no later cycle yet: nothing to flag.
    assert not [view for view in views(in_force()) if view.no_improvement]


def test_seeding_again_creates_nothing(seeded):
    def counts():
        return [
            model.objects.count()
            for model in (ActionPlan, Action, ActionUpdate, Verdict, VerdictAnswer, PlanEvidence)
        ]

    before = counts()
    created = seed_plans(**demo_people())
    assert created.adopted == created.closed == []
    assert counts() == before


def test_a_municipality_without_a_plan_gets_one_and_nobody_is_e_mailed_about_its_past(
    seeded, django_capture_on_commit_callbacks, mailoutbox
):
    kvareli = Municipality.objects.get(slug="kvareli")
    # A queryset delete, as only a database without the demo's plans would look.
    Action.objects.filter(plan__municipality=kvareli).delete()
    ActionPlan.objects.filter(municipality=kvareli).delete()
    with django_capture_on_commit_callbacks(execute=True):
        created = seed_plans(**demo_people())
    assert [plan.municipality for plan in created.adopted] == [kvareli]
    plan = kvareli.action_plans.get()
    assert plan.status == PlanStatus.ADOPTED
    assert mailoutbox == []
    # What happens after the seeding is announced as usual: the CSO monitor hears of a
    # new report to verify.
    action = plan.actions.get(status=ActionStatus.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_progress(
            action=action,
            by=demo_people()["staff"],
            reported_on=timezone.localdate(),
            status=ActionStatus.IN_PROGRESS,
            progress=70,
            text="სამუშაოები გრძელდება.",
        )
    assert [message.to for message in mailoutbox] == [["cso-monitor@example.org"]]
