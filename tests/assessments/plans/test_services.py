"""Adopting, reporting, verdicts and answers: each step checked on the server."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessments.models import (
    ActionPlan,
    ActionStatus,
    PlanStatus,
    VerdictKind,
)
from assessments.plans import services
from assessments.plans.services import Link, Refused
from tests import factories


def test_adopting_keeps_each_indicator_s_published_score_as_the_baseline(telavi_plan):
    targets = {
        target.indicator.code: target
        for action in telavi_plan.actions.all()
        for target in action.targets.all()
    }
    # Telavi's external assessment leads: A.1.1 yes → 100, A.2.1 60 % → 60, B.1.1 N/A.
    assert targets["A.1.1"].baseline == Decimal("100")
    assert targets["A.2.1"].baseline == Decimal("60")
    assert targets["B.1.1"].baseline is None
    assert targets["B.1.1"].baseline_kind == "external"
    assert telavi_plan.status == PlanStatus.ADOPTED


def test_a_plan_is_adopted_only_with_its_order(draft_plan, telavi_staff):
    with pytest.raises(Refused, match="order number"):
        services.adopt_plan(plan=draft_plan, by=telavi_staff)
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.DRAFT


def test_only_the_municipality_s_staff_may_adopt_its_plan(draft_plan, sighnaghi_staff, cso_monitor):
    for person in (sighnaghi_staff, cso_monitor):
        with pytest.raises(Refused):
            factories.adopt(draft_plan, person)


def test_an_adopted_plan_is_never_deleted(telavi_plan):
    with pytest.raises(ValidationError):
        telavi_plan.delete()
    assert ActionPlan.objects.filter(pk=telavi_plan.pk).exists()


def test_a_second_plan_waits_until_the_first_is_closed(telavi_plan, telavi_staff):
    second = factories.plan(
        telavi_plan.municipality, telavi_plan.cycle, starts_on="2024-01-01", ends_on="2025-12-31"
    )
    factories.action(second, 1)
    with pytest.raises(Refused, match="still in force"):
        factories.adopt(second, telavi_staff)
    services.close_plan(plan=telavi_plan, by=telavi_staff)
    assert factories.adopt(second, telavi_staff).status == PlanStatus.ADOPTED


def test_the_database_holds_one_adopted_plan_per_municipality(telavi_plan):
    second = factories.plan(telavi_plan.municipality, telavi_plan.cycle)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionPlan.objects.filter(pk=second.pk).update(
            status=PlanStatus.ADOPTED,
            order_number="1",
            order_date=datetime.date(2022, 1, 1),
            order_document="x.pdf",
            adopted_at=telavi_plan.adopted_at,
        )


def test_a_report_moves_the_action_and_keeps_its_author_and_evidence(telavi_plan, telavi_staff):
    action = telavi_plan.actions.get(number=1)
    update = services.report_progress(
        action=action,
        by=telavi_staff,
        reported_on=datetime.date(2022, 3, 1),
        status=ActionStatus.IN_PROGRESS,
        progress=30,
        text="ტენდერი გამოცხადდა",
        files=[factories.pdf("tender.pdf")],
        links=[Link("Tender", "https://tenders.procurement.gov.ge/1")],
        today=datetime.date(2022, 3, 2),
    )
    action.refresh_from_db()
    assert (action.status, action.shown_progress) == (ActionStatus.IN_PROGRESS, 30)
    assert update.author == telavi_staff
    assert sorted(e.title for e in update.evidence.all()) == ["Tender", "tender.pdf"]


def test_a_report_cannot_be_dated_in_the_future(telavi_plan, telavi_staff):
    with pytest.raises(Refused, match="future"):
        services.report_progress(
            action=telavi_plan.actions.first(),
            by=telavi_staff,
            reported_on=datetime.date(2022, 3, 3),
            status=ActionStatus.IN_PROGRESS,
            text="…",
            today=datetime.date(2022, 3, 2),
        )


def _report(plan, staff, status=ActionStatus.DONE):
    return services.report_progress(
        action=plan.actions.get(number=1),
        by=staff,
        reported_on=datetime.date(2022, 5, 1),
        status=status,
        text="დასრულდა",
        today=datetime.date(2022, 5, 2),
    )


def test_a_monitor_of_an_organisation_working_there_judges_the_latest_report(
    telavi_plan, telavi_staff, cso_monitor, monitoring_cso
):
    update = _report(telavi_plan, telavi_staff)
    verdict = services.give_verdict(
        update=update,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="სამუშაოები არ დაწყებულა",
        files=[factories.pdf("photo.pdf")],
    )
    assert verdict.evidence.count() == 1
    with pytest.raises(Refused, match="already"):
        services.give_verdict(
            update=update,
            by=cso_monitor,
            organization_id=monitoring_cso.pk,
            verdict=VerdictKind.CONFIRMED,
            text="…",
        )
    answer = services.answer_verdict(verdict=verdict, by=telavi_staff, text="ფოტოები თან ერთვის")
    assert answer.verdict == verdict
    with pytest.raises(Refused):
        services.answer_verdict(verdict=verdict, by=telavi_staff, text="again")


def test_a_monitor_elsewhere_may_not_judge(telavi_plan, telavi_staff, other_monitor, other_cso):
    update = _report(telavi_plan, telavi_staff)
    with pytest.raises(Refused, match="working in"):
        services.give_verdict(
            update=update,
            by=other_monitor,
            organization_id=other_cso.pk,
            verdict=VerdictKind.CONFIRMED,
            text="…",
        )


def test_only_the_newest_report_is_judged(telavi_plan, telavi_staff, cso_monitor, monitoring_cso):
    first = _report(telavi_plan, telavi_staff, ActionStatus.IN_PROGRESS)
    _report(telavi_plan, telavi_staff, ActionStatus.DONE)
    with pytest.raises(Refused, match="newer"):
        services.give_verdict(
            update=first,
            by=cso_monitor,
            organization_id=monitoring_cso.pk,
            verdict=VerdictKind.CONFIRMED,
            text="…",
        )


def test_a_moved_due_date_keeps_the_first_promise(telavi_plan, telavi_staff):
    action = telavi_plan.actions.get(number=1)
    old = action.due_on
    action.due_on = datetime.date(2022, 12, 31)
    action.save()
    services.record_due_date_change(action=action, old_due_on=old, by=telavi_staff)
    action.due_on = datetime.date(2023, 3, 31)
    action.save()
    services.record_due_date_change(
        action=action, old_due_on=datetime.date(2022, 12, 31), by=telavi_staff
    )
    action.refresh_from_db()
    assert action.original_due_on == datetime.date(2022, 6, 30)
    assert action.due_date_changes.count() == 2


@pytest.mark.parametrize(
    ("starts_on", "due_on", "field"),
    [
        ("2022-05-01", "2022-04-01", "due_on"),
        ("2021-12-01", "2022-04-01", "starts_on"),
        ("2022-05-01", "2024-01-31", "due_on"),
    ],
)
def test_an_action_s_dates_are_in_order_and_within_the_plan(draft_plan, starts_on, due_on, field):
    action = draft_plan.actions.first()
    action.starts_on = datetime.date.fromisoformat(starts_on)
    action.due_on = datetime.date.fromisoformat(due_on)
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert field in refused.value.message_dict


def test_a_dropped_action_says_why(draft_plan):
    action = draft_plan.actions.first()
    action.status = ActionStatus.DROPPED
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert "dropped_reason_ka" in refused.value.message_dict


def test_budgets_are_decimal_to_the_tetri(draft_plan):
    action = draft_plan.actions.get(number=1)
    action.budget = Decimal("1234567.89")
    action.save()
    action.refresh_from_db()
    assert action.budget == Decimal("1234567.89")


def test_a_report_cannot_be_dated_before_the_plan_was_adopted(telavi_plan, telavi_staff):
    """Otherwise a late action could be reported done "on time" after the fact."""
    with pytest.raises(Refused, match="before the plan was adopted"):
        services.report_progress(
            action=telavi_plan.actions.get(number=1),
            by=telavi_staff,
            reported_on=datetime.date(2022, 1, 9),  # adopted on 10 January 2022
            status=ActionStatus.DONE,
            text="დასრულდა",
            today=datetime.date(2022, 7, 1),
        )


def test_an_action_number_is_used_once_in_a_plan(draft_plan):
    action = draft_plan.actions.get(number=2)
    action.number = 1
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert "The plan already has an action with this number." in str(refused.value)


def test_a_second_answer_to_a_verdict_is_refused_not_an_error(
    telavi_plan, telavi_staff, cso_monitor, monitoring_cso
):
    update = _report(telavi_plan, telavi_staff)
    verdict = services.give_verdict(
        update=update,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.INSUFFICIENT,
        text="…",
    )
    services.answer_verdict(verdict=verdict, by=telavi_staff, text="first")
    with pytest.raises(Refused, match="already answered"):
        services.answer_verdict(verdict=verdict, by=telavi_staff, text="second")
