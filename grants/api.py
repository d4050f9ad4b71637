"""The grant competition in the public JSON API: /api/v1/grants/calls/ (DESIGN.md, "Names
that other tools rely on"), read-only, described in assessments/api/openapi.json.

It behaves as the rest of /api/v1/ does (assessments/api/http.py): JSON only, names and
texts in both languages, every number a JSON number rounded half up to 2 decimals, CORS
for any origin, GET, HEAD and OPTIONS only (405 otherwise), JSON 404s, ETags. The plumbing
both share is musqat/json_api.py.

Only the public register is given (`register.py`): calls that are no longer
drafts, and the awards of decided calls. Never reviewers, reviews or scores.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import condition

from assessments import scoring
from musqat.cache import generation
from musqat.json_api import LANGUAGES, api_endpoint, both, json_response, page_urls, timestamp

from . import register
from .models import Application, Call

DEFAULT = settings.LANGUAGE_CODE
API_PLACES = 2
# Part of the ETag: bump it when the shape of the response changes.
SHAPE = "1"


# --- Plain JSON values ----------------------------------------------------------------------


def number(value: Decimal | None) -> float | None:
    """A stored Decimal as a JSON number rounded half up to 2 decimals."""
    value = scoring.rounded(value, API_PLACES)
    return None if value is None else float(value)


def page_url(request, language: str, name: str, *args) -> str:
    with translation.override(language):
        return request.build_absolute_uri(reverse(name, args=args))


# --- /api/v1/grants/calls/ ------------------------------------------------------------------


def calls_etag(request) -> str:
    """A fingerprint of everything the list shows: the calls and their statuses now (a
    call opens and closes by the clock), the awards, and the names and codes they use
    (edits to those move the page cache's generation)."""
    now = timezone.now()
    calls = sorted(
        (call.pk, call.updated_at.isoformat(), call.status_at(now))
        for call in Call.objects.public().only("stage", "opens_at", "closes_at", "updated_at")
    )
    awarded = Application.objects.awarded().aggregate(
        count=Count("pk"), ids=Sum("pk"), latest=Max("updated_at")
    )
    parts = (SHAPE, generation(), calls, awarded["count"], awarded["ids"], str(awarded["latest"]))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _award(request, award: Application) -> dict:
    return {
        "reference": award.reference,
        "organisation": both(award.organization, "name"),
        "municipality": award.municipality.slug if award.municipality_id else None,
        "indicators": [indicator.code for indicator in award.indicators.all()],
        "amount": number(award.awarded_amount),
        "grant_start": award.grant_start.isoformat() if award.grant_start else None,
        "grant_end": award.grant_end.isoformat() if award.grant_end else None,
        "summary": {lang: register.award_summary(award, lang) for lang in LANGUAGES},
        "links": {"page": page_urls(request, "grants:award", award.call.slug, award.reference)},
    }


@api_endpoint
@condition(etag_func=calls_etag)
def call_list(request):
    now = timezone.now()
    calls = list(
        register.public_calls()
        .prefetch_related("municipalities", "priority_indicators")
        .order_by("-opens_at", "slug")
    )
    # Only decided calls have awards in the register.
    awards_of = {call.pk: [] for call in calls}
    for award in register.awards().order_by("reference"):
        awards_of[award.call_id].append(award)
    items = []
    for call in calls:
        row = register.call_row(call, now)
        items.append(
            {
                "slug": call.slug,
                "title": both(call, "title"),
                "description": both(call, "description"),
                "status": row.status,
                "opens_at": timestamp(call.opens_at),
                "closes_at": timestamp(call.closes_at),
                "budget": number(call.budget),
                "min_grant": number(call.min_grant),
                "max_grant": number(call.max_grant),
                "municipalities": sorted(place.slug for place in call.municipalities.all()),
                "priority_indicators": [i.code for i in call.priority_indicators.all()],
                "applications": row.applications,
                "awards": [_award(request, award) for award in awards_of[call.pk]],
                "total_awarded": number(row.total_awarded),
                "links": {
                    "page": page_urls(request, "grants:call", call.slug),
                    # The call in each language, each on its own language's page.
                    "pdf": {
                        lang: page_url(request, lang, "grants:call_pdf", call.slug, lang)
                        for lang in LANGUAGES
                    },
                },
            }
        )
    return json_response(
        {
            "calls": items,
            "links": {
                "self": request.build_absolute_uri(reverse("grants_api:call_list")),
                "page": page_urls(request, "grants:calls"),
                # The files are the same in both languages: one address will do.
                "awards_csv": page_url(request, DEFAULT, "grants:awards_file", "csv"),
                "awards_xlsx": page_url(request, DEFAULT, "grants:awards_file", "xlsx"),
            },
        }
    )
