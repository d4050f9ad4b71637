"""Numbers as people read them on the site."""

from decimal import Decimal

from django.utils.formats import number_format


def plain_number(value: Decimal) -> str:
    """A value as people write it: no trailing zeros, the local decimal mark."""
    if value == value.to_integral_value():
        return number_format(value.to_integral_value(), decimal_pos=0)
    text = format(value.normalize(), "f")
    return number_format(Decimal(text), decimal_pos=len(text.split(".")[1]))
