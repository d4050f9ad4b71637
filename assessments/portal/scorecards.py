"""A municipality's published scorecard in one cycle."""

from django.shortcuts import render

from musqat.cache import public_page

from ..models import Document
from ..pdf.documents import find as find_pdf
from ..results import charts
from ..results.plans import action_url, actions_by_indicator, current_plan, plan_url
from .lookup import published_scorecard


@public_page
def scorecard(request, year, slug):
    card = published_scorecard(year, slug)
    pdf = find_pdf(
        Document.SCORECARD,
        cycle=card.cycle,
        municipality=card.municipality,
    )
    plan = current_plan(card.municipality, card.cycle.year)
    # The findings the municipality has committed to act on, each with its actions.
    marks = {}
    if plan:
        marks = {
            indicator: [(action, action_url(action)) for action in actions]
            for indicator, actions in actions_by_indicator(card.municipality, card.cycle).items()
        }
    return render(
        request,
        "assessments/scorecard.html",
        {
            "card": card,
            "pdf": pdf,
            "plan": plan,
            "plan_address": plan_url(plan) if plan else None,
            "marks": marks,
            **charts.scorecard_charts(card),
        },
    )
