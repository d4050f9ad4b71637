"""Action plans in the monitor workspace: the public plans of the municipalities where the
monitor's organisations work, each action with the municipality's latest report (its
voice), and the organisation's verdict on that report (the second voice).

A plan elsewhere, or a draft, is not found here, so that its id says nothing. Every step
is checked again by `plans.services.give_verdict`, whatever these pages offered.
"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from municipalities.models import Municipality, Organization

from ..models import (
    Action,
    ActionIndicator,
    ActionPlan,
    ActionUpdate,
    PlanStatus,
    Verdict,
)
from ..permissions import monitoring_organizations, organization_ids
from ..plans import services
from ..plans.forms import VerdictForm
from ..plans.health import actions_with_latest, health_of, latest_of
from ..results.plans import plan_url

PAGE_SIZE = 20


def monitored_plans(user):
    """Adopted and closed plans of the municipalities where the user's organisations work."""
    return ActionPlan.objects.public().filter(
        municipality__in=Municipality.objects.filter(organizations__in=organization_ids(user))
    )


def awaiting_verdict(user):
    """Actions of plans in force whose latest report one of the user's organisations
    working in the municipality has not judged yet: what the user may still judge."""
    ids = organization_ids(user)
    if not ids:
        return Action.objects.none()
    newest = ActionUpdate.objects.filter(action=OuterRef("pk")).order_by("-reported_on", "-pk")
    judged = Verdict.objects.filter(
        update=OuterRef(OuterRef("latest_report")), organization=OuterRef("pk")
    )
    free_to_judge = Organization.objects.filter(
        pk__in=ids, municipalities=OuterRef("plan__municipality")
    ).filter(~Exists(judged))
    return (
        Action.objects.filter(plan__in=monitored_plans(user), plan__status=PlanStatus.ADOPTED)
        .annotate(latest_report=Subquery(newest.values("pk")[:1]))
        .filter(latest_report__isnull=False)
        .filter(Exists(free_to_judge))
    )


def _plan_url(plan, action=None) -> str:
    url = reverse("monitor:plan", args=[plan.pk])
    return f"{url}#action-{action.pk}" if action else url


@login_required
def plans(request):
    name = "municipality__name_en" if get_language() == "en" else "municipality__name_ka"
    listed = (
        monitored_plans(request.user)
        .select_related("municipality", "cycle")
        .annotate(action_count=Count("actions"))
        .order_by("status", name, "-starts_on")  # "adopted" sorts before "closed"
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = Counter(
        awaiting_verdict(request.user)
        .filter(plan__in=[plan.pk for plan in page.object_list])
        .values_list("plan_id", flat=True)
    )
    rows = [{"plan": plan, "waiting": waiting[plan.pk]} for plan in page.object_list]
    return render(
        request,
        "assessments/monitor/plans.html",
        {"rows": rows, "page": page, "is_member": bool(organization_ids(request.user))},
    )


def _actions(plan):
    """Every action of the plan with all that its card shows, in a fixed number of queries."""
    return actions_with_latest(plan.actions.all()).prefetch_related(
        "updates__author",
        "updates__evidence",
        "updates__verdicts__organization",
        "updates__verdicts__answer",
        "updates__verdicts__evidence",
        Prefetch("targets", queryset=ActionIndicator.objects.select_related("indicator")),
        "criteria",
    )


@login_required
def plan(request, pk):
    plan = get_object_or_404(
        monitored_plans(request.user).select_related("municipality", "cycle"), pk=pk
    )
    today = timezone.localdate()
    waiting = set(awaiting_verdict(request.user).filter(plan=plan).values_list("pk", flat=True))
    cards = []
    for action in _actions(plan):
        health = health_of(action, today)
        cards.append(
            {
                "action": action,
                "latest": latest_of(action),
                "earlier": list(action.updates.all())[1:],
                "flags": list(zip(health.flags, health.labels, strict=True)),
                "waiting": action.pk in waiting,
            }
        )
    return render(
        request,
        "assessments/monitor/plan.html",
        {
            "plan": plan,
            "cards": cards,
            "waiting_count": len(waiting),
            "in_force": plan.status == PlanStatus.ADOPTED,
            "public_url": plan_url(plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verdict(request, pk):
    update = get_object_or_404(
        ActionUpdate.objects.filter(action__plan__in=monitored_plans(request.user))
        .select_related("action__plan__municipality", "action__plan__cycle", "author")
        .prefetch_related(
            "evidence",
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.select_related("organization", "answer").prefetch_related(
                    "evidence"
                ),
            ),
        ),
        pk=pk,
    )
    action = update.action
    plan = action.plan
    mine = list(
        Organization.objects.filter(
            pk__in=monitoring_organizations(request.user, plan.municipality_id)
        )
    )
    if not mine:
        raise Http404
    judged = {given.organization_id for given in update.verdicts.all()}
    free = [organization for organization in mine if organization.pk not in judged]
    if request.method == "POST":
        # With every organisation's verdict given, the service says so in its words.
        form = VerdictForm(request.POST, request.FILES, organizations=free or mine)
        if form.is_valid():
            chosen = form.cleaned_data.get("organization") or (free or mine)[0].pk
            try:
                given = services.give_verdict(
                    update=update,
                    by=request.user,
                    organization_id=int(chosen),
                    verdict=form.cleaned_data["verdict"],
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["files"],
                    links=form.link_list,
                )
            except services.Refused as refusal:
                error = refusal.message
            else:
                messages.success(
                    request,
                    _(
                        "Your verdict on action %(number)s is recorded: %(verdict)s. It is "
                        "public beside the municipality's report, and the municipality may "
                        "answer it."
                    )
                    % {"number": action.number, "verdict": given.get_verdict_display()},
                )
                return redirect(_plan_url(plan, action))
        else:
            error = _("Nothing was saved: correct what is marked below and save again.")
        status = 400
        # A browser cannot send a file back; those it sent are named, to be chosen again.
        not_kept = (
            [
                _("“%(name)s” was not attached, as nothing was saved: choose it again.")
                % {"name": upload.name}
                for upload in request.FILES.getlist("files")
            ]
            if "files" not in form.errors
            else []
        )
    else:
        error = services.verdict_refusal(
            update=update, organization_id=(free or mine)[0].pk, judged=judged
        )
        form = None if error else VerdictForm(organizations=free)
        status = 403 if error else 200
        not_kept = []
    return render(
        request,
        "assessments/monitor/verdict.html",
        {
            "update": update,
            "action": action,
            "plan": plan,
            "form": form,
            "error": error,
            "not_kept": not_kept,
        },
        status=status,
    )
