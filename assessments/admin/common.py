"""What the admin's pages share."""

from django.core.exceptions import PermissionDenied
from django.http import Http404


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


class HistoryWithoutRevert:
    """The admin's history of a record is for reading. A revert would change an answer or
    an assessment's status behind the workflow's back (its checks, its notifications,
    its published revision), so none is offered and none is accepted."""

    def revert_disabled(self, request, obj=None):
        return True

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
