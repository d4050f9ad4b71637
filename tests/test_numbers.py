"""Scores written as Django writes them, only faster (musqat/numbers.py's one_decimal)."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format
from hypothesis import given
from hypothesis import strategies as st

from musqat.numbers import one_decimal

TENTHS = st.integers(min_value=-2_000_000, max_value=2_000_000).map(
    lambda tenths: Decimal(tenths).scaleb(-1)
)


@pytest.mark.parametrize("language", ["ka", "en"])
@given(value=TENTHS)
def test_one_decimal_writes_what_number_format_writes(language, value):
    with translation.override(language):
        assert one_decimal(value) == number_format(value, decimal_pos=1)


@pytest.mark.parametrize(
    ("language", "value", "written"),
    [
        ("ka", Decimal("56.7"), "56,7"),
        ("en", Decimal("56.7"), "56.7"),
        ("ka", Decimal("-2.0"), "-2,0"),
        ("en", Decimal("100.0"), "100.0"),
        ("en", Decimal("-0.0"), "0.0"),
        ("en", Decimal("0"), "0.0"),
        ("en", Decimal("7"), "7.0"),
    ],
)
def test_one_decimal_in_each_language(language, value, written):
    with translation.override(language):
        assert one_decimal(value) == written
