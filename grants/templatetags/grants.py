import re

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.workflow import Kind
from musqat.numbers import lari

from .. import register as public
from ..models import Application, Call, CallStage, Report, ReportStatus

register = template.Library()


@register.filter
def gel(value):
    """An amount of lari as people read it: 2 decimals, grouped, the local decimal mark."""
    return lari(value)


@register.filter
def summary_in(application, language):
    """An award's summary in a language (see `register.award_summary`)."""
    return public.award_summary(application, language)


@register.filter
def summary_is_own(application, language):
    """Whether the award's summary in the language is the applicant's own text."""
    return public.summary_is_applicant_s(application, language)


# Georgian letters: Asomtavruli and Mkhedruli (U+10A0–U+10FF), Mtavruli (U+1C90–U+1CBF).
GEORGIAN = re.compile("[\u10a0-\u10ff\u1c90-\u1cbf]")


@register.filter
def lang_of(text):
    """The language of a text someone typed, for its lang attribute: "ka" when it has
    Georgian letters, else "en", so that screen readers speak it and browsers hyphenate
    it as the language it is in, whatever the page's language."""
    return "ka" if GEORGIAN.search(str(text or "")) else "en"


@register.filter
def score_kind(findings, when="before"):
    """The assessment kind the findings' scores are of ("external", "self" or None when
    none has a score): one for all, as they share a municipality and a cycle. With
    "later", the kind of their later scores."""
    for finding in findings:
        item = finding.later if when == "later" else finding
        if item is not None and item.kind:
            return item.kind
    return None


@register.filter
def later_of(findings):
    """The later published score of the findings' cycle, if any finding has one (they
    share it: the latest later cycle of their municipality)."""
    return next((finding.later for finding in findings if finding.later), None)


@register.simple_tag
def score_heading(kind, year):
    """Whose score a column shows and of which year, e.g. "External assessment score, 2020"."""
    if kind == Kind.EXTERNAL:
        return _("External assessment score, %(year)s") % {"year": year}
    if kind == Kind.SELF:
        return _("Self-assessment score, %(year)s") % {"year": year}
    return _("Published score, %(year)s") % {"year": year}


@register.inclusion_tag("grants/portal/municipality_grants.html")
def grants_for_municipality(municipality):
    """The grants working on a municipality (awards of decided calls) and the calls it
    may be the subject of now or soon, in two queries."""
    now = timezone.now()
    awards = (
        Application.objects.awarded()
        .filter(municipality=municipality)
        .select_related("call", "organization")
        .order_by("-call__closes_at", "reference")
    )
    calls = Call.objects.filter(
        stage=CallStage.ANNOUNCED, closes_at__gt=now, municipalities=municipality
    ).order_by("closes_at")
    return {
        "municipality": municipality,
        "awards": list(awards),
        "calls": [public.call_row(call, now) for call in calls],
    }


@register.inclusion_tag("grants/includes/reports_to_review.html")
def grant_reports_to_review():
    """Grantee reports submitted and waiting for project staff, oldest first: one query."""
    reports = (
        Report.objects.filter(status=ReportStatus.SUBMITTED)
        .select_related("application__organization", "application__call")
        .order_by("submitted_at", "pk")
    )
    return {"reports": list(reports)}


@register.inclusion_tag("grants/includes/deadlines.html")
def grant_deadlines(user):
    """A monitor's grant deadlines: calls open to apply, and the reports their
    organisations' grants owe, each with its days left. Two queries."""
    now = timezone.now()
    today = timezone.localdate(now)
    calls = Call.objects.open_at(now).order_by("closes_at")
    reports = (
        Report.objects.awaiting()
        .filter(application__in=Application.objects.of_user(user))
        .select_related("application__call", "application__organization")
        .order_by("due_on", "pk")
    )
    return {
        "calls": [
            {"call": call, "days": (timezone.localdate(call.closes_at) - today).days}
            for call in calls
        ],
        "reports": [{"report": report, "days": report.days_left(today)} for report in reports],
    }
