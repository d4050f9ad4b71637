"""What the site search finds among the pages of this app (musqat/search.py): the
municipalities, the indicators of every methodology version (each version has its
public page) and the actions of adopted and closed plans, never of a draft.

Each kind is read in one query; each hit links to its public page: the municipality's
page, the indicator's place on its methodology page, the action on its plan's page.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from municipalities.models import Municipality
from musqat.search import Query, Source, hit, matching, provides_search

from ..models import PUBLIC_PLAN_STATUSES, Action
from ..results.plans import action_url


def find_municipalities(query: Query):
    names = ("name_ka", "name_en", "official_name_ka", "official_name_en")
    return [
        hit(
            query,
            title=place.name,
            url=reverse("assessments:municipality", args=[place.slug]),
            context=place.official_name,
            names=[getattr(place, name) for name in names],
        )
        for place in Municipality.objects.filter(matching(query, names))
    ]


def indicator_url(indicator: Indicator) -> str:
    version = indicator.criterion.area.version
    if version.is_current:
        page = reverse("assessments:methodology")
    else:
        page = reverse("assessments:methodology_version", args=[version.code])
    return f"{page}#i-{indicator.code}"


def find_indicators(query: Query):
    """The indicators of every version, the current one first, in the methodology's
    order; a code (A.1.2, or part of one) finds them as their names do."""
    found = (
        Indicator.objects.filter(
            matching(query, ("code", "name_ka", "name_en", "description_ka", "description_en"))
        )
        .select_related("criterion__area__version")
        .order_by(
            "-criterion__area__version__is_current",
            "-criterion__area__version__code",
            "criterion__area__order",
            "criterion__area__code",
            "criterion__order",
            "criterion__code",
            "order",
            "code",
        )
    )
    return [
        hit(
            query,
            title=f"{indicator.code} {indicator.name}",
            url=indicator_url(indicator),
            context=f"{indicator.criterion.code} {indicator.criterion.name} · "
            f"{indicator.criterion.area.version}",
            names=[indicator.code, indicator.name_ka, indicator.name_en],
            texts=[(indicator.description_ka, "ka"), (indicator.description_en, "en")],
        )
        for indicator in found
    ]


def find_actions(query: Query):
    """Actions of the plans citizens may read (adopted and closed), as their plan pages
    show them."""
    found = (
        Action.objects.filter(plan__status__in=PUBLIC_PLAN_STATUSES)
        .filter(matching(query, ("title_ka", "title_en", "description_ka", "description_en")))
        .select_related("plan__municipality")
        .order_by("plan__municipality__name", "-plan__starts_on", "plan_id", "number")
    )
    return [
        hit(
            query,
            title=action.title,
            url=action_url(action),
            context=" · ".join(
                (
                    action.plan.municipality.name,
                    _("Action plan %(period)s") % {"period": action.plan.period},
                    _("Action %(number)s") % {"number": action.number},
                )
            ),
            names=[action.title_ka, action.title_en],
            texts=[(action.description_ka, "ka"), (action.description_en, "en")],
        )
        for action in found
    ]


provides_search(
    Source("municipalities", gettext_lazy("Municipalities"), find_municipalities, order=10)
)
provides_search(Source("indicators", gettext_lazy("Indicators"), find_indicators, order=20))
provides_search(Source("actions", gettext_lazy("Actions"), find_actions, order=30))
