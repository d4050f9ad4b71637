"""Municipalities and CSO organisations in and out of spreadsheets.

django-import-export maps the columns to fields, finds related objects by slug and
tells what a row changes; ``musqat.imports`` runs it, so these imports have the same
preview, the same "row N, column X" errors, the same checks and log as every other.

A file is matched by slug: a new slug adds a row, a known one updates it, and a row
that changes nothing is left alone. Columns a file leaves out are not touched, and
the export writes the same columns, so "download, edit, import" changes only what was
edited.
"""

from __future__ import annotations

import re
from decimal import Decimal

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field
from import_export.resources import ModelResource
from import_export.widgets import (
    DecimalWidget,
    ForeignKeyWidget,
    IntegerWidget,
    ManyToManyWidget,
)

from musqat.imports import (
    CREATED,
    UNCHANGED,
    UPDATED,
    ImportReport,
    is_blank,
    missing_columns,
)
from musqat.spreadsheets import number_text, parse_decimal

from .models import Municipality, Organization, Region

MUNICIPALITY_COLUMNS = [
    "slug",
    "region",
    "name_ka",
    "name_en",
    "official_name_ka",
    "official_name_en",
    "centre_ka",
    "centre_en",
    "population",
    "population_year",
    "area_km2",
    "latitude",
    "longitude",
]
ORGANIZATION_COLUMNS = [
    "slug",
    "name_ka",
    "name_en",
    "description_ka",
    "description_en",
    "website",
    "email",
    "municipalities",
]
SLUG_SEPARATOR = "|"


# --- Cells into values --------------------------------------------------------------------

# A population of "30.000" is no fraction: 30000 with a European thousands point, or 30.
POINT_GROUP = re.compile(r"[+-]?[1-9][0-9]{0,2}\.[0-9]{3}")


def parse_number(value, *, whole: bool) -> Decimal | int | None:
    """A number as Excel or LibreOffice writes it in English or Georgian, or ValueError.

    A CSV file carries the number as the cell shows it: "1083.5", "1083,5" (a Georgian
    decimal comma), "30 000"; ``parse_decimal`` reads them all alike, and refuses
    "30,000" as ambiguous. A whole-number column also refuses a fraction, and takes
    "30.000" for neither 30 nor 30000.
    """
    text = "" if value is None else str(value).strip()
    if whole and POINT_GROUP.fullmatch(text):
        raise ValueError(
            _("“%(value)s” is ambiguous: write %(one)s or %(other)s")
            % {"value": text, "one": text.replace(".", ""), "other": number_text(text)}
        )
    number = parse_decimal(text)
    if number is None:
        return None
    if number.adjusted() > 15:  # more digits than any of these columns, or the database, holds
        raise ValueError(_("“%(value)s” is not a number") % {"value": value})
    if not whole:
        return number
    if number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number") % {"value": value})
    return int(number)


class WholeNumberWidget(IntegerWidget):
    """Whole numbers; "12.5" is a mistake to report, not 12."""

    def clean(self, value, row=None, **kwargs):
        return parse_number(value, whole=True)


class NumberWidget(DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        return parse_number(value, whole=False)


class SlugWidget(ForeignKeyWidget):
    """A related object named by its slug. An unknown slug is a mistake in the cell
    (ValueError, which import-export files under the column), not a crash."""

    def __init__(self, model, *, unknown: str):
        super().__init__(model, field="slug")
        self.unknown = unknown

    def clean(self, value, row=None, **kwargs):
        slug = (value or "").strip()
        if not slug:
            return None
        try:
            return self.get_queryset(slug, row).get(slug=slug)
        except self.model.DoesNotExist:
            raise ValueError(self.unknown % {"slug": slug}) from None


class SlugsWidget(ManyToManyWidget):
    """Related objects as slugs separated by "|". Unlike import-export's own widget,
    a slug that names nothing is reported instead of silently dropped."""

    def __init__(self, model, *, unknown: str):
        super().__init__(model, separator=SLUG_SEPARATOR, field="slug")
        self.unknown = unknown

    def clean(self, value, row=None, **kwargs):
        slugs = list(dict.fromkeys(s.strip() for s in (value or "").split(self.separator)))
        slugs = [slug for slug in slugs if slug]
        found = {obj.slug: obj for obj in self.model.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise ValueError("; ".join(self.unknown % {"slug": slug} for slug in unknown))
        return [found[slug] for slug in slugs]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        # Sorted, so that the same set always reads the same (and diffs cleanly).
        return self.separator.join(sorted(related.slug for related in value.all()))


# --- The resources ------------------------------------------------------------------------


class SpreadsheetResource(ModelResource):
    """What every resource here shares: numbers as people type them, rows matched by
    slug, the models' own validation, and what each row changed kept for the preview."""

    WIDGETS_MAP = ModelResource.WIDGETS_MAP | {
        "DecimalField": NumberWidget,
        "IntegerField": WholeNumberWidget,
        "PositiveIntegerField": WholeNumberWidget,
        "PositiveSmallIntegerField": WholeNumberWidget,
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.related_before: dict[int, dict[str, str]] = {}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # An untranslated text is kept as NULL, and a spreadsheet shows it as an empty
        # cell: the same thing, so writing "" over it would be a change that isn't one.
        empty = not str(row.get(field.column_name) or "").strip()
        if empty and not is_m2m and field.attribute and field.get_value(instance) is None:
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        # import-export reads many-to-many cells only after saving, where a bad slug
        # would be an error of the whole row; check them here with the other cells.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.many_to_many_fields():
            if field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [ValidationError(str(error), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def after_init_instance(self, instance, new, row, **kwargs):
        # The related slugs as they were, to tell in the preview whether they change.
        if not new:
            self.related_before[kwargs["row_number"]] = {
                field.column_name: field.export(instance) for field in self.many_to_many_fields()
            }

    def many_to_many_fields(self) -> list[Field]:
        return [f for f in self.get_import_fields() if isinstance(f.widget, ManyToManyWidget)]

    def changed_columns(self, row_result, row_number: int) -> list[str]:
        before, after = row_result.original, row_result.instance
        related = self.related_before.get(row_number, {})
        changed = []
        for field in self.get_import_fields():
            if field.column_name in related:
                if related[field.column_name] != field.export(after):
                    changed.append(field.column_name)
            elif field.get_value(before) != field.get_value(after):
                changed.append(field.column_name)
        return changed

    class Meta:
        # Inherited by each resource (import-export merges the Meta of its bases).
        import_id_fields = ["slug"]
        skip_unchanged = True
        report_skipped = True  # every row has a result, in the file's order
        clean_model_instances = True  # the models' own validation: full_clean()
        store_instance = True  # kept for the preview's list of changed columns
        skip_html_diff = True


class MunicipalityResource(SpreadsheetResource):
    region = Field(
        attribute="region",
        column_name="region",
        widget=SlugWidget(
            Region, unknown=gettext_lazy("there is no region with the slug “%(slug)s”")
        ),
    )

    class Meta:
        model = Municipality
        fields = MUNICIPALITY_COLUMNS
        import_order = export_order = MUNICIPALITY_COLUMNS


class OrganizationResource(SpreadsheetResource):
    municipalities = Field(
        attribute="municipalities",
        column_name="municipalities",
        widget=SlugsWidget(
            Municipality,
            unknown=gettext_lazy("there is no municipality with the slug “%(slug)s”"),
        ),
    )

    class Meta:
        model = Organization
        fields = ORGANIZATION_COLUMNS
        import_order = export_order = ORGANIZATION_COLUMNS


# --- Importers for musqat.imports -----------------------------------------------------------


def municipalities_importer(rows: list[dict], *, by=None) -> ImportReport:
    """Municipalities by slug; columns as in MUNICIPALITY_COLUMNS."""
    return run_resource(MunicipalityResource(), rows, columns=MUNICIPALITY_COLUMNS, by=by)


def organizations_importer(rows: list[dict], *, by=None) -> ImportReport:
    """CSO organisations by slug; columns as in ORGANIZATION_COLUMNS."""
    return run_resource(OrganizationResource(), rows, columns=ORGANIZATION_COLUMNS, by=by)


def run_resource(resource, rows: list[dict], *, columns: list[str], by=None) -> ImportReport:
    """Run an import-export resource over ``rows`` and tell the outcome as an ImportReport.

    It writes as it goes: ``musqat.imports.preview`` and ``apply`` hold the transaction
    and roll it back, so the resource uses none of its own.
    """
    report = ImportReport()
    if not rows:
        return report
    header = list(rows[0])
    for column in header:
        if column not in columns:
            report.error(
                1,
                column,
                _("unknown column; the columns are: %(columns)s") % {"columns": ", ".join(columns)},
            )
    if missing_columns(rows, ["slug"], report) or report.errors:
        return report

    numbers, seen = [], {}
    dataset = tablib.Dataset(headers=header)
    for number, row in enumerate(rows, start=2):
        if is_blank(row):
            continue
        slug = (row.get("slug") or "").strip()
        if slug and slug in seen:
            report.error(
                number,
                "slug",
                _("“%(slug)s” is already in row %(row)s") % {"slug": slug, "row": seen[slug]},
            )
            continue
        seen[slug] = number
        numbers.append(number)
        dataset.append([row.get(column, "") for column in header])

    result = resource.import_data(
        dataset,
        dry_run=False,
        use_transactions=False,
        raise_errors=False,
        collect_failed_rows=False,
        user=by,
    )
    for error in result.base_errors:
        message = _("the file could not be imported: %(error)s") % {"error": error.error}
        report.error(1, "slug", message)
    # With report_skipped every row has its result, in the dataset's order.
    for index, (number, row_result) in enumerate(zip(numbers, result.rows, strict=True), start=1):
        slug = dataset[index - 1][header.index("slug")]
        if row_result.is_invalid():
            report_invalid(report, number, row_result.validation_error, columns)
        elif row_result.is_error():
            for error in row_result.errors:
                report.error(
                    number,
                    "slug",
                    _("this row could not be saved: %(error)s") % {"error": error.error},
                )
        elif row_result.is_new():
            report.count(CREATED, row=number, label=f"{row_result.object_repr} ({slug})")
        elif row_result.is_update():
            changed = ", ".join(resource.changed_columns(row_result, index))
            report.count(UPDATED, row=number, label=f"{row_result.object_repr} ({slug}): {changed}")
        else:
            report.count(UNCHANGED, row=number, label=slug)
    return report


def report_invalid(report: ImportReport, number: int, error, columns: list[str]) -> None:
    """One message per field, filed under its column.

    Translated fields are checked twice, as ``name_ka`` and as ``name`` (the active
    language's value); the second is dropped when a column of the field has its own
    message, and otherwise filed under the Georgian column, which is always required.
    """
    messages_by_name = error.message_dict
    for name, messages in messages_by_name.items():
        translated = [column for column in columns if column.startswith(f"{name}_")]
        if name not in columns and any(column in messages_by_name for column in translated):
            continue
        column = column_for(name, columns)
        for message in messages:
            report.error(number, column, message)


def column_for(name: str, columns: list[str]) -> str:
    """The column of a field named in a ValidationError; whole-row problems are filed
    under the slug, the column that names the row."""
    if name in columns:
        return name
    if f"{name}_ka" in columns:
        return f"{name}_ka"
    return "slug" if name == NON_FIELD_ERRORS else name


# --- Out: the same columns ----------------------------------------------------------------


def municipality_table() -> tuple[list[str], list[list]]:
    """Every municipality in the import's columns, numbers as numbers."""
    queryset = Municipality.objects.select_related("region").order_by("slug")
    return export_table(MunicipalityResource(), queryset)


def organization_table() -> tuple[list[str], list[list]]:
    """Every CSO organisation in the import's columns."""
    queryset = Organization.objects.prefetch_related("municipalities").order_by("slug")
    return export_table(OrganizationResource(), queryset)


def export_table(resource, queryset) -> tuple[list[str], list[list]]:
    dataset = resource.export(queryset, force_native_type=True)
    return list(dataset.headers), [list(row) for row in dataset]
