"""What the admin's pages share."""

from django.core.exceptions import PermissionDenied


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

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
