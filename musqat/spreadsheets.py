"""Spreadsheets in and out: XLSX and CSV files read into rows, and written for people.

Reading decides by the file's content, not its name: an XLSX file is a zip archive,
anything else must be UTF-8 text (with or without a byte-order mark), as Excel's
"CSV UTF-8" and LibreOffice both write it. What cannot be read is refused with a
message for people, never a traceback.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

MAX_ROWS = 100_000
MAX_COLUMNS = 200
# A text cell starting with one of these may be run as a formula by a spreadsheet program
# (CSV injection); written files keep such text inert.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


class SpreadsheetError(Exception):
    """A file that cannot be read as a spreadsheet; the message is for people."""


# --- Reading ------------------------------------------------------------------------------


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise SpreadsheetError(
            _("The file is %(size)s; files of at most %(limit)s can be imported.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def read_rows(data: bytes) -> list[dict[str, str]]:
    """Every row under the header row of the first sheet, as text keyed by column name.

    Rows keep their places, so that the n-th row is the spreadsheet's row n + 2;
    only empty rows at the end are dropped. Cells are text: numbers as people write
    them ("3", "12.5"), a cell formatted as a percentage as its percentage.
    """
    check_size(len(data))
    if data.startswith(b"PK\x03\x04"):
        header, body = _xlsx_cells(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV UTF-8, then import it.")
        )
    else:
        header, body = _csv_cells(data)
    columns = [name.strip() for name in header]
    if not any(columns):
        raise SpreadsheetError(_("The file has no header row with column names."))
    while body and not any(body[-1]):
        body.pop()
    if len(body) > MAX_ROWS:
        raise SpreadsheetError(
            _("The file has %(count)s rows; at most %(max)s can be imported at once.")
            % {"count": len(body), "max": MAX_ROWS}
        )
    return [
        {column: (row[i] if i < len(row) else "") for i, column in enumerate(columns) if column}
        for row in body
    ]


def _not_a_spreadsheet() -> SpreadsheetError:
    return SpreadsheetError(
        _("This file is not a spreadsheet. Import an .xlsx file or a CSV file in UTF-8.")
    )


def _xlsx_cells(data: bytes) -> tuple[list[str], list[list[str]]]:
    # A damaged archive fails in many ways inside the reader (bad XML, missing parts, a
    # workbook of charts only): to a person each is the same thing, not a spreadsheet.
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _not_a_spreadsheet() from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # trust the cells, not a dimension the file claims
        rows = []
        for index, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS)):
            if index > MAX_ROWS + 1:
                break
            rows.append([_cell_text(cell) for cell in cells])
    except Exception:
        raise _not_a_spreadsheet() from None
    finally:
        book.close()
    if not rows:
        raise SpreadsheetError(_("The file has no header row with column names."))
    return rows[0], rows[1:]


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        if "%" in (getattr(cell, "number_format", "") or ""):
            value = Decimal(str(value)) * 100
        return number_text(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def plain_decimal(value) -> Decimal | None:
    """A stored number without its stored trailing zeros: 60, not 60.0000 (nor 6E+1)."""
    return None if value is None else Decimal(number_text(value))


def number_text(value) -> str:
    """A number as people write it: 3 rather than 3.0, 12.5 rather than 12.50."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return format(number.to_integral_value(), "f")  # 20, not 2E+1 from a normalised 20
    return format(number.normalize(), "f")


# Words people write for yes and no, in both languages, as well as 1 and 0; compare them
# with the cell's text stripped and casefolded.
YES_WORDS = frozenset({"1", "yes", "y", "true", "კი", "დიახ", "ჰო"})
NO_WORDS = frozenset({"0", "no", "n", "false", "არა"})

# "1,250" is 1250 to an English reader and 1.25 to a Georgian one ("0,250" is not).
_COMMA_GROUPS = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:,[0-9]{3})+")
_DIGITS = re.compile(r"[0-9]*")


def parse_decimal(text: str) -> Decimal | None:
    """A number as people type it in Georgian or in English; None for an empty cell.

    A file means the same whoever imports it, so this does not follow the user's language:

    - a lone comma or point is the decimal mark: "12,5" (as Georgian writes it) and "12.5";
    - spaces, no-break and narrow spaces included, group thousands: "30 000", "1 250,5";
    - with both marks the later one is the decimal mark and the other groups thousands:
      "1.250,5" and "1,250.5" are both 1250.5;
    - a comma before groups of three digits and no point ("1,250", "12,500,000") is
      refused as ambiguous rather than guessed;
    - NaN, Infinity and scientific notation ("1E3") are refused: people do not type
      them, and numbers from a workbook arrive written out (``number_text``).

    Raises ValueError with a message for people.
    """
    shown = " ".join(str(text or "").split())  # every kind of space as one plain space
    if not shown:
        return None
    if _COMMA_GROUPS.fullmatch(shown):
        if shown.count(",") > 1:  # "12,500,000": commas between thousands, or spaces
            other = shown.replace(",", " ")
        else:  # "1,250": 1250, or 1.25 with a decimal comma
            other = number_text(Decimal(shown.replace(",", "."))).replace(".", ",")
        raise ValueError(
            _("“%(value)s” is ambiguous: write %(one)s or %(other)s")
            % {"value": shown, "one": shown.replace(",", ""), "other": other}
        )
    not_a_number = ValueError(_("“%(value)s” is not a number") % {"value": shown})
    integer, fraction, thousands = shown, "", " "
    marks = [character for character in shown if character in ",."]
    if marks:
        decimal_mark = marks[-1]
        if marks.count(decimal_mark) > 1:
            raise not_a_number
        integer, _mark, fraction = shown.rpartition(decimal_mark)
        other_mark = "." if decimal_mark == "," else ","
        if other_mark in integer:
            thousands = other_mark
    sign = integer[:1] if integer[:1] in ("+", "-") else ""
    digits = integer[len(sign) :]
    if thousands in digits:
        head, *groups = digits.split(thousands)
        if not (1 <= len(head) <= 3 and all(len(group) == 3 for group in groups)):
            raise not_a_number
        digits = head + "".join(groups)
    if not (_DIGITS.fullmatch(digits) and _DIGITS.fullmatch(fraction) and digits + fraction):
        raise not_a_number
    number = Decimal(f"{sign}{digits or 0}.{fraction}" if fraction else f"{sign}{digits}")
    return number.copy_abs() if number.is_zero() else number  # -0 is 0


def _csv_cells(data: bytes) -> tuple[list[str], list[list[str]]]:
    if b"\x00" in data[:4096]:
        raise _not_a_spreadsheet()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(
            _("The CSV file is not in UTF-8. Save it as CSV UTF-8 (Excel) or choose the UTF-8 "
              "character set (LibreOffice), then import it again.")
        ) from None  # fmt: skip
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _not_a_spreadsheet() from None
    if not rows:
        raise SpreadsheetError(_("The file has no header row with column names."))
    return rows[0], [[_unprotected(cell.strip()) for cell in row] for row in rows[1:]]


def _unprotected(text: str) -> str:
    """Text as it was before ``write_csv`` protected it with a leading apostrophe."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


# --- Writing ------------------------------------------------------------------------------


@dataclass
class Sheet:
    """One sheet of a workbook: a title, column names and rows of plain values.

    Numbers (int, float, Decimal) are written as numbers, everything else as text.
    """

    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence] = ()
    widths: dict[int, float] = field(default_factory=dict)


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    for character in "[]:*?/\\":
        text = text.replace(character, " ")
    return text[:31].strip() or "Sheet"


def write_xlsx(sheets: Iterable[Sheet], out=None) -> bytes | None:
    """A workbook with a frozen, bold header row on each sheet.

    Written row by row, so memory stays flat however many rows there are. Returns
    the bytes, or writes to ``out`` (a path or a binary file) when it is given.
    """
    book = Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(sheet_title(spec.title))
        sheet.freeze_panes = "A2"
        for index, name in enumerate(spec.columns, start=1):
            width = spec.widths.get(index - 1) or min(max(len(str(name)) + 2, 10), 60)
            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for name in spec.columns:
            cell = WriteOnlyCell(sheet, value=str(name))
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            header.append(cell)
        sheet.append(header)
        for row in spec.rows:
            sheet.append([_xlsx_value(sheet, value) for value in row])
    if out is not None:
        book.save(out)
        return None
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(sheet, value):
    if value is None or isinstance(value, int | float | Decimal | bool):
        return value
    text = str(value)
    if text.startswith("="):
        # Written as it is, "=…" would be stored as a formula: keep it text.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def write_csv(columns: Sequence[str], rows: Iterable[Sequence], out=None) -> str | None:
    """UTF-8 CSV with a header row. It starts with a byte-order mark, which Excel needs
    to show Georgian letters; other tools skip it. Text that a spreadsheet program would
    take for a formula (=, +, -, @) gets a leading apostrophe, which ``read_rows`` drops."""
    target = out if out is not None else io.StringIO()
    target.write("\ufeff")
    writer = csv.writer(target, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else _csv_value(value) for value in row])
    return None if out is not None else target.getvalue()


def _csv_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | float):
        return number_text(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


CONTENT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}


def download(content: bytes | str, file_name: str) -> HttpResponse:
    """A spreadsheet to download, of the type its name ends with (.csv or .xlsx)."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_name.rsplit(".", 1)[1]])
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
