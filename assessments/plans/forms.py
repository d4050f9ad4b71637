"""The forms of a plan's two voices, shared by the admin (the municipality's reports and
answers) and the monitor workspace (verdicts): text, evidence files and links."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..answers.evidence import EvidenceFilesField, links_are_addresses
from ..models import ActionStatus, PlanEvidence, VerdictKind
from .services import Link


class EvidenceForm(forms.Form):
    """Files (checked by their content) and links, one address per line."""

    files = EvidenceFilesField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, images or office documents. Public once the plan is public."),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line (http:// or https://)."),
        validators=[links_are_addresses],
        max_length=5000,
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(
                _("Attach at most %(limit)s files at a time."),
                params={"limit": settings.EVIDENCE_MAX_FILES},
            )
        return files

    @property
    def link_list(self) -> list[Link]:
        limit = PlanEvidence._meta.get_field("url").max_length
        return [
            Link(title=line.strip()[:200], url=line.strip())
            for line in self.cleaned_data.get("links", "").splitlines()
            if line.strip() and len(line.strip()) <= limit
        ]

    def clean_links(self):
        text = self.cleaned_data["links"]
        limit = PlanEvidence._meta.get_field("url").max_length
        for line in text.splitlines():
            if len(line.strip()) > limit:
                raise ValidationError(
                    _("A web address may be %(limit)s characters at most."),
                    params={"limit": limit},
                )
        return text


class ReportForm(EvidenceForm):
    """The municipality's progress report on one action."""

    reported_on = forms.DateField(
        label=_("Date"),
        # A date field reads and writes ISO dates, whatever the page's language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Leave empty for the status's usual progress."),
    )
    text = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_("If the action is dropped, say why."),
    )
    field_order = ["reported_on", "status", "progress", "text", "files", "links"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_on"].initial = timezone.localdate()

    def clean_reported_on(self):
        reported_on = self.cleaned_data["reported_on"]
        if reported_on > timezone.localdate():
            raise ValidationError(_("A report cannot be dated in the future."))
        return reported_on


class VerdictForm(EvidenceForm):
    """A monitor's verdict on the latest report of an action."""

    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=VerdictKind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your findings"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text=_("What your organisation checked, and what it found."),
    )
    field_order = ["verdict", "text", "files", "links"]

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(organizations) > 1:
            self.fields["organization"] = forms.ChoiceField(
                label=_("On behalf of"),
                choices=[(organization.pk, organization.name) for organization in organizations],
            )
            self.order_fields(["organization", *self.field_order])


class AnswerForm(forms.Form):
    """The municipality's answer to a verdict."""

    text = forms.CharField(
        label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
