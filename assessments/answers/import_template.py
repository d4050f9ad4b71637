"""The responses template: a workbook of an assessment's answers, with notes on filling it in."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator, ResponseType
from musqat.spreadsheets import Sheet, plain_decimal, write_xlsx

from ..models import Assessment, Response
from .import_cells import allowed_values
from .imports import COLUMNS

# Read-only columns of the template, beside the code; the importer ignores them.
HELPER_COLUMNS = ["indicator_name", "allowed_values"]
TEMPLATE_COLUMNS = ["indicator_code", *HELPER_COLUMNS, *COLUMNS[1:]]

COLUMN_NOTES = {
    "indicator_code": gettext_lazy("Code of the indicator, for example A.1.2. Required."),
    "indicator_name": gettext_lazy("Name of the indicator. Only a help: it is not read."),
    "allowed_values": gettext_lazy(
        "What the value column takes for this indicator. Only a help: it is not read."
    ),
    "value": gettext_lazy(
        "The answer. Yes or no: 1 or 0 (also yes/no, კი/არა). A scale: the level. "
        "A percentage from 0 to 100, or a number; 12,5 and 12.5 are both read as 12.5. "
        "Group thousands with spaces (1 250) or not at all (1250), not with commas. "
        "Leave it empty when the indicator does not apply."
    ),
    "not_applicable": gettext_lazy(
        "1 (or yes, კი) when the indicator does not apply; empty or 0 when it does."
    ),
    "na_reason": gettext_lazy("Why the indicator does not apply, in Georgian. Required for N/A."),
    "na_reason_en": gettext_lazy("Why the indicator does not apply, in English."),
    "evidence": gettext_lazy("The evidence for the answer, in Georgian."),
    "evidence_en": gettext_lazy("The evidence for the answer, in English."),
    "links": gettext_lazy(
        "Web addresses (http:// or https://) of the evidence, one per line or separated by spaces."
    ),
}


def _indicators_in_order(assessment: Assessment):
    return (
        assessment.indicators()
        .select_related("criterion__area")
        .order_by(
            "criterion__area__order",
            "criterion__area__code",
            "criterion__order",
            "criterion__code",
            "order",
            "code",
        )
    )


def _template_value(indicator: Indicator, value: Decimal | None):
    if value is None:
        return None
    if indicator.response_type in (ResponseType.YES_NO, ResponseType.SCALE):
        return int(value)
    return plain_decimal(value)


def template_rows(assessment: Assessment) -> list[list]:
    """A row of TEMPLATE_COLUMNS for every indicator the assessment answers, in the
    methodology's order, with its current answer: imported unchanged, it changes nothing."""
    stored = {response.indicator_id: response for response in assessment.responses.all()}
    rows = []
    for indicator in _indicators_in_order(assessment):
        response = stored.get(indicator.pk) or Response()
        values = {
            "indicator_code": indicator.code,
            "indicator_name": indicator.name,
            "allowed_values": allowed_values(indicator),
            "value": _template_value(indicator, response.value),
            "not_applicable": 1 if response.is_na else None,
            "na_reason": response.na_reason,
            "na_reason_en": response.na_reason_en,
            "evidence": response.evidence,
            "evidence_en": response.evidence_en,
            "links": "\n".join(response.link_list),
        }
        rows.append([values[column] for column in TEMPLATE_COLUMNS])
    return rows


def notes_sheet(assessment: Assessment) -> Sheet:
    """The second sheet: what each column holds, then what each indicator's value takes."""
    rows = [[column, str(COLUMN_NOTES[column]), ""] for column in TEMPLATE_COLUMNS]
    rows.append(["", "", ""])
    rows.append([_("Indicator"), _("Name"), _("Allowed values")])
    rows += [
        [indicator.code, indicator.name, allowed_values(indicator)]
        for indicator in _indicators_in_order(assessment)
    ]
    return Sheet(
        title=_("How to fill in"),
        columns=[_("Column or indicator"), _("What it holds"), _("Allowed values")],
        rows=rows,
        widths={0: 22, 1: 80, 2: 60},
    )


def template_workbook(assessment: Assessment, out=None) -> bytes | None:
    """The responses template of ``assessment``: the answers sheet and the notes sheet."""
    answers = Sheet(
        title="responses",
        columns=TEMPLATE_COLUMNS,
        rows=template_rows(assessment),
        widths={0: 14, 1: 50, 2: 40, 3: 10, 4: 14, 5: 40, 6: 40, 7: 60, 8: 60, 9: 50},
    )
    return write_xlsx([answers, notes_sheet(assessment)], out=out)


def template_filename(assessment: Assessment) -> str:
    return (
        f"musqat-responses-{assessment.cycle.year}-{assessment.municipality.slug}"
        f"-{assessment.kind}.xlsx"
    )
