"""Action plans in the admin: municipal staff draft, adopt and close their own
municipality's plans, keep its actions, report progress and answer the monitors' verdicts;
project staff may do the same for any municipality.

Municipal staff's group has no model permissions for these models: who may do what is
`permissions.may_edit_plans_of`, and each step's rules are checked again by
`plans.services`, whatever a page offered. Anyone else's plan is a 404, never data.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Max, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from municipalities.admin_filters import MunicipalityFilter
from musqat.people import person_name
from musqat.storage import serve_private

from ..models import (
    Action,
    ActionIndicator,
    ActionPlan,
    ActionUpdate,
    PlanStatus,
    Verdict,
)
from ..permissions import is_project_staff, may_edit_plans_of, municipality_id_of
from ..plans import services
from ..plans.forms import AnswerForm, ReportForm
from .common import ReadOnly, is_record_id
from .plan_forms import ActionForm, ActionPlanForm, PrivateFileInput

TEMPLATES = "admin/assessments/plans"


def person(user) -> str:
    if user is None:
        return "–"
    return person_name(user)


def evidence_links(items) -> list[tuple[str, str]]:
    """(address, title) of each piece of evidence: a link as given, a file through the view
    that checks who asks."""
    return [
        (item.url or reverse("assessments:plan_evidence", args=[item.pk]), item.title)
        for item in items
    ]


def report_form(*args, **kwargs) -> ReportForm:
    form = ReportForm(*args, **kwargs)
    # A date input takes its value as YYYY-MM-DD whatever the page's language; the
    # localised "06.12.2026" would show an empty field.
    form.fields["reported_on"].widget.format = "%Y-%m-%d"
    return form


class PlanFilter(admin.RelatedOnlyFieldListFilter):
    """The plans of the actions listed, named in one query however many there are."""

    def field_choices(self, field, request, model_admin):
        listed = model_admin.get_queryset(request).values_list("plan_id", flat=True)
        plans = ActionPlan.objects.filter(pk__in=listed).select_related("municipality", "cycle")
        return [(plan.pk, str(plan)) for plan in plans]


class PlanAccess:
    """Who may open a plan or an action in the admin: project staff, and the staff of the
    plan's municipality (`scope` names the municipality's path from the model)."""

    scope = "municipality_id"

    def _may_use(self, request) -> bool:
        user = request.user
        return is_project_staff(user) or municipality_id_of(user) is not None

    def municipality_of(self, obj) -> int:
        raise NotImplementedError

    def _owns(self, request, obj) -> bool:
        return may_edit_plans_of(request.user, self.municipality_of(obj))

    def get_queryset(self, request):
        records = super().get_queryset(request)
        if is_project_staff(request.user):
            return records
        own = municipality_id_of(request.user)
        if own is None:
            return records.none()
        return records.filter(**{self.scope: own})

    def record_or_404(self, request, object_id):
        """The record if this person may see it; for anyone else a 404, whether or not
        it exists. (An <int:> route would not do: the admin's own "<path:object_id>/"
        route would take an address that is no number and redirect it.)"""
        if not is_record_id(object_id):
            raise Http404
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def has_module_permission(self, request):
        return self._may_use(request)

    def has_view_permission(self, request, obj=None):
        return self._may_use(request) and (obj is None or self._owns(request, obj))

    def has_add_permission(self, request):
        return self._may_use(request)

    # Django's own pages look a record up before asking who asks, and send a stranger to
    # the index with "doesn't exist"; here a stranger's record is simply not found.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.record_or_404(request, object_id)
        context = {**(extra_context or {}), **self.page_context(request, record)}
        return super().change_view(request, object_id, form_url, context)

    def delete_view(self, request, object_id, extra_context=None):
        self.record_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.record_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def page_context(self, request, record) -> dict:
        return {}

    # What is kept: the bulk action and the delete page refuse what may not be deleted.

    def kept_reason(self, obj) -> Promise | None:
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        kept = [f"{obj}: {reason}" for obj in objs if (reason := self.kept_reason(obj))]
        if kept:
            # Say why they are kept, rather than that a permission is missing: nothing is
            # deleted while any is listed.
            return deleted, counts, set(), [*protected, *kept]
        return deleted, counts, perms_needed, protected

    def delete_queryset(self, request, queryset):
        deletable = [obj.pk for obj in queryset if self.kept_reason(obj) is None]
        super().delete_queryset(request, queryset.filter(pk__in=deletable))

    def plan_page(self, request, record, template, *, title, status=200, **context):
        opts = self.model._meta
        return TemplateResponse(
            request,
            f"{TEMPLATES}/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": opts,
                "original": record,
                "change_url": reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
                ),
                "title": title,
                **context,
            },
            status=status,
        )


# --- Plans ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanStep:
    """A step of a plan's status, made by its service, which refuses it (and changes
    nothing) when it may not happen."""

    action: str
    label: Promise
    explanation: Promise
    perform: object  # services.<step>(plan=…, by=…)
    offered_at: str


PLAN_STEPS = {
    step.action: step
    for step in (
        PlanStep(
            "adopt",
            _("Adopt"),
            _(
                "The plan becomes public with its approving order: on the municipality's "
                "page, in its feed, in open data and in the API, and the monitoring "
                "organisations are told. It can then never be deleted; its municipality, "
                "cycle and order stay as they are; each action keeps its indicators' "
                "published scores as its starting point; and a changed due date keeps the "
                "original one visible."
            ),
            services.adopt_plan,
            PlanStatus.DRAFT,
        ),
        PlanStep(
            "close",
            _("Close"),
            _(
                "The plan ends. It stays public as it is, takes no more progress reports "
                "or verdicts, and its actions can no longer be changed. The municipality "
                "may then adopt its next plan."
            ),
            services.close_plan,
            PlanStatus.ADOPTED,
        ),
    )
}


@admin.register(ActionPlan)
class ActionPlanAdmin(PlanAccess, admin.ModelAdmin):
    form = ActionPlanForm
    # Where each plan stands first; the municipality is named only to those who see
    # more than their own (get_list_display).
    list_display = ["status", "municipality", "period", "cycle", "order_number"]
    list_display_links = ["period"]
    list_select_related = ["municipality", "cycle"]
    search_fields = ["order_number", "municipality__name_ka", "municipality__name_en"]
    formfield_overrides = {models.FileField: {"widget": PrivateFileInput}}
    change_form_template = f"{TEMPLATES}/plan_change_form.html"
    scope = "municipality_id"

    def municipality_of(self, plan) -> int:
        return plan.municipality_id

    def kept_reason(self, plan):
        if plan.is_draft:
            return None
        return _("an adopted plan is never deleted; close it instead")

    @admin.display(description=_("period"), ordering="starts_on")
    def period(self, plan):
        return plan.period

    @admin.display(description=_("order document"))
    def order_document_link(self, plan):
        if not plan.order_document:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:assessments_actionplan_order", args=[plan.pk]),
            plan.order_document.name.rsplit("/", 1)[-1],
        )

    def get_list_display(self, request):
        if is_project_staff(request.user):
            return self.list_display
        return [name for name in self.list_display if name != "municipality"]

    def get_list_filter(self, request):
        if is_project_staff(request.user):
            return ["status", "cycle", ("municipality", MunicipalityFilter)]
        return ["status", "cycle"]

    # Who may do what: an adopted plan is kept; a closed one is for reading.

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and (
            obj is None or obj.status != PlanStatus.CLOSED
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and (obj is None or obj.is_draft)

    # The form

    def _order_is_editable(self, request, plan) -> bool:
        return plan is None or (plan.is_draft and self.has_change_permission(request, plan))

    def get_fieldsets(self, request, obj=None):
        order = ["order_number", "order_date"]
        order.append(
            "order_document" if self._order_is_editable(request, obj) else "order_document_link"
        )
        fieldsets = [
            (None, {"fields": ["municipality", "cycle", "starts_on", "ends_on"]}),
            (
                _("Approving order"),
                {
                    "fields": order,
                    "description": _(
                        "The mayor's order that approves the plan: its number, date and the "
                        "signed order as a PDF. A plan is adopted only with all three."
                    ),
                },
            ),
        ]
        if obj is not None:
            status = ["status"]
            if obj.adopted_at:
                status += ["adopted_at", "adopted_by"]
            if obj.closed_at:
                status += ["closed_at"]
            fieldsets.append((_("Status"), {"fields": status}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = ["status", "adopted_at", "adopted_by", "closed_at", "order_document_link"]
        if not is_project_staff(request.user):
            # Municipal staff draft plans of their own municipality only.
            fields.append("municipality")
        if obj is not None and not obj.is_draft:
            fields += ["municipality", "cycle", "order_number", "order_date"]
        return list(dict.fromkeys(fields))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not is_project_staff(request.user):
            form = type(
                form.__name__, (form,), {"fixed_municipality_id": municipality_id_of(request.user)}
            )
        field = form.base_fields.get("order_document")
        if field is not None and obj is not None:
            field.widget.download_url = reverse("admin:assessments_actionplan_order", args=[obj.pk])
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cycle":
            # A plan answers published findings: of its own municipality, for municipal staff.
            from_cycles = db_field.related_model.objects.with_published()
            if not is_project_staff(request.user):
                from_cycles = db_field.related_model.objects.filter(
                    assessments__municipality_id=municipality_id_of(request.user),
                    assessments__snapshots__is_current=True,
                ).distinct()
            kwargs["queryset"] = from_cycles.order_by("-year")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and not is_project_staff(request.user):
            obj.municipality_id = municipality_id_of(request.user)
        super().save_model(request, obj, form, change)

    # The change page: the plan's status, its steps and its actions

    def page_context(self, request, plan) -> dict:
        editable = self.has_change_permission(request, plan)
        actions = list(plan.actions.order_by("number", "pk"))
        add_url = None
        if editable:
            add_url = f"{reverse('admin:assessments_action_add')}?plan={plan.pk}"
        return {
            "plan_panel": {
                "steps": [
                    (step, reverse(f"admin:assessments_actionplan_{step.action}", args=[plan.pk]))
                    for step in PLAN_STEPS.values()
                    if editable and step.offered_at == plan.status
                ],
                "actions": actions,
                "add_url": add_url,
            }
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/adopt/",
                view(self.adopt_view),
                name="assessments_actionplan_adopt",
            ),
            path(
                "<path:object_id>/close/",
                view(self.close_view),
                name="assessments_actionplan_close",
            ),
            path(
                "<path:object_id>/order/",
                view(self.order_view),
                name="assessments_actionplan_order",
            ),
            *super().get_urls(),
        ]

    def adopt_view(self, request, object_id):
        return self._step_view(request, object_id, PLAN_STEPS["adopt"])

    def close_view(self, request, object_id):
        return self._step_view(request, object_id, PLAN_STEPS["close"])

    def _step_view(self, request, object_id, step: PlanStep):
        """Show what the step will do; on POST make it. A refusal says why and changes
        nothing."""
        plan = self.record_or_404(request, object_id)
        refusal = None
        status = 200
        if request.method == "POST":
            try:
                plan = step.perform(plan=plan, by=request.user)
            except services.Refused as refused:
                refusal = refused.message
                status = 400
            else:
                messages.success(
                    request,
                    _("Done: %(step)s. The plan is now “%(status)s”.")
                    % {"step": step.label, "status": plan.get_status_display()},
                )
                return redirect("admin:assessments_actionplan_change", plan.pk)
        return self.plan_page(
            request,
            plan,
            "plan_step.html",
            status=status,
            title=f"{step.label}: {plan}",
            step=step,
            offered=plan.status == step.offered_at,
            refusal=refusal,
            actions_count=plan.actions.count(),
            order_document=self.order_document_link(plan),
        )

    def order_view(self, request, object_id):
        """The approving order, a private file while the plan is a draft."""
        plan = self.record_or_404(request, object_id)
        return serve_private(plan.order_document)


# --- Actions -------------------------------------------------------------------------------


@admin.register(Action)
class ActionAdmin(PlanAccess, TranslationAdmin):
    form = ActionForm
    # The indicators go through ActionIndicator, saved in save_related.
    exclude = ["indicators"]
    # Where each action stands first, then what it is and when it is due.
    list_display = ["status", "shown_progress", "__str__", "due_on", "plan"]
    list_display_links = ["__str__"]
    list_select_related = ["plan__municipality", "plan__cycle"]
    list_filter = ["status", ("plan", PlanFilter)]
    search_fields = ["title_ka", "title_en", "responsible_unit_ka", "responsible_unit_en"]
    change_form_template = f"{TEMPLATES}/action_change_form.html"
    scope = "plan__municipality_id"

    def municipality_of(self, action) -> int:
        return action.plan.municipality_id

    def kept_reason(self, action):
        if action.plan.is_draft:
            return None
        return _("the actions of an adopted plan are kept")

    @admin.display(description=_("progress (%)"))
    def shown_progress(self, action):
        return action.shown_progress

    @admin.display(description=_("changes of the due date"))
    def due_date_history(self, action):
        changes = action.due_date_changes.select_related("changed_by")
        if not changes:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} → {} ({}, {})</li>",
                (
                    (
                        date_format(change.old_due_on, "SHORT_DATE_FORMAT"),
                        date_format(change.new_due_on, "SHORT_DATE_FORMAT"),
                        person(change.changed_by),
                        date_format(change.changed_at, "SHORT_DATETIME_FORMAT"),
                    )
                    for change in changes
                ),
            ),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__municipality", "plan__cycle")

    def _open_plans(self, request):
        """The plans a person may add actions to: their own, draft or adopted."""
        plans = ActionPlan.objects.exclude(status=PlanStatus.CLOSED)
        if not is_project_staff(request.user):
            plans = plans.filter(municipality_id=municipality_id_of(request.user))
        return plans.select_related("municipality", "cycle")

    def _asked_plan(self, request) -> ActionPlan | None:
        """The plan an action is being added to, as the address or the form names it, or
        the person's only open plan."""
        asked = (request.POST if request.method == "POST" else request.GET).get("plan")
        plans = self._open_plans(request)
        if asked is not None:
            return plans.filter(pk=asked).first() if is_record_id(asked) else None
        only = list(plans[:2])
        return only[0] if len(only) == 1 else None

    # Who may do what: a closed plan's actions are for reading; a draft's may be deleted.

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and (
            obj is None or obj.plan.status != PlanStatus.CLOSED
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and (obj is None or obj.plan.is_draft)

    # The form

    def get_fieldsets(self, request, obj=None):
        when = ["responsible_unit", "starts_on", "due_on"]
        if obj is not None and obj.plan.is_public:
            when += ["original_due_on", "due_date_history"]
        fieldsets = [
            (None, {"fields": ["plan", "number", "title", "description"]}),
            (_("Findings addressed"), {"fields": ["indicators", "criteria"]}),
            (_("Who and when"), {"fields": when}),
            (_("Money"), {"fields": ["budget", "budget_source"]}),
            (
                _("Result and progress"),
                {"fields": ["expected_result", "status", "progress", "dropped_reason"]},
            ),
        ]
        return [
            (name, {**options, "fields": self.replace_orig_field(options["fields"])})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        # An action's status and progress move only with a dated progress report, so that
        # "done on time" and the feed know when.
        fields = ["original_due_on", "due_date_history", "status", "progress"]
        if obj is not None:
            # An action belongs to its plan.
            fields.append("plan")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        plan = obj.plan if obj is not None else self._asked_plan(request)
        return type(
            form.__name__,
            (form,),
            {
                "plan_for_choices": plan,
                "plans_for_choices": tuple(self._open_plans(request)) if plan is None else (),
            },
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        plan = self._asked_plan(request)
        if plan is not None:
            initial["plan"] = plan.pk
            last = plan.actions.aggregate(last=Max("number"))["last"]
            initial.setdefault("number", (last or 0) + 1)
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan":
            kwargs["queryset"] = self._open_plans(request).order_by(
                "municipality__slug", "-starts_on"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        old_due_on = None
        if change and "due_on" in form.changed_data:
            old_due_on = Action.objects.values_list("due_on", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        if old_due_on is not None:
            services.record_due_date_change(action=obj, old_due_on=old_due_on, by=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "indicators" not in form.cleaned_data:
            return
        action = form.instance
        chosen = {indicator.pk for indicator in form.cleaned_data["indicators"]}
        action.targets.exclude(indicator_id__in=chosen).delete()
        kept = set(action.targets.values_list("indicator_id", flat=True))
        ActionIndicator.objects.bulk_create(
            ActionIndicator(action=action, indicator_id=pk) for pk in sorted(chosen - kept)
        )
        if action.plan.is_public:
            # A draft's starting scores are kept when it is adopted.
            services.record_baselines(action=action)

    # The change page: the reports and verdicts, the two voices

    def page_context(self, request, action) -> dict:
        may_edit = may_edit_plans_of(request.user, action.plan.municipality_id)
        updates = action.updates.select_related("author").prefetch_related(
            "evidence",
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.select_related("organization", "answer__author")
                .prefetch_related("evidence")
                .order_by("created_at", "pk"),
            ),
        )
        reports = []
        for update in updates.order_by("-reported_on", "-pk"):
            verdicts = []
            for verdict in update.verdicts.all():
                answer = getattr(verdict, "answer", None)
                verdicts.append(
                    {
                        "verdict": verdict,
                        "evidence": evidence_links(verdict.evidence.all()),
                        "answer": answer,
                        "answer_author": person(answer.author) if answer else None,
                        "answer_url": None
                        if answer or not may_edit or action.plan.is_draft
                        else reverse(
                            "admin:assessments_action_answer", args=[action.pk, verdict.pk]
                        ),
                    }
                )
            reports.append(
                {
                    "update": update,
                    "author": person(update.author),
                    "evidence": evidence_links(update.evidence.all()),
                    "verdicts": verdicts,
                }
            )
        can_report = may_edit and action.plan.status == PlanStatus.ADOPTED
        return {
            "action_panel": {
                "plan": action.plan,
                "plan_url": reverse("admin:assessments_actionplan_change", args=[action.plan_id]),
                "reports": reports,
                "report_url": reverse("admin:assessments_action_report", args=[action.pk])
                if can_report
                else None,
            }
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/report/",
                view(self.report_view),
                name="assessments_action_report",
            ),
            path(
                "<path:object_id>/answer/<int:verdict>/",
                view(self.answer_view),
                name="assessments_action_answer",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request, object_id):
        """The municipality's progress report on an action of its adopted plan, with
        evidence files and links. A refusal keeps everything typed and says why."""
        action = self.record_or_404(request, object_id)
        refusal = None
        status = 200
        if request.method == "POST":
            form = report_form(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.report_progress(
                        action=action,
                        by=request.user,
                        reported_on=data["reported_on"],
                        status=data["status"],
                        text=data["text"],
                        progress=data["progress"],
                        files=data["files"],
                        links=form.link_list,
                    )
                except services.Refused as refused:
                    refusal = refused.message
                else:
                    messages.success(request, _("The progress report is saved and public."))
                    return redirect("admin:assessments_action_change", action.pk)
            status = 400
        else:
            form = report_form(initial={"status": action.status, "progress": action.progress})
        return self.plan_page(
            request,
            action,
            "report.html",
            status=status,
            title=_("Report progress: %(action)s") % {"action": action},
            form=form,
            refusal=refusal,
            in_force=action.plan.status == PlanStatus.ADOPTED,
        )

    def answer_view(self, request, object_id, verdict):
        """The municipality's answer to a monitor's verdict on one of the action's reports."""
        action = self.record_or_404(request, object_id)
        verdict = get_object_or_404(
            Verdict.objects.select_related("update__author", "organization", "author"),
            pk=verdict,
            update__action=action,
        )
        refusal = None
        status = 200
        if request.method == "POST":
            form = AnswerForm(request.POST)
            if form.is_valid():
                try:
                    services.answer_verdict(
                        verdict=verdict, by=request.user, text=form.cleaned_data["text"]
                    )
                except services.Refused as refused:
                    refusal = refused.message
                else:
                    messages.success(
                        request, _("Your answer is saved and shown beside the verdict.")
                    )
                    return redirect("admin:assessments_action_change", action.pk)
            status = 400
        else:
            form = AnswerForm()
        answer = getattr(verdict, "answer", None)
        return self.plan_page(
            request,
            action,
            "answer.html",
            status=status,
            title=_("Answer the verdict: %(action)s") % {"action": action},
            form=form,
            refusal=refusal,
            verdict=verdict,
            report=verdict.update,
            report_author=person(verdict.update.author),
            evidence=evidence_links(verdict.evidence.all()),
            answer=answer,
        )


# --- Reports and verdicts, to look up ------------------------------------------------------


class ProjectStaffReading(ReadOnly):
    """Reports and verdicts change only through their steps; project staff may look them
    up here (municipal staff read them on their actions' pages)."""

    def has_module_permission(self, request):
        return is_project_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return is_project_staff(request.user)

    # Django's own pages look the record up first, and so would tell anyone else which
    # ids exist; refuse first.

    def _refuse_all_but_project_staff(self, request):
        if not is_project_staff(request.user):
            raise PermissionDenied

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._refuse_all_but_project_staff(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._refuse_all_but_project_staff(request)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._refuse_all_but_project_staff(request)
        return super().history_view(request, object_id, extra_context)

    @admin.display(description=_("evidence"))
    def evidence_list(self, record):
        links = evidence_links(record.evidence.all())
        if not links:
            return "–"
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links)
        )


@admin.register(ActionUpdate)
class ActionUpdateAdmin(ProjectStaffReading, admin.ModelAdmin):
    list_display = ["action", "reported_on", "status", "author"]
    list_filter = ["status", ("action__plan__municipality", MunicipalityFilter)]
    list_select_related = ["action__plan__municipality", "author"]
    search_fields = ["text", "action__title_ka", "action__title_en"]
    fields = [
        "action", "reported_on", "status", "progress", "text", "author", "created_at",
        "evidence_list",
    ]  # fmt: skip
    readonly_fields = fields


@admin.register(Verdict)
class VerdictAdmin(ProjectStaffReading, admin.ModelAdmin):
    list_display = ["update", "organization", "verdict", "created_at"]
    list_filter = ["verdict", "organization"]
    list_select_related = ["update__action", "organization"]
    search_fields = ["text", "organization__name_ka", "organization__name_en"]
    fields = [
        "update", "organization", "verdict", "text", "author", "created_at", "evidence_list",
        "answer_text",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("the municipality's answer"))
    def answer_text(self, verdict):
        answer = getattr(verdict, "answer", None)
        return answer.text if answer else "–"
