"""An assessment's full history on one timeline: status changes, every answer and reply
change, review comments and evidence files, each with who, when, old and new values."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.models import Organization

from ..models import Assessment, EvidenceFile, Response, ReviewComment
from ..workflow import TRANSITIONS, Status

TRANSITION_LABELS = {t.action: t.label for t in TRANSITIONS}
# Reasons recorded by saves that are not workflow transitions.
OTHER_REASONS = {
    "edit": gettext_lazy("edited"),
    "import": gettext_lazy("imported from a spreadsheet"),
}


def _reason(code: str) -> str:
    """A change reason as people read it: the transition's label, where it is one."""
    return str(TRANSITION_LABELS.get(code) or OTHER_REASONS.get(code, code))


ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryItem:
    when: datetime
    who: object
    subject: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _is_blank(value) -> bool:
    # Not `value in (None, "", False)`: a "No" answer is Decimal(0), which equals False.
    return value is None or value is False or (isinstance(value, str) and value == "")


def shown_value(value):
    """A stored value as a history shows it: a dash for nothing, yes or no, a number
    without trailing zeros, a date, a time in the site's time zone (Asia/Tbilisi); any
    other value as it is."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


def _shown(model, name, value, names=None) -> str:
    if value is not None and value != "":
        if names and name in names:
            return names[name].get(value, str(value))
        if name == "status":
            return str(Status(value).label)
    return str(shown_value(value))


def _timeline(records, fields, subject, model, names=None, words=None) -> list[HistoryItem]:
    """Turn historical records (ordered by object, then time) into items with diffs.

    `words(record, name, value)` may put a value in words (an answer as its label).
    """

    def shown(record, name, value):
        if words and value is not None:
            found = words(record, name, value)
            if found is not None:
                return found
        return _shown(model, name, value, names)

    items, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        changes = []
        for name in fields:
            new = getattr(record, name)
            old = getattr(before, name) if before else None
            if before is None and record.history_type == "+" and _is_blank(new):
                continue
            if before is None or old != new:
                verbose = model._meta.get_field(name.removesuffix("_id")).verbose_name
                changes.append(
                    Change(
                        str(verbose),
                        shown(before, name, old),
                        shown(record, name, new),
                    )
                )
        items.append(
            HistoryItem(
                when=record.history_date,
                who=record.history_user,
                subject=subject(record),
                action=ACTIONS[record.history_type],
                reason=_reason(record.history_change_reason or ""),
                changes=changes,
            )
        )
        previous[record.id] = record
    return items


def assessment_history(assessment: Assessment) -> list[HistoryItem]:
    """Everything that happened to the assessment, newest first."""
    items = _timeline(
        assessment.history.select_related("history_user").order_by("history_date", "history_id"),
        ["status", "organization_id", "reply_deadline"],
        lambda r: _("Assessment"),
        Assessment,
        names={"organization_id": {o.pk: str(o) for o in Organization.objects.all()}},
    )
    items += _timeline(
        Response.history.filter(assessment_id=assessment.pk)
        .select_related("history_user", "indicator")
        .order_by("id", "history_date", "history_id"),
        ["value", "is_na", *Response.TEXT_FIELDS],
        lambda r: _("Answer to %(code)s") % {"code": r.indicator.code},
        Response,
        words=lambda r, name, value: (
            r.indicator.answer_in_words(value, False) if name == "value" else None
        ),
    )
    items += _timeline(
        ReviewComment.history.filter(assessment_id=assessment.pk)
        .select_related("history_user", "indicator")
        .order_by("id", "history_date", "history_id"),
        ["text", "resolved"],
        lambda r: (
            _("Review comment on %(code)s") % {"code": r.indicator.code}
            if r.indicator
            else _("Review comment")
        ),
        ReviewComment,
    )
    items += _timeline(
        EvidenceFile.history.filter(response__assessment_id=assessment.pk)
        .select_related("history_user", "response__indicator")
        .order_by("id", "history_date", "history_id"),
        ["file", "title", "removed_at"],
        lambda r: _("Evidence file for %(code)s") % {"code": r.response.indicator.code},
        EvidenceFile,
    )
    return sorted(items, key=lambda item: item.when, reverse=True)
