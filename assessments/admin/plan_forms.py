"""The admin's forms of an action plan and its actions: the order document checked by its
content, and the findings an action addresses, offered weakest first with their scores."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from indicators.models import Criterion, Indicator
from musqat.uploads import check_name_and_size, content_matches, extension_of

from ..models import Action, ActionPlan
from ..results.findings import weakest_indicators
from ..templatetags.scores import score


@dataclass(frozen=True)
class ShownFile:
    """A private file as the file widget shows it: its name, and the checked view's address."""

    name: str
    url: str

    def __str__(self):
        return self.name


class PrivateFileInput(forms.ClearableFileInput):
    """A file input for a private file, which has no public address: the current file
    links to the view that checks who asks (`download_url`)."""

    download_url = ""

    def is_initial(self, value):
        return bool(value and getattr(value, "name", None) and not isinstance(value, UploadedFile))

    def format_value(self, value):
        if self.is_initial(value):
            return ShownFile(name=value.name.rsplit("/", 1)[-1], url=self.download_url)
        return None


class ActionPlanForm(forms.ModelForm):
    """A plan's own form. Municipal staff draft plans of their own municipality only: the
    admin sets `fixed_municipality_id`, and the field is not offered."""

    fixed_municipality_id: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.fixed_municipality_id and not self.instance.municipality_id:
            # Set before validation, so that the model's own check (the cycle has published
            # results for this municipality) runs on what will be saved.
            self.instance.municipality_id = self.fixed_municipality_id
        field = self.fields.get("order_document")
        if field is not None:
            field.widget.attrs["accept"] = ".pdf"

    def clean_order_document(self):
        upload = self.cleaned_data.get("order_document")
        if not isinstance(upload, UploadedFile):
            return upload
        check_name_and_size(
            upload,
            name_limit=255,
            max_bytes=settings.EVIDENCE_MAX_BYTES,
            too_big=_("“%(name)s” is %(size)s; an order document may be %(limit)s at most."),
        )
        if extension_of(upload.name) != "pdf" or not content_matches(upload, "pdf"):
            raise ValidationError(
                _("“%(name)s” is not a PDF file; give the signed order as a PDF."),
                code="file_type",
                params={"name": upload.name},
            )
        return upload


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    """Indicators, each with its published score beside it where it has one."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scores = {}

    def label_from_instance(self, obj):
        shown = self.scores.get(obj.pk)
        if shown is None:
            return f"{obj.code} · {obj.name}"
        return f"{obj.code} · {obj.name} — {score(shown)}"


class CriterionChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.code} · {obj.name}"


def methodology_ids(plans) -> list[int]:
    return sorted({plan.cycle.methodology_id for plan in plans})


class ActionForm(forms.ModelForm):
    """An action's form. The admin sets `plan` (the plan being added to or edited, when it
    is known) and `plans` (every plan the person may add to); the indicators and criteria
    come from the plan's methodology, the indicators weakest first with their published
    scores in the plan's municipality, then the rest by code.

    The indicators go through ActionIndicator, which keeps each one's starting score: the
    admin saves them itself (save_related), so the form does not."""

    plan_for_choices: ActionPlan | None = None
    plans_for_choices: tuple = ()

    indicators = IndicatorChoiceField(
        label=_("Indicators addressed"),
        queryset=Indicator.objects.none(),
        required=False,
        help_text=_(
            "The plan's published findings, weakest first, with the municipality's score "
            "(0–100); then the indicators without a score, by code."
        ),
    )
    criteria = CriterionChoiceField(
        label=_("Criteria addressed"),
        queryset=Criterion.objects.none(),
        required=False,
    )

    class Meta:
        model = Action
        # Not "indicators": see above. (The admin gives the fields, in both languages.)
        fields = [
            "plan", "number", "title", "description", "criteria", "responsible_unit",
            "starts_on", "due_on", "budget", "budget_source", "expected_result", "status",
            "progress", "dropped_reason",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plan = self.plan_for_choices
        if plan is None and self.instance.plan_id:
            plan = self.instance.plan
        if plan is not None:
            versions = [plan.cycle.methodology_id]
        else:
            versions = methodology_ids(self.plans_for_choices)
        if "indicators" in self.fields:
            self._offer_indicators(plan, versions)
            if self.instance.pk:
                self.initial.setdefault(
                    "indicators",
                    list(self.instance.targets.values_list("indicator_id", flat=True)),
                )
        if "criteria" in self.fields:
            self.fields["criteria"].queryset = Criterion.objects.filter(
                area__version_id__in=versions
            ).order_by("area__version_id", "area__order", "order", "code")

    def _offer_indicators(self, plan, versions) -> None:
        field = self.fields["indicators"]
        indicators = Indicator.objects.filter(criterion__area__version_id__in=versions)
        if plan is None:
            field.queryset = indicators.order_by("criterion__area__version_id", "code")
            field.help_text = _(
                "Add the action from its plan's page to see the plan's findings weakest "
                "first, with their scores."
            )
            return
        weakest = weakest_indicators(plan.cycle, [plan.municipality_id], limit=None)
        field.scores = {finding.indicator.pk: finding.score for finding in weakest}
        position = Case(
            *(When(pk=finding.indicator.pk, then=Value(i)) for i, finding in enumerate(weakest)),
            default=Value(len(weakest)),
            output_field=IntegerField(),
        )
        field.queryset = indicators.order_by(position, "code")

    def clean(self):
        cleaned = super().clean()
        plan = cleaned.get("plan") or (self.instance.plan if self.instance.plan_id else None)
        if plan is None:
            return cleaned
        version = plan.cycle.methodology_id
        for name, outside in (
            ("indicators", {"criterion__area__version_id": version}),
            ("criteria", {"area__version_id": version}),
        ):
            chosen = cleaned.get(name)
            if not chosen:
                continue
            strangers = list(chosen.exclude(**outside).values_list("code", flat=True))
            if strangers:
                self.add_error(
                    name,
                    _("These are not in the methodology of the plan's cycle (%(year)s): %(codes)s.")
                    % {"year": plan.cycle.year, "codes": ", ".join(strangers)},
                )
        return cleaned
