"""Georgian has no capital letters: keep Django from making Mtavruli out of it.

Python's str.upper() turns Mkhedruli (ა) into Mtavruli (Ა, U+1C90…), which reads
as shouting or shows as boxes. Django capitalises labels with
``django.utils.text.capfirst`` and the ``capfirst``, ``upper`` and ``title``
template filters, and the admin uses them on every verbose name. ``ready()`` in
``musqat.apps`` gives those functions Georgian-aware bodies. The replacement
bodies are swapped in as code objects, so that every module that already
imported the function gets the fix; they therefore use nothing but builtins.
"""

import inspect

MTAVRULI = range(0x1C90, 0x1CC0)


def _capfirst(x):
    if not x:
        return x
    if not isinstance(x, str):
        x = str(x)
    if "\u10a0" <= x[0] <= "\u10ff" or "\u2d00" <= x[0] <= "\u2d2f":
        return x
    return x[0].upper() + x[1:]


def _upper_filter(value):
    out = []
    for char in value:
        georgian = "\u10a0" <= char <= "\u10ff" or "\u2d00" <= char <= "\u2d2f"
        out.append(char if georgian else char.upper())
    return "".join(out)


def _title_filter(value):
    out = []
    start = True
    for char in value:
        if "\u10a0" <= char <= "\u10ff" or "\u2d00" <= char <= "\u2d2f":
            out.append(char)
        else:
            out.append(char.upper() if start else char.lower())
        start = not char.isalpha()
    return "".join(out)


def keep_georgian_lowercase():
    from django.template import defaultfilters
    from django.utils import text

    # Each is wrapped (keep_lazy_text, stringfilter); the wrappers call the inner function.
    inspect.unwrap(text.capfirst).__code__ = _capfirst.__code__
    inspect.unwrap(defaultfilters.capfirst).__code__ = _capfirst.__code__
    inspect.unwrap(defaultfilters.upper).__code__ = _upper_filter.__code__
    inspect.unwrap(defaultfilters.title).__code__ = _title_filter.__code__


def has_mtavruli(text: str) -> bool:
    return any(ord(char) in MTAVRULI for char in text)


def select2_in_georgian():
    """Give the admin's autocomplete boxes their Georgian texts.

    Django ships Select2's Georgian messages (admin/js/vendor/select2/i18n/ka.js) but
    leaves "ka" out of the languages it maps to them, so on a Georgian page every
    autocomplete box spoke English and carried ``lang="None"``, which is not a language.
    """
    from django.contrib.admin import widgets

    widgets.SELECT2_TRANSLATIONS.setdefault("ka", "ka")
