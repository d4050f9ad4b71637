"""The public JSON API (DESIGN.md, "Names that other tools rely on"), read-only.

Everything comes from assessments/results/, which reads only the current
snapshots of published assessments (and only adopted and closed action plans, never a
draft), and from the scoring engine (ranks, bands, changes): nothing here computes a
score. What every address shares (numbers rounded
half up to 2 decimals, JSON, errors, methods, CORS) is in http.py; ETags are in
freshness.py. The contract is the OpenAPI document in assessments/api/openapi.json;
tests/assessments/test_api.py holds every endpoint's real output to it.

The API is not under a language prefix and does not read Accept-Language: names and
texts come in both languages. Its error details are for programmers and stay in
English for the same reason.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import condition

from indicators.models import Criterion, GradeBand, Indicator, MethodologyVersion, ThematicArea
from municipalities.models import Municipality

from .. import scoring
from ..models import ActionUpdate, Cycle, PlanEvidence, PlanStatus, ScoreSnapshot, Verdict
from ..results.cycles import KINDS, cycle_results, headline_kind, published_cycles, rank_by_kind
from ..results.display import answer_texts
from ..results.plans import ActionView, PlanView, Target, plan_view, public_plans
from ..results.scorecard import AnswerView, KindSummary, ScoredItem
from ..results.scorecard import scorecard as published_scorecard
from ..workflow import Kind
from . import freshness, openapi
from .freshness import conditional
from .http import (
    API_PLACES,
    LANGUAGES,
    NotFound,
    api_endpoint,
    api_url,
    band,
    both,
    evidence_url,
    json_response,
    number,
    page_urls,
    timestamp,
)

# --- /api/v1/cycles/ --------------------------------------------------------------------------


@api_endpoint
@conditional(freshness.of_all_cycles)
def cycle_list(request):
    cycles = list(published_cycles())
    places, kinds, latest = defaultdict(set), defaultdict(list), {}
    snapshots = ScoreSnapshot.objects.current().values_list(
        "assessment__cycle_id", "assessment__municipality_id", "assessment__kind", "published_at"
    )
    for cycle_id, municipality_id, kind, published_at in snapshots:
        places[cycle_id].add(municipality_id)
        kinds[cycle_id].append(kind)
        latest[cycle_id] = max(latest.get(cycle_id, published_at), published_at)
    return json_response(
        {
            "cycles": [
                {
                    "year": cycle.year,
                    "methodology": cycle.methodology.code,
                    "headline_kind": headline_kind(kinds[cycle.pk]),
                    "counts": {
                        "municipalities": len(places[cycle.pk]),
                        **{kind: kinds[cycle.pk].count(kind) for kind in KINDS},
                    },
                    "latest_published_at": timestamp(latest[cycle.pk]),
                    "links": {
                        "scores": api_url(request, "cycle_scores", cycle.year),
                        "methodology": api_url(request, "methodology", cycle.methodology.code),
                        "ranking": page_urls(
                            request, "assessments:municipality_list", query=f"?cycle={cycle.year}"
                        ),
                        "report_pdf": page_urls(request, "assessments:report_pdf", cycle.year),
                    },
                }
                for cycle in cycles
            ],
            "links": {
                "self": api_url(request, "cycle_list"),
                "openapi": api_url(request, "openapi"),
                "documentation": page_urls(request, "assessments:api"),
            },
        }
    )


# --- /api/v1/cycles/<year>/scores/ ------------------------------------------------------------


@api_endpoint
@conditional(freshness.of_cycle)
def cycle_scores(request, year):
    cycle = published_cycles().filter(year=year).first()
    if cycle is None:
        raise NotFound(f"No published results for {year}.")
    results = cycle_results(cycle, with_areas=True)
    ranks = rank_by_kind(
        (row.municipality.pk, kind, overall)
        for row in results.rows
        for kind, overall in row.overall.items()
    )
    assessments = []
    for kind in KINDS:
        rows = [row for row in results.rows if kind in row.overall]
        rank_of = ranks.get(kind, {})
        # Best first; an assessment without an overall score (no rank) last.
        rows.sort(key=lambda r: (rank_of[r.municipality.pk] or 10**6, r.municipality.slug))
        for row in rows:
            place = row.municipality
            area_scores = row.areas.get(kind, {})
            assessments.append(
                {
                    "municipality": place.slug,
                    "name": both(place, "name"),
                    "kind": kind,
                    "overall": number(row.overall[kind]),
                    "band": band(results.bands(row.overall[kind])),
                    "rank": rank_of[place.pk],
                    "areas": {
                        area.code: number(area_scores.get(area.pk)) for area in results.areas
                    },
                    "links": {
                        "scorecard": page_urls(
                            request, "assessments:scorecard", cycle.year, place.slug
                        ),
                        "api": api_url(request, "scorecard", cycle.year, place.slug),
                    },
                }
            )
    return json_response(
        {
            "cycle": {"year": cycle.year, "methodology": cycle.methodology.code},
            "headline_kind": results.headline_kind,
            "areas": [{"code": area.code, "name": both(area, "name")} for area in results.areas],
            "assessments": assessments,
            "links": {
                "self": api_url(request, "cycle_scores", cycle.year),
                "cycles": api_url(request, "cycle_list"),
                "methodology": api_url(request, "methodology", cycle.methodology.code),
            },
        }
    )


# --- /api/v1/scorecards/<year>/<slug>/ --------------------------------------------------------


def _kind_summary(summary: KindSummary | None) -> dict | None:
    if summary is None:
        return None
    snapshot, previous = summary.snapshot, summary.previous
    return {
        "overall": number(summary.overall),
        "band": band(summary.band),
        "rank": summary.rank,
        "coverage": number(scoring.points(snapshot.coverage)),  # a percentage
        "revision": snapshot.revision,
        "published_at": timestamp(snapshot.published_at),
        "correction_note": (
            {"ka": snapshot.note_ka, "en": snapshot.note_en} if snapshot.revision > 1 else None
        ),
        "previous": (
            {
                "year": previous.assessment.cycle.year,
                "overall": number(previous.overall),
                "comparable": summary.previous_is_comparable,
            }
            if previous
            else None
        ),
        "change": number(summary.change_at(API_PLACES)),
    }


def _answer(request, answer: AnswerView | None) -> dict | None:
    if answer is None:
        return None
    frozen = answer.score  # the published revision's answer and texts
    return {
        "value": number(answer.value),
        "not_applicable": answer.is_na,
        "score": number(answer.points),
        "change": number(answer.change_at(API_PLACES)),
        "answer_text": answer_texts(answer.indicator, answer.value, answer.is_na),
        "not_applicable_reason": {"ka": frozen.na_reason, "en": frozen.na_reason_en},
        "evidence": {"ka": frozen.evidence, "en": frozen.evidence_en},
        "reply": {"ka": frozen.reply, "en": frozen.reply_en},
        "links": answer.links,
        "files": [
            {
                "title": str(document),
                "url": evidence_url(request, document.pk),
            }
            for document in answer.files
        ],
    }


def _by_kind(item: ScoredItem) -> dict:
    return {Kind.SELF: number(item.self_score), Kind.EXTERNAL: number(item.external_score)}


@api_endpoint
@conditional(freshness.of_scorecard)
def scorecard(request, year, slug):
    place = Municipality.objects.filter(slug=slug).first()
    if place is None:
        raise NotFound(f"No municipality “{slug}”.")
    cycle = Cycle.objects.filter(year=year).first()
    card = published_scorecard(place, cycle) if cycle else None
    if card is None:
        raise NotFound(f"No published scorecard of “{slug}” for {year}.")
    year, code = card.cycle.year, card.cycle.methodology.code
    areas = []
    for area in card.areas:
        criteria = []
        for criterion in area.children:
            criteria.append(
                {
                    "code": criterion.item.code,
                    "name": both(criterion.item, "name"),
                    "scores": _by_kind(criterion),
                    "indicators": [
                        {
                            "code": row.indicator.code,
                            "name": both(row.indicator, "name"),
                            "response_type": row.indicator.response_type,
                            "answers": {
                                Kind.SELF: _answer(request, row.self_answer),
                                Kind.EXTERNAL: _answer(request, row.external_answer),
                            },
                        }
                        for row in criterion.children
                    ],
                }
            )
        areas.append(
            {
                "code": area.item.code,
                "name": both(area.item, "name"),
                "scores": _by_kind(area),
                "changes": {
                    Kind.SELF: number(area.change_at(Kind.SELF, API_PLACES)),
                    Kind.EXTERNAL: number(area.change_at(Kind.EXTERNAL, API_PLACES)),
                },
                "criteria": criteria,
            }
        )
    return json_response(
        {
            "cycle": {"year": year, "methodology": code},
            "municipality": {
                "slug": place.slug,
                "name": both(place, "name"),
                "official_name": both(place, "official_name"),
            },
            "headline_kind": card.headline.kind,
            "kinds": {kind: _kind_summary(card.kinds.get(kind)) for kind in KINDS},
            "gap": number(card.gap_at(API_PLACES)),
            "areas": areas,
            "links": {
                "self": api_url(request, "scorecard", year, place.slug),
                "scores": api_url(request, "cycle_scores", year),
                "methodology": api_url(request, "methodology", code),
                "scorecard": page_urls(request, "assessments:scorecard", year, place.slug),
                "pdf": page_urls(request, "assessments:scorecard_pdf", year, place.slug),
                "csv": page_urls(request, "assessments:scorecard_csv", year, place.slug),
                "revisions": page_urls(
                    request, "assessments:scorecard_revisions", year, place.slug
                ),
            },
        }
    )


# --- /api/v1/methodology/<code>/ --------------------------------------------------------------


def _item(item) -> dict:
    return {
        "code": item.code,
        "name": both(item, "name"),
        "description": both(item, "description"),
        "weight": number(item.weight),
    }


def _indicator(indicator: Indicator) -> dict:
    is_scale = indicator.response_type == "scale"
    is_numeric = indicator.response_type == "numeric"
    return {
        **_item(indicator),
        "response_type": indicator.response_type,
        "answered_by": indicator.answered_by,
        "scale_labels": (
            {lang: indicator.labels_in(lang) for lang in LANGUAGES} if is_scale else None
        ),
        "thresholds": (
            {"worst": number(indicator.worst), "best": number(indicator.best)}
            if is_numeric
            else None
        ),
        "unit": both(indicator, "unit"),
        "data_source": both(indicator, "data_source"),
        "previous": indicator.previous.code if indicator.previous_id else None,
        "comparable": indicator.comparable,
    }


@api_endpoint
@conditional(freshness.of_methodology)
def methodology(request, code):
    """A methodology version: public when it is the current one (the version the
    methodology page explains) or when a cycle with published results used it. The
    handbook PDF is offered for the latter only, as on the portal."""
    version = MethodologyVersion.objects.select_related("previous").filter(code=code).first()
    if version is None:
        raise NotFound(f"No public methodology version “{code}”.")
    cycles = Cycle.objects.with_published().filter(methodology=version).order_by("-year")
    years = list(cycles.values_list("year", flat=True))
    if not (version.is_current or years):
        raise NotFound(f"No public methodology version “{code}”.")
    criteria_of, indicators_of = defaultdict(list), defaultdict(list)
    for criterion in Criterion.objects.filter(area__version=version):
        criteria_of[criterion.area_id].append(criterion)
    for indicator in Indicator.objects.filter(criterion__area__version=version).select_related(
        "previous"
    ):
        indicators_of[indicator.criterion_id].append(indicator)
    areas = [
        {
            **_item(area),
            "criteria": [
                {
                    **_item(criterion),
                    "indicators": [_indicator(i) for i in indicators_of[criterion.pk]],
                }
                for criterion in criteria_of[area.pk]
            ],
        }
        for area in ThematicArea.objects.filter(version=version)
    ]
    return json_response(
        {
            "code": version.code,
            "name": both(version, "name"),
            "description": both(version, "description"),
            "is_current": version.is_current,
            "previous": version.previous.code if version.previous_id else None,
            "cycles": years,
            "grade_bands": [band(b) for b in GradeBand.objects.filter(version=version)],
            "areas": areas,
            "links": {
                "self": api_url(request, "methodology", version.code),
                "page": page_urls(request, "assessments:methodology_version", version.code),
                "handbook_pdf": (
                    page_urls(request, "assessments:handbook_pdf", version.code) if years else None
                ),
            },
        }
    )


# --- /api/v1/plans/<slug>/ --------------------------------------------------------------------


def _file_url(request, name: str, pk: int) -> str:
    # A plan's files are the same in both languages: one address will do.
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse(name, args=[pk]))


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _evidence(request, items: list[PlanEvidence]) -> list[dict]:
    """A report's or a verdict's evidence: a file, through its checked view, or a link."""

    def url(item: PlanEvidence) -> str:
        return _file_url(request, "assessments:plan_evidence", item.pk) if item.file else item.url

    return [{"title": item.title, "url": url(item)} for item in items]


def _verdict(request, verdict: Verdict) -> dict:
    answer = getattr(verdict, "answer", None)
    return {
        "organisation": both(verdict.organization, "name"),
        "verdict": verdict.verdict,
        "text": verdict.text,
        "given_at": timestamp(verdict.created_at),
        "evidence": _evidence(request, list(verdict.evidence.all())),
        "answer": (
            {"text": answer.text, "answered_at": timestamp(answer.created_at)} if answer else None
        ),
    }


def _report(request, update: ActionUpdate | None) -> dict | None:
    if update is None:
        return None
    return {
        "reported_on": update.reported_on.isoformat(),
        "status": update.status,
        "progress": update.shown_progress,
        "text": update.text,
        "evidence": _evidence(request, list(update.evidence.all())),
        "verdicts": [_verdict(request, verdict) for verdict in update.verdicts.all()],
    }


def _target(target: Target) -> dict:
    return {
        "code": target.indicator.code,
        "name": both(target.indicator, "name"),
        "baseline": number(target.baseline),
        "later_cycle": target.later_cycle.year if target.later_cycle else None,
        "later": number(target.later),
        # The difference of the two numbers given here, as every change the API gives.
        "change": number(scoring.change(target.later, target.baseline, API_PLACES)),
        "comparable": target.comparable,
    }


def _action(request, view: ActionView, page: dict[str, str]) -> dict:
    action = view.action
    return {
        "number": action.number,
        "title": both(action, "title"),
        "description": both(action, "description"),
        "responsible_unit": both(action, "responsible_unit"),
        "starts_on": action.starts_on.isoformat(),
        "due_on": action.due_on.isoformat(),
        "original_due_on": _date(action.original_due_on if action.due_date_moved else None),
        "budget": number(action.budget),
        "budget_source": both(action, "budget_source"),
        "expected_result": both(action, "expected_result"),
        "status": action.status,
        "dropped_reason": both(action, "dropped_reason"),
        "progress": action.shown_progress,
        "state": view.state,
        "health": {
            "overdue": view.health.overdue,
            "stale": view.health.stale,
            "unverified": view.health.unverified,
        },
        "done_on": _date(view.done_on),
        "done_on_time": view.done_on_time,
        "no_improvement": view.no_improvement,
        "criteria": [criterion.code for criterion in action.criteria.all()],
        "indicators": [_target(target) for target in view.targets],
        "latest_report": _report(request, view.latest),
        "links": {"page": {lang: f"{url}#action-{action.number}" for lang, url in page.items()}},
    }


def _plan(request, view: PlanView) -> dict:
    plan, counts = view.plan, view.counts
    query = "" if plan.status == PlanStatus.ADOPTED else f"?cycle={plan.cycle.year}"
    page = page_urls(request, "assessments:plan", plan.municipality.slug, query=query)
    return {
        "cycle": plan.cycle.year,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat(),
        "status": plan.status,
        "order": {
            "number": plan.order_number,
            "date": _date(plan.order_date),
            "document": _file_url(request, "assessments:plan_order", plan.pk),
        },
        "adopted_at": timestamp(plan.adopted_at),
        "closed_at": timestamp(plan.closed_at) if plan.closed_at else None,
        "counts": {
            "actions": len(view.actions),
            **{state: counts[state] for state in ("done", "on_track", "delayed", "dropped")},
            "overdue": sum(action.health.overdue for action in view.actions),
            "disputed": sum(action.is_disputed for action in view.actions),
        },
        "budget": number(view.budget),
        "actions": [_action(request, action, page) for action in view.actions],
        "links": {"page": page},
    }


@api_endpoint
@conditional(freshness.of_plans)
def plans(request, slug):
    place = Municipality.objects.filter(slug=slug).first()
    if place is None:
        raise NotFound(f"No municipality “{slug}”.")
    today = timezone.localdate()
    found = public_plans(place).order_by("-starts_on", "-pk")
    return json_response(
        {
            "municipality": {"slug": place.slug, "name": both(place, "name")},
            # Overdue and stale are computed for this day.
            "as_of": today.isoformat(),
            "plans": [_plan(request, plan_view(plan, today)) for plan in found],
            "links": {
                "self": api_url(request, "plans", place.slug),
                "municipality": page_urls(request, "assessments:municipality", place.slug),
            },
        }
    )


# --- The document, and everything else under /api/v1/ ----------------------------------------

DOCUMENT_BODY = json.dumps(openapi.DOCUMENT, ensure_ascii=False, indent=2)
DOCUMENT_ETAG = hashlib.sha256(DOCUMENT_BODY.encode()).hexdigest()[:32]


@api_endpoint
@condition(etag_func=lambda request: DOCUMENT_ETAG)
def openapi_document(request):
    return HttpResponse(DOCUMENT_BODY, content_type="application/json")
