"""Deadlines as people count them: "in 3 days", "today", "2 days overdue"."""

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def days_in_words(days: int) -> str:
    if days > 0:
        return ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}
    if days == 0:
        return _("today")
    return ngettext("%(days)d day overdue", "%(days)d days overdue", -days) % {"days": -days}


@register.filter
def days_left(value, today=None):
    """A deadline (a date, or the days left to it) in words. Overdue is said in words
    and marked with a sign and bold type, not by colour alone."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        value = (value - (today or timezone.localdate())).days
    days = int(value)
    if days < 0:
        return format_html(
            '<strong class="deadline deadline-overdue"><span aria-hidden="true">⚠ </span>{}'
            "</strong>",
            days_in_words(days),
        )
    return format_html('<span class="deadline">{}</span>', days_in_words(days))
