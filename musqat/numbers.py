"""Numbers as people read them on the site."""

from decimal import Decimal

from django.utils.formats import number_format


def plain_number(value: Decimal) -> str:
    """A value as people write it: no trailing zeros, the local decimal mark."""
    if value == value.to_integral_value():
        return number_format(value.to_integral_value(), decimal_pos=0)
    text = format(value.normalize(), "f")
    return number_format(Decimal(text), decimal_pos=len(text.split(".")[1]))


def grouped_amount(value) -> str:
    """An amount of money as the site writes it: grouped thousands, two decimals, the
    local marks ("9 500,50" on Georgian pages, "9,500.50" on English ones)."""
    return number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)


def lari(value) -> str:
    """An amount in lari, or a dash for none: "9 500,50 ₾"."""
    return "–" if value is None else f"{grouped_amount(value)} ₾"
