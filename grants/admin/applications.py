"""Grant applications as project staff see them: everything the applicant wrote, read-only,
with the reviews beside it; and the staff's steps, each confirmed on its own page:
eligibility, assigning a reviewer, moderating a score, deciding."""

from django.contrib import admin, messages
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from municipalities.admin_filters import MunicipalityFilter
from musqat.numbers import lari
from musqat.people import person_name
from musqat.storage import serve_private

from .. import scoring, services
from ..exports import with_reviews
from ..findings import findings_of
from ..models import (
    Application,
    ApplicationStatus,
    CallStage,
    Decision,
    Eligibility,
)
from .common import (
    STYLE,
    ProjectStaffOnly,
    StaffPages,
    is_record_id,
    score_text,
)
from .forms import (
    AssignReviewerForm,
    DecisionForm,
    EligibilityForm,
    ModerationForm,
    reviewer_choices,
)

# What the applicant wrote and what the steps decided: shown, never typed over here.
CONTENT = [
    "reference", "call", "organization", "status", "submitted_at", "submitted_by",
    "contact_name", "contact_email", "contact_phone", "registration_number",
    "title", "summary", "municipality", "target_indicators", "finding_links", "objectives",
    "activities", "requested", "budget_total",
    "eligibility", "eligibility_reason",
    "moderated_score", "moderation_note",
    "decision", "decision_reason", "awarded", "grant_start", "grant_end", "decided_at",
    "agreement_link",
]  # fmt: skip


class ReviewProgressFilter(admin.SimpleListFilter):
    title = _("moderation")
    parameter_name = "moderated"

    def lookups(self, request, model_admin):
        return [("yes", _("moderated")), ("no", _("not moderated"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(moderated_score__isnull=False)
        if self.value() == "no":
            return queryset.filter(moderated_score__isnull=True)
        return queryset


@admin.register(Application)
class ApplicationAdmin(ProjectStaffOnly, StaffPages, TranslationAdmin):
    # Narrow enough for a 1280 px screen beside the menu and the filters: where each
    # application stands first, then short columns that wrap (a long organisation name is
    # cut; its full name is on the application's page).
    list_display = [
        "standing", "reference_or_draft", "organisation", "requested", "reviews",
    ]  # fmt: skip
    list_display_links = ["reference_or_draft"]
    list_select_related = ["call", "organization", "municipality"]
    list_filter = [
        "call", "status", "eligibility", "decision", ReviewProgressFilter,
        ("municipality", MunicipalityFilter),
    ]  # fmt: skip
    search_fields = [
        "reference", "title", "organization__name_ka", "organization__name_en",
        "organization__slug",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["reference", "call", "organization", "status", "submitted_at",
                           "submitted_by"]}),
        (_("Organisation details"), {"fields": ["contact_name", "contact_email", "contact_phone",
                                                "registration_number"]}),
        (_("Project"), {"fields": ["title", "summary", "municipality", "target_indicators",
                                   "finding_links", "objectives", "activities", "requested",
                                   "budget_total"]}),
        (_("Eligibility"), {"fields": ["eligibility", "eligibility_reason"]}),
        (_("Moderation"), {"fields": ["moderated_score", "moderation_note"]}),
        (_("Decision"), {"fields": ["decision", "decision_reason", "awarded", "grant_start",
                                    "grant_end", "decided_at", "agreement_link"]}),
        (_("Public register"), {"fields": ["public_summary"]}),
    ]  # fmt: skip
    readonly_fields = CONTENT
    change_form_template = "admin/grants/application/change_form.html"
    actions = None

    class Media:
        css = STYLE

    def get_queryset(self, request):
        return with_reviews(super().get_queryset(request))

    def has_add_permission(self, request):
        # An application is made by its organisation, in the monitor workspace.
        return False

    def has_delete_permission(self, request, obj=None):
        # A submitted application is part of the call's record; only a draft goes.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == ApplicationStatus.DRAFT)

    def get_fieldsets(self, request, obj=None):
        # The public summary is the register's, written by staff for an award only.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.decision != Decision.AWARDED:
            return fieldsets[:-1]
        return fieldsets

    def delete_model(self, request, obj):
        files = [attachment.file for attachment in obj.attachments.all()]
        super().delete_model(request, obj)
        for file in files:
            file.delete(save=False)

    # --- Columns and fields -------------------------------------------------------------------

    def _result(self, application):
        if not hasattr(application, "_result"):
            application._result = services.application_result(application)
        return application._result

    @admin.display(description=_("status"))
    def standing(self, application):
        """One word for where the application stands: a decision says it was eligible and
        submitted, eligibility says it was submitted."""
        if application.status == ApplicationStatus.DRAFT:
            return application.get_status_display()
        if application.decision != Decision.PENDING:
            return application.get_decision_display()
        return application.get_eligibility_display()

    @admin.display(description=_("reference"), ordering="reference")
    def reference_or_draft(self, application):
        if not application.reference:
            return _("draft")
        return format_html('<span class="nowrap">{}</span>', application.reference)

    @admin.display(description=_("organisation, municipality"), ordering="organization")
    def organisation(self, application):
        """The organisation's name, cut when long (whole on hover and on the application's
        page), and the target municipality under it."""
        name = str(application.organization)
        short = Truncator(name).chars(32)
        place = application.municipality or "–"
        if short == name:
            return format_html('{}<br><span class="quiet">{}</span>', name, place)
        return format_html(
            '<span title="{}">{}</span><br><span class="quiet">{}</span>', name, short, place
        )

    @admin.display(description=_("requested amount"), ordering="requested_amount")
    def requested(self, application):
        return format_html('<span class="nowrap">{}</span>', lari(application.requested_amount))

    @admin.display(description=_("budget lines add up to"))
    def budget_total(self, application):
        return lari(sum((line.amount for line in application.budget_lines.all()), 0))

    @admin.display(description=_("reviews · score"))
    def reviews(self, application):
        """Reviews submitted of those assigned, the computed score, and whether reviewers
        disagree (or staff moderated the score), in one column that wraps."""
        if application.status == ApplicationStatus.DRAFT:
            return "–"
        result = self._result(application)
        parts = [
            format_html(
                "{} / {} · {}",
                application.reviews_submitted,
                application.reviews_assigned,
                score_text(result.score),
            )
        ]
        if application.moderated_score is not None:
            parts.append(
                format_html("{}: {}", _("moderated"), score_text(application.moderated_score))
            )
        elif result.needs_moderation:
            parts.append(format_html("<strong>{}</strong>", _("needs moderation")))
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts))

    @admin.display(description=_("target indicators"))
    def target_indicators(self, application):
        return ", ".join(str(indicator) for indicator in application.indicators.all()) or "–"

    @admin.display(description=_("awarded amount (GEL)"))
    def awarded(self, application):
        return lari(application.awarded_amount)

    @admin.display(description=_("grant agreement"))
    def agreement_link(self, application):
        if not application.agreement:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:grants_application_agreement", args=[application.pk]),
            application.agreement.name.rsplit("/", 1)[-1],
        )

    # --- The change page ----------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = dict(extra_context or {})
        application = self.get_object(request, object_id) if is_record_id(object_id) else None
        if application is not None and self.has_view_permission(request, application):
            context["panel"] = self._panel(application)
        return super().change_view(request, object_id, form_url, context)

    def _panel(self, application) -> dict:
        call = application.call
        criteria = list(call.rubric.all())
        reviews = list(
            application.reviews.select_related("reviewer").prefetch_related(
                Prefetch("scores", to_attr="given")
            )
        )
        weights = {str(criterion.pk): criterion.weight for criterion in criteria}
        for review in reviews:
            by_criterion = {score.criterion_id: score for score in review.given}
            review.rows = [(criterion, by_criterion.get(criterion.pk)) for criterion in criteria]
            review.total_text = score_text(
                scoring.reviewer_total(
                    {str(score.criterion_id): score.points for score in review.given}, weights
                )
            )
        result = self._result(application)
        return {
            "call": call,
            "result": result,
            "ranking_score": score_text(
                scoring.ranking_score(result.score, application.moderated_score)
            ),
            "criteria": [
                (criterion, score_text(result.criteria.get(str(criterion.pk))))
                for criterion in criteria
            ],
            "reviews": reviews,
            "budget_lines": application.budget_lines.all(),
            "attachments": application.attachments.select_related("requirement"),
            "findings": findings_of(application),
            "reports": application.reports.all(),
            "steps": self._steps(application),
        }

    def _steps(self, application) -> list[tuple[str, str]]:
        """The steps the page offers now (each service still checks, whatever it showed)."""
        if application.status != ApplicationStatus.SUBMITTED:
            return []
        in_review = application.call.stage == CallStage.UNDER_REVIEW
        pending = application.decision == Decision.PENDING
        steps = []
        if pending:
            steps.append(("eligibility", _("Eligibility")))
        if application.eligibility == Eligibility.ELIGIBLE:
            if pending:
                steps.append(("assign", _("Assign a reviewer")))
            steps.append(("moderate", _("Moderate the score")))
            if in_review and pending:
                steps.append(("decide", _("Decide")))
        return [
            (reverse(f"admin:grants_application_{name}", args=[application.pk]), label)
            for name, label in steps
        ]

    # --- The steps ----------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        pages = [
            ("eligibility", self.eligibility_view),
            ("assign", self.assign_view),
            ("moderate", self.moderate_view),
            ("decide", self.decide_view),
            ("agreement", self.agreement_view),
        ]
        return [
            *(
                path(f"<path:object_id>/{name}/", view(page), name=f"grants_application_{name}")
                for name, page in pages
            ),
            *super().get_urls(),
        ]

    def _record(self, request, object_id):
        return self.staff_record(
            request,
            object_id,
            Application.objects.select_related("call", "organization", "municipality"),
        )

    def _step_page(self, request, application, template, form, title, *, status=200, **context):
        return self.staff_page(
            request,
            application,
            template,
            status=status,
            title=f"{title}: {application}",
            form=form,
            **context,
        )

    def _done(self, request, application, message):
        messages.success(request, message)
        return redirect("admin:grants_application_change", application.pk)

    def eligibility_view(self, request, object_id):
        application = self._record(request, object_id)
        initial = {}
        if application.eligibility != Eligibility.PENDING:
            initial = {
                "verdict": application.eligibility,
                "reason": application.eligibility_reason,
            }
        form = EligibilityForm(request.POST or None, initial=initial)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    services.check_eligibility(
                        application=application,
                        eligible=form.cleaned_data["verdict"] == "eligible",
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                    )
                except services.Refused as refusal:
                    messages.error(request, refusal.message)
                else:
                    application.refresh_from_db()
                    return self._done(
                        request,
                        application,
                        _("The application is now “%(eligibility)s”.")
                        % {"eligibility": application.get_eligibility_display()},
                    )
        return self._step_page(
            request,
            application,
            "admin/grants/application/eligibility.html",
            form,
            _("Eligibility"),
            status=status,
            checklist=application.call.checklist.all(),
        )

    def assign_view(self, request, object_id):
        application = self._record(request, object_id)
        reviewers, excluded = reviewer_choices(application)
        form = AssignReviewerForm(request.POST or None, reviewers=reviewers)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                reviewer = form.cleaned_data["reviewer"]
                try:
                    services.assign_reviewer(
                        application=application, reviewer=reviewer, by=request.user
                    )
                except services.Refused as refusal:
                    messages.error(request, refusal.message)
                else:
                    return self._done(
                        request,
                        application,
                        _("%(reviewer)s is assigned to review the application.")
                        % {"reviewer": person_name(reviewer)},
                    )
        return self._step_page(
            request,
            application,
            "admin/grants/application/assign.html",
            form,
            _("Assign a reviewer"),
            status=status,
            excluded=excluded,
            assigned=application.reviews.select_related("reviewer"),
        )

    def moderate_view(self, request, object_id):
        application = self._record(request, object_id)
        initial = {}
        if application.moderated_score is not None:
            initial = {
                "score": application.moderated_score,
                "note": application.moderation_note,
            }
        form = ModerationForm(request.POST or None, initial=initial)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    services.moderate(
                        application=application,
                        score=form.cleaned_data["score"],
                        note=form.cleaned_data["note"],
                        by=request.user,
                    )
                except services.Refused as refusal:
                    messages.error(request, refusal.message)
                else:
                    return self._done(
                        request,
                        application,
                        _("The moderated score is kept; the reviewers' scores stay beside it."),
                    )
        result = services.application_result(application)
        return self._step_page(
            request,
            application,
            "admin/grants/application/moderate.html",
            form,
            _("Moderate the score"),
            status=status,
            computed=score_text(result.score),
            spread=score_text(result.spread),
            totals=[score_text(total) for total in result.reviewer_totals],
            needs_moderation=result.needs_moderation,
        )

    def decide_view(self, request, object_id):
        application = self._record(request, object_id)
        call = application.call
        awarded = services.awards_total(call)
        form = DecisionForm(
            request.POST or None, request.FILES or None, application=application, awarded=awarded
        )
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                award = data["decision"] == "award"
                try:
                    services.decide(
                        application=application,
                        award=award,
                        by=request.user,
                        reason=data["reason"],
                        amount=data["amount"] if award else None,
                        start=data["start"] if award else None,
                        end=data["end"] if award else None,
                        agreement=data["agreement"] if award else None,
                        summary_ka=data["summary_ka"] if award else "",
                        summary_en=data["summary_en"] if award else "",
                    )
                except services.Refused as refusal:
                    messages.error(request, refusal.message)
                else:
                    application.refresh_from_db()
                    return self._done(
                        request,
                        application,
                        _("Decided: %(decision)s. The applicant is told by e-mail.")
                        % {"decision": application.get_decision_display()},
                    )
        return self._step_page(
            request,
            application,
            "admin/grants/application/decide.html",
            form,
            _("Decide"),
            status=status,
            limits={
                "min": lari(call.min_grant),
                "max": lari(call.max_grant),
                "requested": lari(application.requested_amount),
                "awarded": lari(awarded),
                "budget": lari(call.budget),
                "months": call.max_months,
            },
            score=score_text(
                scoring.ranking_score(
                    services.application_result(application).score, application.moderated_score
                )
            ),
        )

    def agreement_view(self, request, object_id):
        """The grant agreement, a private file, for staff."""
        application = self._record(request, object_id)
        return serve_private(application.agreement)
