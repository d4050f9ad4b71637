"""The methodology matrix: one row per indicator, read into a methodology version.

The columns are stable names in English; a row repeats its area and criterion.
Loading is all or nothing: any bad row leaves the version exactly as it was.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


class MatrixError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def read_csv(data: bytes) -> list[dict]:
    """Rows of a UTF-8 CSV file, with or without a byte-order mark."""
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _decimal(value: str, row: int, column: str, errors: list, *, default=None):
    value = (value or "").strip()
    if not value:
        return default
    try:
        return Decimal(value.replace(",", "."))
    except InvalidOperation:
        errors.append(RowError(row, column, _("%(value)s is not a number") % {"value": value}))
        return default


def _labels(value: str) -> str:
    return "\n".join(part.strip() for part in (value or "").split(LABEL_SEPARATOR) if part.strip())


def _bool(value: str) -> bool:
    return (value or "").strip().lower() in ("1", "yes", "true", "y", "x")


def _upsert(model, lookup: dict, values: dict, report: LoadReport | None = None):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        state = "created"
    else:
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        for key in changed:
            setattr(obj, key, values[key])
        state = "updated" if changed else "unchanged"
    if report is not None:
        setattr(report, state, getattr(report, state) + 1)
    return obj, state


def load_matrix(*, version: MethodologyVersion, rows: list[dict]) -> LoadReport:
    """Create or update the areas, criteria and indicators of ``version`` from rows.

    Row numbers in errors count the header as row 1, as a spreadsheet shows them.
    """
    report = LoadReport()
    errors = report.errors
    seen_codes = set()
    previous_by_code = {}
    if version.previous_id:
        previous_by_code = {
            i.code: i
            for i in Indicator.objects.filter(criterion__area__version_id=version.previous_id)
        }
    with transaction.atomic():
        areas, criteria, indicator_counts = {}, {}, {}
        for index, row in enumerate(rows, start=2):
            row = {key.strip(): (value or "").strip() for key, value in row.items() if key}
            missing = [column for column in REQUIRED if not row.get(column)]
            for column in missing:
                errors.append(RowError(index, column, _("this column is required")))
            if missing:
                continue
            code = row["indicator_code"]
            if code in seen_codes:
                errors.append(
                    RowError(index, "indicator_code", _("%(code)s appears twice") % {"code": code})
                )
                continue
            seen_codes.add(code)
            if row["response_type"] not in ResponseType.values:
                errors.append(
                    RowError(
                        index,
                        "response_type",
                        _("%(value)s is not one of %(choices)s")
                        % {
                            "value": row["response_type"],
                            "choices": ", ".join(ResponseType.values),
                        },
                    )
                )
                continue
            answered_by = row.get("answered_by") or AnsweredBy.BOTH
            if answered_by not in AnsweredBy.values:
                errors.append(
                    RowError(
                        index,
                        "answered_by",
                        _("%(value)s is not one of %(choices)s")
                        % {"value": answered_by, "choices": ", ".join(AnsweredBy.values)},
                    )
                )
                continue

            area_code = row["area_code"]
            if area_code not in areas:
                area, _state = _upsert(
                    ThematicArea,
                    {"version": version, "code": area_code},
                    {
                        "name_ka": row.get("area_name_ka", ""),
                        "name_en": row.get("area_name_en", ""),
                        "description_ka": row.get("area_description_ka", ""),
                        "description_en": row.get("area_description_en", ""),
                        "weight": _decimal(
                            row.get("area_weight"), index, "area_weight", errors, default=Decimal(1)
                        ),
                        "order": len(areas),
                    },
                )
                if not _validated(area, index, "area", errors):
                    continue
                area.save()
                areas[area_code] = area
            criterion_code = row["criterion_code"]
            if criterion_code not in criteria:
                criterion, _state = _upsert(
                    Criterion,
                    {"area": areas[area_code], "code": criterion_code},
                    {
                        "name_ka": row.get("criterion_name_ka", ""),
                        "name_en": row.get("criterion_name_en", ""),
                        "description_ka": row.get("criterion_description_ka", ""),
                        "description_en": row.get("criterion_description_en", ""),
                        "weight": _decimal(
                            row.get("criterion_weight"),
                            index,
                            "criterion_weight",
                            errors,
                            default=Decimal(1),
                        ),
                        "order": sum(
                            1 for c in criteria.values() if c.area_id == areas[area_code].pk
                        ),
                    },
                )
                if not _validated(criterion, index, "criterion", errors):
                    continue
                criterion.save()
                criteria[criterion_code] = criterion

            previous = None
            if row.get("previous_code"):
                previous = previous_by_code.get(row["previous_code"])
                if previous is None:
                    errors.append(
                        RowError(
                            index,
                            "previous_code",
                            _("%(code)s is not an indicator of the previous version")
                            % {"code": row["previous_code"]},
                        )
                    )
                    continue
            criterion = criteria[criterion_code]
            indicator, _state = _upsert(
                Indicator,
                {"criterion": criterion, "code": code},
                {
                    "name_ka": row["name_ka"],
                    "name_en": row["name_en"],
                    "description_ka": row.get("description_ka", ""),
                    "description_en": row.get("description_en", ""),
                    "response_type": row["response_type"],
                    "scale_labels_ka": _labels(row.get("scale_labels_ka")),
                    "scale_labels_en": _labels(row.get("scale_labels_en")),
                    "worst": _decimal(row.get("worst"), index, "worst", errors),
                    "best": _decimal(row.get("best"), index, "best", errors),
                    "unit_ka": row.get("unit_ka", ""),
                    "unit_en": row.get("unit_en", ""),
                    "weight": _decimal(row.get("weight"), index, "weight", errors, default=1),
                    "data_source_ka": row.get("data_source_ka", ""),
                    "data_source_en": row.get("data_source_en", ""),
                    "answered_by": answered_by,
                    "previous": previous,
                    "comparable": previous is not None and _bool(row.get("comparable")),
                    "order": indicator_counts.get(criterion_code, 0),
                },
                report,
            )
            indicator_counts[criterion_code] = indicator_counts.get(criterion_code, 0) + 1
            if _validated(indicator, index, "indicator", errors):
                indicator.save()
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise MatrixError(errors)
    return report


def _validated(obj, row: int, prefix: str, errors: list) -> bool:
    """Run the model's own validation; report each problem against its column."""
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = name if prefix == "indicator" else f"{prefix}_{name}"
            for message in messages:
                errors.append(RowError(row, column, message))
        return False
    return True
