import re

from django import template
from django.utils.safestring import mark_safe

from musqat.pdf import css_string

register = template.Library()
register.filter("css_string", css_string)

# A number with a Georgian ending joined by a hyphen ("4-დან", "3-ე", "2020-ში") is one word:
# a line break at its hyphen strands the ending at the start of the next line.
UNIT = re.compile(r"\d+-[\u10d0-\u10ff]+")
# Tags, and elements whose text is no running text (charts lay out their own).
MARKUP = re.compile(r"<(svg|style|script)\b.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE)


def _keep(match: re.Match) -> str:
    return f'<span class="keep">{match.group(0)}</span>'


@register.filter
def keep_units_together(html):
    """Rendered HTML with each number-and-ending kept on one line, in running text only."""
    parts, position = [], 0
    for markup in MARKUP.finditer(html):
        parts.append(UNIT.sub(_keep, html[position : markup.start()]))
        parts.append(markup.group(0))
        position = markup.end()
    parts.append(UNIT.sub(_keep, html[position:]))
    return mark_safe("".join(parts))
