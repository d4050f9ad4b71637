from modeltranslation.translator import TranslationOptions, register

from .models import Application, Call, ChecklistItem, RequiredAttachment, RubricCriterion


@register(Call)
class CallTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = ("ka", "en")


@register(ChecklistItem)
class ChecklistItemTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("ka", "en")


@register(RequiredAttachment)
class RequiredAttachmentTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("ka", "en")


@register(RubricCriterion)
class RubricCriterionTranslation(TranslationOptions):
    fields = ("name", "guidance")
    required_languages = {"ka": ("name",), "en": ("name",)}


@register(Application)
class ApplicationTranslation(TranslationOptions):
    # The award's summary in the public register; the application itself is kept as
    # the applicant wrote it.
    fields = ("public_summary",)
