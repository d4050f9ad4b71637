from django import template

register = template.Library()


@register.filter
def actions_on(marks, indicator):
    """The planned actions that address a scorecard's indicator (`marks` is the scorecard
    view's {indicator id: [(action, address)]})."""
    return marks.get(indicator.pk, []) if marks else []
