"""PDFs and staff exports made in the background, with their progress and errors."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from musqat.spreadsheets import XLSX_TYPE

from ..models import (
    Document,
    Export,
    JobStatus,
    Rendering,
)
from ..pdf import jobs as pdf_jobs
from ..permissions import is_project_staff
from .common import ReadOnly


@admin.register(Rendering)
class RenderingAdmin(ReadOnly, admin.ModelAdmin):
    """What became of each PDF: project staff see failures and queue them again."""

    list_display = [
        "document", "subject", "language", "status_badge", "pages", "duration", "attempts",
        "finished_at", "short_error",
    ]  # fmt: skip
    list_filter = ["status", "document", "language", "cycle"]
    list_select_related = ["cycle", "municipality", "methodology"]
    search_fields = [
        "municipality__name_ka",
        "municipality__name_en",
        "municipality__slug",
        "error",
    ]
    ordering = ["document", "-cycle__year", "municipality__slug", "language"]
    actions = ["queue_again"]
    readonly_fields = [
        "document", "cycle", "municipality", "methodology", "language", "status", "file", "source",
        "pages", "attempts", "duration", "requested_at", "started_at", "finished_at", "error",
    ]  # fmt: skip

    @admin.display(description=_("of"))
    def subject(self, rendering):
        if rendering.document == Document.SCORECARD:
            return f"{rendering.municipality.name} {rendering.cycle.year}"
        if rendering.document == Document.REPORT:
            return str(rendering.cycle.year)
        return rendering.methodology.name

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, rendering):
        colours = {"done": "#1e6b2e", "failed": "#a3261b"}
        return format_html(
            '<strong style="color: {}">{}</strong>',
            colours.get(rendering.status, "#4a5663"),
            rendering.get_status_display(),
        )

    @admin.display(description=_("error"))
    def short_error(self, rendering):
        return Truncator(rendering.error).chars(80)

    def has_module_permission(self, request):
        return is_project_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_project_staff(request.user)

    def has_queue_permission(self, request):
        return is_project_staff(request.user)

    @admin.action(description=_("Queue the selected PDFs again"), permissions=["queue"])
    def queue_again(self, request, queryset):
        count = pdf_jobs.queue(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d PDF queued again; its status shows here once a worker renders it.",
                "%(count)d PDFs queued again; their status shows here once a worker renders them.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


# Seconds between reloads of an exports page while an export is under way.
EXPORT_REFRESH_SECONDS = 3


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    """The exports report page: every workbook asked for, its progress and its file.

    Exports are made by the action on cycles and change only in the task; project
    staff read them, download them here (never from the media URL) and delete them.
    """

    list_display = [
        "cycle", "language", "status_badge", "progress", "requested_by", "requested_at",
        "finished_at", "download",
    ]  # fmt: skip
    list_filter = ["status", "language", "cycle"]
    list_select_related = ["cycle", "requested_by"]
    fields = [
        "kind", "cycle", "language", "status", "progress", "download", "requested_by",
        "requested_at", "started_at", "finished_at", "error",
    ]  # fmt: skip
    readonly_fields = fields
    change_form_template = "admin/assessments/export/change_form.html"
    change_list_template = "admin/assessments/export/change_list.html"

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, export):
        colours = {JobStatus.DONE: "#1e6b2e", JobStatus.FAILED: "#a3261b"}
        return format_html(
            '<strong style="color: {}">{}</strong>',
            colours.get(export.status, "#4a5663"),
            export.get_status_display(),
        )

    @admin.display(description=_("progress"))
    def progress(self, export):
        return format_html(
            '<progress max="100" value="{}" aria-hidden="true"></progress> {}%',
            export.percent,
            export.percent,
        )

    @admin.display(description=_("file"))
    def download(self, export):
        if not export.is_ready:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:assessments_export_download", args=[export.pk]),
            export.download_name(),
        )

    def has_module_permission(self, request):
        return is_project_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_project_staff(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_project_staff(request.user) and super().has_delete_permission(request, obj)

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
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="assessments_export_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not is_project_staff(request.user):
            raise PermissionDenied
        export = get_object_or_404(Export.objects.select_related("cycle"), pk=pk)
        if not export.is_ready or not export.file.storage.exists(export.file.name):
            raise Http404
        response = FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=export.download_name(),
            content_type=XLSX_TYPE,
        )
        response["Cache-Control"] = "private, no-store"
        return response

    def changelist_view(self, request, extra_context=None):
        under_way = Export.objects.filter(
            status__in=[JobStatus.PENDING, JobStatus.RUNNING]
        ).exists()
        context = {"refresh": EXPORT_REFRESH_SECONDS if under_way else None}
        return super().changelist_view(request, {**(extra_context or {}), **context})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        export = self.get_object(request, object_id)
        context = {
            "export": export,
            "refresh": EXPORT_REFRESH_SECONDS if export and export.is_under_way else None,
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}),
                                                                  **context})  # fmt: skip
