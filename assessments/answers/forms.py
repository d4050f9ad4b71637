"""Forms for entering answers and replies, shared by the admin and the monitor workspace."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, ResponseType, ThematicArea
from musqat.people import person_name
from musqat.spreadsheets import AmbiguousNumber, parse_decimal

from ..models import Assessment, EvidenceFile, Response
from .evidence import EvidenceFilesField, links_are_addresses

# An answer's evidence files as the forms show them: the ones it has now.
PRESENT_FILES = Prefetch("files", queryset=EvidenceFile.objects.present())


class HiddenCopyBoundField(forms.BoundField):
    """A field whose hidden copies describe nothing.

    Django points aria-describedby at a field's help text on every input it draws for the
    field, the hidden copy of the value the page showed included; a hidden input may carry
    no aria-* attribute (HTML), so the copies go without it.
    """

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if (widget or self.field.widget).is_hidden:
            attrs.pop("aria-describedby", None)
        return attrs


class VersionedForm(forms.ModelForm):
    """A form on a Response that notices when someone else saved it meanwhile.

    The page carries the version it was rendered from. If the answer has moved on
    since, the form says who changed it and what it says now, keeps what this person
    typed, and takes the new version, so that saving again replaces it knowingly.
    """

    bound_field_class = HiddenCopyBoundField
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        for name in self._meta.fields:
            # Compare with what the page showed, not with what the database says now.
            self.fields[name].show_hidden_initial = True

    def hidden_initials(self):
        """The values the page showed, sent back so that has_changed compares with them."""
        return mark_safe(
            "".join(
                bound.as_hidden(only_initial=True)
                for bound in self
                if bound.field.show_hidden_initial
            )
        )

    @property
    def changed_data(self):
        return [name for name in super().changed_data if name != "version"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("version") != self.instance.version:
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = self.instance.version
            self.add_error(None, self.conflict_message())
        return cleaned

    conflict_text = _(
        "%(name)s saved this answer at %(time)s, after you opened this page. "
        "It now says: %(answer)s. What you typed is kept below; check it and "
        "save again to replace their version."
    )

    def conflict_message(self):
        who = self.instance.updated_by
        return ValidationError(
            self.conflict_text,
            code="conflict",
            params={
                "name": person_name(who) if who else _("Someone"),
                "time": formats.time_format(timezone.localtime(self.instance.updated_at)),
                **self.saved_params(),
            },
        )

    def saved_params(self) -> dict:
        return {"answer": self.saved_answer()}

    def saved_answer(self) -> str:
        return self.instance.indicator.answer_in_words(self.instance.value, self.instance.is_na)

    def save(self, *, by):
        response = super().save(commit=False)
        response.version = response.version + 1 if response.pk else 1
        response.updated_by = by
        response.save()
        return response


class ResponseForm(VersionedForm):
    """One indicator's answer: a widget for its response type, N/A with a reason,
    evidence in Georgian (and English), links and files."""

    new_files = EvidenceFilesField(label=_("Add evidence files"), required=False)
    remove_files = forms.ModelMultipleChoiceField(
        queryset=EvidenceFile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Remove files"),
    )

    class Meta:
        model = Response
        fields = [
            "value",
            "is_na",
            "na_reason",
            "na_reason_en",
            "evidence",
            "evidence_en",
            "links",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("na_reason", "na_reason_en", "evidence", "evidence_en", "links")
        }

    def __init__(self, *args, indicator: Indicator, comments=(), **kwargs):
        self.indicator = indicator
        self.comments = list(comments)
        super().__init__(*args, **kwargs)
        self.fields["value"] = value_field(indicator)
        self.fields["value"].show_hidden_initial = True
        if self.instance.value is not None:
            self.initial["value"] = shown_value(indicator, self.instance.value)
        self.fields["links"].validators.append(links_are_addresses)
        self.fields["na_reason"].help_text = _("Required when the indicator does not apply.")
        # The limits, said before a save that breaks them loses what was typed.
        self.fields["new_files"].help_text = _(
            "PDF, images or office documents, up to %(each)s each; at most %(count)s files "
            "and %(total)s in one save."
        ) % {
            "each": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            "count": settings.EVIDENCE_MAX_FILES,
            "total": filesizeformat(settings.REQUEST_MAX_BYTES),
        }
        # The answer's files now (prefetched as PRESENT_FILES by the pages that build forms).
        files = self.instance.files.all() if self.instance.pk else EvidenceFile.objects.none()
        self.fields["remove_files"].queryset = files
        self.existing_files = list(files)
        if not self.existing_files:
            del self.fields["remove_files"]

    def error_target(self) -> str:
        """The id of the input to go to for this answer's first error: the first field in
        error, in the page's order, or the answer's value for an error of the whole answer
        (someone else saved it meanwhile). A group of radio buttons is reached by its first."""
        name = next(
            (name for name in self.fields if name in self.errors and name != "version"),
            "value",
        )
        return self[name].subwidgets[0].id_for_label

    def error_texts(self) -> list[str]:
        """Every error of this answer, the whole answer's first, as the summary lists them."""
        texts = list(self.errors.get(NON_FIELD_ERRORS, []))
        for name in self.fields:
            if name in self.errors:
                texts.extend(self.errors[name])
        return texts

    def chose_files(self) -> bool:
        """Whether this save brought files for the answer (a refused one loses them)."""
        return bool(self.files and self.files.getlist(self.add_prefix("new_files")))

    def value_initial(self):
        """The hidden copy of the value the page showed, for radio buttons: crispy draws
        those itself and leaves it out (other fields carry their own)."""
        bound = self["value"]
        if isinstance(bound.field.widget, forms.RadioSelect):
            return bound.as_hidden(only_initial=True)
        return ""

    def save(self, *, by):
        response = super().save(by=by)
        for upload in self.cleaned_data.get("new_files") or []:
            EvidenceFile.objects.create(
                response=response, file=upload, title=upload.name, uploaded_by=by
            )
        for document in self.cleaned_data.get("remove_files") or []:
            document.remove(by=by)
        return response


class NumberField(forms.DecimalField):
    """A number read as the response import reads a cell (``parse_decimal``): a decimal
    comma or point, thousands grouped by spaces ("1 250,5", as Georgian pages print it) or,
    beside a decimal point, by commas ("1,250.5"); a lone "1,250" is refused as ambiguous,
    with both readings offered. So a number means the same typed in the form or imported,
    whatever the page's language."""

    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        try:
            number = parse_decimal(value)
        except AmbiguousNumber as error:
            raise ValidationError(str(error), code="ambiguous") from None
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return number


def shown_value(indicator: Indicator, value: Decimal):
    """A stored value as its input shows it: the choice ("1", "2") or the number as typed."""
    if indicator.response_type in (ResponseType.YES_NO, ResponseType.SCALE):
        return str(int(value))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def value_field(indicator: Indicator) -> forms.Field:
    """The input for an indicator's value: its scale levels in words, yes/no, or a number."""
    label = _("Answer")
    if indicator.response_type == ResponseType.YES_NO:
        return forms.TypedChoiceField(
            label=label,
            choices=[("1", _("Yes")), ("0", _("No"))],
            coerce=Decimal,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )
    if indicator.response_type == ResponseType.SCALE:
        labels = indicator.shown_labels
        return forms.TypedChoiceField(
            label=label,
            choices=[(str(level), f"{level} – {text}") for level, text in enumerate(labels)],
            coerce=Decimal,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        )
    help_text = ""
    if indicator.response_type == ResponseType.PERCENT:
        help_text = _("A percentage from 0 to 100.")
    elif indicator.unit:
        help_text = _("A number, in %(unit)s.") % {"unit": indicator.unit}
    return NumberField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=4,
        localize=True,
        help_text=help_text,
        # A wrong type ("abc") gets the same words as the model's own check.
        error_messages={"invalid": _("Enter a number.")},
    )


class ReplyForm(VersionedForm):
    """The municipality's answer to one finding of the external assessment."""

    class Meta:
        model = Response
        fields = ["reply", "reply_en"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("reply", "reply_en")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = self.instance.indicator
        self.fields["reply"].label = _("Reply (Georgian)")
        self.fields["reply_en"].label = _("Reply (English)")
        for name in ("reply", "reply_en"):
            self.fields[name].help_text = ""

    conflict_text = _(
        "%(name)s saved a reply to this finding at %(time)s, after you opened this "
        "page. It now says: %(reply)s. What you typed is kept below; check it and "
        "save again to replace it."
    )

    def saved_params(self) -> dict:
        return {"reply": self.instance.reply or "—"}

    def error_label(self, name):
        """How the error summary names a refused reply: by its indicator, as the page has
        one form per finding (musqat/templatetags/form_errors.py)."""
        finding = f"{self.indicator.code} {self.indicator.name}"
        if name == "__all__":
            return finding
        return f"{finding}: {self.fields[name].label}"

    def error_target(self, name):
        return self["reply"].auto_id if name == "__all__" else None


class FormGroup:
    """Several forms on one page that validate together.

    Only the forms a person changed are checked and saved, so an answer someone
    else saved meanwhile is not overwritten with what the page showed before. The
    replies of a page are saved all or nothing; an area's answers one by one, the
    valid ones beside the refused (save_area_answers).
    """

    def __init__(self, forms_, *, saved: int = 0):
        self.forms = forms_
        self._changed = None
        # Answers saved by a save that refused others (see save_area_answers).
        self.saved = saved

    def __iter__(self):
        return iter(self.forms)

    @property
    def changed(self):
        if self._changed is None:
            self._changed = [form for form in self.forms if form.has_changed()]
        return self._changed

    def is_valid(self) -> bool:
        for form in self.forms:
            if form not in self.changed:
                # Untouched: shown again as it is saved now, perhaps by someone else.
                form.is_bound = False
        valid = all([form.is_valid() for form in self.changed])
        return self._files_within_limit() and valid

    def _files_within_limit(self) -> bool:
        """At most EVIDENCE_MAX_FILES new files in one save. With more, each answer that
        brings some says so and is refused (what was typed is kept)."""
        chosen = {
            form: len(form.files.getlist(form.add_prefix("new_files"))) for form in self.changed
        }
        count = sum(chosen.values())
        if count <= settings.EVIDENCE_MAX_FILES:
            return True
        for form, files in chosen.items():
            if files:
                form.add_error(
                    "new_files",
                    ValidationError(
                        _(
                            "%(count)s files were chosen in this save; at most %(max)s can "
                            "be added in one save. Choose them again, a few at a time."
                        ),
                        code="too_many_files",
                        params={"count": count, "max": settings.EVIDENCE_MAX_FILES},
                    ),
                )
        return False

    @property
    def in_error(self) -> list:
        """The forms refused by the last validation, in the page's order."""
        return [form for form in self.forms if form.is_bound and form.errors]

    @property
    def error_count(self) -> int:
        return len(self.in_error)

    @property
    def lost_files(self) -> int:
        """How many refused answers came with files, which must be chosen again."""
        return sum(1 for form in self.in_error if form.chose_files())

    def save(self, *, by) -> int:
        with transaction.atomic():
            for form in self.changed:
                form.save(by=by)
        return len(self.changed)


def indicators_of(assessment: Assessment, area: ThematicArea):
    return (
        assessment.indicators()
        .filter(criterion__area=area)
        .select_related("criterion")
        .order_by("criterion__order", "criterion__code", "order", "code")
    )


def area_answers(assessment: Assessment, area: ThematicArea, data=None, files=None) -> FormGroup:
    """The answer forms of one thematic area, with the review comments still open."""
    indicators = list(indicators_of(assessment, area))
    responses = {
        r.indicator_id: r
        for r in assessment.responses.filter(indicator__in=indicators)
        .select_related("updated_by", "indicator")
        .prefetch_related(PRESENT_FILES)
    }
    comments = {}
    for comment in assessment.comments.open().filter(indicator__in=indicators):
        comments.setdefault(comment.indicator_id, []).append(comment)
    return FormGroup(
        [
            ResponseForm(
                data,
                files,
                prefix=f"i{indicator.pk}",
                instance=responses.get(indicator.pk)
                or Response(assessment=assessment, indicator=indicator),
                indicator=indicator,
                comments=comments.get(indicator.pk, ()),
            )
            for indicator in indicators
        ]
    )


def save_area_answers(*, assessment: Assessment, area: ThematicArea, data, files, by):
    """Validate and save one area's answers, one save per assessment at a time.

    Returns the forms and how many answers were saved, or None when something was
    refused. Each answer stands alone (its own checks, version and history), so a refusal
    of one does not throw away the others: the valid changed answers are saved, and the
    forms come back with the refused ones as typed, with their errors, and every other
    answer as it is saved now, at its new version, so that saving the page again neither
    saves them twice nor reports a conflict with oneself. ``FormGroup.saved`` says how
    many were saved beside the refusals. Files chosen for a refused answer are not kept.
    """
    with transaction.atomic():
        locked = _locked(assessment)
        group = area_answers(locked, area, data, files)
        if group.is_valid():
            return group, group.save(by=by)
        valid = [form for form in group.changed if not form.errors]
        for form in valid:
            form.save(by=by)
        if not valid:
            return group, None
        refused = {form.prefix: form for form in group.in_error}
        now = area_answers(locked, area)
        return FormGroup([refused.get(form.prefix, form) for form in now], saved=len(valid)), None


def save_replies(*, assessment: Assessment, data, by):
    return _save_locked(assessment, lambda a: replies(a, data), by=by)


def _save_locked(assessment: Assessment, build, *, by):
    """All or nothing: the replies of a page are saved together or not at all."""
    with transaction.atomic():
        group = build(_locked(assessment))
        if not group.is_valid():
            return group, None
        return group, group.save(by=by)


def _locked(assessment: Assessment) -> Assessment:
    """The assessment, locked so that two saves cannot both pass the version check, and
    still in the state the page was opened in."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status != assessment.status:
        raise StateChanged
    return locked


class StateChanged(Exception):
    """The assessment moved on in the workflow while the page was open."""


def replies(assessment: Assessment, data=None) -> FormGroup:
    """A reply form for every finding of an external assessment, in methodology order."""
    responses = (
        assessment.responses.select_related("indicator__criterion__area", "updated_by")
        .prefetch_related(PRESENT_FILES)
        .order_by(
            "indicator__criterion__area__order",
            "indicator__criterion__order",
            "indicator__order",
            "indicator__code",
        )
    )
    return FormGroup([ReplyForm(data, prefix=f"r{r.pk}", instance=r) for r in responses])
