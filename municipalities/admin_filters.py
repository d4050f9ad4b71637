"""List filters that name municipalities in the order of the page's alphabet."""

from django.contrib import admin


def alphabetical(choices):
    """(value, name) pairs sorted by name as the page's language spells it.

    Python compares code points, and the Mkhedruli letters (U+10D0–U+10F0) are encoded in
    the order of the Georgian alphabet, so Georgian names come out ა, ბ, გ, … ჰ; Latin
    names are compared without case. A database's collation gives no such promise.
    """
    return sorted(choices, key=lambda choice: str(choice[1]).casefold())


class MunicipalityFilter(admin.RelatedFieldListFilter):
    """Municipalities by their name in the page's language: Georgian names in Georgian
    alphabetical order on Georgian pages, English names in English order on English ones."""

    def field_choices(self, field, request, model_admin):
        return alphabetical(super().field_choices(field, request, model_admin))
