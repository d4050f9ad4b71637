"""Answers and published snapshots, to look up and read: they change only through the workflow."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    AreaScore,
    Assessment,
    CriterionScore,
    EvidenceFile,
    Response,
    ScoreSnapshot,
)
from ..permissions import visible_assessments
from .common import HistoryWithoutRevert, ReadOnly


class EvidenceFileInline(admin.TabularInline):
    model = EvidenceFile
    fields = ["document", "uploaded_by", "uploaded_at", "removed_at"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("file"))
    def document(self, obj):
        # Private files have no address of their own: the evidence view checks who asks.
        return format_html(
            '<a href="{}">{}</a>', reverse("assessments:evidence_file", args=[obj.pk]), obj
        )


@admin.register(Response)
class ResponseAdmin(ReadOnly, HistoryWithoutRevert, SimpleHistoryAdmin):
    """Answers, to look up and read; they are entered area by area on the assessment."""

    list_display = ["assessment", "indicator", "value", "is_na", "updated_at"]
    list_filter = ["assessment__cycle", "assessment__kind", "is_na"]
    list_select_related = [
        "assessment__municipality",
        "assessment__cycle",
        "indicator",
    ]
    search_fields = ["indicator__code", "assessment__municipality__slug", "evidence"]
    autocomplete_fields = ["assessment", "indicator"]
    inlines = [EvidenceFileInline]

    def get_queryset(self, request):
        answers = super().get_queryset(request)
        visible = visible_assessments(request.user, Assessment.objects.all())
        return answers.filter(assessment__in=visible)


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
class ScoreSnapshotAdmin(ReadOnly, admin.ModelAdmin):
    """Snapshots are frozen: they can be read, never edited."""

    list_display = ["assessment", "revision", "is_current", "overall", "published_at"]
    list_filter = ["assessment__cycle", "assessment__kind", "is_current"]
    list_select_related = ["assessment__municipality", "assessment__cycle"]
    search_fields = ["assessment__municipality__slug", "assessment__municipality__name_ka"]
    inlines = [AreaScoreInline, CriterionScoreInline]
