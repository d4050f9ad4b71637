"""What the public read model says of a plan: done on time, the plan's address, and
before and after only between scores of one kind of assessment."""

import datetime
from decimal import Decimal

from assessments.models import ActionStatus
from assessments.plans import services
from assessments.results.plans import plan_url, plan_view
from tests import factories


def report(action, staff, status, day):
    return services.report_progress(
        action=action,
        by=staff,
        reported_on=day,
        status=status,
        text="ანგარიში",
        today=datetime.date(2023, 6, 1),
    )


def view_of(plan, action_number):
    view = plan_view(plan, datetime.date(2023, 6, 1))
    return next(each for each in view.actions if each.action.number == action_number)


def test_a_later_done_report_with_more_evidence_keeps_the_action_on_time(telavi_plan, telavi_staff):
    action = telavi_plan.actions.get(number=1)  # due on 30 June 2022
    report(action, telavi_staff, ActionStatus.DONE, datetime.date(2022, 6, 1))
    report(action, telavi_staff, ActionStatus.DONE, datetime.date(2022, 8, 1))
    shown = view_of(telavi_plan, 1)
    assert shown.done_on == datetime.date(2022, 6, 1)
    assert shown.done_on_time


def test_done_again_after_reopening_counts_from_the_last_time(telavi_plan, telavi_staff):
    action = telavi_plan.actions.get(number=1)
    report(action, telavi_staff, ActionStatus.DONE, datetime.date(2022, 6, 1))
    report(action, telavi_staff, ActionStatus.IN_PROGRESS, datetime.date(2022, 6, 15))
    report(action, telavi_staff, ActionStatus.DONE, datetime.date(2022, 9, 1))
    shown = view_of(telavi_plan, 1)
    assert shown.done_on == datetime.date(2022, 9, 1)
    assert not shown.done_on_time


def test_a_closed_plan_keeps_an_address_of_its_own(
    visit, telavi_plan, telavi_staff, published_2021
):
    services.close_plan(plan=telavi_plan, by=telavi_staff)
    telavi_plan.refresh_from_db()
    successor = factories.plan(
        telavi_plan.municipality, published_2021.cycle, starts_on="2024-01-01", ends_on="2025-12-31"
    )
    factories.action(successor, 1, title_en="The successor's action")
    factories.adopt(successor, telavi_staff)

    address = plan_url(telavi_plan)
    assert address.endswith(f"?plan={telavi_plan.pk}")
    closed = visit(address.replace("/ka/", "/en/"))
    assert "Action 1" in closed.text
    assert "The successor's action" not in closed.text
    assert "The successor's action" in visit("/en/municipalities/telavi/plan/").text
    assert visit("/en/municipalities/telavi/plan/?plan=999999").status_code == 404
    assert visit("/en/municipalities/sighnaghi/plan/?plan=1").status_code == 404


def test_before_and_after_compare_one_kind_of_assessment(telavi_plan, telavi, methodology, publish):
    """The baseline of A.1.1 is the external assessment's 100 in 2021; 2022 has only
    Telavi's self-assessment published (A.1.1 no, 0): no change is shown between them."""
    cycle_2022 = factories.cycle(2022, methodology)
    publish(factories.assessment(telavi, cycle_2022, "self"), {"A.1.1": 0, "A.1.2": 1, "B.1.1": 9})
    target = view_of(telavi_plan, 1).targets[0]
    assert target.baseline == Decimal("100")
    assert (target.later, target.change, target.comparable) == (None, None, False)
