"""Call exports: each workbook asked for, its progress while a worker writes it, and its
file for staff (never from a public address)."""

from django.contrib import admin
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from musqat.spreadsheets import XLSX_TYPE
from musqat.storage import serve_private

from ..exports import download_name
from ..models import CallExport
from .common import STYLE, ProjectStaffOnly, StaffPages, is_record_id

# Seconds between reloads of an export's page while a worker writes it.
EXPORT_REFRESH_SECONDS = 3
UNDER_WAY = (CallExport.State.PENDING, CallExport.State.RUNNING)


@admin.register(CallExport)
class CallExportAdmin(ProjectStaffOnly, StaffPages, admin.ModelAdmin):
    """Exports are asked for on a call's page and change only in their task; staff read
    them, download them here and delete them."""

    list_display = ["call", "state_and_progress", "requested_by", "requested_at", "download"]
    list_filter = ["state", "call"]
    list_select_related = ["call", "requested_by"]
    fields = ["call", "state", "progress", "download", "requested_by", "requested_at", "error"]
    readonly_fields = fields
    change_form_template = "admin/grants/callexport/change_form.html"
    change_list_template = "admin/grants/callexport/change_list.html"

    class Media:
        css = STYLE

    @admin.display(description=_("progress"))
    def progress(self, export):
        return format_html(
            '<progress max="100" value="{}" aria-hidden="true"></progress> {}%',
            export.percent,
            export.percent,
        )

    @admin.display(description=_("state"), ordering="state")
    def state_and_progress(self, export):
        # The progress bar only while a worker writes: a finished export's is always full.
        if export.state not in UNDER_WAY:
            return export.get_state_display()
        return format_html("{}<br>{}", export.get_state_display(), self.progress(export))

    @admin.display(description=_("file"))
    def download(self, export):
        if export.state != CallExport.State.READY:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:grants_callexport_download", args=[export.pk]),
            download_name(export),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        obj.file.delete(save=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for export in queryset:
            export.file.delete(save=False)
        super().delete_queryset(request, queryset)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="grants_callexport_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, object_id):
        export = self.staff_record(request, object_id, CallExport.objects.select_related("call"))
        if export.state != CallExport.State.READY:
            raise Http404
        response = serve_private(export.file, download_name(export))
        response["Content-Type"] = XLSX_TYPE
        return response

    def changelist_view(self, request, extra_context=None):
        under_way = CallExport.objects.filter(state__in=UNDER_WAY).exists()
        context = {"refresh": EXPORT_REFRESH_SECONDS if under_way else None}
        return super().changelist_view(request, {**(extra_context or {}), **context})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        export = self.get_object(request, object_id) if is_record_id(object_id) else None
        context = {
            "export": export,
            "download_name": download_name(export) if export else "",
            "refresh": EXPORT_REFRESH_SECONDS if export and export.state in UNDER_WAY else None,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}),
                                                                  **context})  # fmt: skip
