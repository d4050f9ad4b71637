"""The public register of the grant competition, read by the pages, the API, the open-data
files, the call PDF and the municipality page's grants (DESIGN.md, "In public").

What is public: every call that is no longer a draft, with its texts, limits, dates and
rubric; for a decided call, the number of submitted applications and every award
(`Application.objects.awarded()`). Nothing here reads eligibility reasons, rejected or
ineligible applications' details, reviews, reviewers or scores of applications.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.results.findings import weakest_indicators
from indicators.models import Indicator
from musqat.marks import Mark

from .models import (
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Decision,
)

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# Calls that can still be applied to come first on the list; the rest are past.
CURRENT = (CallStatus.OPEN, CallStatus.UPCOMING)


def apply_url() -> str:
    """The applicant workspace (grants/apply/), where a CSO's members apply."""
    return reverse("apply:dashboard")


def award_summary(application: Application, language: str) -> str:
    """An award's summary in a language: the public summary project staff wrote in that
    language, else the applicant's own summary. One rule for pages, files and the API."""
    return getattr(application, f"public_summary_{language}") or application.summary


def summary_is_applicant_s(application: Application, language: str) -> bool:
    """Whether `award_summary` in the language is the applicant's own text, which pages
    say, for it was written by the organisation, not by the project."""
    return not getattr(application, f"public_summary_{language}")


def public_calls():
    """Calls citizens may read, each with the counts a decided call shows: submitted
    applications, awards and the total awarded (the same numbers as `awards_total`)."""
    awarded = Q(applications__decision=Decision.AWARDED)
    return Call.objects.public().annotate(
        submitted_count=Count(
            "applications", filter=Q(applications__status=ApplicationStatus.SUBMITTED)
        ),
        award_count=Count("applications", filter=awarded),
        awarded_total=Sum("applications__awarded_amount", filter=awarded),
    )


@dataclass(frozen=True)
class CallRow:
    """A call as the list shows it, at one moment."""

    call: Call
    status: str
    days_left: int | None  # to the deadline of an open call, to the opening of one to come

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT

    @property
    def is_decided(self) -> bool:
        return self.status == CallStatus.DECIDED

    @property
    def applications(self) -> int | None:
        return self.call.submitted_count if self.is_decided else None

    @property
    def awards(self) -> int | None:
        return self.call.award_count if self.is_decided else None

    @property
    def total_awarded(self) -> Decimal | None:
        return (self.call.awarded_total or Decimal(0)) if self.is_decided else None

    @property
    def status_label(self) -> str:
        return CallStatus(self.status).label


def days_until(moment: datetime.datetime, now: datetime.datetime) -> int:
    """Whole calendar days in Tbilisi from now to the moment (0: today)."""
    return (timezone.localdate(moment) - timezone.localdate(now)).days


def call_row(call: Call, now: datetime.datetime) -> CallRow:
    status = call.status_at(now)
    days = None
    if status == CallStatus.OPEN:
        days = days_until(call.closes_at, now)
    elif status == CallStatus.UPCOMING:
        days = days_until(call.opens_at, now)
    return CallRow(call=call, status=status, days_left=days)


def call_rows(calls, now: datetime.datetime) -> tuple[list[CallRow], list[CallRow]]:
    """Current calls (open ones by nearest deadline, then those to come by opening), and
    past calls, latest deadline first."""
    rows = [call_row(call, now) for call in calls]
    current = sorted(
        (r for r in rows if r.is_current),
        key=lambda r: (r.status != CallStatus.OPEN, r.call.closes_at, r.call.opens_at),
    )
    past = sorted((r for r in rows if not r.is_current), key=lambda r: r.call.closes_at)
    past.reverse()
    return current, past


def with_call_texts(calls):
    """What a call's page and PDF show of it, fetched in a fixed number of queries."""
    return calls.select_related("cycle").prefetch_related(
        "municipalities", "priority_indicators", "checklist", "required_attachments", "rubric"
    )


def awards(queryset=None):
    """The public register's awards with what each one shows, in a fixed number of queries."""
    queryset = Application.objects.awarded() if queryset is None else queryset
    return queryset.select_related("call", "organization", "municipality").prefetch_related(
        "indicators"
    )


@dataclass(frozen=True)
class Priority:
    """A priority indicator of a call, with its published score: the mean of the headline
    scores across the call's eligible municipalities (None where none is published)."""

    indicator: Indicator
    score: Decimal | None
    municipalities: int


def priorities(call: Call) -> list[Priority]:
    """The call's priority indicators, in the methodology's order, with their scores.

    The call's municipalities and indicators should be prefetched (`with_call_texts`)."""
    indicators = list(call.priority_indicators.all())
    if not indicators:
        return []
    places = [m.pk for m in call.municipalities.all()]
    weak = {
        found.indicator.pk: found
        for found in weakest_indicators(
            call.cycle,
            municipality_ids=places,
            indicator_ids=[indicator.pk for indicator in indicators],
            limit=None,
        )
    }
    return [
        Priority(
            indicator=indicator,
            score=weak[indicator.pk].score if indicator.pk in weak else None,
            municipalities=weak[indicator.pk].municipalities if indicator.pk in weak else 0,
        )
        for indicator in indicators
    ]


def total_weight(call: Call) -> Decimal:
    return sum((criterion.weight for criterion in call.rubric.all()), Decimal(0))


def grants_on_findings(municipality, cycle) -> dict[int, list[Mark]]:
    """{indicator id: the awards working on it}, for the scorecard's marks: awards of the
    public register for this municipality, from calls on this cycle's findings."""
    marked: dict[int, list[Mark]] = defaultdict(list)
    targets = Application.indicators.through.objects.filter(
        application__in=Application.objects.awarded().filter(
            municipality=municipality, call__cycle=cycle
        )
    ).select_related("application__call")
    for target in targets.order_by("application__reference"):
        application = target.application
        marked[target.indicator_id].append(
            Mark(
                label=_("Grant %(reference)s: %(title)s")
                % {"reference": application.reference, "title": application.title},
                url=reverse("grants:award", args=[application.call.slug, application.reference]),
            )
        )
    return dict(marked)
