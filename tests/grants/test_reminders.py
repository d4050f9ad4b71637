"""Grantee reports: due dates fixed at the award, reminders before, on and after them."""

import datetime

import pytest

from grants.models import Report, ReportKind
from grants.services import reminder_due, report_due_dates

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
