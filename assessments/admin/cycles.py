"""Cycles, and the staff export of their results."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import (
    Cycle,
)
from ..opendata import exports
from ..permissions import is_project_staff


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year", "methodology", "is_open", "opens_on", "closes_on"]
    list_filter = ["is_open", "methodology"]
    list_select_related = ["methodology"]
    search_fields = ["year"]
    autocomplete_fields = ["methodology"]
    actions = ["export_results_ka", "export_results_en"]

    def has_export_permission(self, request):
        return is_project_staff(request.user)

    @admin.action(description=_("Export results as XLSX (Georgian)"), permissions=["export"])
    def export_results_ka(self, request, queryset):
        return self._export(request, queryset, "ka")

    @admin.action(description=_("Export results as XLSX (English)"), permissions=["export"])
    def export_results_en(self, request, queryset):
        return self._export(request, queryset, "en")

    def _export(self, request, queryset, language):
        """Queue a workbook for each selected cycle with published results, then show the
        exports page, where they appear with their progress."""
        published = set(Cycle.objects.with_published().filter(pk__in=queryset).values_list(
            "pk", flat=True
        ))  # fmt: skip
        cycles = sorted(queryset, key=lambda cycle: cycle.year)
        empty = [str(cycle.year) for cycle in cycles if cycle.pk not in published]
        if empty:
            self.message_user(
                request,
                _("Nothing is published in %(years)s, so there is nothing to export.")
                % {"years": ", ".join(empty)},
                messages.WARNING,
            )
        queued = [
            exports.queue_export(cycle=cycle, language=language, by=request.user)
            for cycle in cycles
            if cycle.pk in published
        ]
        if not queued:
            return None
        self.message_user(
            request,
            ngettext(
                "%(count)d export queued; it shows its progress here and offers the file "
                "when it is done.",
                "%(count)d exports queued; they show their progress here and offer the files "
                "when they are done.",
                len(queued),
            )
            % {"count": len(queued)},
            messages.SUCCESS,
        )
        return redirect("admin:assessments_export_changelist")
