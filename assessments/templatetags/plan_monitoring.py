"""The monitor dashboard's count of action plan reports awaiting a verdict."""

from django import template

from ..monitor.plans import awaiting_verdict

register = template.Library()


@register.simple_tag
def reports_awaiting_verdict(user) -> int:
    return awaiting_verdict(user).count()
