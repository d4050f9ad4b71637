"""The call's rules that a decision and an announcement check, whatever a page showed: the
longest grant (calendar months), an end date not yet past, the public summary in both
languages, money written as the site writes it, and no announcement of a call that has
closed already.

The call is `open_call` (tests/grants/conftest.py): 5 000–20 000 ₾, grants of 12 months at
most (the default); `eligible` is the CSO monitor's submitted application (12 000 ₾),
checked eligible, with the call under review.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from grants import services
from grants.models import Call, CallStage, Decision, Report

from .conftest import DECIDED_AT

SUMMARIES = {"summary_ka": "წყალი ყველა სოფელს", "summary_en": "Water for every village"}


@pytest.fixture
def eligible(open_call, submitted_application, project_staff):
    services.start_review(call=open_call, by=project_staff, now=open_call.closes_at)
    return services.check_eligibility(
        application=submitted_application, eligible=True, by=project_staff
    )


def award(application, by, **changes):
    """Award 10 000 ₾ for 2025, decided on 20 December 2024, unless told otherwise."""
    arguments = {
        "application": application,
        "award": True,
        "amount": Decimal("10000"),
        "start": datetime.date(2025, 1, 1),
        "end": datetime.date(2025, 12, 31),
        "by": by,
        "now": DECIDED_AT,
        **SUMMARIES,
    } | changes
    return services.decide(**arguments)


def refusal_of(application, by, **changes) -> str:
    with translation.override("en"), pytest.raises(services.Refused) as refused:
        award(application, by, **changes)
    application.refresh_from_db()
    # A refused decision changes nothing.
    assert application.decision == Decision.PENDING
    assert application.decided_at is None
    assert not Report.objects.filter(application=application).exists()
    return refused.value.message


# --- Calendar months ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2025, 1, 1), 12, datetime.date(2026, 1, 1)),
        (datetime.date(2025, 3, 15), 1, datetime.date(2025, 4, 15)),
        (datetime.date(2025, 11, 30), 3, datetime.date(2026, 2, 28)),
        (datetime.date(2023, 1, 31), 13, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 12, 31), 1, datetime.date(2026, 1, 31)),
        (datetime.date(2025, 5, 31), 60, datetime.date(2030, 5, 31)),
    ],
)
def test_it_adds_calendar_months_keeping_the_day_or_the_month_s_last_day(day, months, expected):
    assert services.add_months(day, months) == expected


# --- The longest grant ------------------------------------------------------------------------


def test_a_35_month_grant_is_refused_in_a_call_of_12_month_grants(eligible, project_staff):
    message = refusal_of(
        eligible, project_staff, start=datetime.date(2025, 1, 1), end=datetime.date(2027, 11, 30)
    )

    assert message == (
        "A grant of this call lasts at most 12 months: starting on 01.01.2025, it ends on "
        "01.01.2026 at the latest."
    )


def test_a_grant_may_end_exactly_max_months_after_its_start_and_not_a_day_later(
    eligible, project_staff
):
    refusal_of(
        eligible, project_staff, start=datetime.date(2025, 1, 1), end=datetime.date(2026, 1, 2)
    )

    decided = award(
        eligible, project_staff, start=datetime.date(2025, 1, 1), end=datetime.date(2026, 1, 1)
    )

    assert decided.decision == Decision.AWARDED
    assert decided.grant_end == datetime.date(2026, 1, 1)


def test_a_call_of_longer_grants_accepts_them(open_call, eligible, project_staff):
    Call.objects.filter(pk=open_call.pk).update(max_months=36)

    decided = award(
        eligible, project_staff, start=datetime.date(2025, 1, 1), end=datetime.date(2027, 11, 30)
    )

    assert (decided.grant_start, decided.grant_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2027, 11, 30),
    )


def test_a_one_month_call_says_month_in_the_singular(open_call, eligible, project_staff):
    Call.objects.filter(pk=open_call.pk).update(max_months=1)

    message = refusal_of(
        eligible, project_staff, start=datetime.date(2025, 1, 31), end=datetime.date(2025, 3, 1)
    )

    assert message == (
        "A grant of this call lasts at most 1 month: starting on 31.01.2025, it ends on "
        "28.02.2025 at the latest."
    )


# --- An end date in the past ------------------------------------------------------------------


def test_a_grant_that_has_ended_by_the_decision_is_refused(eligible, project_staff):
    message = refusal_of(
        eligible, project_staff, now=datetime.datetime(2026, 1, 10, 8, 0, tzinfo=datetime.UTC)
    )

    assert message == "The grant's end date, 31.12.2025, has passed; a grant ends today or later."


def test_the_past_is_judged_by_the_day_in_tbilisi(eligible, project_staff):
    # 31 December 2025, 21:00 UTC is already 1 January 2026 in Tbilisi (UTC+4).
    late_evening = datetime.datetime(2025, 12, 31, 21, 0, tzinfo=datetime.UTC)
    refusal_of(eligible, project_staff, now=late_evening)

    # 19:00 UTC is 23:00 in Tbilisi, still the grant's last day.
    decided = award(
        eligible, project_staff, now=datetime.datetime(2025, 12, 31, 19, 0, tzinfo=datetime.UTC)
    )

    assert decided.decision == Decision.AWARDED


def test_the_decision_is_dated_when_it_is_taken(eligible, project_staff):
    decided = award(eligible, project_staff)

    assert decided.decided_at == DECIDED_AT


def test_without_a_moment_given_the_decision_is_taken_now(eligible, project_staff):
    today = timezone.localdate()

    decided = award(
        eligible, project_staff, now=None, start=today, end=today + datetime.timedelta(days=90)
    )

    assert timezone.now() - decided.decided_at < datetime.timedelta(minutes=1)


# --- The public summary -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "summaries",
    [
        {"summary_ka": "", "summary_en": "Water for every village"},
        {"summary_ka": "წყალი ყველა სოფელს", "summary_en": "   "},
        {"summary_ka": "", "summary_en": ""},
    ],
)
def test_an_award_needs_the_public_summary_in_both_languages(eligible, project_staff, summaries):
    message = refusal_of(eligible, project_staff, **summaries)

    assert message == (
        "Write the public summary of the award in Georgian and in English: the public register "
        "shows it in both languages."
    )


def test_the_award_keeps_its_public_summaries_for_the_register(eligible, project_staff):
    decided = award(
        eligible, project_staff, summary_ka="  წყალი ყველა სოფელს ", summary_en="Water\n"
    )

    decided.refresh_from_db()
    assert (decided.public_summary_ka, decided.public_summary_en) == (
        "წყალი ყველა სოფელს",
        "Water",
    )


def test_a_rejection_needs_no_summary_and_no_dates(eligible, project_staff):
    rejected = services.decide(
        application=eligible, award=False, reason="A weak link to the findings", by=project_staff
    )

    assert rejected.decision == Decision.REJECTED
    assert not rejected.public_summary_ka and not rejected.public_summary_en


# --- Money in the refusals --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "An award is from 5,000.00 ₾ to 20,000.00 ₾."),
        # Georgian groups with a no-break space and writes a decimal comma.
        ("ka", "5\xa0000,00 ₾"),
    ],
)
def test_an_award_out_of_the_call_s_limits_names_them_as_the_site_writes_money(
    eligible, project_staff, language, expected
):
    with translation.override(language), pytest.raises(services.Refused) as refused:
        award(eligible, project_staff, amount=Decimal("25000"))

    assert expected in refused.value.message
    assert "5000.00" not in refused.value.message


# --- Announcing -------------------------------------------------------------------------------


@pytest.fixture
def draft_call(open_call):
    Call.objects.filter(pk=open_call.pk).update(stage=CallStage.DRAFT)
    open_call.refresh_from_db()
    return open_call


def test_a_call_that_has_closed_already_is_not_announced(draft_call, project_staff):
    closes = datetime.datetime(2024, 3, 1, 14, 0, tzinfo=datetime.UTC)
    Call.objects.filter(pk=draft_call.pk).update(
        opens_at=closes - datetime.timedelta(days=30), closes_at=closes
    )

    with translation.override("en"), pytest.raises(services.Refused) as refused:
        services.announce_call(call=draft_call, by=project_staff)

    assert refused.value.message == (
        "The call closed at 1 March 2024, 18:00 (Tbilisi time); move its closing time into "
        "the future before announcing it."
    )
    assert Call.objects.get(pk=draft_call.pk).stage == CallStage.DRAFT


def test_a_call_is_not_announced_at_its_closing_second(draft_call, project_staff):
    with pytest.raises(services.Refused):
        services.announce_call(call=draft_call, by=project_staff, now=draft_call.closes_at)

    announced = services.announce_call(
        call=draft_call,
        by=project_staff,
        now=draft_call.closes_at - datetime.timedelta(seconds=1),
    )
    assert announced.stage == CallStage.ANNOUNCED


@pytest.mark.django_db
def test_it_refuses_to_moderate_a_decided_application(awarded_application, project_staff):
    with pytest.raises(services.Refused):
        services.moderate(
            application=awarded_application, score=Decimal("4"), note="Late.", by=project_staff
        )
    awarded_application.refresh_from_db()
    assert awarded_application.moderated_score is None
