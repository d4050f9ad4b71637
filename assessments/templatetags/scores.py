from decimal import Decimal

from django import template
from django.utils.formats import number_format

from musqat.numbers import one_decimal, plain_number
from musqat.svg import text_colour_on

from .. import scoring

register = template.Library()


@register.filter
def score(value):
    """A score as people read it: one decimal, localised; a dash when there is none."""
    shown = scoring.for_display(value)
    if shown is None:
        return "–"
    return one_decimal(shown)


@register.filter
def signed_score(value):
    """A difference with its sign, e.g. +4.5 or −2.0."""
    shown = scoring.for_display(value)
    if shown is None:
        return "–"
    text = one_decimal(abs(shown))
    if shown > 0:
        return f"+{text}"
    if shown < 0:
        return f"−{text}"
    return text


@register.filter
def on_colour(background):
    """Black or white text, whichever reads better on the given background colour."""
    return text_colour_on(background)


@register.filter
def area_scores(row, areas):
    """A municipality's headline score in each of the given areas."""
    return row.area_scores(areas)


@register.filter
def decimal(value, places=None):
    """A plain decimal number, localised, with no trailing zeros ("0,75", not "0,750", which
    reads as thousands); with places, rounded to at most that many decimals."""
    if value is None:
        return "–"
    return plain_number(Decimal(value), places)


@register.filter
def grouped_number(value):
    """A quantity with its thousands grouped and no trailing zeros: "1 095" km², "806,2"."""
    if value is None:
        return "–"
    return plain_number(Decimal(value), grouped=True)


@register.filter
def share(value):
    """A share of 0–1 as a whole percentage, e.g. 0.604 → 60%."""
    if value is None:
        return "–"
    return f"{number_format(scoring.rounded(Decimal(value) * 100, 0), decimal_pos=0)}%"


@register.filter
def score_of(row, kind):
    """A scorecard row's score (0–100) in one kind of assessment, or None."""
    return row.score_of(kind)
