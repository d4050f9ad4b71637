"""What the data-entry pages say after a save or a refused transition (admin and monitor)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def saved_message(saved: int, area) -> str:
    if not saved:
        return _("Nothing had changed, so nothing was saved.")
    return ngettext(
        "Saved %(count)s answer of %(area)s as a draft.",
        "Saved %(count)s answers of %(area)s as a draft.",
        saved,
    ) % {"count": saved, "area": area.name}


def refused_message(answers) -> str:
    return ngettext(
        "Nothing was saved: %(count)s answer needs attention (marked below). "
        "Files you chose must be chosen again.",
        "Nothing was saved: %(count)s answers need attention (marked below). "
        "Files you chose must be chosen again.",
        answers.error_count,
    ) % {"count": answers.error_count}


def missing_by_area(assessment, codes):
    """The unanswered indicators, grouped by their area, for the refusal list."""
    if not codes:
        return []
    indicators = (
        assessment.indicators()
        .filter(code__in=codes)
        .select_related("criterion__area")
        .order_by("criterion__area__order", "criterion__order", "order", "code")
    )
    groups = {}
    for indicator in indicators:
        groups.setdefault(indicator.criterion.area, []).append(indicator)
    return list(groups.items())
