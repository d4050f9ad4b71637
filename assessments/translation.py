from modeltranslation.translator import TranslationOptions, register

from .models import Action


@register(Action)
class ActionTranslation(TranslationOptions):
    # The municipality writes its commitments in both languages; reports, verdicts and
    # answers are kept as their authors wrote them.
    fields = (
        "title",
        "description",
        "responsible_unit",
        "budget_source",
        "expected_result",
        "dropped_reason",
    )
    required_languages = {
        "ka": ("title", "description", "responsible_unit", "expected_result"),
        "en": ("title", "description", "responsible_unit", "expected_result"),
    }
