"""What citizens see of action plans: a municipality's plan with both voices on every
action, the implementation of every plan answering a cycle, and the plans' files.

Everything is read through `results/plans.py`, which knows only adopted and closed plans:
a draft has no page, no row and no file here.
"""

import datetime
from pathlib import PurePosixPath

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.models import Municipality
from musqat.cache import public_page
from musqat.storage import serve_private

from ..models import ActionPlan, ActionUpdate
from ..results.plans import (
    ActionView,
    PlanView,
    current_plan,
    implementation,
    plan_url,
    plan_view,
    plan_years,
    public_evidence,
    public_plans,
)


def today() -> datetime.date:
    """The day health is judged on: overdue and stale depend on it."""
    return timezone.localdate()


def _cycle_year(request) -> int | None:
    """The cycle named by ?cycle=YEAR; a value that is no year names no plan (404)."""
    wanted = request.GET.get("cycle")
    if wanted is None:
        return None
    try:
        return int(wanted.strip())
    except ValueError:
        raise Http404(
            _("There is no action plan for the cycle “%(cycle)s”.") % {"cycle": wanted}
        ) from None


def _asked_plan(request, place):
    """The public plan named by ?plan=ID (a closed plan's address), or None when the
    address names none; an ID that is no public plan of the municipality is a 404."""
    wanted = request.GET.get("plan")
    if wanted is None:
        return None
    if not wanted.strip().isascii() or not wanted.strip().isdigit() or len(wanted) > 18:
        raise Http404(_("This municipality has no such action plan."))
    return get_object_or_404(public_plans(place), pk=int(wanted))


@public_page(reads=("cycle", "plan"))
def plan(request, slug):
    place = get_object_or_404(Municipality, slug=slug)
    shown = _asked_plan(request, place) or current_plan(place, _cycle_year(request))
    if shown is None:
        raise Http404(_("This municipality has no adopted action plan."))
    on = today()
    view = plan_view(shown, on)
    others = [(other, plan_url(other)) for other in public_plans(place) if other.pk != shown.pk]
    return render(
        request,
        "assessments/plan.html",
        {
            "municipality": place,
            "plan": shown,
            "view": view,
            "others": others,
            "today": on,
        },
    )


@public_page
def plans(request, year):
    years = list(plan_years())
    cycle = next((each for each in years if each.year == year), None)
    if cycle is None:
        raise Http404(_("No adopted action plan answers the %(year)s cycle.") % {"year": year})
    on = today()
    return render(
        request,
        "assessments/plans.html",
        {
            "cycle": cycle,
            "years": years,
            "rows": [(row, plan_url(row.plan)) for row in implementation(cycle, on)],
            "today": on,
        },
    )


def plan_summary(plan: ActionPlan, on: datetime.date) -> PlanView:
    """A plan's actions with their state and budget, for the municipality page's summary:
    the plan page's view without its reports' evidence and its before and after, so that
    the summary costs a few queries however long the plan."""
    actions = plan.actions.prefetch_related(
        Prefetch(
            "updates",
            queryset=ActionUpdate.objects.order_by("-reported_on", "-pk").prefetch_related(
                "verdicts"
            ),
        )
    )
    views = []
    for action in actions:
        updates = list(action.updates.all())
        latest = updates[0] if updates else None
        views.append(
            ActionView(
                action=action,
                updates=updates,
                health=action.health(
                    today=on, latest=latest, has_verdict=bool(latest and latest.verdicts.all())
                ),
            )
        )
    return PlanView(plan=plan, actions=views)


def plan_evidence(request, pk):
    """A report's or a verdict's file, once its plan is public; otherwise nothing is there."""
    evidence = public_evidence(pk)
    if evidence is None:
        raise Http404
    return serve_private(evidence.file)


def plan_order(request, pk):
    """The mayor's order approving a public plan."""
    shown = get_object_or_404(ActionPlan.objects.public().select_related("municipality"), pk=pk)
    suffix = PurePosixPath(shown.order_document.name).suffix.lower()[:6] or ".pdf"
    name = (
        f"{shown.municipality.slug}-action-plan-{shown.starts_on.year}-{shown.ends_on.year}"
        f"-order{suffix}"
    )
    return serve_private(shown.order_document, name=name)
