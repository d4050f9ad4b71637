"""Grantee reports: due dates fixed at the award, reminders before, on and after them."""

import datetime

import pytest

from grants.models import Report, ReportKind, ReportStatus
from grants.services import remind_reports, reminder_due, report_due_dates, submit_report

DUE = datetime.date(2026, 6, 30)


def on(days_from_due: int) -> datetime.date:
    return DUE + datetime.timedelta(days=days_from_due)


def report() -> Report:
    return Report(kind=ReportKind.FINAL, due_on=DUE)


@pytest.mark.parametrize(
    ("day", "reminder"),
    [
        (-30, None),
        (-15, None),
        (-14, "before-14"),
        (-10, "before-14"),
        (-4, "before-14"),
        (-3, "before-3"),
        (-1, "before-3"),
        (0, "due"),
        (1, "after-1"),
        (7, "after-1"),
        (8, "after-8"),
        (15, "after-15"),
        (60, "after-57"),
    ],
)
def test_the_reminder_a_report_owes_on_each_day(day, reminder):
    assert reminder_due(report(), on(day)) == reminder


def test_reminders_keep_coming_every_week_after_the_due_date_passes():
    names = {reminder_due(report(), on(day)) for day in range(1, 100)}
    assert len(names) == 15  # after-1, after-8, … after-99
    assert all(name.startswith("after-") for name in names)


def test_the_due_dates_are_halfway_through_the_grant_and_a_month_after_it_ends():
    dates = report_due_dates(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert dates[ReportKind.INTERIM] == datetime.date(2026, 7, 2)
    assert dates[ReportKind.FINAL] == datetime.date(2027, 1, 30)


# --- The beat task, with the e-mail it sends --------------------------------------------------


@pytest.fixture
def final_report(awarded_application, cso_monitor):
    """The grant's final report, the only one it still owes; the monitor reads e-mail."""
    cso_monitor.email = "levan@example.org"
    cso_monitor.save()
    awarded_application.reports.filter(kind=ReportKind.INTERIM).update(status=ReportStatus.ACCEPTED)
    return awarded_application.reports.get(kind=ReportKind.FINAL)


@pytest.fixture
def reminders_on(mailoutbox, django_capture_on_commit_callbacks):
    """How many e-mails the beat task sends on a day so many days from the due date."""

    def run(report, days_from_due: int) -> int:
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            remind_reports(today=report.due_on + datetime.timedelta(days=days_from_due))
        return len(mailoutbox) - before

    return run


@pytest.mark.django_db
def test_the_grantee_is_reminded_before_on_and_every_week_after_the_due_date(
    final_report, reminders_on, mailoutbox
):
    days_with_mail = [day for day in range(-20, 30) if reminders_on(final_report, day)]
    assert days_with_mail == [-14, -3, 0, 1, 8, 15, 22, 29]
    assert all(final_report.application.reference in m.subject for m in mailoutbox)


@pytest.mark.django_db
def test_a_reminder_goes_once_however_often_the_beat_runs_that_day(final_report, reminders_on):
    assert reminders_on(final_report, 1) == 1
    assert reminders_on(final_report, 1) == 0
    assert reminders_on(final_report, 5) == 0  # still the "after-1" reminder


@pytest.mark.django_db
def test_a_day_the_beat_missed_is_caught_up_with_the_latest_reminder_only(
    final_report, reminders_on
):
    assert reminders_on(final_report, 10) == 1
    assert reminders_on(final_report, 12) == 0


@pytest.mark.django_db
def test_a_report_that_came_is_no_longer_reminded(final_report, cso_monitor, reminders_on):
    final_report.narrative, final_report.financial = "What we did.", "What we spent."
    final_report.save()
    submit_report(report=final_report, by=cso_monitor)
    assert reminders_on(final_report, 1) == 0


@pytest.mark.django_db
def test_the_due_date_never_moves_when_the_grant_s_dates_change(final_report):
    due = final_report.due_on
    application = final_report.application
    application.grant_end = application.grant_end + datetime.timedelta(days=90)
    application.save()
    final_report.refresh_from_db()
    assert final_report.due_on == due
