"""A municipality's published scorecard in one cycle, and the ways to find one's way in it.

The default page is short: the summary, the ten largest gaps and the ten weakest
indicators, and every thematic area as a collapsible table of its indicators. The answers
themselves, with their evidence and replies, are shown one area at a time (``?area=B``),
for the indicators a filter keeps (``?show=gaps``), or all at once for printing
(``?show=all``). Every view is an address, so it works without JavaScript and can be shared.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from musqat.cache import public_page
from musqat.marks import marks_for

from ..models import Document
from ..pdf.documents import find as find_pdf
from ..results import charts
from ..results.plans import action_url, actions_by_indicator, current_plan, plan_url
from ..results.scorecard import (
    ACTED,
    CHANGED,
    FILTERS,
    GAPS,
    ONE_SIDED,
    REPLIED,
    filtered,
    weakest,
)
from .lookup import published_scorecard
from .views import _not_stored_if

# The summary's lists at the top of the page.
SUMMARY_SIZE = 10
# Everything, answers included: the page to print.
ALL = "all"

FILTER_LABELS = {
    GAPS: gettext_lazy("Largest gaps"),
    REPLIED: gettext_lazy("The municipality replied"),
    CHANGED: gettext_lazy("Changed since the previous cycle"),
    ACTED: gettext_lazy("With an action or a grant"),
    ONE_SIDED: gettext_lazy("Assessed by one side only"),
}
FILTER_EXPLANATIONS = {
    GAPS: gettext_lazy(
        "Indicators on which the self-assessment and the external assessment differ, "
        "the largest difference first."
    ),
    REPLIED: gettext_lazy("Indicators on which the municipality replied to the CSO's findings."),
    CHANGED: gettext_lazy(
        "Indicators whose score changed since the previous cycle that can be compared."
    ),
    ACTED: gettext_lazy(
        "Findings the municipality's action plan addresses, or that an awarded grant works on."
    ),
    ONE_SIDED: gettext_lazy(
        "Indicators that only the municipality or only the CSO assessed; the other side "
        "left them unanswered."
    ),
}


def _address(card, **query) -> str:
    base = reverse("assessments:scorecard", args=[card.cycle.year, card.municipality.slug])
    query = {name: value for name, value in query.items() if value}
    return f"{base}?{urlencode(query)}" if query else base


@public_page(reads=("show", "area"))
def scorecard(request, year, slug):
    card = published_scorecard(year, slug)
    messages = []
    show = request.GET.get("show", "").strip()
    if show and show not in FILTERS and show != ALL:
        messages.append(_("There is no such view of the scorecard; here is its overview."))
        show = ""
    wanted_area = request.GET.get("area", "").strip()
    area = next((a for a in card.areas if a.item.code == wanted_area), None)
    if wanted_area and area is None:
        messages.append(
            _("This scorecard has no thematic area “%(code)s”; here is its overview.")
            % {"code": wanted_area[:20]}
        )
    if area is not None and show:
        show = ""  # one area's page shows all of it

    plan = current_plan(card.municipality, card.cycle.year)
    # The findings the municipality has committed to act on, each with its actions, and
    # those that awarded grants work on.
    marks = {}
    if plan:
        marks = {
            indicator: [(action, action_url(action)) for action in actions]
            for indicator, actions in actions_by_indicator(card.municipality, card.cycle).items()
        }
    grant_marks = marks_for(card.municipality, card.cycle)
    acted = set(marks) | set(grant_marks)

    both_sides = card.self_summary is not None and card.external_summary is not None
    filters = []
    for name in FILTERS:
        if name in (GAPS, ONE_SIDED) and not both_sides:
            continue
        found = filtered(card, name, acted)
        filters.append(
            {
                "name": name,
                "label": FILTER_LABELS[name],
                "count": len(found),
                "url": _address(card, show=name),
                "current": name == show,
                "found": found,
            }
        )
    chosen = next((f for f in filters if f["current"]), None)

    context = {
        "card": card,
        "pdf": find_pdf(Document.SCORECARD, cycle=card.cycle, municipality=card.municipality),
        "plan": plan,
        "plan_address": plan_url(plan) if plan else None,
        "marks": marks,
        "grant_marks": grant_marks,
        "both_sides": both_sides,
        # The columns of an area's table of indicators: name, each kind, gap, notes.
        "columns": 2 + len(card.kinds) + both_sides,
        "messages_shown": messages,
        "filters": filters,
        "show": show,
        "full": show == ALL,
        "chosen": chosen,
        "explanation": FILTER_EXPLANATIONS.get(show),
        "open_area": area,
        "overview_url": _address(card),
        "full_url": _address(card, show=ALL),
        **charts.scorecard_charts(card),
    }
    if not show and area is None:
        # The gaps filter's list, largest first (offered only when both sides are published).
        gaps = next((f["found"] for f in filters if f["name"] == GAPS), [])
        context["gaps"] = gaps[:SUMMARY_SIZE]
        context["weakest"] = weakest(card, SUMMARY_SIZE)
    if area is not None:
        at = card.areas.index(area)
        context["previous_area"] = card.areas[at - 1] if at > 0 else None
        context["next_area"] = card.areas[at + 1] if at + 1 < len(card.areas) else None
        context["sections"] = [s for s in context["sections"] if s[0] is area]
    response = render(request, "assessments/scorecard.html", context)
    return _not_stored_if(messages, response)
