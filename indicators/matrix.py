"""The methodology matrix: one row per indicator, read into a methodology version.

The columns are stable names in English; a row repeats its area and criterion.
The same columns come out of ``matrix_rows``, so a version exported and imported
again is unchanged. Loading runs in the project's import flow (``musqat.imports``):
preview first, errors per row and column, all or nothing.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from musqat.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportRefused,
    ImportReport,
    apply,
    is_blank,
    missing_columns,
)
from musqat.spreadsheets import YES_WORDS, Sheet, parse_decimal, plain_decimal, write_xlsx

from .models import AnsweredBy, Criterion, Indicator, MethodologyVersion, ResponseType, ThematicArea

COLUMNS = [
    "area_code",
    "area_name_ka",
    "area_name_en",
    "area_description_ka",
    "area_description_en",
    "area_weight",
    "criterion_code",
    "criterion_name_ka",
    "criterion_name_en",
    "criterion_description_ka",
    "criterion_description_en",
    "criterion_weight",
    "indicator_code",
    "name_ka",
    "name_en",
    "description_ka",
    "description_en",
    "response_type",
    "scale_labels_ka",
    "scale_labels_en",
    "worst",
    "best",
    "unit_ka",
    "unit_en",
    "weight",
    "data_source_ka",
    "data_source_en",
    "answered_by",
    "previous_code",
    "comparable",
]
REQUIRED = ["area_code", "criterion_code", "indicator_code", "name_ka", "name_en", "response_type"]
LABEL_SEPARATOR = "|"

# Other apps say here why a version's matrix may no longer change (a function of the
# version that returns the reason, or None); assessments adds "results are published".


def _decimal(value: str, row: int, column: str, report: ImportReport, *, default=None):
    try:
        number = parse_decimal(value or "")
    except ValueError as error:
        report.error(row, column, str(error))
        return default
    return default if number is None else number


def _labels(value: str) -> str:
    return "\n".join(part.strip() for part in (value or "").split(LABEL_SEPARATOR) if part.strip())


def _bool(value: str) -> bool:
    word = (value or "").strip().casefold()
    return word in YES_WORDS or word == "x"  # a cross ticks the box too


def _upsert(obj, model, lookup: dict, values: dict):
    """The object with ``values`` set, and whether that creates, updates or changes nothing."""
    if obj is None:
        return model(**lookup, **values), CREATED
    changed = [key for key, value in values.items() if _differs(getattr(obj, key), value)]
    for key in changed:
        setattr(obj, key, values[key])
    return obj, UPDATED if changed else UNCHANGED


def _differs(stored, new) -> bool:
    """An empty translation may be stored as NULL or as an empty string: the same text."""
    if isinstance(new, str) and stored is None:
        return new != ""
    return stored != new


def _choice(row: dict, column: str, choices, index: int, report: ImportReport, default=""):
    value = row.get(column) or default
    if value not in choices.values:
        report.error(
            index,
            column,
            _("%(value)s is not one of %(choices)s")
            % {"value": value, "choices": ", ".join(choices.values)},
        )
        return None
    return value


def matrix_importer(version: MethodologyVersion, *, check_locks: bool = True):
    """The import of a matrix file into ``version``: an importer for ``musqat.imports``.

    Areas, criteria and indicators are matched by code, so importing the same file
    again changes nothing; indicators the file does not name are kept.
    """

    def importer(rows: list[dict], *, by=None) -> ImportReport:
        reason = version.why_frozen() if check_locks else None
        if reason:
            raise ImportRefused(reason)
        report = ImportReport()
        if missing_columns(rows, REQUIRED, report):
            return report
        _load(version, rows, report)
        return report

    return importer


def load_matrix(*, version: MethodologyVersion, rows: list[dict]) -> ImportReport:
    """Import rows into ``version`` at once (raises ImportFailed with the errors).

    For the demo data and tests: people import through the admin or the command,
    which refuse a version whose results are published.
    """
    return apply(matrix_importer(version, check_locks=False), rows)


def _load(version: MethodologyVersion, rows: list[dict], report: ImportReport) -> None:
    existing_areas = {a.code: a for a in ThematicArea.objects.filter(version=version)}
    existing_criteria = {c.code: c for c in Criterion.objects.filter(area__version=version)}
    existing_indicators = {
        i.code: i for i in Indicator.objects.filter(criterion__area__version=version)
    }
    previous_by_code = {}
    if version.previous_id:
        previous_by_code = {
            i.code: i
            for i in Indicator.objects.filter(criterion__area__version_id=version.previous_id)
        }
    seen_codes: set[str] = set()
    first_rows: dict[tuple[str, str], tuple[int, dict]] = {}
    areas: dict[str, ThematicArea] = {}
    criteria: dict[str, Criterion] = {}
    indicator_counts: dict[str, int] = {}
    criterion_counts: dict[str, int] = {}
    for index, raw in enumerate(rows, start=2):
        if is_blank(raw):
            continue
        row = {key.strip(): (value or "").strip() for key, value in raw.items() if key}
        missing = [column for column in REQUIRED if not row.get(column)]
        for column in missing:
            report.error(index, column, _("this column is required"))
        if missing:
            continue
        code = row["indicator_code"]
        if code in seen_codes:
            report.error(index, "indicator_code", _("%(code)s appears twice") % {"code": code})
            continue
        seen_codes.add(code)
        response_type = _choice(row, "response_type", ResponseType, index, report)
        answered_by = _choice(row, "answered_by", AnsweredBy, index, report, AnsweredBy.BOTH)
        if response_type is None or answered_by is None:
            continue
        if not _agrees_with_earlier_rows(row, index, first_rows, report):
            continue

        area_code = row["area_code"]
        if area_code not in areas:
            area, state = _upsert(
                existing_areas.get(area_code),
                ThematicArea,
                {"version": version, "code": area_code},
                {
                    "name_ka": row.get("area_name_ka", ""),
                    "name_en": row.get("area_name_en", ""),
                    "description_ka": row.get("area_description_ka", ""),
                    "description_en": row.get("area_description_en", ""),
                    "weight": _decimal(
                        row.get("area_weight"), index, "area_weight", report, default=Decimal(1)
                    ),
                    "order": len(areas),
                },
            )
            if not _validated(area, index, "area", report):
                continue
            if state != UNCHANGED:
                area.save()
            areas[area_code] = area
        criterion_code = row["criterion_code"]
        if criterion_code not in criteria:
            criterion, state = _upsert(
                existing_criteria.get(criterion_code),
                Criterion,
                {"code": criterion_code},
                {
                    "area": areas[area_code],
                    "name_ka": row.get("criterion_name_ka", ""),
                    "name_en": row.get("criterion_name_en", ""),
                    "description_ka": row.get("criterion_description_ka", ""),
                    "description_en": row.get("criterion_description_en", ""),
                    "weight": _decimal(
                        row.get("criterion_weight"),
                        index,
                        "criterion_weight",
                        report,
                        default=Decimal(1),
                    ),
                    "order": criterion_counts.get(area_code, 0),
                },
            )
            criterion_counts[area_code] = criterion_counts.get(area_code, 0) + 1
            if not _validated(criterion, index, "criterion", report):
                continue
            if state != UNCHANGED:
                criterion.save()
            criteria[criterion_code] = criterion

        previous = None
        if row.get("previous_code"):
            previous = previous_by_code.get(row["previous_code"])
            if previous is None:
                report.error(
                    index,
                    "previous_code",
                    _("%(code)s is not an indicator of the previous version")
                    % {"code": row["previous_code"]},
                )
                continue
        criterion = criteria[criterion_code]
        indicator, state = _upsert(
            existing_indicators.get(code),
            Indicator,
            {"code": code},
            {
                "criterion": criterion,
                "name_ka": row["name_ka"],
                "name_en": row["name_en"],
                "description_ka": row.get("description_ka", ""),
                "description_en": row.get("description_en", ""),
                "response_type": response_type,
                "scale_labels_ka": _labels(row.get("scale_labels_ka")),
                "scale_labels_en": _labels(row.get("scale_labels_en")),
                "worst": _decimal(row.get("worst"), index, "worst", report),
                "best": _decimal(row.get("best"), index, "best", report),
                "unit_ka": row.get("unit_ka", ""),
                "unit_en": row.get("unit_en", ""),
                "weight": _decimal(row.get("weight"), index, "weight", report, default=Decimal(1)),
                "data_source_ka": row.get("data_source_ka", ""),
                "data_source_en": row.get("data_source_en", ""),
                "answered_by": answered_by,
                "previous": previous,
                "comparable": previous is not None and _bool(row.get("comparable")),
                "order": indicator_counts.get(criterion_code, 0),
            },
        )
        indicator_counts[criterion_code] = indicator_counts.get(criterion_code, 0) + 1
        if _validated(indicator, index, "indicator", report):
            if state != UNCHANGED:
                indicator.save()
            report.count(state, row=index, label=f"{code} {indicator.name_ka}")


# What every row of one area, or of one criterion, must repeat alike.
AREA_COLUMNS = [column for column in COLUMNS if column.startswith("area_")]
CRITERION_COLUMNS = ["area_code"] + [c for c in COLUMNS if c.startswith("criterion_")]


def _agrees_with_earlier_rows(row: dict, index: int, first_rows: dict, report) -> bool:
    """An area or criterion is described alike on each of its rows (an empty cell repeats
    the first row's); a row that says otherwise is an error, not silently ignored."""
    agrees = True
    for columns, code_column in ((AREA_COLUMNS, "area_code"), (CRITERION_COLUMNS,
                                                                "criterion_code")):  # fmt: skip
        key = (code_column, row[code_column])
        if key not in first_rows:
            first_rows[key] = (index, {column: row.get(column, "") for column in columns})
            continue
        first_index, first = first_rows[key]
        for column in columns:
            value = row.get(column, "")
            if value and first[column] and not _same_cell(value, first[column]):
                report.error(
                    index,
                    column,
                    _("%(value)s differs from row %(row)s, which says %(first)s for %(code)s")
                    % {"value": value, "row": first_index, "first": first[column],
                       "code": row[code_column]},
                )  # fmt: skip
                agrees = False
    return agrees


def _same_cell(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return parse_decimal(a) == parse_decimal(b)
    except ValueError:
        return False


def _validated(obj, row: int, prefix: str, report: ImportReport) -> bool:
    """Run the model's own validation; report each problem against its column."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = name if prefix == "indicator" else f"{prefix}_{name}"
            if name in ("__all__", "code"):
                column = f"{prefix}_code"
            for message in messages:
                report.error(row, column, message)
        return False
    return True


# --- Out: the same columns ----------------------------------------------------------------


def _text(value) -> str:
    return value or ""


def matrix_rows(version: MethodologyVersion) -> list[list]:
    """Every indicator of ``version`` as a row of COLUMNS, in the methodology's order."""
    indicators = Indicator.objects.filter(criterion__area__version=version).select_related(
        "criterion__area", "previous"
    )
    rows = []
    for indicator in indicators:
        criterion, area = indicator.criterion, indicator.criterion.area
        values = {
            "area_code": area.code,
            "area_name_ka": _text(area.name_ka),
            "area_name_en": _text(area.name_en),
            "area_description_ka": _text(area.description_ka),
            "area_description_en": _text(area.description_en),
            "area_weight": plain_decimal(area.weight),
            "criterion_code": criterion.code,
            "criterion_name_ka": _text(criterion.name_ka),
            "criterion_name_en": _text(criterion.name_en),
            "criterion_description_ka": _text(criterion.description_ka),
            "criterion_description_en": _text(criterion.description_en),
            "criterion_weight": plain_decimal(criterion.weight),
            "indicator_code": indicator.code,
            "name_ka": _text(indicator.name_ka),
            "name_en": _text(indicator.name_en),
            "description_ka": _text(indicator.description_ka),
            "description_en": _text(indicator.description_en),
            "response_type": indicator.response_type,
            "scale_labels_ka": f" {LABEL_SEPARATOR} ".join(indicator.labels_in("ka")),
            "scale_labels_en": f" {LABEL_SEPARATOR} ".join(indicator.labels_in("en")),
            "worst": plain_decimal(indicator.worst),
            "best": plain_decimal(indicator.best),
            "unit_ka": _text(indicator.unit_ka),
            "unit_en": _text(indicator.unit_en),
            "weight": plain_decimal(indicator.weight),
            "data_source_ka": _text(indicator.data_source_ka),
            "data_source_en": _text(indicator.data_source_en),
            "answered_by": indicator.answered_by,
            "previous_code": indicator.previous.code if indicator.previous else "",
            "comparable": "yes" if indicator.comparable else "",
        }
        rows.append([values[column] for column in COLUMNS])
    return rows


COLUMN_NOTES = {
    "area_code": gettext_lazy("Code of the thematic area, for example A. Required."),
    "area_name_ka": gettext_lazy("Name of the thematic area in Georgian."),
    "area_name_en": gettext_lazy("Name of the thematic area in English."),
    "area_description_ka": gettext_lazy("Description of the thematic area in Georgian."),
    "area_description_en": gettext_lazy("Description of the thematic area in English."),
    "area_weight": gettext_lazy(
        "Weight of the area within the methodology: a positive number, 1 if empty."
    ),
    "criterion_code": gettext_lazy("Code of the criterion, for example A.1. Required."),
    "criterion_name_ka": gettext_lazy("Name of the criterion in Georgian."),
    "criterion_name_en": gettext_lazy("Name of the criterion in English."),
    "criterion_description_ka": gettext_lazy("Description of the criterion in Georgian."),
    "criterion_description_en": gettext_lazy("Description of the criterion in English."),
    "criterion_weight": gettext_lazy(
        "Weight of the criterion within its area: a positive number, 1 if empty."
    ),
    "indicator_code": gettext_lazy(
        "Code of the indicator, for example A.1.1; unique in the version. Required."
    ),
    "name_ka": gettext_lazy("Name of the indicator in Georgian. Required."),
    "name_en": gettext_lazy("Name of the indicator in English. Required."),
    "description_ka": gettext_lazy("What is checked and how, in Georgian."),
    "description_en": gettext_lazy("What is checked and how, in English."),
    "response_type": gettext_lazy(
        "yes_no, scale (levels 0..k), percent (0–100) or numeric (thresholds). Required."
    ),
    "scale_labels_ka": gettext_lazy(
        "Scale only: a label for every level from 0 upwards, separated by |, in Georgian."
    ),
    "scale_labels_en": gettext_lazy(
        "Scale only: the same levels in English, as many as in Georgian."
    ),
    "worst": gettext_lazy("Numeric only: the value that scores 0."),
    "best": gettext_lazy(
        "Numeric only: the value that scores 100 (below worst when lower is better)."
    ),
    "unit_ka": gettext_lazy("Numeric only: the unit in Georgian."),
    "unit_en": gettext_lazy("Numeric only: the unit in English."),
    "weight": gettext_lazy(
        "Weight of the indicator within its criterion: a positive number, 1 if empty."
    ),
    "data_source_ka": gettext_lazy("Where the answer comes from, in Georgian."),
    "data_source_en": gettext_lazy("Where the answer comes from, in English."),
    "answered_by": gettext_lazy("Who answers it: municipality, cso or both (both if empty)."),
    "previous_code": gettext_lazy(
        "Code of its counterpart in the previous methodology version, if any."
    ),
    "comparable": gettext_lazy(
        "yes if results can be compared with the counterpart's; empty otherwise."
    ),
}

EXAMPLE_ROWS = [
    {
        "area_code": "A",
        "area_name_ka": "მმართველობა",
        "area_name_en": "Governance",
        "area_weight": 1,
        "criterion_code": "A.1",
        "criterion_name_ka": "სტრატეგიული დაგეგმვა",
        "criterion_name_en": "Strategic planning",
        "criterion_weight": 1,
        "indicator_code": "A.1.1",
        "name_ka": "მუნიციპალიტეტს აქვს დამტკიცებული განვითარების სტრატეგია",
        "name_en": "The municipality has an adopted development strategy",
        "response_type": "scale",
        "scale_labels_ka": "არ არსებობს | შემუშავებულია | დამტკიცებულია",
        "scale_labels_en": "None | Drafted | Adopted",
        "weight": 1,
        "data_source_ka": "საკრებულოს დადგენილება",
        "data_source_en": "Municipal council resolution",
        "answered_by": "both",
    },
    {
        "area_code": "A",
        "area_name_ka": "მმართველობა",
        "area_name_en": "Governance",
        "area_weight": 1,
        "criterion_code": "A.1",
        "criterion_name_ka": "სტრატეგიული დაგეგმვა",
        "criterion_name_en": "Strategic planning",
        "criterion_weight": 1,
        "indicator_code": "A.1.2",
        "name_ka": "საჩივრებზე პასუხის საშუალო ვადა",
        "name_en": "Average time to answer a complaint",
        "response_type": "numeric",
        "worst": 30,
        "best": 5,
        "unit_ka": "დღე",
        "unit_en": "days",
        "weight": 1,
        "answered_by": "cso",
    },
]


def column_notes_sheet() -> Sheet:
    return Sheet(
        title=_("Columns"),
        columns=[_("Column"), _("What it holds")],
        rows=[[column, str(COLUMN_NOTES[column])] for column in COLUMNS],
        widths={0: 26, 1: 100},
    )


def matrix_workbook(version: MethodologyVersion | None = None) -> bytes:
    """The matrix of ``version`` as the import reads it (the first sheet), with a sheet
    describing each column; with no version, a blank template with two example rows."""
    if version is None:
        rows = [[example.get(column, "") for column in COLUMNS] for example in EXAMPLE_ROWS]
    else:
        rows = matrix_rows(version)
    return write_xlsx([Sheet(title="matrix", columns=COLUMNS, rows=rows), column_notes_sheet()])
