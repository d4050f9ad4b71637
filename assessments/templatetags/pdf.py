import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# Characters that could end the string or the <style> element it is written into.
UNSAFE = re.compile(r'[\\"<>&\n\r\f]')


@register.filter
def css_string(value) -> str:
    """Text as a quoted CSS string, e.g. for running headers in @page rules."""
    text = re.sub(r"\s+", " ", str(value))
    return mark_safe('"' + UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", text) + '"')
