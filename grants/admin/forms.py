"""The forms of the staff's steps: a call's own form, eligibility, reviewers, moderation,
the decision and a report's review. Each step's rules are checked by its service; these
forms only read what staff typed."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments.permissions import GRANT_REVIEWER_GROUP
from musqat.numbers import lari
from musqat.people import person_name
from musqat.uploads import content_matches, extension_of

from ..models import MAX_POINTS, Application, organisations_in_conflict

# What a grant agreement may be.
AGREEMENT_TYPES = ("pdf", "docx")


class CallForm(forms.ModelForm):
    """The call's own form: its priority indicators come from the methodology of the
    cycle whose findings it addresses, and a moved deadline stays after every submission
    already made."""

    def clean_closes_at(self):
        closes_at = self.cleaned_data.get("closes_at")
        if closes_at is None or self.instance.pk is None:
            return closes_at
        latest = self.instance.applications.aggregate(latest=Max("submitted_at"))["latest"]
        # Submissions are refused from the closing second on: one made at or after the
        # new closing time would be a submission after the deadline.
        if latest is not None and closes_at <= latest:
            raise ValidationError(
                _(
                    "An application was submitted at %(latest)s (Tbilisi time); the call "
                    "closes after it."
                ),
                code="before_a_submission",
                params={
                    # To the second, as the deadline is kept.
                    "latest": formats.date_format(timezone.localtime(latest), "SHORT_DATE_FORMAT")
                    + timezone.localtime(latest).strftime(" %H:%M:%S")
                },
            )
        return closes_at

    def clean(self):
        cleaned = super().clean()
        cycle = cleaned.get("cycle") or (self.instance.cycle if self.instance.cycle_id else None)
        indicators = cleaned.get("priority_indicators")
        if cycle is not None and indicators is not None:
            strangers = indicators.exclude(criterion__area__version_id=cycle.methodology_id)
            if strangers.exists():
                self.add_error(
                    "priority_indicators" if "priority_indicators" in self.fields else None,
                    _(
                        "Priority indicators come from the methodology of the cycle %(year)s; "
                        "these do not: %(codes)s."
                    )
                    % {
                        "year": cycle.year,
                        "codes": ", ".join(strangers.values_list("code", flat=True)),
                    },
                )
        return cleaned


class EligibilityForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("The application is"),
        choices=[("eligible", _("eligible")), ("ineligible", _("ineligible"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for ineligibility"),
        help_text=_("Required when the application is ineligible; the applicant reads it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


def reviewer_choices(application: Application):
    """Grant reviewers who may review this application: active, not assigned to it yet,
    and not excluded by their organisation (it applied to the call or assessed the
    municipality)."""
    reviewers = (
        get_user_model()
        .objects.filter(groups__name=GRANT_REVIEWER_GROUP, is_active=True)
        .exclude(grant_reviews__application=application)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )
    excluded = [r.pk for r in reviewers if organisations_in_conflict(r, application)]
    return reviewers.exclude(pk__in=excluded), len(excluded)


class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{person_name(obj)} ({obj.username})" if name else obj.username


class AssignReviewerForm(forms.Form):
    reviewer = ReviewerChoiceField(
        label=_("Reviewer"),
        queryset=get_user_model().objects.none(),
        help_text=_(
            "Only grant reviewers who are not excluded by a conflict of interest are offered."
        ),
    )

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers


class ModerationForm(forms.Form):
    score = forms.DecimalField(
        label=_("Moderated score"),
        min_value=Decimal(0),
        max_value=Decimal(MAX_POINTS),
        max_digits=4,
        decimal_places=2,
        help_text=_("From 0 to 5. It replaces the computed score in the ranking; the "
                    "reviewers' own scores stay as they are."),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Why this score"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DecisionForm(forms.Form):
    """The decision, with the call's limits beside the fields they limit. An award needs
    the public register's summary in both languages."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("award", _("award the grant")), ("reject", _("reject the application"))],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("Awarded amount (GEL)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )
    start = forms.DateField(label=_("Grant starts"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Grant ends"), required=False, widget=DateInput())
    agreement = forms.FileField(
        label=_("Grant agreement"),
        required=False,
        help_text=_("PDF or DOCX. If the decision is refused, choose the file again."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    summary_ka = forms.CharField(
        label=_("Public summary in Georgian"),
        help_text=_("Required for an award: the public register shows it."),
        widget=forms.Textarea(attrs={"rows": 3, "lang": "ka"}),
        required=False,
    )
    summary_en = forms.CharField(
        label=_("Public summary in English"),
        help_text=_("Required for an award: the public register shows it."),
        widget=forms.Textarea(attrs={"rows": 3, "lang": "en"}),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Required for a rejection; the applicant reads it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, application: Application, awarded, **kwargs):
        super().__init__(*args, **kwargs)
        call = application.call
        self.fields["amount"].help_text = _(
            "From %(min)s to %(max)s, and at most the %(requested)s requested; "
            "%(left)s of the call's budget is not awarded yet."
        ) % {
            "min": lari(call.min_grant),
            "max": lari(call.max_grant),
            "requested": lari(application.requested_amount),
            "left": lari(max(call.budget - awarded, 0)),
        }
        self.fields["end"].help_text = ngettext(
            "At most %(months)d month after the start (calendar months), and not in the past.",
            "At most %(months)d months after the start (calendar months), and not in the past.",
            call.max_months,
        ) % {"months": call.max_months}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "award":
            for name in ("summary_ka", "summary_en"):
                if not cleaned.get(name, "").strip():
                    self.add_error(
                        name,
                        ValidationError(
                            _("An award needs the public summary in this language."),
                            code="required",
                        ),
                    )
        return cleaned

    def clean_agreement(self):
        upload = self.cleaned_data.get("agreement")
        if not upload:
            return None
        extension = extension_of(upload.name)
        if extension not in AGREEMENT_TYPES or not content_matches(upload, extension):
            raise ValidationError(
                _("“%(name)s” is not a PDF or DOCX file."),
                code="file_type",
                params={"name": upload.name},
            )
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            raise ValidationError(
                _("“%(name)s” is %(size)s; an agreement may be %(limit)s at most."),
                code="file_too_big",
                params={
                    "name": upload.name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
                },
            )
        limit = Application._meta.get_field("agreement").max_length
        if len(upload.name) > limit - 40:
            raise ValidationError(
                _("The file name is too long; rename the file and choose it again."),
                code="file_name_too_long",
            )
        return upload


class ReportReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("The report is"),
        choices=[("accept", _("accepted")), ("return", _("returned with comments"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comments for the grantee"),
        help_text=_("Required when the report is returned: say what needs to change."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
