"""Reading one cell of a responses file: the value, the not-applicable box and the links."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from indicators.models import Indicator, ResponseType
from musqat.spreadsheets import NO_WORDS, YES_WORDS, number_text, parse_decimal

from .. import scoring
from ..models import indicator_spec, invalid_answer_message
from .evidence import links_are_addresses
from .forms import value_field

# A cross ("x") ticks the box as well as a yes.
NA_WORDS = YES_WORDS | {"n/a", "na", "x"}
NOT_NA_WORDS = NO_WORDS | {""}


class RowProblem(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, str(message)


def allowed_values(indicator: Indicator) -> str:
    """What the value cell takes, in the current language."""
    kind = indicator.response_type
    if kind == ResponseType.YES_NO:
        return _("1 = yes, 0 = no")
    if kind == ResponseType.SCALE:
        labels = indicator.shown_labels
        levels = "; ".join(f"{level} = {label}" for level, label in enumerate(labels))
        return _("a level from 0 to %(max)s: %(levels)s") % {
            "max": indicator.scale_max,
            "levels": levels,
        }
    if kind == ResponseType.PERCENT:
        return _("a percentage from 0 to 100")
    thresholds = {"worst": _shown(indicator.worst), "best": _shown(indicator.best)}
    if indicator.unit:
        return _("a number, in %(unit)s (%(worst)s scores 0, %(best)s scores 100)") % {
            "unit": indicator.unit,
            **thresholds,
        }
    return _("a number (%(worst)s scores 0, %(best)s scores 100)") % thresholds


def _shown(number: Decimal | None) -> str:
    return "–" if number is None else number_text(number)


def parse_value(indicator: Indicator, text: str) -> Decimal | None:
    """The value of a cell, checked as the answer form and the model check it.

    Raises RowProblem with a message that names the indicator and what it takes.
    """
    text = (text or "").strip()
    if not text:
        return None
    code = indicator.code
    if indicator.response_type == ResponseType.YES_NO:
        word = text.casefold()
        text = "1" if word in YES_WORDS else "0" if word in NO_WORDS else text
    try:
        number = parse_decimal(text)
    except ValueError as error:
        if indicator.response_type == ResponseType.YES_NO:
            raise RowProblem("value", _yes_no_message(indicator, text)) from None
        raise RowProblem(
            "value",
            _("%(problem)s; indicator %(code)s takes %(allowed)s")
            % {"problem": error, "code": code, "allowed": allowed_values(indicator)},
        ) from None
    # The model's check first (Response.clean): it knows the ranges and says which.
    try:
        scoring.check_value(indicator_spec(indicator), number)
    except scoring.InvalidAnswer as error:
        raise RowProblem("value", _answer_message(error, indicator, text, number)) from None
    # Then the form's own field: its choices, and the digits a value may have.
    field = value_field(indicator)
    choices = indicator.response_type in (ResponseType.YES_NO, ResponseType.SCALE)
    try:
        return field.clean(number_text(number) if choices else number)
    except ValidationError as error:
        raise RowProblem(
            "value",
            _("indicator %(code)s: %(problem)s")
            % {"code": code, "problem": " ".join(error.messages)},
        ) from None


def _yes_no_message(indicator: Indicator, text: str) -> str:
    message = _(
        "“%(value)s” is not an answer to yes-or-no indicator %(code)s: "
        "write 1 (yes, კი) or 0 (no, არა)"
    )
    return message % {"value": text, "code": indicator.code}


def _answer_message(
    error: scoring.InvalidAnswer, indicator: Indicator, text: str, number: Decimal
) -> str:
    params = {"value": text, "code": indicator.code, "max": indicator.scale_max}
    if error.code == "yes_no":
        return _yes_no_message(indicator, text)
    if error.code == "scale_range" and number != number.to_integral_value():
        message = _(
            "%(value)s is not a whole level: indicator %(code)s takes a level from 0 to %(max)s"
        )
        return message % params
    if error.code == "scale_range":
        return _("level %(value)s is outside 0–%(max)s for indicator %(code)s") % params
    if error.code == "percent_range":
        return _("%(value)s is outside 0–100 for indicator %(code)s, a percentage") % params
    return _("indicator %(code)s: %(problem)s") % {
        "code": indicator.code,
        "problem": invalid_answer_message(error, indicator),
    }


def parse_not_applicable(indicator: Indicator, text: str) -> bool:
    word = (text or "").strip().casefold()
    if word in NA_WORDS:
        return True
    if word in NOT_NA_WORDS:
        return False
    raise RowProblem(
        "not_applicable",
        _(
            "“%(value)s” is neither yes nor no: write 1 (or yes, კი) when indicator "
            "%(code)s does not apply, and leave it empty when it does"
        )
        % {"value": text.strip(), "code": indicator.code},
    )


def parse_links(indicator: Indicator, text: str) -> str:
    """Addresses one per line, as the form keeps them; checked as the form checks them."""
    links = "\n".join((text or "").split())
    try:
        links_are_addresses(links)
    except ValidationError as error:
        raise RowProblem(
            "links",
            _("indicator %(code)s: %(problem)s")
            % {"code": indicator.code, "problem": " ".join(error.messages)},
        ) from None
    return links
