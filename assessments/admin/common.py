"""What the admin's pages share."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from simple_history.template_utils import HistoricalRecordContextHelper

from ..answers.history import OTHER_REASONS, TRANSITION_LABELS, shown_value


def is_record_id(text) -> bool:
    """Whether an address names a record by a plain id: ASCII digits that fit a 64-bit
    key. Anything else ("abc", "١", 5,000 nines) finds nothing, rather than a 500."""
    text = str(text)
    return text.isascii() and text.isdigit() and len(text) <= 18


class ReadOnly:
    """Records that change only through the workflow or the render task, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadableChanges(HistoricalRecordContextHelper):
    """A change as people read it: a status by its label, a time in the site's time zone
    (Asia/Tbilisi), yes and no, and a dash for nothing."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if field.choices and value is not None and value != "":
            return str(dict(field.flatchoices).get(value, value))
        return shown_value(value)


def change_reason(code) -> str:
    """A recorded change reason as people read it: a transition by its label."""
    if not code:
        return "–"
    return str(TRANSITION_LABELS.get(code) or OTHER_REASONS.get(code, code))


class HistoryWithoutRevert:
    """The admin's history of a record is for reading. A revert would change an answer or
    an assessment's status behind the workflow's back (its checks, its notifications,
    its published revision), so none is offered and none is accepted.

    The page shows labels and local times rather than the stored codes and UTC: the
    history list is our own template, and each change goes through ReadableChanges."""

    object_history_list_template = "admin/readable_history_list.html"

    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        for record in historical_records:
            record.reason_label = change_reason(record.history_change_reason)

    def history_view(self, request, object_id, extra_context=None):
        if not is_record_id(object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (is_record_id(object_id) and is_record_id(version_id)):
            raise Http404
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
