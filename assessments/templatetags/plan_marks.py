from django import template

register = template.Library()


@register.filter
def marks_on(marks, indicator):
    """What is done about a scorecard's indicator: `marks` is one of the scorecard view's
    {indicator id: [...]} (its planned actions, or the awarded grants working on it)."""
    return marks.get(indicator.pk, []) if marks else []
