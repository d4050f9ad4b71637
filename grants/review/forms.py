"""The reviewer's two forms: the conflict of interest declaration, and the scores."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import MAX_POINTS

# N/A is a choice of its own, never a zero (grants/scoring.py, rule 2).
NOT_APPLICABLE = "na"
POINT_CHOICES = [(str(points), str(points)) for points in range(MAX_POINTS + 1)] + [
    (NOT_APPLICABLE, _("N/A"))
]


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this application?"),
        choices=[
            ("no", _("No, I have no conflict of interest")),
            ("yes", _("Yes, I have a conflict of interest")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether you have a conflict of interest.")},
    )
    note = forms.CharField(
        label=_("If yes, what is it?"),
        help_text=_("Required when you declare a conflict. Only project staff read it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_conflict") and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say briefly what the conflict of interest is."))
        return cleaned


class ReviewForm(forms.Form):
    """A score (0–5 or N/A) and a comment for each criterion of the call's rubric.

    Saving keeps what is chosen so far; submitting needs every criterion scored or N/A.
    """

    def __init__(self, *args, criteria, submitting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.submitting = submitting
        for criterion in self.criteria:
            self.fields[self.points_name(criterion)] = forms.ChoiceField(
                label=criterion.name,
                choices=POINT_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[self.comment_name(criterion)] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
            )

    def error_label(self, name):
        """How the error summary names a comment: every criterion's is called "Comment"."""
        for criterion in self.criteria:
            if name == self.comment_name(criterion):
                return _("%(criterion)s: comment") % {"criterion": criterion.name}
        return None

    @staticmethod
    def points_name(criterion) -> str:
        return f"points_{criterion.pk}"

    @staticmethod
    def comment_name(criterion) -> str:
        return f"comment_{criterion.pk}"

    @classmethod
    def initial_from(cls, saved) -> dict:
        """The form's initial values from the review's saved ReviewScore rows."""
        initial = {}
        for score in saved:
            key = f"points_{score.criterion_id}"
            initial[key] = NOT_APPLICABLE if score.points is None else str(score.points)
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            points = cleaned.get(self.points_name(criterion))
            if points:
                continue
            if self.submitting:
                self.add_error(
                    self.points_name(criterion), _("Score this criterion, or mark it N/A.")
                )
            elif cleaned.get(self.comment_name(criterion), "").strip():
                # A comment is kept with its score; without one it would be saved as N/A.
                self.add_error(
                    self.points_name(criterion),
                    _("Choose a score, or N/A, to keep this comment."),
                )
        return cleaned

    def scores(self) -> dict[int, tuple[int | None, str]]:
        """What services.save_review takes: criterion id -> (points or None for N/A,
        comment), for the criteria that have a choice."""
        chosen = {}
        for criterion in self.criteria:
            points = self.cleaned_data.get(self.points_name(criterion))
            if not points:
                continue
            comment = self.cleaned_data.get(self.comment_name(criterion), "").strip()
            chosen[criterion.pk] = (None if points == NOT_APPLICABLE else int(points), comment)
        return chosen

    def rows(self):
        """(criterion, points field, comment field) in the rubric's order, for the page."""
        return [
            (criterion, self[self.points_name(criterion)], self[self.comment_name(criterion)])
            for criterion in self.criteria
        ]
