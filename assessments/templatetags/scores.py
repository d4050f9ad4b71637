from django import template
from django.utils.formats import number_format

from .. import scoring

register = template.Library()


@register.filter
def score(value):
    """A score as people read it: one decimal, localised; a dash when there is none."""
    shown = scoring.for_display(value)
    if shown is None:
        return "–"
    return number_format(shown, decimal_pos=1)


@register.filter
def signed_score(value):
    """A difference with its sign, e.g. +4.5 or −2.0."""
    shown = scoring.for_display(value)
    if shown is None:
        return "–"
    text = number_format(abs(shown), decimal_pos=1)
    if shown > 0:
        return f"+{text}"
    if shown < 0:
        return f"−{text}"
    return text
