"""Assessments: data entry area by area, the right of reply, review and publication."""

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator, ThematicArea
from municipalities.admin_filters import MunicipalityFilter
from musqat.imports import import_view
from musqat.spreadsheets import download

from ..answers.forms import (
    StateChanged,
    area_answers,
    replies,
    save_area_answers,
    save_replies,
)
from ..answers.history import assessment_history
from ..answers.import_template import template_filename, template_workbook
from ..answers.imports import refusal, responses_importer
from ..answers.messages import error_summary, saved_message
from ..answers.progress import progress_of
from ..models import (
    ANSWERED_BY,
    Assessment,
    ReviewComment,
    answered,
)
from ..permissions import (
    is_project_staff,
    may,
    municipality_id_of,
    organization_ids,
    role_for,
    visible_assessments,
)
from ..workflow import Kind, transitions_for
from .common import HistoryWithoutRevert, is_record_id
from .transitions import TransitionViews


def indicators_to_answer():
    """How many indicators an assessment answers: those of its cycle's methodology that
    its kind answers (ANSWERED_BY), as one subquery per kind rather than a query a row."""

    def count(kind):
        return Subquery(
            Indicator.objects.filter(
                criterion__area__version=OuterRef("cycle__methodology"),
                answered_by__in=ANSWERED_BY[kind],
            )
            .order_by()
            .values("criterion__area__version")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        )

    return Case(
        *(When(kind=kind, then=Coalesce(count(kind), 0)) for kind in ANSWERED_BY),
        default=Value(0),
        output_field=IntegerField(),
    )


class ReviewCommentInline(admin.TabularInline):
    """Project staff comment on an assessment under review, and mark comments resolved;
    in any other status the comments are there to read (workflow.PERMISSIONS "comment").
    A comment is part of the review's record and is never deleted."""

    model = ReviewComment
    fields = ["indicator", "text", "author", "resolved", "created_at"]
    readonly_fields = ["author", "created_at"]
    autocomplete_fields = ["indicator"]
    extra = 0

    def _may_comment(self, request, obj) -> bool:
        return obj is not None and may(request.user, "comment", obj)

    def has_add_permission(self, request, obj=None):
        return self._may_comment(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_comment(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(TransitionViews, HistoryWithoutRevert, SimpleHistoryAdmin):
    """Everyone sees only the assessments the workflow table shows them.

    Answers are entered area by area (area_view), replies on one page (reply_view),
    and the status moves only through transition_view, which asks the table.
    """

    # Where each assessment stands first, then what it is of: all of it fits a 1280 px
    # screen beside the menu and the filters, in Georgian as in English.
    list_display = ["status", "progress", "municipality", "kind", "cycle", "organisation"]
    list_display_links = ["municipality"]
    list_select_related = ["municipality", "cycle", "organization"]
    search_fields = ["municipality__name_ka", "municipality__name_en", "municipality__slug"]
    autocomplete_fields = ["municipality", "organization"]
    readonly_fields = ["status", "reply_deadline", "submitted_at", "published_at", "updated_at"]
    inlines = [ReviewCommentInline]
    actions = ["publish_selected"]
    change_form_template = "admin/assessments/assessment/change_form.html"

    def get_queryset(self, request):
        queryset = visible_assessments(request.user, super().get_queryset(request))
        return queryset.annotate(
            num_answered=Count("responses", filter=answered("responses__")),
            num_required=indicators_to_answer(),
        )

    def get_list_filter(self, request):
        """Staff of one municipality see only its assessments: a municipality filter
        would offer them nothing, and a list of every organisation little more."""
        if is_project_staff(request.user):
            return ["status", "cycle", "kind", ("municipality", MunicipalityFilter), "organization"]
        filters = ["status", "cycle", "kind"]
        if municipality_id_of(request.user) is None or organization_ids(request.user):
            filters.append(("municipality", MunicipalityFilter))
        return [*filters, ("organization", admin.RelatedOnlyFieldListFilter)]

    @admin.display(description=_("progress"), ordering="num_answered")
    def progress(self, obj):
        """Answered of all the indicators this kind of assessment answers, as "12 / 20"
        (progress_of counts the same, area by area, on the assessment's own page)."""
        return f"{obj.num_answered} / {obj.num_required}"

    @admin.display(description=_("CSO organisation"), ordering="organization__name")
    def organisation(self, obj):
        """The organisation's name, cut when long (whole on hover and on the
        assessment's page)."""
        if obj.organization is None:
            return "–"
        name = str(obj.organization)
        short = Truncator(name).chars(28)
        if short == name:
            return name
        return format_html('<span title="{}">{}</span>', name, short)

    def get_inlines(self, request, obj):
        return self.inlines if is_project_staff(request.user) else []

    def get_readonly_fields(self, request, obj=None):
        """What an assessment is of, and its organisation, change only while it is a draft
        (workflow.PERMISSIONS "edit_identity" and "assign_organization")."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not may(request.user, "edit_identity", obj):
            fields += ["municipality", "cycle", "kind"]
        if obj is not None and not may(request.user, "assign_organization", obj):
            fields += ["organization"]
        return fields

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or may(request.user, "view", obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_project_staff(request.user)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # The history is for project staff only (workflow.PERMISSIONS "view_history").
        allowed = super().has_view_history_or_change_history_permission(request, obj)
        return allowed and (obj is None or may(request.user, "view_history", obj))

    def has_delete_permission(self, request, obj=None):
        # Published work is never deleted; corrections are new revisions.
        allowed = super().has_delete_permission(request, obj)
        return (
            allowed
            and is_project_staff(request.user)
            and (obj is None or not obj.snapshots.exists())
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        assessment = self._visible(request, object_id)
        context = {**(extra_context or {}), **self._workflow_context(request, assessment)}
        return super().change_view(request, object_id, form_url, context)

    def history_view(self, request, object_id, extra_context=None):
        # This page has the assessment's own record; its answers, comments and files are
        # on the full history, which it links to.
        context = {**(extra_context or {})}
        if is_record_id(object_id):
            context["full_history_url"] = reverse(
                "admin:assessments_assessment_full_history", args=[object_id]
            )
        return super().history_view(request, object_id, context)

    def save_model(self, request, obj, form, change):
        obj._change_reason = "edit"
        super().save_model(request, obj, form, change)

    # --- The workflow pages ------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/areas/<str:code>/",
                view(self.area_view),
                name="assessments_assessment_area",
            ),
            path(
                "<path:object_id>/reply/",
                view(self.reply_view),
                name="assessments_assessment_reply",
            ),
            path(
                "<path:object_id>/transition/<str:action>/",
                view(self.transition_view),
                name="assessments_assessment_transition",
            ),
            path(
                "<path:object_id>/full-history/",
                view(self.full_history_view),
                name="assessments_assessment_full_history",
            ),
            path(
                "<path:object_id>/import/",
                view(self.responses_import_view),
                name="assessments_assessment_import",
            ),
            path(
                "<path:object_id>/responses-template.xlsx",
                view(self.responses_template_view),
                name="assessments_assessment_responses_template",
            ),
            *super().get_urls(),
        ]

    def _visible(self, request, object_id) -> Assessment:
        """The assessment if this user may see it; anyone else gets a 404, never data."""
        # An id that is no plain number finds nothing either, rather than a 500. (An
        # <int:> route would not do: the admin's own "<path:object_id>/" route would take
        # the address and redirect it.)
        if not is_record_id(object_id):
            raise Http404
        return get_object_or_404(
            visible_assessments(
                request.user,
                Assessment.objects.select_related("municipality", "cycle", "organization"),
            ),
            pk=object_id,
        )

    def _page(self, request, assessment, template, status=200, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "assessment": assessment,
                "original": assessment,
                **context,
            },
            status=status,
        )

    def _refuse(self, request, assessment, message):
        return self._page(
            request,
            assessment,
            "admin/assessments/assessment/refused.html",
            status=403,
            title=_("Not allowed"),
            message=message,
        )

    def _workflow_context(self, request, assessment):
        role = role_for(request.user, assessment)
        progress = progress_of([assessment])[assessment.pk]
        return {
            "workflow": {
                "role": role,
                "transitions": transitions_for(
                    status=assessment.status, kind=assessment.kind, role=role
                ),
                "progress": progress,
                "can_edit": may(request.user, "edit_answers", assessment),
                "can_reply": may(request.user, "write_reply", assessment),
                "reply_is_open": assessment.reply_is_open(),
                "can_see_history": may(request.user, "view_history", assessment),
                "comments": assessment.comments.for_reading(),
                "snapshots": assessment.snapshots.order_by("-revision"),
            }
        }

    def area_view(self, request, object_id, code):
        assessment = self._visible(request, object_id)
        area = get_object_or_404(
            ThematicArea, version_id=assessment.cycle.methodology_id, code=code
        )
        following = area.following()
        can_edit = may(request.user, "edit_answers", assessment)
        status = 200
        if request.method == "POST":
            if not can_edit:
                return self._refuse(
                    request,
                    assessment,
                    _("This assessment is “%(status)s”: its answers cannot be changed now.")
                    % {"status": assessment.get_status_display()},
                )
            try:
                answers, saved = save_area_answers(
                    assessment=assessment,
                    area=area,
                    data=request.POST,
                    files=request.FILES,
                    by=request.user,
                )
            except StateChanged:
                return self._refuse(
                    request, assessment, _("The assessment changed state meanwhile.")
                )
            if saved is not None:
                messages.success(request, saved_message(saved, area))
                target = following if "next" in request.POST and following else area
                return redirect(
                    "admin:assessments_assessment_area", object_id=assessment.pk, code=target.code
                )
            # The page's error summary says what was refused (and what was saved beside it).
            status = 400
        else:
            answers = area_answers(assessment, area)
        progress = progress_of([assessment])[assessment.pk]
        return self._page(
            request,
            assessment,
            "admin/assessments/assessment/area.html",
            status=status,
            title=f"{area.code}. {area.name}",
            area=area,
            areas=progress.areas,
            following=following,
            answers=answers,
            summary=error_summary(answers, area),
            can_edit=can_edit,
        )

    def reply_view(self, request, object_id):
        assessment = self._visible(request, object_id)
        if assessment.kind != Kind.EXTERNAL:
            raise Http404
        can_reply = may(request.user, "write_reply", assessment) and assessment.reply_is_open()
        status = 200
        if request.method == "POST":
            if not can_reply:
                return self._refuse(
                    request, assessment, _("The right of reply is not open for this assessment.")
                )
            try:
                forms_, saved = save_replies(
                    assessment=assessment, data=request.POST, by=request.user
                )
            except StateChanged:
                return self._refuse(
                    request, assessment, _("The assessment changed state meanwhile.")
                )
            if saved is not None:
                messages.success(
                    request,
                    ngettext("Saved %(count)s reply.", "Saved %(count)s replies.", saved)
                    % {"count": saved}
                    if saved
                    else _("Nothing had changed, so nothing was saved."),
                )
                return redirect("admin:assessments_assessment_reply", object_id=assessment.pk)
            status = 400  # the page opens with a summary of what was refused
        else:
            forms_ = replies(assessment)
        role = role_for(request.user, assessment)
        return self._page(
            request,
            assessment,
            "admin/assessments/assessment/reply.html",
            status=status,
            title=_("Right of reply"),
            forms=forms_,
            can_reply=can_reply,
            transitions=[
                t
                for t in transitions_for(status=assessment.status, kind=assessment.kind, role=role)
                if t.action == "close_reply"
            ],
        )

    def full_history_view(self, request, object_id):
        assessment = self._visible(request, object_id)
        if not may(request.user, "view_history", assessment):
            return self._refuse(
                request, assessment, _("Only project staff can see an assessment's history.")
            )
        page = Paginator(assessment_history(assessment), 100).get_page(request.GET.get("page"))
        return self._page(
            request,
            assessment,
            "admin/assessments/assessment/full_history.html",
            title=_("Full history of %(assessment)s") % {"assessment": assessment},
            page=page,
        )

    # --- Answers from a spreadsheet ----------------------------------------------------------

    def _import_refused(self, request, assessment):
        """A 403 page unless this person may enter the draft's answers; None if they may."""
        reason = refusal(assessment, request.user)
        return self._refuse(request, assessment, reason) if reason else None

    def responses_import_view(self, request, object_id):
        assessment = self._visible(request, object_id)
        refused = self._import_refused(request, assessment)
        if refused:
            return refused
        opts = self.model._meta
        change_url = reverse("admin:assessments_assessment_change", args=[assessment.pk])
        template_url = reverse(
            "admin:assessments_assessment_responses_template", args=[assessment.pk]
        )
        return import_view(
            request,
            importer=responses_importer(assessment),
            title=_("Import responses from a spreadsheet"),
            what=str(_("Responses of %(assessment)s") % {"assessment": assessment}),
            target=assessment,
            done_url=change_url,
            context={
                **self.admin_site.each_context(request),
                "opts": opts,
                "original": assessment,
                "breadcrumbs": [
                    (reverse("admin:assessments_assessment_changelist"), opts.verbose_name_plural),
                    (change_url, str(assessment)),
                ],
                "intro": _(
                    "One row per indicator, with its value, whether it does not apply and why, "
                    "the evidence and links. Download the template: it has every indicator "
                    "this assessment answers, its current answer and what each value may be. "
                    "Nothing is written until you confirm the preview, and nothing at all if "
                    "any row is wrong."
                ),
                "template_links": [
                    (template_url, _("Download the template with the current answers (.xlsx)"))
                ],
                "cancel_url": change_url,
            },
        )

    def responses_template_view(self, request, object_id):
        assessment = self._visible(request, object_id)
        refused = self._import_refused(request, assessment)
        if refused:
            return refused
        return download(template_workbook(assessment), template_filename(assessment))
