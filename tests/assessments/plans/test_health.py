"""Overdue, stale and unverified: the daily check marks and announces once per change."""

import datetime

import pytest
from django.core import mail

from assessments.models import ActionStatus, Health, VerdictKind
from assessments.plans import health, services
from assessments.plans.health import check_plans
from musqat.models import NotificationSettings

# Action 1 of Telavi's plan is due on 30 June 2022, action 2 on 31 December 2023;
# the plan was adopted on 10 January 2022, and ACTION_STALE_DAYS is 90.


@pytest.fixture
def people(telavi_plan, telavi_staff, cso_monitor, other_monitor, sighnaghi_staff):
    """Everyone with an address: the check writes to Telavi's staff and the monitors of
    the organisation working in Telavi, and to nobody else."""
    for person in (telavi_staff, cso_monitor, other_monitor, sighnaghi_staff):
        person.email = f"{person.username}@example.org"
        person.save()
    NotificationSettings.objects.create(user=cso_monitor, language="en")
    return telavi_plan


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """The daily check as the beat runs it: its e-mails go out after its commits."""

    def check(today):
        with django_capture_on_commit_callbacks(execute=True):
            return check_plans(today=today)

    return check


def health_of(action, today):
    return action.health(today=today).flags


def test_an_action_is_overdue_after_its_due_date_unless_it_is_done(telavi_plan, telavi_staff):
    action = telavi_plan.actions.get(number=1)
    assert Health.OVERDUE not in health_of(action, datetime.date(2022, 6, 30))
    assert Health.OVERDUE in health_of(action, datetime.date(2022, 7, 1))
    services.report_progress(
        action=action,
        by=telavi_staff,
        reported_on=datetime.date(2022, 6, 1),
        status=ActionStatus.DONE,
        text="დასრულდა",
        today=datetime.date(2022, 6, 1),
    )
    action.refresh_from_db()
    assert Health.OVERDUE not in health_of(action, datetime.date(2022, 7, 1))


def test_an_action_is_stale_after_the_set_days_without_a_report(
    telavi_plan, telavi_staff, settings
):
    settings.ACTION_STALE_DAYS = 30
    action = telavi_plan.actions.get(number=2)
    # Silence counts from the adoption, 10 January 2022.
    assert Health.STALE not in health_of(action, datetime.date(2022, 2, 9))
    assert Health.STALE in health_of(action, datetime.date(2022, 2, 10))
    services.report_progress(
        action=action,
        by=telavi_staff,
        reported_on=datetime.date(2022, 2, 10),
        status=ActionStatus.IN_PROGRESS,
        text="მიმდინარეობს",
        today=datetime.date(2022, 2, 10),
    )
    assert Health.STALE not in health_of(action, datetime.date(2022, 3, 1))


def test_a_report_is_unverified_until_a_monitor_judges_it(
    telavi_plan, telavi_staff, cso_monitor, monitoring_cso
):
    action = telavi_plan.actions.get(number=2)
    assert Health.UNVERIFIED not in health_of(action, datetime.date(2022, 2, 1))
    update = services.report_progress(
        action=action,
        by=telavi_staff,
        reported_on=datetime.date(2022, 2, 1),
        status=ActionStatus.IN_PROGRESS,
        text="მიმდინარეობს",
        today=datetime.date(2022, 2, 1),
    )
    assert Health.UNVERIFIED in health_of(action, datetime.date(2022, 2, 1))
    services.give_verdict(
        update=update,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.CONFIRMED,
        text="დადასტურდა",
    )
    assert Health.UNVERIFIED not in health_of(action, datetime.date(2022, 2, 1))


def test_the_daily_check_marks_an_overdue_action_delayed_and_announces_it_once(
    people, check, settings
):
    settings.ACTION_STALE_DAYS = 1000  # only overdue here
    mail.outbox.clear()
    action = people.actions.get(number=1)
    quiet = check(datetime.date(2022, 2, 1))
    assert quiet == {"marked": 0, "announced": 0}
    assert mail.outbox == []

    first = check(datetime.date(2022, 7, 1))
    action.refresh_from_db()
    assert action.status == ActionStatus.DELAYED
    assert first["marked"] == 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["cso-monitor@example.org", "telavi-staff@example.org"]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "overdue" in by_address["cso-monitor@example.org"].body
    assert "ვადაგადაცილებული" in by_address["telavi-staff@example.org"].body

    # The next days change nothing: no second e-mail.
    sent = len(mail.outbox)
    for day in (2, 3, 4):
        check(datetime.date(2022, 7, day))
    assert len(mail.outbox) == sent


def test_a_new_flag_is_a_change_and_is_announced_again(people, check, settings):
    settings.ACTION_STALE_DAYS = 200
    mail.outbox.clear()
    check(datetime.date(2022, 7, 1))  # action 1 overdue
    after_overdue = len(mail.outbox)
    assert after_overdue == 2
    # More than 200 days after adoption (10 January), both actions are stale as well.
    check(datetime.date(2022, 7, 29))
    assert len(mail.outbox) == after_overdue
    check(datetime.date(2022, 7, 30))
    subjects = [message.subject for message in mail.outbox[after_overdue:]]
    assert len(subjects) == 4  # two actions, two people each
    check(datetime.date(2022, 7, 31))
    assert len(mail.outbox) == after_overdue + 4


def test_a_draft_plan_is_never_checked(draft_plan, telavi_staff, monitoring_cso, check):
    assert check(datetime.date(2030, 1, 1)) == {"marked": 0, "announced": 0}
    assert draft_plan.actions.filter(status=ActionStatus.DELAYED).count() == 0


def test_the_check_does_not_undo_a_report_made_while_it_runs(
    telavi_plan, telavi_staff, check, settings, monkeypatch
):
    """The check reads the actions first; a "done" report saved before it reaches the
    action keeps the action done."""
    settings.ACTION_STALE_DAYS = 1000
    action = telavi_plan.actions.get(number=1)
    read = health.actions_with_latest

    def read_then_report(actions):
        listed = list(read(actions))
        services.report_progress(
            action=action,
            by=telavi_staff,
            reported_on=datetime.date(2022, 6, 30),
            status=ActionStatus.DONE,
            text="დასრულდა",
            today=datetime.date(2022, 7, 1),
        )
        return listed

    monkeypatch.setattr(health, "actions_with_latest", read_then_report)
    assert check(datetime.date(2022, 7, 1))["marked"] == 0
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_marking_an_action_delayed_changes_what_the_api_s_etag_reads(telavi_plan, check):
    action = telavi_plan.actions.get(number=1)
    before = action.updated_at
    check(datetime.date(2022, 7, 1))
    action.refresh_from_db()
    assert action.status == ActionStatus.DELAYED
    assert action.updated_at > before
