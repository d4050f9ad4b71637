"""What the assessments' JSON API adds to musqat/json_api.py (responses, errors, methods,
CORS, caching, texts in both languages): its numbers, bands and links.

Numbers are converted explicitly: every number (scores, answers, weights, thresholds,
coverage) is the stored Decimal rounded half up to 2 decimals (DESIGN.md), so that scores
agree with the pages, which round the same stored numbers to 1 decimal.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from indicators.models import GradeBand
from musqat.json_api import (  # noqa: F401 - the API's views take them from here
    LANGUAGES,
    NotFound,
    api_endpoint,
    both,
    error,
    json_response,
    page_urls,
    timestamp,
)

from .. import scoring

# --- Plain JSON values ----------------------------------------------------------------------


# Every number the API gives has 2 decimals; gaps and changes are differences at that precision.
API_PLACES = 2


def number(value: Decimal | None) -> float | None:
    """A stored Decimal as a JSON number rounded half up to 2 decimals, like every number
    the API gives (rounded as a Decimal, never re-derived from a float)."""
    value = scoring.rounded(value, API_PLACES)
    return None if value is None else float(value)


def band(found: GradeBand | None) -> dict | None:
    if found is None:
        return None
    return {
        "label": both(found, "label"),
        "colour": found.colour,
        "min_score": number(found.min_score),
    }


# --- Links ----------------------------------------------------------------------------------


def evidence_url(request, pk: int) -> str:
    # An evidence file is the same file in both languages: one address will do.
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse("assessments:evidence_file", args=[pk]))


def api_url(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(f"api:{name}", args=args))
