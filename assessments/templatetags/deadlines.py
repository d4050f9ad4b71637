"""Deadlines as people count them: "in 3 days", "today", "2 days overdue"."""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..work import deadline_of, report_due_of
from ..workflow import Status

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


def deadline_line(label, due: datetime.date | None, today=None) -> str:
    """A deadline as a line, "Label: 20.01.2027 · in 45 days", its date machine-readable;
    empty without a date."""
    if due is None:
        return ""
    return format_html(
        '<span class="deadline-line">{}: <time datetime="{}">{}</time> · {}</span>',
        label,
        due.isoformat(),
        date_format(due, "SHORT_DATE_FORMAT"),
        days_left(due, today),
    )


@register.simple_tag
def assessment_deadline(assessment, today=None):
    """An assessment's deadline where it has one: a draft's answers are due when its cycle
    closes, a reply by its reply deadline (`work.deadline_of`)."""
    label = _("Replies due") if assessment.status == Status.REPLY else _("Answers due")
    return deadline_line(label, deadline_of(assessment), today)


@register.simple_tag
def report_deadline(action, today=None):
    """When an open action of a plan in force owes its next progress report."""
    return deadline_line(_("Next progress report due"), report_due_of(action), today)
