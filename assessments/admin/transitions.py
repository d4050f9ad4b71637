"""The assessment admin's workflow step: confirm a transition, with what it needs, and make it."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import services
from ..answers.messages import missing_by_area
from ..permissions import is_project_staff, role_for
from ..workflow import Status, TransitionNotAllowed, find_transition
from .forms import OpenReplyForm, PublishForm, ReturnCommentFormSet, ReturnForm


class TransitionViews:
    """Mixed into AssessmentAdmin, whose _visible, _refuse and _page it uses."""

    def has_publish_permission(self, request):
        return is_project_staff(request.user)

    @admin.action(description=_("Publish the selected assessments"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        """First publications of many assessments at once (the end of a cycle), all or
        nothing, after a page that lists them; corrections are published one by one."""
        assessments = list(
            queryset.select_related("municipality", "cycle", "organization").order_by(
                "cycle__year", "municipality__slug", "kind"
            )
        )
        if request.POST.get("confirmed") == "yes":
            try:
                services.publish_assessments(assessments=assessments, by=request.user)
            except TransitionNotAllowed:
                messages.error(
                    request,
                    _("Nothing was published: only assessments under review can be published."),
                )
            except ValidationError as error:
                messages.error(
                    request, _("Nothing was published: %(why)s") % {"why": " ".join(error.messages)}
                )
            except DatabaseError:
                # Another step held one of them too long (PostgreSQL broke a deadlock).
                messages.error(
                    request,
                    _("Nothing was published: someone else was changing one of them. Try again."),
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "Published %(count)d assessment.",
                        "Published %(count)d assessments.",
                        len(assessments),
                    )
                    % {"count": len(assessments)},
                )
            return None
        published_before = set(
            queryset.filter(snapshots__isnull=False).values_list("pk", flat=True)
        )
        refused = [
            (assessment, reason)
            for assessment in assessments
            if (reason := self._why_not_publish(request, assessment, published_before))
        ]
        return TemplateResponse(
            request,
            "admin/assessments/assessment/publish_selected.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Publish the selected assessments"),
                "assessments": assessments,
                "refused": refused,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _why_not_publish(self, request, assessment, published_before) -> str:
        try:
            find_transition(
                action="publish",
                status=assessment.status,
                kind=assessment.kind,
                role=role_for(request.user, assessment),
            )
        except TransitionNotAllowed:
            return _("It is not under review.")
        if assessment.pk in published_before:
            return _("It is a correction: publish it on its own, with its public note.")
        return ""

    def transition_view(self, request, object_id, action):
        """Confirm, then make one workflow transition, with what that transition needs."""
        assessment = self._visible(request, object_id)
        role = role_for(request.user, assessment)
        try:
            transition = find_transition(
                action=action, status=assessment.status, kind=assessment.kind, role=role
            )
        except TransitionNotAllowed as refused:
            return self._refuse(request, assessment, refused.reason)
        data = request.POST if request.method == "POST" else None
        forms_ = self._transition_forms(assessment, action, data)
        missing = []
        if action in ("submit", "publish"):
            missing = assessment.score().missing
        status = 200
        if data is not None and not missing and all(f.is_valid() for f in forms_.values()):
            try:
                self._perform(request, assessment, action, forms_)
            except TransitionNotAllowed as refused:
                return self._refuse(request, assessment, refused.reason)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 400
            else:
                messages.success(
                    request,
                    _("Done: %(action)s. The assessment is now “%(status)s”.")
                    % {"action": transition.label, "status": Status(transition.target).label},
                )
                return redirect("admin:assessments_assessment_change", assessment.pk)
        elif data is not None:
            status = 400
        return self._page(
            request,
            assessment,
            "admin/assessments/assessment/transition.html",
            status=status,
            title=f"{transition.label}: {assessment}",
            transition=transition,
            forms=forms_,
            missing=missing_by_area(assessment, missing),
        )

    def _transition_forms(self, assessment, action, data):
        if action == "open_reply":
            return {"form": OpenReplyForm(data)}
        if action == "return":
            formset = ReturnCommentFormSet(data, prefix="comments")
            for form in formset:
                form.fields["indicator"].queryset = assessment.indicators().order_by("code")
            return {"form": ReturnForm(data), "comments": formset}
        if action == "publish":
            is_correction = assessment.snapshots.exists()
            return {"form": PublishForm(data, is_correction=is_correction)}
        return {}

    def _perform(self, request, assessment, action, forms_):
        user = request.user
        if action == "submit":
            services.submit_assessment(assessment=assessment, by=user)
        elif action == "open_reply":
            services.open_reply(
                assessment=assessment, by=user, days=forms_["form"].cleaned_data["days"]
            )
        elif action == "return":
            comments = [
                (form.cleaned_data["indicator"].pk, form.cleaned_data["text"])
                for form in forms_["comments"]
                if form.cleaned_data.get("indicator")
            ]
            services.return_assessment(
                assessment=assessment,
                by=user,
                comments=comments,
                note=forms_["form"].cleaned_data["note"],
            )
        elif action == "publish":
            notes = forms_["form"].cleaned_data
            services.publish_assessment(
                assessment=assessment,
                by=user,
                note_ka=notes.get("note_ka", ""),
                note_en=notes.get("note_en", ""),
            )
        else:
            services.move_assessment(assessment=assessment, action=action, by=user)
