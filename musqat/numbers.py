"""Numbers as people read them on the site."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.signals import setting_changed
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language

# The decimal mark of each language, looked up once: a scorecard shows some 500 scores.
_decimal_marks: dict[str | None, str] = {}
TENTH = Decimal("0.1")


def _forget_decimal_marks(**_kwargs) -> None:
    _decimal_marks.clear()


setting_changed.connect(_forget_decimal_marks)


def one_decimal(value: Decimal) -> str:
    """A value already rounded to one decimal, written as number_format(value,
    decimal_pos=1) writes it ("56,7" on Georgian pages), in a fraction of its time."""
    if abs(value) >= 1000:
        return number_format(value, decimal_pos=1)  # thousands may be grouped
    language = get_language()
    mark = _decimal_marks.get(language)
    if mark is None:
        mark = _decimal_marks[language] = get_format("DECIMAL_SEPARATOR")
    if abs(value) < TENTH:
        return f"0{mark}0"
    whole, _, tenths = format(abs(value), "f").partition(".")
    return f"{'-' if value < 0 else ''}{whole}{mark}{(tenths + '0')[0]}"


def plain_number(value: Decimal, places: int | None = None, *, grouped: bool = False) -> str:
    """A value as people write it: no trailing zeros, the local decimal mark.

    Trailing zeros go because "1,000" and "0,750" read as thousands in Georgian, where the
    comma is the decimal mark. With places, the value is first rounded (half up) to at most
    that many decimals (a third is "0,333"). Grouped puts the thousands apart ("1 095").
    """
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    if value == value.to_integral_value():
        return number_format(value.to_integral_value(), 0, force_grouping=grouped)
    text = format(value.normalize(), "f")
    return number_format(Decimal(text), len(text.split(".")[1]), force_grouping=grouped)


def grouped_amount(value) -> str:
    """An amount of money as the site writes it: grouped thousands, two decimals, the
    local marks ("9 500,50" on Georgian pages, "9,500.50" on English ones)."""
    return number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)


def lari(value) -> str:
    """An amount in lari, or a dash for none: "9 500,50 ₾"."""
    return "–" if value is None else f"{grouped_amount(value)} ₾"
