"""seed_demo's grant competition: the decided first round of 2021 (33 applications, 16
grants covering all eight municipalities) and a call a newcomer can apply to now."""

import datetime
import io
import re
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import demo
from assessments.models import Cycle
from assessments.results.findings import weakest_indicators
from grants import scoring, services
from grants.demo import DATA
from grants.models import (
    Application,
    ApplicationStatus,
    BudgetLine,
    Call,
    CallStage,
    CallStatus,
    Decision,
    Eligibility,
    Report,
    ReportKind,
    ReportStatus,
    ReviewAssignment,
    ReviewScore,
)
from grants.permissions import is_grant_reviewer
from municipalities.models import Municipality, Organization

TBILISI = ZoneInfo("Asia/Tbilisi")
SLUGS = {
    "akhmeta", "dedoplistskaro", "gurjaani", "kvareli",
    "lagodekhi", "sagarejo", "sighnaghi", "telavi",
}  # fmt: skip


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, in its own transaction that is rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(seeded):
    return Call.objects.get(slug=DATA["decided"]["slug"])


@pytest.fixture
def open_call(seeded):
    return Call.objects.get(slug=DATA["open"]["slug"])


def test_the_2021_call_is_decided_with_33_applications_and_16_awards(decided):
    assert decided.stage == CallStage.DECIDED
    assert decided.status == CallStatus.DECIDED
    assert decided.cycle.year == 2020
    assert decided.opens_at.year == decided.closes_at.year == 2021
    assert decided.applications.submitted().count() == 33
    assert decided.applications.count() == 33
    assert Application.objects.awarded().filter(call=decided).count() == 16
    assert decided.applications.filter(decision=Decision.REJECTED).count() == 14
    assert set(decided.municipalities.values_list("slug", flat=True)) == SLUGS
    assert decided.checklist.count() == 3
    assert decided.required_attachments.count() == 2
    assert decided.rubric.count() == 4
    assert decided.moderation_threshold == Decimal("1.5")
    for criterion in decided.rubric.all():
        assert criterion.name_ka and criterion.name_en
        assert criterion.guidance_ka and criterion.guidance_en


def test_its_16_awards_cover_all_eight_municipalities_within_the_limits_and_the_budget(decided):
    awards = Application.objects.awarded().filter(call=decided)
    assert set(awards.values_list("municipality__slug", flat=True)) == SLUGS
    for award in awards:
        assert decided.min_grant <= award.awarded_amount <= decided.max_grant
        assert award.awarded_amount <= award.requested_amount
        assert award.public_summary_ka and award.public_summary_en
        assert award.decided_at and award.decision_reason
        assert datetime.date(2021, 1, 1) <= award.grant_start < award.grant_end
        assert award.grant_end <= datetime.date(2022, 12, 31)
    assert services.awards_total(decided) <= decided.budget


def test_every_application_asks_for_what_its_budget_lines_add_up_to(decided):
    for application in decided.applications.all():
        assert application.requested_amount == application.budget_total()
        assert decided.min_grant <= application.requested_amount <= decided.max_grant
        assert application.budget_lines.count() >= 3
        assert application.title and application.summary and application.objectives
        assert application.contact_name and application.contact_email


def test_references_follow_the_order_of_submission_before_the_deadline(decided):
    submitted = list(decided.applications.order_by("submitted_at"))
    assert [a.reference for a in submitted] == [
        f"2021-ADVOCACY-{number:03d}" for number in range(1, 34)
    ]
    for application in submitted:
        assert decided.opens_at <= application.submitted_at < decided.closes_at
        assert application.created_at <= application.submitted_at


def test_each_organisation_applied_once_to_each_call(decided, open_call):
    for call in (decided, open_call):
        organizations = list(call.applications.values_list("organization_id", flat=True))
        assert len(organizations) == len(set(organizations))
        assert call.applications_per_organization == 1


def test_the_ineligible_say_why_and_only_eligible_applications_were_decided(decided):
    ineligible = decided.applications.filter(eligibility=Eligibility.INELIGIBLE)
    assert ineligible.count() == 3
    assert not ineligible.filter(eligibility_reason="").exists()
    assert not ineligible.exclude(decision=Decision.PENDING).exists()
    assert not ineligible.filter(reviews__isnull=False).exists()
    assert not decided.applications.filter(eligibility=Eligibility.PENDING).exists()
    eligible = decided.applications.filter(eligibility=Eligibility.ELIGIBLE)
    assert not eligible.filter(decision=Decision.PENDING).exists()
    assert not eligible.filter(decision=Decision.REJECTED, decision_reason="").exists()


def test_the_applications_target_the_weakest_findings_of_2020(decided):
    """The priorities are the weakest ten indicators of the 2020 cycle, and demo.toml's
    texts were written for them: should the synthetic results change, rewrite the
    applications' indicators and topics in demo.toml."""
    weakest = weakest_indicators(Cycle.objects.get(year=2020), limit=10)
    priorities = set(decided.priority_indicators.all())
    assert priorities == {weak.indicator for weak in weakest}
    written = {row["title"]: set(row["indicators"]) for row in DATA["decided"]["applications"]}
    for application in decided.applications.prefetch_related("indicators"):
        targets = set(application.indicators.all())
        assert 1 <= len(targets) <= 3
        assert targets <= priorities
        assert {i.code for i in targets} == written[application.title]
        for indicator in targets:
            assert f"#indicator-{indicator.code}" in application.finding_links


def test_every_award_was_eligible_and_scored_by_at_least_two_reviewers(decided):
    criteria = set(decided.rubric.values_list("pk", flat=True))
    for award in Application.objects.awarded().filter(call=decided):
        assert award.eligibility == Eligibility.ELIGIBLE
        submitted = award.reviews.filter(submitted_at__isnull=False)
        assert submitted.count() >= 2
        for review in submitted:
            assert review.has_conflict is False
            assert set(review.scores.values_list("criterion_id", flat=True)) == criteria
            assert review.declared_at < review.submitted_at
        assert services.application_result(award).score is not None


def test_the_reviews_are_consistent_and_use_not_applicable(decided):
    reviews = ReviewAssignment.objects.filter(application__call=decided)
    assert not reviews.filter(application__eligibility=Eligibility.INELIGIBLE).exists()
    for review in reviews.filter(has_conflict=True):
        assert review.conflict_note and review.submitted_at is None
        assert not review.scores.exists()
        assert review.application.reviews.filter(submitted_at__isnull=False).count() >= 2
    assert reviews.filter(has_conflict=True).exists()
    assert not reviews.filter(has_conflict__isnull=True).exists()
    scores = ReviewScore.objects.filter(review__application__call=decided)
    assert scores.filter(points__isnull=True).exists()
    assert not scores.filter(points__gt=5).exists()
    for eligible in decided.applications.filter(eligibility=Eligibility.ELIGIBLE):
        assert eligible.reviews.filter(submitted_at__isnull=False).count() >= 2


def test_a_couple_flagged_for_moderation_have_a_moderated_score(decided):
    flagged = [
        application
        for application in decided.applications.filter(eligibility=Eligibility.ELIGIBLE)
        if services.application_result(application).needs_moderation
    ]
    assert len(flagged) >= 2
    for application in flagged:
        assert application.moderated_score is not None and application.moderation_note
    moderated = decided.applications.filter(moderated_score__isnull=False)
    assert set(moderated) == set(flagged)


def test_in_each_municipality_every_award_ranks_above_every_rejection(decided):
    ranked = defaultdict(lambda: {Decision.AWARDED: [], Decision.REJECTED: []})
    for application in decided.applications.filter(eligibility=Eligibility.ELIGIBLE):
        result = services.application_result(application)
        score = scoring.ranking_score(result.score, application.moderated_score)
        ranked[application.municipality_id][application.decision].append(score)
    for scores in ranked.values():
        if scores[Decision.REJECTED]:
            assert min(scores[Decision.AWARDED]) > max(scores[Decision.REJECTED])


def test_the_grants_reports_are_due_as_the_services_fix_them_and_accepted(decided):
    for award in Application.objects.awarded().filter(call=decided):
        due = services.report_due_dates(award.grant_start, award.grant_end)
        reports = {report.kind: report for report in award.reports.all()}
        assert set(reports) == {ReportKind.INTERIM, ReportKind.FINAL}
        for kind, report in reports.items():
            assert report.due_on == due[kind]
            assert report.status == ReportStatus.ACCEPTED
            assert report.narrative and report.financial and report.spent
            assert report.submitted_at < report.reviewed_at
            assert report.spent <= award.awarded_amount
        final = reports[ReportKind.FINAL]
        assert final.outcome
        assert set(final.outcome_indicators.all()) == set(award.indicators.all())
    assert not Report.objects.filter(application__call=decided).awaiting().exists()
    returned_once = Report.objects.filter(application__call=decided).exclude(staff_comment="")
    assert returned_once.filter(kind=ReportKind.INTERIM).count() == 1


def test_the_open_call_is_open_now_on_the_2021_findings(open_call):
    assert open_call.stage == CallStage.ANNOUNCED
    assert open_call.is_open_at(timezone.now())
    assert open_call.cycle.year == 2021
    closes = timezone.localtime(open_call.closes_at, TBILISI)
    assert (closes.hour, closes.minute, closes.second) == (18, 0, 0)
    assert open_call.closes_at > timezone.now() + datetime.timedelta(days=28)
    assert open_call.opens_at < timezone.now() - datetime.timedelta(days=9)
    assert set(open_call.municipalities.values_list("slug", flat=True)) == SLUGS
    weakest = weakest_indicators(Cycle.objects.get(year=2021), limit=10)
    assert set(open_call.priority_indicators.all()) == {weak.indicator for weak in weakest}
    assert [(r.name_en, r.allowed) for r in open_call.required_attachments.all()] == [
        ("Project budget", ["xlsx", "pdf"])
    ]
    assert open_call.rubric.count() == 4 and open_call.checklist.count() >= 3


def test_the_open_call_has_only_other_organisations_drafts(open_call):
    drafts = open_call.applications.all()
    assert drafts.exists()
    assert not drafts.exclude(status=ApplicationStatus.DRAFT).exists()
    assert not drafts.filter(reference__isnull=False).exists()
    assert not drafts.filter(organization__slug=demo.ORGANIZATION["slug"]).exists()
    priorities = set(open_call.priority_indicators.all())
    for draft in drafts:
        assert set(draft.indicators.all()) <= priorities


def test_the_demo_monitor_may_apply_to_the_open_call(open_call, django_user_model):
    monitor = django_user_model.objects.get(username="cso-monitor")
    organization = Organization.objects.get(slug=demo.ORGANIZATION["slug"])
    assert services.applications_left(call=open_call, organization_id=organization.pk) == 1
    draft = services.start_application(call=open_call, organization_id=organization.pk, by=monitor)
    assert draft.status == ApplicationStatus.DRAFT


def test_the_demo_reviewer_reviewed_2021_and_belongs_to_no_organisation(decided, django_user_model):
    reviewer = django_user_model.objects.get(username="grant-reviewer")
    assert is_grant_reviewer(reviewer)
    assert not reviewer.organization_memberships.exists()
    assert ReviewAssignment.objects.filter(
        application__call=decided, reviewer=reviewer, submitted_at__isnull=False
    ).exists()
    others = django_user_model.objects.filter(
        username__in=[row["username"] for row in DATA["reviewers"]]
    )
    assert others.count() == len(DATA["reviewers"]) >= 2
    for other in others:
        assert is_grant_reviewer(other)
        assert not other.is_staff and not other.has_usable_password()
        assert not other.organization_memberships.exists()
        assert other.grant_reviews.filter(submitted_at__isnull=False).exists()


def test_the_demo_organisations_say_they_are_demonstrations(seeded):
    slugs = [row["slug"] for row in DATA["organizations"]]
    organizations = Organization.objects.filter(slug__in=slugs)
    assert organizations.count() == len(slugs) == 32
    for organization in organizations:
        assert re.fullmatch(r"[a-z0-9-]+", organization.slug)
        assert organization.name_ka.endswith("(სადემონსტრაციო)")
        assert organization.name_en.endswith("(demonstration)")
        assert organization.municipalities.exists()
    places = Municipality.objects.filter(organizations__slug__in=slugs)
    assert set(places.values_list("slug", flat=True)) == SLUGS


def test_the_georgian_texts_have_every_placeholder_filled_and_no_mtavruli(seeded):
    texts = []
    for application in Application.objects.all():
        texts += [application.summary, application.objectives, application.activities]
        texts += [application.public_summary_ka, application.public_summary_en]
    for report in Report.objects.all():
        texts += [report.narrative, report.financial, report.outcome]
    texts += list(BudgetLine.objects.values_list("description", flat=True))
    for call in Call.objects.all():
        texts += [call.title_ka, call.description_ka, call.title_en, call.description_en]
    for text in filter(None, texts):
        assert "{" not in text and "}" not in text
        assert not re.search("[\u1c90-\u1cbf]", text)


def test_seed_demo_prints_the_calls_and_running_it_again_changes_nothing(seeded, open_call):
    assert "2021-advocacy" in seeded and "2022-advocacy" in seeded

    def state():
        return (
            Organization.objects.count(),
            Call.objects.count(),
            sorted(Call.objects.values_list("slug", "opens_at", "closes_at", "updated_at")),
            Application.objects.count(),
            BudgetLine.objects.count(),
            ReviewAssignment.objects.count(),
            ReviewScore.objects.count(),
            Report.objects.count(),
            sorted(Application.objects.values_list("pk", "decision", "awarded_amount")),
        )

    before = state()
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_grants", stdout=io.StringIO())
    assert state() == before
