"""A municipality's latest published result, for municipal websites to show on their own
pages: a small card for an iframe and an SVG badge.

The card is the one address of the site that other sites may frame: every other page keeps
the policy's `frame-ancestors 'none'` and Django's `X-Frame-Options: DENY`. The decorators
that allow it sit outside the page cache's, so that a page answered from the cache carries
them too; the cache's early answer (musqat/cache.py) replays the headers the card was first
sent with, which are these.

Like the scorecard, both read only the current snapshots of published assessments: the
headline kind, its band and rank, and the gap, computed by the same helpers.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from csp.decorators import csp_replace
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from indicators.models import GradeBand
from municipalities.models import Municipality
from musqat.cache import public_page
from musqat.svg import text_colour_on

from .. import scoring
from ..models import Cycle, ScoreSnapshot
from ..results.cycles import Bands, headline_kind, rank_by_kind
from ..results.scorecard import municipality_history
from ..templatetags.scores import score
from ..workflow import Kind

# Any web page may frame the card: a municipality's website, over HTTPS or not.
ANY_WEB_PAGE = {"frame-ancestors": ["https:", "http:"]}


@dataclass(frozen=True)
class Summary:
    """A municipality's latest published cycle, as its scorecard heads it."""

    cycle: Cycle
    kind: str
    overall: Decimal
    band: GradeBand | None
    rank: int | None
    ranked: int  # how many municipalities the cycle ranks by this kind
    gap: Decimal | None  # self minus external, when both are published

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def latest_summary(municipality: Municipality) -> Summary | None:
    """The headline of the municipality's latest published scorecard, or None: its
    history, the cycle's scores for the rank, and the bands (three queries)."""
    history = municipality_history(municipality)
    if not history:
        return None
    entry = history[-1]
    kind = headline_kind(entry.snapshots)
    in_cycle = (
        ScoreSnapshot.objects.current()
        .filter(assessment__cycle_id=entry.cycle.pk)
        .values_list("assessment__municipality_id", "assessment__kind", "overall")
    )
    ranks = rank_by_kind(in_cycle).get(kind, {})
    overall = entry.snapshots[kind].overall
    return Summary(
        cycle=entry.cycle,
        kind=kind,
        overall=overall,
        band=Bands.of(entry.cycle.methodology_id)(overall),
        rank=ranks.get(municipality.pk),
        ranked=sum(1 for rank in ranks.values() if rank is not None),
        gap=scoring.gap(entry.self_score, entry.external_score),
    )


@xframe_options_exempt
@csp_replace(ANY_WEB_PAGE)
@public_page
def card(request, slug):
    place = get_object_or_404(Municipality, slug=slug)
    summary = latest_summary(place)
    if summary:
        target = reverse("assessments:scorecard", args=[summary.cycle.year, place.slug])
    else:
        target = reverse("assessments:municipality", args=[place.slug])
    return render(
        request,
        "assessments/embed.html",
        {
            "municipality": place,
            "summary": summary,
            "target": request.build_absolute_uri(target),
        },
    )


# --- The badge ---------------------------------------------------------------------------

BADGE_HEIGHT = 20
FONT_SIZE = 11
PADDING = 7
# Advance widths in ems, as Noto Sans Georgian and the sans-serif fonts after it in the
# stack draw them: Georgian letters are wider than Latin ones. The badge sets each text's
# length to its estimate, so that whatever font a visitor has fills its box exactly.
GEORGIAN_EM, NARROW_EM, DEFAULT_EM = 0.66, 0.3, 0.58


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate of the text's width in pixels, at the font size."""
    ems = 0.0
    for character in text:
        if "\u10a0" <= character <= "\u10ff" or "\u1c90" <= character <= "\u1cbf":
            ems += GEORGIAN_EM
        elif character.isspace() or unicodedata.category(character).startswith("P"):
            ems += NARROW_EM
        else:
            ems += DEFAULT_EM
    return round(ems * size, 1)


@dataclass(frozen=True)
class Part:
    """One coloured half of the badge and its text."""

    text: str
    background: str
    x: float
    width: float

    @property
    def text_length(self) -> float:
        return round(self.width - 2 * PADDING, 1)

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def colour(self) -> str:
        return text_colour_on(self.background)


def badge_parts(label: str, value: str, colour: str) -> list[Part]:
    left = Part(label, "#1b2a3a", 0, text_width(label) + 2 * PADDING)
    right = Part(value, colour, left.width, text_width(value) + 2 * PADDING)
    return [left, right]


@public_page
def badge(request, slug):
    place = get_object_or_404(Municipality, slug=slug)
    summary = latest_summary(place)
    if summary:
        band = summary.band.label if summary.band else ""
        value = f"{score(summary.overall)} · {band}" if band else score(summary.overall)
        colour = summary.band.colour if summary.band else "#4a5663"
        title = _(
            "%(name)s: %(score)s out of 100, %(band)s (%(kind)s, %(year)s). MUSQAT scorecard."
        ) % {
            "name": place.name,
            "score": score(summary.overall),
            "band": band or "–",
            "kind": summary.kind_label,
            "year": summary.cycle.year,
        }
    else:
        value = _("no published results")
        colour = "#4a5663"
        title = _("%(name)s: no published results yet. MUSQAT scorecard.") % {"name": place.name}
    parts = badge_parts("MUSQAT", value, colour)
    return render(
        request,
        "assessments/embed_badge.svg",
        {
            "parts": parts,
            "width": round(sum(part.width for part in parts), 1),
            "height": BADGE_HEIGHT,
            "title": title,
        },
        content_type="image/svg+xml; charset=utf-8",
    )
