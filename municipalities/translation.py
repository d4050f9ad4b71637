from modeltranslation.translator import TranslationOptions, register

from .models import Municipality, Organization, Region


@register(Region)
class RegionTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("ka", "en")


@register(Municipality)
class MunicipalityTranslation(TranslationOptions):
    fields = ("name", "official_name", "centre")
    required_languages = ("ka", "en")


@register(Organization)
class OrganizationTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"ka": ("name",), "en": ("name",)}
