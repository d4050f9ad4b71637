"""What the admin's pages share."""


class ReadOnly:
    """Records that change only through the workflow or the render task, never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
