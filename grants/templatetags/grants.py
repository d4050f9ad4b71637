from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.formats import number_format

from .. import register as public
from ..models import Application, Call, CallStage

register = template.Library()


@register.filter
def gel(value):
    """An amount of lari as people read it: 2 decimals, grouped, the local decimal mark."""
    if value is None:
        return "–"
    return f"{number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)} ₾"


@register.filter
def summary_in(application, language):
    """An award's summary in a language (see `register.award_summary`)."""
    return public.award_summary(application, language)


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
