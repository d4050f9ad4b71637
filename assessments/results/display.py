"""Answers in words in each of the site's languages, for the open data and the API."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.utils import translation

from indicators.models import Indicator


def answer_texts(indicator: Indicator, value: Decimal | None, is_na: bool) -> dict[str, str]:
    """An answer in words in each of the site's languages."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = indicator.answer_in_words(value, is_na)
    return texts
