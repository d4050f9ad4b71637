"""The forms of the review steps: opening the right of reply, returning, publishing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator


class OpenReplyForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days the municipality has to reply"), min_value=1, max_value=90, initial=14
    )


class ReturnCommentForm(forms.Form):
    """A reviewer's comment on one indicator, sent back with the assessment."""

    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.none(), label=_("Indicator"), required=False
    )
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("indicator") and not cleaned.get("text", "").strip():
            self.add_error("text", _("Write what needs to change."))
        if cleaned.get("text", "").strip() and not cleaned.get("indicator"):
            self.add_error("indicator", _("Choose the indicator this comment is about."))
        return cleaned


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Comment on the whole assessment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


ReturnCommentFormSet = forms.formset_factory(ReturnCommentForm, extra=3)
ReturnCommentFormSet.error_item = _("comment")  # "Comment 2: Indicator" in an error summary


class PublishForm(forms.Form):
    """A correction (a second or later revision) explains itself in both languages."""

    note_ka = forms.CharField(
        label=_("Public note (Georgian)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    note_en = forms.CharField(
        label=_("Public note (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, is_correction: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_correction:
            del self.fields["note_ka"], self.fields["note_en"]
        else:
            for name in ("note_ka", "note_en"):
                self.fields[name].required = True
