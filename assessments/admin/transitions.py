"""The assessment admin's workflow step: confirm a transition, with what it needs, and make it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .. import services
from ..answers.messages import missing_by_area
from ..permissions import role_for
from ..workflow import Status, TransitionNotAllowed, find_transition
from .forms import OpenReplyForm, PublishForm, ReturnCommentFormSet, ReturnForm


class TransitionViews:
    """Mixed into AssessmentAdmin, whose _visible, _refuse and _page it uses."""

    def transition_view(self, request, object_id, action):
        """Confirm, then make one workflow transition, with what that transition needs."""
        assessment = self._visible(request, object_id)
        role = role_for(request.user, assessment)
        try:
            transition = find_transition(
                action=action, status=assessment.status, kind=assessment.kind, role=role
            )
        except TransitionNotAllowed:
            return self._refuse(
                request,
                assessment,
                _("You may not do that to this assessment in its present state."),
            )
        data = request.POST if request.method == "POST" else None
        forms_ = self._transition_forms(assessment, action, data)
        missing = []
        if action in ("submit", "publish"):
            missing = assessment.score().missing
        status = 200
        if data is not None and not missing and all(f.is_valid() for f in forms_.values()):
            try:
                self._perform(request, assessment, action, forms_)
            except TransitionNotAllowed:
                return self._refuse(
                    request,
                    assessment,
                    _("You may not do that to this assessment in its present state."),
                )
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
