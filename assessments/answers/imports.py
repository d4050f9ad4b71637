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

Any other column (the template's ``indicator_name`` and ``allowed_values``; the template
is built in ``import_template``) is only there to help people fill it in, and is ignored.
A column missing from the header row leaves that part of every answer as it is; a column
that is there with an empty cell clears it. Each value is checked as the answer forms
check it (``value_field`` and ``links_are_addresses``, by the cell readers in
``import_cells``; then ``Response.clean``), and the answers are saved as the workspace
saves them: the version counter raised, who changed them, history with a reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators.models import AnsweredBy, Indicator
from musqat.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportRefused,
    ImportReport,
    is_blank,
    missing_columns,
)

from ..models import ANSWERED_BY, Assessment, Response
from ..permissions import may
from ..workflow import Status
from .import_cells import RowProblem, parse_links, parse_not_applicable, parse_value

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
TEXT_COLUMNS = ["na_reason", "na_reason_en", "evidence", "evidence_en"]
# The history says an answer came from a file (like "edit" for the admin form).
CHANGE_REASON = "import"


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


# --- Reading one row -------------------------------------------------------------------


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
