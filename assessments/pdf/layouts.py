"""How each PDF is laid out: its template and what the template is given."""

from __future__ import annotations

from django.utils import timezone

from musqat.numbers import lari

from ..models import Document, Rendering
from ..results import charts, cycles, scorecard
from ..results.methodology import methodology_context
from ..results.plans import PlanView, current_plan, plan_view


def _plan(rendering: Rendering) -> dict | None:
    """The public plan that answers the scorecard's cycle, as the scorecard prints it;
    None when there is none (a draft is never shown)."""
    plan = current_plan(rendering.municipality, cycle_year=rendering.cycle.year)
    if plan is None:
        return None
    view: PlanView = plan_view(plan, timezone.localdate())
    reported = [item.latest.reported_on for item in view.actions if item.latest]
    return {
        "view": view,
        "counts": view.counts,
        "budget": lari(view.budget),
        "latest_report": max(reported) if reported else None,
        "later_years": sorted(
            {
                target.later_cycle.year
                for item in view.actions
                for target in item.targets
                if target.later_cycle
            }
        ),
    }


def _scorecard(rendering: Rendering) -> tuple[str, dict]:
    card = scorecard.scorecard(rendering.municipality, rendering.cycle)
    if card is None:
        raise LookupError(f"{rendering} is not published")
    criteria = [criterion for area in card.areas for criterion in area.children]
    rows = [row for criterion in criteria for row in criterion.children]
    return "pdf/scorecard.html", {
        "card": card,
        "replies": [
            r.external_answer for r in rows if r.external_answer and r.external_answer.score.reply
        ],
        "counts": {"areas": len(card.areas), "criteria": len(criteria), "indicators": len(rows)},
        "plan": _plan(rendering),
        **charts.scorecard_charts(card, codes_only=True),
    }


def _report(rendering: Rendering) -> tuple[str, dict]:
    results = cycles.cycle_results(rendering.cycle, with_areas=True)
    kinds = [k for k in cycles.KINDS if any(k in row.overall for row in results.rows)]
    area_charts = [
        (
            area,
            charts.bar_chart(
                [(row.municipality.name, {k: row.areas.get(k, {}).get(area.pk) for k in kinds})
                 for row in results.published],
                kinds=kinds,
            ),
        )
        for area in results.areas
    ]  # fmt: skip
    cards = []
    for row in results.published:
        card = scorecard.scorecard(row.municipality, rendering.cycle)
        # The table above the chart names the areas.
        cards.append((card, charts.area_chart(card, codes_only=True)))
    return "pdf/report.html", {
        "cycle": rendering.cycle,
        "results": results,
        "map": charts.region_map(results),
        "area_charts": area_charts,
        "cards": cards,
        "kinds": kinds,
        "methodology": rendering.cycle.methodology,
    }


def _handbook(rendering: Rendering) -> tuple[str, dict]:
    return "pdf/handbook.html", methodology_context(rendering.methodology)


LAYOUTS = {
    Document.SCORECARD: _scorecard,
    Document.REPORT: _report,
    Document.HANDBOOK: _handbook,
}
