from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from musqat.imports import import_view
from musqat.spreadsheets import download

from .matrix import matrix_importer, matrix_workbook
from .models import Criterion, GradeBand, Indicator, MethodologyVersion, ThematicArea


def _frozen(version) -> bool:
    return version is not None and version.why_frozen() is not None


class FrozenWithItsVersion:
    """A methodology version with published results is frozen (DESIGN.md, "Trust rules"):
    its areas, criteria, indicators and bands are shown, not changed. A new version is
    the way to change them."""

    def _is_frozen(self, obj) -> bool:
        return obj is not None and _frozen(obj.methodology)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._is_frozen(obj)


class FrozenWithTheParentVersion:
    """An inline of a frozen version (or of an item of one) is shown, not changed."""

    def _is_frozen(self, parent) -> bool:
        if parent is None:
            return False
        version = parent if isinstance(parent, MethodologyVersion) else parent.methodology
        return _frozen(version)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._is_frozen(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._is_frozen(obj)


class GradeBandInline(FrozenWithTheParentVersion, TranslationTabularInline):
    model = GradeBand
    fields = ["min_score", "label", "colour", "order"]
    extra = 0


class ThematicAreaInline(FrozenWithTheParentVersion, TranslationTabularInline):
    model = ThematicArea
    fields = ["code", "name", "weight", "order"]
    show_change_link = True
    extra = 0


class CriterionInline(FrozenWithTheParentVersion, TranslationTabularInline):
    model = Criterion
    fields = ["code", "name", "weight", "order"]
    show_change_link = True
    extra = 0


class IndicatorInline(FrozenWithTheParentVersion, TranslationTabularInline):
    model = Indicator
    fields = ["code", "name", "response_type", "answered_by", "weight", "order"]
    show_change_link = True
    extra = 0


@admin.register(MethodologyVersion)
class MethodologyVersionAdmin(TranslationAdmin):
    list_display = ["code", "name", "is_current", "area_count", "created_at"]
    list_filter = ["is_current"]
    search_fields = ["code", "name_ka", "name_en"]
    autocomplete_fields = ["previous"]
    inlines = [ThematicAreaInline, GradeBandInline]
    change_form_template = "admin/indicators/methodologyversion/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_areas=Count("areas"))

    @admin.display(description=_("thematic areas"), ordering="num_areas")
    def area_count(self, obj):
        return obj.num_areas

    # --- The matrix as a spreadsheet ---------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "matrix-template.xlsx",
                view(self.template_view),
                name="indicators_methodologyversion_template",
            ),
            path(
                "<int:object_id>/matrix.xlsx",
                view(self.export_view),
                name="indicators_methodologyversion_export",
            ),
            path(
                "<int:object_id>/import/",
                view(self.import_matrix_view),
                name="indicators_methodologyversion_import",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request, obj=None) -> bool:
        """Importing writes areas, criteria and indicators: it takes the right to add and
        change all three."""
        return all(
            request.user.has_perm(f"indicators.{action}_{model}")
            for action in ("add", "change")
            for model in ("thematicarea", "criterion", "indicator")
        ) and self.has_change_permission(request, obj)

    def template_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return download(matrix_workbook(), "musqat-methodology-template.xlsx")

    def export_view(self, request, object_id):
        version = get_object_or_404(MethodologyVersion, pk=object_id)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        return download(matrix_workbook(version), f"musqat-methodology-{version.code}.xlsx")

    def import_matrix_view(self, request, object_id):
        version = get_object_or_404(MethodologyVersion, pk=object_id)
        if not self.has_import_permission(request, version):
            raise PermissionDenied
        change_url = reverse("admin:indicators_methodologyversion_change", args=[version.pk])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "breadcrumbs": [
                (reverse("admin:app_list", args=["indicators"]), self.opts.app_config.verbose_name),
                (
                    reverse("admin:indicators_methodologyversion_changelist"),
                    self.opts.verbose_name_plural,
                ),
                (change_url, str(version)),
            ],
            "intro": gettext(
                "One row per indicator, with its area and criterion. Areas, criteria and "
                "indicators are matched by code: new codes are added, known ones updated, and "
                "indicators the file does not name are kept. Start from this version's matrix "
                "or the blank template; the Columns sheet describes every column."
            ),
            "template_links": [
                (
                    reverse("admin:indicators_methodologyversion_export", args=[version.pk]),
                    gettext("Download this version's matrix (XLSX)"),
                ),
                (
                    reverse("admin:indicators_methodologyversion_template"),
                    gettext("Download the blank template (XLSX)"),
                ),
            ],
            "cancel_url": change_url,
        }
        return import_view(
            request,
            importer=matrix_importer(version),
            title=gettext("Import a methodology matrix into %(version)s") % {"version": version},
            what=gettext("Methodology matrix"),
            target=version,
            done_url=change_url,
            context=context,
        )

    def get_readonly_fields(self, request, obj=None):
        """A frozen version keeps its content; which version the site explains may change."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and _frozen(obj):
            fields += ["code", "name_ka", "name_en", "description_ka", "description_en",
                       "previous"]  # fmt: skip
        return fields

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _frozen(obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        if version is not None and request.method == "GET" and (reason := version.why_frozen()):
            messages.info(request, reason)
        extra = {
            **(extra_context or {}),
            "can_import_matrix": version is not None
            and self.has_import_permission(request, version),
        }
        return super().change_view(request, object_id, form_url, extra)


@admin.register(ThematicArea)
class ThematicAreaAdmin(FrozenWithItsVersion, TranslationAdmin):
    list_display = ["code", "name", "version", "weight", "order"]
    list_filter = ["version"]
    list_select_related = ["version"]
    search_fields = ["code", "name_ka", "name_en"]
    autocomplete_fields = ["version"]
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(FrozenWithItsVersion, TranslationAdmin):
    list_display = ["code", "name", "area", "weight", "order"]
    list_filter = ["area__version", "area"]
    list_select_related = ["area"]
    search_fields = ["code", "name_ka", "name_en"]
    autocomplete_fields = ["area"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(FrozenWithItsVersion, TranslationAdmin):
    list_display = ["code", "name", "criterion", "response_type", "answered_by", "weight"]
    list_filter = ["criterion__area__version", "criterion__area", "response_type", "answered_by"]
    list_select_related = ["criterion"]
    search_fields = ["code", "name_ka", "name_en", "description_ka", "description_en"]
    autocomplete_fields = ["criterion", "previous"]
    fieldsets = [
        (None, {"fields": ["criterion", "code", "order", "weight"]}),
        (_("Definition"), {"fields": ["name", "description", "data_source", "answered_by"]}),
        (
            _("Response"),
            {"fields": ["response_type", "scale_labels", "worst", "best", "unit"]},
        ),
        (_("Change over time"), {"fields": ["previous", "comparable"]}),
    ]


@admin.register(GradeBand)
class GradeBandAdmin(FrozenWithItsVersion, TranslationAdmin):
    list_display = ["label", "min_score", "colour", "version"]
    list_filter = ["version"]
    list_select_related = ["version"]
    search_fields = ["label_ka", "label_en"]
