"""An assessment's answers in a spreadsheet: one row per indicator, read back in.

The first sheet is read; its header row names the columns (stable English names):

``indicator_code`` (required)
    The indicator's code, for example A.1.2. Each code once per file.
``value`` (required column; the cell may be empty)
    yes/no: 1 or 0, or yes/no, კი/არა; a scale: the level 0..k; a percentage 0–100;
    or a number, read by ``musqat.spreadsheets.parse_decimal``: a decimal comma ("12,5")
    like a decimal point, and "1,250" refused as ambiguous.
``not_applicable``
    1 (or yes, კი, N/A) when the indicator does not apply; empty or 0 otherwise.
``na_reason``, ``na_reason_en``
    Why it does not apply, in Georgian and in English.
``evidence``, ``evidence_en``
    The evidence, in Georgian and in English.
``links``
    Web addresses (http:// or https://), one per line or separated by spaces.

Any other column (the template's ``indicator_name`` and ``allowed_values``) is only
there to help people fill it in, and is ignored. A column missing from the header row
leaves that part of every answer as it is; a column that is there with an empty cell
clears it. Each value is checked as the answer forms check it (``value_field``,
``links_are_addresses``, ``Response.clean``), and the answers are saved as the workspace
saves them: the version counter raised, who changed them, history with a reason.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import AnsweredBy, Indicator, ResponseType
from musqat.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportRefused,
    ImportReport,
    is_blank,
    missing_columns,
)
from musqat.spreadsheets import (
    NO_WORDS,
    YES_WORDS,
    Sheet,
    number_text,
    parse_decimal,
    plain_decimal,
    write_xlsx,
)

from .. import scoring
from ..models import ANSWERED_BY, Assessment, Response, indicator_spec, invalid_answer_message
from ..permissions import may
from ..workflow import Status
from .forms import links_are_addresses, value_field

COLUMNS = [
    "indicator_code",
    "value",
    "not_applicable",
    "na_reason",
    "na_reason_en",
    "evidence",
    "evidence_en",
    "links",
]
REQUIRED = ["indicator_code", "value"]
# Read-only columns of the template, beside the code; the importer ignores them.
HELPER_COLUMNS = ["indicator_name", "allowed_values"]
TEMPLATE_COLUMNS = ["indicator_code", *HELPER_COLUMNS, *COLUMNS[1:]]
TEXT_COLUMNS = ["na_reason", "na_reason_en", "evidence", "evidence_en"]
# The history says an answer came from a file (like "edit" for the admin form).
CHANGE_REASON = "import"

# A cross ("x") ticks the box as well as a yes.
NA_WORDS = YES_WORDS | {"n/a", "na", "x"}
NOT_NA_WORDS = NO_WORDS | {""}


class RowProblem(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, str(message)


# --- Who may import ---------------------------------------------------------------------


def refusal(assessment: Assessment, user=None) -> str | None:
    """Why answers cannot be imported into this assessment (by this user), or None.

    Only a draft takes answers, as in the workspace; a user must be one who may enter
    its answers (workflow.PERMISSIONS "edit_answers").
    """
    if assessment.status != Status.DRAFT or not assessment.is_editable:
        return _(
            "This assessment is “%(status)s”: only a draft accepts answers from a spreadsheet."
        ) % {"status": assessment.get_status_display()}
    if user is not None and not may(user, "edit_answers", assessment):
        return _("You may not change the answers of this assessment.")
    return None


# --- Reading one cell -------------------------------------------------------------------


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


def _text(text: str) -> str:
    """Free text as the form keeps it: trimmed, with one kind of line end."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _same(field: str, stored, new) -> bool:
    if field == "links":
        return stored.split() == new.split()
    if field in TEXT_COLUMNS:
        return _text(stored) == new
    return stored == new


def _says_anything(values: dict) -> bool:
    return values.get("value") is not None or any(
        value for field, value in values.items() if field != "value"
    )


def read_row(indicator: Indicator, row: dict, columns: set[str]) -> tuple[dict, list[RowProblem]]:
    """The fields a row sets (only those whose column the file has), and its problems."""
    values, problems = {}, []
    readers = {
        "value": lambda text: parse_value(indicator, text),
        "not_applicable": lambda text: parse_not_applicable(indicator, text),
        "links": lambda text: parse_links(indicator, text),
    }
    for column in COLUMNS[1:]:
        if column not in columns:
            continue
        field = "is_na" if column == "not_applicable" else column
        text = row.get(column) or ""
        try:
            values[field] = readers[column](text) if column in readers else _text(text)
        except RowProblem as problem:
            problems.append(problem)
    return values, problems


# --- The importer -----------------------------------------------------------------------


def responses_importer(assessment: Assessment):
    """The import of a responses file into ``assessment``: an importer for ``musqat.imports``.

    Lookups take a constant number of queries (the indicators and the stored answers,
    one query each); new answers are created and changed ones updated in bulk, each
    with its history record.
    """

    def importer(rows: list[dict], *, by=None) -> ImportReport:
        # Lock the assessment, so that it cannot be submitted halfway through, nor two
        # imports or an import and a form save interleave.
        locked = (
            Assessment.objects.select_for_update()
            .select_related("cycle", "municipality")
            .get(pk=assessment.pk)
        )
        refused = refusal(locked, by)
        if refused:
            raise ImportRefused(refused)
        report = ImportReport()
        if missing_columns(rows, REQUIRED, report):
            return report
        _load(locked, rows, report, by=by)
        return report

    return importer


def _load(assessment: Assessment, rows: list[dict], report: ImportReport, *, by) -> None:
    columns = set(rows[0]) if rows else set()
    indicators = {
        indicator.code: indicator
        # The criterion comes along: the scoring check (indicator_spec) names it.
        for indicator in Indicator.objects.filter(
            criterion__area__version_id=assessment.cycle.methodology_id
        )
        .select_related("criterion")
        .order_by()
    }
    folded = {code.casefold(): indicator for code, indicator in indicators.items()}
    answered = set(ANSWERED_BY[assessment.kind])
    stored = {response.indicator_id: response for response in assessment.responses.all()}
    seen: dict[str, int] = {}
    created, updated, changed_fields = [], [], set()

    for number, row in enumerate(rows, start=2):
        if is_blank(row):
            continue
        code = (row.get("indicator_code") or "").strip()
        if not code:
            report.error(number, "indicator_code", _("the indicator code is missing"))
            continue
        indicator = indicators.get(code) or folded.get(code.casefold())
        if indicator is None:
            report.error(
                number,
                "indicator_code",
                _("there is no indicator %(code)s in the methodology of this cycle")
                % {"code": code},
            )
            continue
        if indicator.answered_by not in answered:
            report.error(
                number,
                "indicator_code",
                _(
                    "indicator %(code)s is answered by %(who)s only; this assessment "
                    "(%(kind)s) does not answer it"
                )
                % {
                    "code": indicator.code,
                    "who": AnsweredBy(indicator.answered_by).label,
                    "kind": assessment.get_kind_display(),
                },
            )
            continue
        if indicator.code in seen:
            report.error(
                number,
                "indicator_code",
                _("indicator %(code)s is already in row %(row)s")
                % {"code": indicator.code, "row": seen[indicator.code]},
            )
            continue
        seen[indicator.code] = number

        values, problems = read_row(indicator, row, columns)
        for problem in problems:
            report.error(number, problem.column, problem.message)
        if problems:
            continue
        response = stored.get(indicator.pk)
        label = f"{indicator.code} {indicator.name}"
        if response is None:
            if not _says_anything(values):
                # Nothing stored and nothing given: like a form left untouched.
                report.count(UNCHANGED, row=number, label=label)
                continue
            response = Response(assessment=assessment, indicator=indicator, **values)
            state = CREATED
        else:
            changes = [
                field
                for field, value in values.items()
                if not _same(field, getattr(response, field), value)
            ]
            if not changes:
                report.count(UNCHANGED, row=number, label=label)
                continue
            for field in changes:
                setattr(response, field, values[field])
            # The indicator loaded above, with its criterion: clean() reads both, and
            # would otherwise fetch them for every row.
            response.indicator = indicator
            changed_fields.update(changes)
            state = UPDATED
        try:
            response.clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    report.error(
                        number,
                        field if field in COLUMNS else "value",
                        _("indicator %(code)s: %(problem)s")
                        % {"code": indicator.code, "problem": message},
                    )
            continue
        (created if state == CREATED else updated).append(response)
        report.count(state, row=number, label=label)

    if not report.errors:
        _save(created, updated, changed_fields, by=by)


def _save(created: list[Response], updated: list[Response], fields: set[str], *, by) -> None:
    """Save as the workspace's form does: version raised, who changed it, history kept."""
    user = by if getattr(by, "pk", None) else None
    now = timezone.now()
    for response in created:
        response.version = 1
        response.updated_by = user
    for response in updated:
        response.version += 1
        response.updated_by = user
        # bulk_update skips auto_now.
        response.updated_at = now
    if created:
        bulk_create_with_history(
            created, Response, default_user=user, default_change_reason=CHANGE_REASON
        )
    if updated:
        bulk_update_with_history(
            updated,
            Response,
            fields=sorted(fields | {"version", "updated_by", "updated_at"}),
            default_user=user,
            default_change_reason=CHANGE_REASON,
        )


# --- The template -----------------------------------------------------------------------

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
