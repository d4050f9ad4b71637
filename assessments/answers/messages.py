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


def error_summary(answers, area) -> dict | None:
    """What the summary at the top of a refused area page says: a heading, what was saved
    beside the refusals, whether files must be chosen again, and the answers in error (each
    form names its indicator, the id of its first field in error and its errors)."""
    if not answers.error_count:
        return None
    return {
        "heading": refused_heading(answers),
        "saved": saved_message(answers.saved, area) if answers.saved else "",
        "files": lost_files_message(answers),
        "forms": answers.in_error,
    }


def refused_heading(answers) -> str:
    """The heading of an area page's error summary: what was refused, and whether the
    rest was saved (save_area_answers saves the valid answers beside the refused ones)."""
    count = answers.error_count
    if answers.saved:
        return ngettext(
            "Not saved: %(count)s answer needs attention",
            "Not saved: %(count)s answers need attention",
            count,
        ) % {"count": count}
    return ngettext(
        "Nothing was saved: %(count)s answer needs attention",
        "Nothing was saved: %(count)s answers need attention",
        count,
    ) % {"count": count}


def lost_files_message(answers) -> str:
    """Files chosen for a refused answer are not kept; empty when none were chosen."""
    if not answers.lost_files:
        return ""
    return ngettext(
        "The files chosen for this answer must be chosen again.",
        "The files chosen for these answers must be chosen again.",
        answers.lost_files,
    )


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
