from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AreaScore,
    Assessment,
    CriterionScore,
    Cycle,
    EvidenceFile,
    Response,
    ReviewComment,
    ScoreSnapshot,
)


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year", "methodology", "is_open", "opens_on", "closes_on"]
    list_filter = ["is_open", "methodology"]
    list_select_related = ["methodology"]
    search_fields = ["year"]
    autocomplete_fields = ["methodology"]


class ResponseInline(admin.TabularInline):
    model = Response
    fields = [
        "indicator",
        "value",
        "is_na",
        "na_reason",
        "na_reason_en",
        "evidence",
        "evidence_en",
        "links",
        "reply",
        "reply_en",
    ]
    autocomplete_fields = ["indicator"]
    extra = 0
    classes = ["collapse"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")

    # Answers change only while the assessment is a draft; after that the workflow decides.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or obj.is_editable)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)


class ReviewCommentInline(admin.TabularInline):
    model = ReviewComment
    fields = ["indicator", "text", "author", "resolved", "created_at"]
    readonly_fields = ["author", "created_at"]
    autocomplete_fields = ["indicator"]
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "cycle", "kind", "organization", "status", "answered"]
    list_filter = ["cycle", "kind", "status", "municipality", "organization"]
    list_select_related = ["municipality", "cycle", "organization"]
    search_fields = ["municipality__name_ka", "municipality__name_en", "municipality__slug"]
    autocomplete_fields = ["municipality", "organization"]
    # Status moves only through the workflow (assessments.services), never by hand.
    readonly_fields = ["status", "submitted_at", "published_at", "updated_at"]
    inlines = [ResponseInline, ReviewCommentInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                num_answered=Count(
                    "responses", filter=Q(responses__is_na=True) | Q(responses__value__isnull=False)
                )
            )
        )

    @admin.display(description=_("answered"), ordering="num_answered")
    def answered(self, obj):
        return obj.num_answered


class EvidenceFileInline(admin.TabularInline):
    model = EvidenceFile
    fields = ["file", "title", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]
    extra = 0


@admin.register(Response)
class ResponseAdmin(SimpleHistoryAdmin):
    list_display = ["assessment", "indicator", "value", "is_na", "updated_at"]
    list_filter = ["assessment__cycle", "assessment__kind", "is_na"]
    list_select_related = [
        "assessment__municipality",
        "assessment__cycle",
        "indicator",
    ]
    search_fields = ["indicator__code", "assessment__municipality__slug", "evidence"]
    autocomplete_fields = ["assessment", "indicator"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [EvidenceFileInline]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.assessment.is_editable)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.assessment.is_editable)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class AreaScoreInline(admin.TabularInline):
    model = AreaScore
    fields = ["area", "score"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    fields = ["criterion", "score"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(admin.ModelAdmin):
    """Snapshots are frozen: they can be read, never edited."""

    list_display = ["assessment", "revision", "is_current", "overall", "published_at"]
    list_filter = ["assessment__cycle", "assessment__kind", "is_current"]
    list_select_related = ["assessment__municipality", "assessment__cycle"]
    search_fields = ["assessment__municipality__slug", "assessment__municipality__name_ka"]
    inlines = [AreaScoreInline, CriterionScoreInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
