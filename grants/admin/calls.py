"""Grant calls: their texts, money, dates, checklist, documents and rubric; the stage
steps (announce, start review, close decisions); the ranking of a call's applications;
the export of a call to XLSX."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, Sum
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from assessments.models import Cycle
from assessments.results.findings import weakest_indicators
from indicators.models import Indicator
from musqat.numbers import lari

from .. import exports, services
from ..models import (
    ApplicationStatus,
    Call,
    CallExport,
    CallStage,
    CallStatus,
    ChecklistItem,
    Decision,
    RequiredAttachment,
    RubricCriterion,
)
from .common import STYLE, ProjectStaffOnly, StaffPages, is_record_id, tbilisi
from .forms import CallForm
from .ranking import ranking

# --- The call's parts ---------------------------------------------------------------------


class FixedOnceReviewed:
    """Once review starts, reviewers score against the rubric and staff check against the
    checklist: they are shown, no longer changed."""

    def _fixed(self, call) -> bool:
        return call is not None and call.stage in (CallStage.UNDER_REVIEW, CallStage.DECIDED)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._fixed(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._fixed(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._fixed(obj)


class ChecklistItemInline(FixedOnceReviewed, TranslationTabularInline):
    model = ChecklistItem
    fields = ["text", "order"]
    extra = 0


class RequiredAttachmentInline(FixedOnceReviewed, TranslationTabularInline):
    model = RequiredAttachment
    fields = ["name", "extensions", "order"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # "pdf, docx, xlsx" needs no 20em box: beside the two names it pushed the table
        # past the width of a 1280 px screen.
        if db_field.name == "extensions":
            kwargs["widget"] = forms.TextInput(attrs={"size": 14})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class RubricCriterionInline(FixedOnceReviewed, TranslationStackedInline):
    model = RubricCriterion
    fields = ["name", "guidance", "weight", "order"]
    extra = 0


# --- The stage steps ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A step of the call's stage, made by its service, which refuses it when it may not
    happen; the page offers it at the status named here."""

    action: str
    label: Promise
    explanation: Promise
    perform: object  # services.<step>(call=…, by=…)
    offered_at: str


STEPS = {
    step.action: step
    for step in (
        Step(
            "announce",
            _("Announce"),
            _(
                "The call becomes public. Its dates then open and close it: applications "
                "can be submitted from the opening time until the closing time (Tbilisi time)."
            ),
            services.announce_call,
            CallStatus.DRAFT,
        ),
        Step(
            "start_review",
            _("Start review"),
            _(
                "The call has closed. Staff check eligibility and assign reviewers, and "
                "reviewers score the eligible applications."
            ),
            services.start_review,
            CallStatus.CLOSED,
        ),
        Step(
            "close_decisions",
            _("Close decisions"),
            _(
                "Every eligible application has its decision. The call is decided and its "
                "awards appear in the public register."
            ),
            services.close_decisions,
            CallStatus.UNDER_REVIEW,
        ),
    )
}

# What stays fixed at each stage: the public address and the findings once the call is
# public; the money, dates and places once review starts (decisions are made against them).
FIXED_WHEN_PUBLIC = ["slug", "cycle"]
FIXED_IN_REVIEW = [
    "budget", "min_grant", "max_grant", "max_months", "opens_at", "closes_at", "municipalities",
    "priority_indicators", "applications_per_organization",
]  # fmt: skip


@admin.register(Call)
class CallAdmin(ProjectStaffOnly, StaffPages, TranslationAdmin):
    form = CallForm
    list_display = [
        "title", "status_display", "dates", "budget_display", "applications_count",
        "awarded_total",
    ]  # fmt: skip
    # No bulk delete: it would ask has_delete_permission() without the call, and a call
    # that has been public stays on record (a draft is deleted from its own page).
    actions = None
    list_filter = ["stage", "cycle"]
    search_fields = ["slug", "title_ka", "title_en"]
    fieldsets = [
        (None, {"fields": ["slug", "title", "description", "cycle", "stage"]}),
        (
            _("Money and length of a grant"),
            {
                "fields": [
                    "budget",
                    "min_grant",
                    "max_grant",
                    "max_months",
                    "applications_per_organization",
                ]
            },
        ),
        (_("Dates (Tbilisi time)"), {"fields": ["opens_at", "closes_at"]}),
        (_("Places and indicators"), {"fields": ["municipalities", "priority_indicators"]}),
        (_("Review"), {"fields": ["moderation_threshold"]}),
    ]
    filter_horizontal = ["municipalities", "priority_indicators"]
    inlines = [ChecklistItemInline, RequiredAttachmentInline, RubricCriterionInline]
    change_form_template = "admin/grants/call/change_form.html"

    class Media:
        css = STYLE

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                submitted_count=Count(
                    "applications",
                    filter=Q(applications__status=ApplicationStatus.SUBMITTED),
                    distinct=True,
                ),
                awarded_sum=Sum(
                    "applications__awarded_amount",
                    filter=Q(applications__decision=Decision.AWARDED),
                ),
            )
        )

    @admin.display(description=_("status"), ordering="stage")
    def status_display(self, call):
        return call.get_status_display()

    @admin.display(description=_("dates (Tbilisi time)"), ordering="opens_at")
    def dates(self, call):
        # One column for both, to fit a 1280 px screen beside the filters.
        return format_html(
            '<span class="nowrap">{} –</span><br><span class="nowrap">{}</span>',
            tbilisi(call.opens_at),
            tbilisi(call.closes_at),
        )

    @admin.display(description=_("budget"), ordering="budget")
    def budget_display(self, call):
        return format_html('<span class="nowrap">{}</span>', lari(call.budget))

    @admin.display(description=_("applications"), ordering="submitted_count")
    def applications_count(self, call):
        return call.submitted_count

    @admin.display(description=_("total awarded"), ordering="awarded_sum")
    def awarded_total(self, call):
        return format_html('<span class="nowrap">{}</span>', lari(call.awarded_sum or 0))

    def has_delete_permission(self, request, obj=None):
        # A call that has been public stays on record (its applications, its awards).
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.stage == CallStage.DRAFT)

    def save_model(self, request, obj, form, change):
        before = None
        if change and "closes_at" in form.changed_data:
            before = Call.objects.values_list("closes_at", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        if before is not None:
            self._warn_about_drafts(request, obj, before)

    def _warn_about_drafts(self, request, call, before) -> None:
        """A deadline moved into the past, or earlier than it was, shuts out or hurries
        the organisations with drafts: staff are told how many (the form cannot refuse it,
        since closing a call early may be meant)."""
        if call.closes_at >= before and call.closes_at > timezone.now():
            return
        drafts = call.applications.filter(status=ApplicationStatus.DRAFT).count()
        if not drafts:
            return
        if call.closes_at <= timezone.now():
            message = ngettext(
                "The call has closed: %(count)d draft application can no longer be submitted.",
                "The call has closed: %(count)d draft applications can no longer be submitted.",
                drafts,
            ) % {"count": drafts}
        else:
            message = ngettext(
                "The deadline is earlier than it was: %(count)d draft application must now be "
                "submitted before %(deadline)s (Tbilisi time).",
                "The deadline is earlier than it was: %(count)d draft applications must now be "
                "submitted before %(deadline)s (Tbilisi time).",
                drafts,
            ) % {"count": drafts, "deadline": tbilisi(call.closes_at)}
        messages.warning(request, message)

    def get_readonly_fields(self, request, obj=None):
        fields = ["stage"]
        if obj is None:
            return fields
        if obj.stage != CallStage.DRAFT:
            fields += FIXED_WHEN_PUBLIC
        if obj.stage == CallStage.ANNOUNCED and obj.status != CallStatus.UPCOMING:
            # Once open, moving the opening would shut applicants out of their drafts; the
            # closing time still moves, which is how a deadline is extended.
            fields += ["opens_at"]
        if obj.stage in (CallStage.UNDER_REVIEW, CallStage.DECIDED):
            fields += FIXED_IN_REVIEW
        if obj.stage == CallStage.DECIDED:
            fields += ["moderation_threshold"]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cycle":
            # A call addresses published findings.
            kwargs["queryset"] = Cycle.objects.with_published().order_by("-year")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get("priority_indicators")
        if field is not None:
            indicators = Indicator.objects.select_related("criterion__area").order_by("code")
            if obj is not None:
                indicators = indicators.filter(criterion__area__version_id=obj.cycle.methodology_id)
            field.queryset = indicators
        return form

    # --- The change page's panel --------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        call = self.get_object(request, object_id) if is_record_id(object_id) else None
        context = dict(extra_context or {})
        if call is not None and self.has_view_permission(request, call):
            context["panel"] = self._panel(call)
        return super().change_view(request, object_id, form_url, context)

    def _panel(self, call) -> dict:
        status = call.status
        municipality_ids = list(call.municipalities.values_list("pk", flat=True))
        chosen = set(call.priority_indicators.values_list("pk", flat=True))
        return {
            "status": CallStatus(status).label,
            "steps": [step for step in STEPS.values() if step.offered_at == status],
            "suggestions": [
                (finding, finding.indicator.pk in chosen)
                for finding in weakest_indicators(call.cycle, municipality_ids or None)
            ],
            "awarded": lari(services.awards_total(call)),
            "budget": lari(call.budget),
            "exports": call.exports.select_related("requested_by")[:3],
            "applications_url": reverse("admin:grants_application_changelist")
            + f"?call__id__exact={call.pk}",
            "reports_url": reverse("admin:grants_report_changelist")
            + f"?application__call__id__exact={call.pk}",
        }

    # --- Pages of a call ----------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/step/<str:action>/",
                view(self.step_view),
                name="grants_call_step",
            ),
            path("<path:object_id>/ranking/", view(self.ranking_view), name="grants_call_ranking"),
            path("<path:object_id>/export/", view(self.export_view), name="grants_call_export"),
            *super().get_urls(),
        ]

    def step_view(self, request, object_id, action):
        """Confirm, then make one stage step; a refusal says why and changes nothing."""
        call = self.staff_record(request, object_id)
        step = STEPS.get(action)
        if step is None:
            return self.staff_page(
                request,
                call,
                "admin/grants/refused.html",
                status=404,
                title=_("No such step"),
                message=_("A call has no such step."),
            )
        status = 200
        if request.method == "POST":
            try:
                call = step.perform(call=call, by=request.user)
            except services.Refused as refusal:
                messages.error(request, refusal.message)
                status = 400
            else:
                messages.success(
                    request,
                    _("Done: %(step)s. The call is now “%(status)s”.")
                    % {"step": step.label, "status": call.get_status_display()},
                )
                return redirect("admin:grants_call_change", call.pk)
        return self.staff_page(
            request,
            call,
            "admin/grants/call/step.html",
            status=status,
            title=f"{step.label}: {call}",
            step=step,
        )

    def ranking_view(self, request, object_id):
        """The eligible applications by score, and where their requests pass the budget."""
        call = self.staff_record(request, object_id)
        rows = ranking(call)
        return self.staff_page(
            request,
            call,
            "admin/grants/call/ranking.html",
            title=_("Ranking: %(call)s") % {"call": call},
            rows=rows,
            budget=call.budget,
            awarded=services.awards_total(call),
        )

    def export_view(self, request, object_id):
        """Confirm, then queue the call's workbook and follow its progress."""
        call = self.staff_record(request, object_id)
        if request.method == "POST":
            export = exports.queue_export(
                call=call, by=request.user, language=request.LANGUAGE_CODE
            )
            messages.success(
                request,
                _("The export is queued; this page shows its progress and offers the file "
                  "when it is done."),
            )  # fmt: skip
            return redirect("admin:grants_callexport_change", export.pk)
        return self.staff_page(
            request,
            call,
            "admin/grants/call/export.html",
            title=_("Export to XLSX: %(call)s") % {"call": call},
            recent=CallExport.objects.filter(call=call).select_related("requested_by")[:5],
        )
