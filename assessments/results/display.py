"""Answers and numbers in words, as every page, PDF, file and the API write them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from indicators.models import Indicator, ResponseType


def plain_number(value: Decimal) -> str:
    """A value as people write it: no trailing zeros, the local decimal mark."""
    if value == value.to_integral_value():
        return number_format(value.to_integral_value(), decimal_pos=0)
    text = format(value.normalize(), "f")
    return number_format(Decimal(text), decimal_pos=len(text.split(".")[1]))


def answer_text(indicator: Indicator, value: Decimal | None, is_na: bool) -> str:
    """An answer in words: the scale label, yes or no, a percentage, a number with its unit."""
    if is_na:
        return _("Not applicable")
    if value is None:
        return _("No answer")
    if indicator.response_type == ResponseType.YES_NO:
        return _("Yes") if value == 1 else _("No")
    if indicator.response_type == ResponseType.SCALE:
        labels = indicator.labels_in(get_language() or "ka") or indicator.labels_in("ka")
        level = int(value)
        label = labels[level] if 0 <= level < len(labels) else ""
        return _("%(label)s (level %(level)s of %(top)s)") % {
            "label": label,
            "level": level,
            "top": len(labels) - 1,
        }
    if indicator.response_type == ResponseType.PERCENT:
        return f"{plain_number(value)}%"
    unit = indicator.unit
    return f"{plain_number(value)} {unit}".strip()


def answer_texts(indicator: Indicator, value: Decimal | None, is_na: bool) -> dict[str, str]:
    """An answer in words in each of the site's languages."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = answer_text(indicator, value, is_na)
    return texts
