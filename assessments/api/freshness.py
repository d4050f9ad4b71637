"""ETags and Last-Modified for the JSON API, from cheap fingerprints of what each
response shows, so that a client holding the current version gets a 304 for one query."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.views.decorators.http import condition

from indicators.models import MethodologyVersion
from municipalities.models import Municipality
from musqat.cache import generation

from ..models import PUBLIC_PLAN_STATUSES, PlanStatus, ScoreSnapshot

# Part of every ETag: bump it when the shape of a response changes, so that clients
# holding an old ETag get the new shape.
SHAPE = "2"


@dataclass(frozen=True)
class Freshness:
    etag: str | None = None
    last_modified: datetime | None = None


def conditional(fingerprint):
    """ETag and Last-Modified (and so 304s) from a cheap fingerprint of what a response
    shows, computed once per request. A fingerprint of None (nothing published there)
    leaves the request unconditional, so that a missing resource is always a 404."""

    def fresh(request, *args, **kwargs) -> Freshness:
        memo = request.__dict__.setdefault("_api_freshness", {})
        key = (fingerprint.__name__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = fingerprint(*args, **kwargs) or Freshness()
        return memo[key]

    return condition(
        etag_func=lambda request, *a, **kw: fresh(request, *a, **kw).etag,
        last_modified_func=lambda request, *a, **kw: fresh(request, *a, **kw).last_modified,
    )


def _digest(*parts) -> str:
    # The page-cache generation moves whenever anything the public pages show is edited
    # (names, methodology, bands: assessments/apps.py), which the snapshots alone miss.
    return hashlib.sha256(repr((SHAPE, generation(), *parts)).encode()).hexdigest()[:32]


def _snapshots_freshness(scope: str, snapshots, *, shown: Q | None = None) -> Freshness | None:
    """Fingerprint a set of current snapshots: a publication adds one, a correction replaces
    one by a newer one, and either changes the count, the ids or the latest date.
    `shown` narrows the set to what must exist for the response to be found at all."""
    extra = {"shown": Count("pk", filter=shown)} if shown is not None else {}
    found = snapshots.aggregate(
        count=Count("pk"), ids=Sum("pk"), top=Max("pk"), latest=Max("published_at"), **extra
    )
    if not found["count"] or (shown is not None and not found["shown"]):
        return None
    tag = _digest(scope, found["count"], found["ids"], found["top"], found["latest"].isoformat())
    return Freshness(etag=tag, last_modified=found["latest"])


# --- One fingerprint for each endpoint, given the endpoint's URL arguments ------------------


def of_all_cycles():
    return _snapshots_freshness("cycles", ScoreSnapshot.objects.current())


def of_cycle(year):
    return _snapshots_freshness(
        f"scores:{year}", ScoreSnapshot.objects.current().filter(assessment__cycle__year=year)
    )


def of_scorecard(year, slug):
    # A scorecard shows its cycle's ranks and the municipality's earlier cycles.
    in_cycle = Q(assessment__cycle__year=year)
    of_place = Q(assessment__municipality__slug=slug)
    return _snapshots_freshness(
        f"scorecard:{year}:{slug}",
        ScoreSnapshot.objects.current().filter(in_cycle | of_place),
        shown=in_cycle & of_place,
    )


def of_methodology(code):
    published_here = Q(cycles__assessments__snapshots__is_current=True)
    found = (
        MethodologyVersion.objects.filter(code=code)
        .annotate(
            count=Count("cycles__assessments__snapshots", filter=published_here),
            latest=Max("cycles__assessments__snapshots__published_at", filter=published_here),
        )
        .values_list("pk", "is_current", "count", "latest")
        .first()
    )
    if found is None or not (found[1] or found[2]):
        return None
    # No edit time is stored for a methodology, so there is no honest Last-Modified.
    return Freshness(etag=_digest("methodology", *found[:3], str(found[3])))


def of_plans(slug):
    """A municipality's public plans change with each adoption, closing, edit of an action,
    report, verdict and answer; their before and after with each publication of the
    municipality's results; and their health (overdue, stale) with the day itself."""
    public = Q(action_plans__status__in=PUBLIC_PLAN_STATUSES)
    reports = "action_plans__actions__updates"
    verdicts = f"{reports}__verdicts"
    latest_snapshot = (
        ScoreSnapshot.objects.current()
        .filter(assessment__municipality=OuterRef("pk"))
        .order_by("-pk")
        .values("pk")[:1]
    )
    found = (
        Municipality.objects.filter(slug=slug)
        .annotate(
            plans=Count("action_plans", filter=public, distinct=True),
            plan_ids=Sum("action_plans", filter=public, distinct=True),
            closed=Count(
                "action_plans",
                filter=Q(action_plans__status=PlanStatus.CLOSED),
                distinct=True,
            ),
            actions=Count("action_plans__actions", filter=public, distinct=True),
            changed=Max("action_plans__actions__updated_at", filter=public),
            reports=Count(reports, filter=public, distinct=True),
            last_report=Max(reports, filter=public),
            verdicts=Count(verdicts, filter=public, distinct=True),
            last_verdict=Max(verdicts, filter=public),
            answers=Count(f"{verdicts}__answer", filter=public, distinct=True),
            snapshot=Subquery(latest_snapshot),
        )
        .values_list(
            "pk", "plans", "plan_ids", "closed", "actions", "changed", "reports",
            "last_report", "verdicts", "last_verdict", "answers", "snapshot",
        )
        .first()
    )  # fmt: skip
    if found is None:
        return None
    # Health is computed for today, so there is no honest Last-Modified either.
    return Freshness(etag=_digest("plans", slug, str(timezone.localdate()), *map(str, found)))
