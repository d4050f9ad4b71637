"""The applicant's forms: the application, its budget lines, its documents, its reports.

Every field may stay empty in a draft; what a submission needs is checked by
`services.missing_for_submission`, whatever the page showed.
"""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from musqat.uploads import SIGNATURES, check_name_and_size, content_matches, extension_of

from ..models import (
    Application,
    ApplicationAttachment,
    BudgetLine,
    Report,
    RequiredAttachment,
)

# Documents beyond the required ones, and budget lines: enough for any real project, and
# a bound on what one request can make.
MAX_EXTRA_DOCUMENTS = 10
MAX_REPORT_DOCUMENTS = 10
MAX_BUDGET_LINES = 50
MAX_FINDING_LINKS = 20
ANY_DOCUMENT = sorted(SIGNATURES)


def check_document(upload, allowed: list[str]) -> None:
    """Refuse a file whose name is too long to keep, that is too big, whose type the
    document does not take, or whose content is not what its name says."""
    name = upload.name
    check_name_and_size(
        upload,
        name_limit=ApplicationAttachment._meta.get_field("name").max_length,
        max_bytes=settings.EVIDENCE_MAX_BYTES,
        too_big=_("“%(name)s” is %(size)s; a document may be %(limit)s at most."),
    )
    extension = extension_of(name)
    if extension not in allowed:
        raise ValidationError(
            _("“%(name)s” is not one of the file types this document takes: %(types)s."),
            code="file_type",
            params={"name": name, "types": ", ".join(allowed)},
        )
    if not content_matches(upload, extension):
        raise ValidationError(
            _(
                "“%(name)s” is not really a .%(extension)s file: its content is something "
                "else. Save it again in that format and choose it again."
            ),
            code="file_content",
            params={"name": name, "extension": extension},
        )


def accept(allowed: list[str]) -> str:
    return ",".join(f".{extension}" for extension in allowed)


def area_order(indicator):
    return (indicator.criterion.area.order, indicator.criterion.area.code)


def _group(label, choices, *, priority=False) -> dict:
    return {
        "label": label,
        "choices": choices,
        "is_priority": priority,
        "chosen": sum(choice["checked"] for choice in choices),
    }


class ApplicationForm(forms.ModelForm):
    """Everything of a draft but its budget lines and documents."""

    class Meta:
        model = Application
        fields = [
            "contact_name",
            "contact_email",
            "contact_phone",
            "registration_number",
            "title",
            "summary",
            "municipality",
            "indicators",
            "finding_links",
            "objectives",
            "activities",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "finding_links": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 5}),
            "activities": forms.Textarea(attrs={"rows": 8}),
            "indicators": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "finding_links": _(
                "Addresses of the published scorecard pages the project builds on, one per "
                "line (http:// or https://)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        call = self.instance.call
        for field in self.fields.values():
            # A draft is saved as far as it goes; submitting checks that nothing is missing.
            field.required = False
        self.fields["municipality"].queryset = call.municipalities.order_by("name")
        self.fields["municipality"].empty_label = _("Choose the municipality")
        self.priority_ids = {indicator.pk for indicator in call.priority_indicators.all()}
        self.fields["indicators"].queryset = Indicator.objects.filter(
            criterion__area__version_id=call.cycle.methodology_id
        ).select_related("criterion__area")
        self.fields["contact_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"

    def indicator_choices(self):
        """The methodology's indicators for the checkboxes: the call's priorities first,
        then every thematic area in order; each with whether it is ticked."""
        value = self["indicators"].value() or []
        ticked = {str(pk) for pk in value}
        indicators = sorted(
            self.fields["indicators"].queryset,
            key=lambda i: (
                i.criterion.area.order,
                i.criterion.area.code,
                i.criterion.order,
                i.code,
            ),
        )
        choices = [
            {
                "indicator": indicator,
                "is_priority": indicator.pk in self.priority_ids,
                "checked": str(indicator.pk) in ticked,
            }
            for indicator in indicators
        ]
        priorities = [choice for choice in choices if choice["is_priority"]]
        groups = []
        if priorities:
            groups.append(_group(_("The call's priority indicators"), priorities, priority=True))
        areas = {}
        for choice in choices:
            if not choice["is_priority"]:
                areas.setdefault(choice["indicator"].criterion.area, []).append(choice)
        groups += [_group(f"{area.code}. {area.name}", rows) for area, rows in areas.items()]
        return groups

    def error_target(self, name):
        """Where the error summary links for an error of the indicators: their first box (the
        page draws the boxes itself, in groups; musqat/templatetags/form_errors.py)."""
        if name != "indicators":
            return None
        for group in self.indicator_choices():
            for choice in group["choices"]:
                return f"target-indicator-{choice['indicator'].pk}"
        return None

    def clean_finding_links(self):
        text = self.cleaned_data["finding_links"]
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        check = URLValidator(schemes=["http", "https"])
        for number, line in enumerate(lines, start=1):
            try:
                check(line)
            except ValidationError:
                raise ValidationError(
                    _("Line %(number)s is not a web address (http:// or https://): %(line)s"),
                    code="invalid_link",
                    params={"number": number, "line": Truncator(line).chars(80)},
                ) from None
        if len(lines) > MAX_FINDING_LINKS:
            raise ValidationError(
                _("Give at most %(limit)s addresses."),
                code="too_many_links",
                params={"limit": MAX_FINDING_LINKS},
            )
        return "\n".join(lines)


class BudgetLineForm(forms.ModelForm):
    amount = forms.DecimalField(
        label=_("amount (GEL)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": _("An amount is more than zero.")},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )

    class Meta:
        model = BudgetLine
        fields = ["description", "amount"]
        widgets = {"description": forms.TextInput(attrs={"class": "form-control"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["class"] = "form-control text-end"

    def full_clean(self):
        """Mark the refused cells, for the eye and for screen readers: the rows are
        drawn as a table, not by crispy."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class BaseBudgetLines(forms.BaseInlineFormSet):
    error_item = _("budget line")  # "Budget line 2: Amount" in an error summary

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = self.queryset.order_by("order", "pk")

    def save(self, commit=True):
        """Keep the lines in the order of the rows on the page."""
        super().save(commit=False)
        for line in self.deleted_objects:
            line.delete()
        kept = [
            form.instance
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk or form.has_changed())
        ]
        for position, line in enumerate(kept):
            line.order = position
            line.save()
        return kept

    def total(self) -> Decimal:
        """The sum of the rows as shown, for the page to set beside the call's limits."""
        if not self.is_bound:
            return sum((f.instance.amount for f in self.forms if f.instance.pk), Decimal(0))
        self.is_valid()  # a refused page may show its rows before anything validated them
        total = Decimal(0)
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", {})
            if not cleaned.get(forms.formsets.DELETION_FIELD_NAME):
                total += cleaned.get("amount") or 0
        return total


BudgetLines = forms.inlineformset_factory(
    Application,
    BudgetLine,
    form=BudgetLineForm,
    formset=BaseBudgetLines,
    extra=2,
    can_delete=True,
    max_num=MAX_BUDGET_LINES,
    validate_max=True,
    absolute_max=MAX_BUDGET_LINES,
)


def check_upload(application: Application, requirement, upload) -> None:
    """Refuse a file that `check_document` refuses, or another document beyond the limit."""
    check_document(upload, requirement.allowed if requirement else ANY_DOCUMENT)
    if requirement is None:
        others = application.attachments.filter(requirement=None).count()
        if others >= MAX_EXTRA_DOCUMENTS:
            raise ValidationError(
                _("An application may bring at most %(limit)s other documents."),
                code="too_many_documents",
                params={"limit": MAX_EXTRA_DOCUMENTS},
            )


def document_field(requirement_id) -> str:
    """The name of the file input of a required document (None: another document)."""
    return f"document_{requirement_id or 'other'}"


class DocumentsForm(forms.Form):
    """The files chosen on the application page, saved with the draft's fields: one for each
    of the call's required documents (it replaces the earlier file) and one other document.
    A refused file is said at its input; the others are kept."""

    def __init__(self, *args, application: Application, requirements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        if requirements is None:
            requirements = application.call.required_attachments.all()
        self.requirements = [*requirements, None]
        for requirement in self.requirements:
            allowed = requirement.allowed if requirement else ANY_DOCUMENT
            self.fields[document_field(requirement and requirement.pk)] = forms.FileField(
                label=requirement.name if requirement else _("Another document"),
                required=False,
                widget=forms.FileInput(attrs={"accept": accept(allowed)}),
            )

    def clean(self):
        cleaned = super().clean()
        for requirement in self.requirements:
            name = document_field(requirement and requirement.pk)
            upload = cleaned.get(name)
            if upload:
                try:
                    check_upload(self.application, requirement, upload)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def accepted(self) -> list:
        """(requirement or None, file) of every chosen file that passed its checks."""
        cleaned = getattr(self, "cleaned_data", {})
        return [
            (requirement, cleaned[name])
            for requirement in self.requirements
            if cleaned.get(name := document_field(requirement and requirement.pk))
        ]

    def chosen(self) -> dict[str, str]:
        """The name of the file chosen at each input, by the input's name."""
        return {name: self.files[name].name for name in self.fields if self.files.get(name)}


class UploadForm(forms.Form):
    """One document posted on its own, without the draft's fields: for one of the call's
    required documents, or another one."""

    requirement = forms.ModelChoiceField(
        queryset=RequiredAttachment.objects.none(), required=False, widget=forms.HiddenInput
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.fields["requirement"].queryset = application.call.required_attachments.all()

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if "requirement" not in cleaned or upload is None:
            return cleaned
        check_upload(self.application, cleaned["requirement"], upload)
        return cleaned


class ReportForm(forms.ModelForm):
    """The grantee's report, with one new document at a time and documents to remove."""

    new_file = forms.FileField(
        label=_("Add a document"),
        required=False,
        help_text=_("A PDF, an image or an office document."),
        widget=forms.ClearableFileInput(attrs={"accept": accept(ANY_DOCUMENT)}),
    )
    remove_files = forms.ModelMultipleChoiceField(
        label=_("Remove these documents"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Report
        fields = ["narrative", "spent", "financial", "outcome", "outcome_indicators"]
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 10}),
            "financial": forms.Textarea(attrs={"rows": 6}),
            "outcome": forms.Textarea(attrs={"rows": 5}),
            "outcome_indicators": forms.CheckboxSelectMultiple,
            "spent": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["outcome_indicators"].queryset = self.instance.application.indicators.all()
        self.fields["remove_files"].queryset = self.instance.attachments.all()
        if not self.instance.attachments.exists():
            del self.fields["remove_files"]

    def clean_new_file(self):
        upload = self.cleaned_data.get("new_file")
        if upload:
            check_document(upload, ANY_DOCUMENT)
            removed = len(self.data.getlist(self.add_prefix("remove_files")))
            if self.instance.attachments.count() - removed >= MAX_REPORT_DOCUMENTS:
                raise ValidationError(
                    _("A report may bring at most %(limit)s documents."),
                    code="too_many_documents",
                    params={"limit": MAX_REPORT_DOCUMENTS},
                )
        return upload
