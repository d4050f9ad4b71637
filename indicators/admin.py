from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import Criterion, GradeBand, Indicator, MethodologyVersion, ThematicArea


class GradeBandInline(TranslationTabularInline):
    model = GradeBand
    fields = ["min_score", "label", "colour", "order"]
    extra = 0


class ThematicAreaInline(TranslationTabularInline):
    model = ThematicArea
    fields = ["code", "name", "weight", "order"]
    show_change_link = True
    extra = 0


class CriterionInline(TranslationTabularInline):
    model = Criterion
    fields = ["code", "name", "weight", "order"]
    show_change_link = True
    extra = 0


class IndicatorInline(TranslationTabularInline):
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

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_areas=Count("areas"))

    @admin.display(description=_("thematic areas"), ordering="num_areas")
    def area_count(self, obj):
        return obj.num_areas


@admin.register(ThematicArea)
class ThematicAreaAdmin(TranslationAdmin):
    list_display = ["code", "name", "version", "weight", "order"]
    list_filter = ["version"]
    list_select_related = ["version"]
    search_fields = ["code", "name_ka", "name_en"]
    autocomplete_fields = ["version"]
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(TranslationAdmin):
    list_display = ["code", "name", "area", "weight", "order"]
    list_filter = ["area__version", "area"]
    list_select_related = ["area"]
    search_fields = ["code", "name_ka", "name_en"]
    autocomplete_fields = ["area"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(TranslationAdmin):
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
class GradeBandAdmin(TranslationAdmin):
    list_display = ["label", "min_score", "colour", "version"]
    list_filter = ["version"]
    list_select_related = ["version"]
    search_fields = ["label_ka", "label_en"]
