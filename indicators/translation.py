from modeltranslation.translator import TranslationOptions, register

from .models import Criterion, GradeBand, Indicator, MethodologyVersion, ThematicArea


@register(MethodologyVersion)
class MethodologyVersionTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"ka": ("name",), "en": ("name",)}


@register(ThematicArea)
class ThematicAreaTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"ka": ("name",), "en": ("name",)}


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"ka": ("name",), "en": ("name",)}


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name", "description", "scale_labels", "unit", "data_source")
    required_languages = {"ka": ("name",), "en": ("name",)}


@register(GradeBand)
class GradeBandTranslation(TranslationOptions):
    fields = ("label",)
    required_languages = ("ka", "en")
