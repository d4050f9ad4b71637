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
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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

    What a file may hold is bounded before and while it is read, so that a small file
    cannot make a large amount of work (see ``check_archive`` and the ``IMPORT_MAX_*``
    settings): reading stops at the first row, column or cell past a limit.
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
    return [
        {column: (row[i] if i < len(row) else "") for i, column in enumerate(columns) if column}
        for row in body
    ]


def _not_a_spreadsheet() -> SpreadsheetError:
    return SpreadsheetError(
        _("This file is not a spreadsheet. Import an .xlsx file or a CSV file in UTF-8.")
    )


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


# --- Limits -------------------------------------------------------------------------------

# Each entry of a zip archive's central directory starts with this signature.
CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
# Parts that unpack to less than this are too small to matter, whatever their ratio.
RATIO_FLOOR = 1024 * 1024
CHUNK = 1024 * 1024


def check_archive(data: bytes) -> None:
    """Refuse an .xlsx file (a zip archive) that unpacks to more than an import may hold.

    This runs before any of its XML is parsed. The sizes the archive declares are checked
    first, then every part is unpacked once while counting, since a declared size can lie;
    reading the workbook afterwards unpacks the very same bytes. A DTD, which spreadsheet
    programs never write, is refused too: it is how XML declares the entities of a
    "billion laughs" (openpyxl also parses with defusedxml, which refuses them).
    """
    max_members = settings.IMPORT_MAX_ARCHIVE_MEMBERS
    # Counting signatures bounds the work of merely opening the archive, which reads
    # every entry of its central directory.
    if data.count(CENTRAL_DIRECTORY_ENTRY) > max_members:
        raise _too_many_members(max_members)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:
        raise _not_a_spreadsheet() from None
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise _too_many_members(max_members)
        limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
        max_ratio = settings.IMPORT_MAX_COMPRESSION_RATIO
        declared = 0
        for member in members:
            declared += member.file_size
            if declared > limit:
                raise _unpacks_to_more(limit)
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and ratio > max_ratio:
                raise SpreadsheetError(
                    _("This workbook is compressed unusually tightly: a part of it unpacks to "
                      "%(ratio)s times its size, and at most %(max)s times can be imported.")
                    % {"ratio": _number(int(ratio)), "max": _number(max_ratio)}
                )  # fmt: skip
        unpacked = 0
        for member in members:
            is_xml = member.filename.endswith((".xml", ".rels"))
            try:
                with archive.open(member) as part:
                    tail = b""
                    while chunk := part.read(CHUNK):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            raise _unpacks_to_more(limit)
                        if is_xml and b"<!DOCTYPE" in tail + chunk:
                            raise _not_a_spreadsheet()
                        tail = chunk[-8:]  # "<!DOCTYPE" may start in one chunk, end in the next
            except SpreadsheetError:
                raise
            except Exception:  # a wrong checksum, an unknown compression, a password
                raise _not_a_spreadsheet() from None


def _too_many_members(max_members: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("This workbook has more than %(max)s parts (an .xlsx file is an archive of parts); "
          "at most %(max)s can be imported.")
        % {"max": _number(max_members)}
    )  # fmt: skip


def _unpacks_to_more(limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("An .xlsx file is compressed: this one unpacks to more than %(limit)s, and at most "
          "%(limit)s can be imported.")
        % {"limit": filesizeformat(limit)}
    )  # fmt: skip


def _bounded_header(cells: list[str]) -> list[str]:
    """The header row up to its last named column, refused if it names too many."""
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    max_columns = settings.IMPORT_MAX_COLUMNS
    if width > max_columns:
        raise SpreadsheetError(
            _("The header row has %(count)s columns; at most %(max)s can be imported.")
            % {"count": _number(width), "max": _number(max_columns)}
        )
    header = cells[:width]
    _check_cells(header, row=1)
    return header


def _check_cells(cells: list[str], *, row: int) -> None:
    max_chars = settings.IMPORT_MAX_CELL_CHARS
    for column, text in enumerate(cells, start=1):
        if len(text) > max_chars:
            raise SpreadsheetError(
                _("Cell %(cell)s holds %(count)s characters; a cell can hold at most %(max)s.")
                % {
                    "cell": f"{get_column_letter(column)}{row}",
                    "count": _number(len(text)),
                    "max": _number(max_chars),
                }
            )


def _too_many_rows(max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("The file has more than %(max)s rows under the header row; at most %(max)s can be "
          "imported at once. If the rows after row %(last)s look empty, delete them: they may "
          "hold formatting.")
        % {"max": _number(max_rows), "last": _number(max_rows + 1)}
    )  # fmt: skip


def _xlsx_cells(data: bytes) -> tuple[list[str], list[list[str]]]:
    check_archive(data)
    # A damaged archive fails in many ways inside the reader (bad XML, missing parts, a
    # workbook of charts only): to a person each is the same thing, not a spreadsheet.
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _not_a_spreadsheet() from None
    max_rows = settings.IMPORT_MAX_ROWS
    rows = []
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # trust the cells, not a dimension the file claims
        first = next(sheet.iter_rows(max_row=1), ())
        header = _bounded_header([_cell_text(cell) for cell in first])
        # Reading ends one row past the limit: openpyxl makes an empty row for every number
        # skipped up to the next row's, and a row may call itself row 2,000,000,000. A row
        # there, even an empty one with formatting, means the sheet goes on past the limit.
        cells_by_row = sheet.iter_rows(min_row=2, max_row=max_rows + 2, max_col=len(header))
        for number, cells in enumerate(cells_by_row if header else (), start=2):
            if number > max_rows + 1:
                raise _too_many_rows(max_rows)
            texts = [_cell_text(cell) for cell in cells]
            _check_cells(texts, row=number)
            rows.append(texts)
    except SpreadsheetError:
        raise
    except Exception:
        raise _not_a_spreadsheet() from None
    finally:
        book.close()
    return header, rows


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


class AmbiguousNumber(ValueError):
    """A number that reads one way in Georgian and another in English ("1,250")."""


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

    Raises ValueError with a message for people (AmbiguousNumber for the comma case).
    """
    shown = " ".join(str(text or "").split())  # every kind of space as one plain space
    if not shown:
        return None
    if _COMMA_GROUPS.fullmatch(shown):
        if shown.count(",") > 1:  # "12,500,000": commas between thousands, or spaces
            other = shown.replace(",", " ")
        else:  # "1,250": 1250, or 1.25 with a decimal comma
            other = number_text(Decimal(shown.replace(",", "."))).replace(".", ",")
        raise AmbiguousNumber(
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
    max_rows = settings.IMPORT_MAX_ROWS
    records = _csv_records(text, delimiter)
    header, rows = [], []
    number = 0  # the last row read whole, for a message
    try:
        header = _bounded_header(next(records, []))
        width, number = len(header), 1
        # Cells past the header's last column have no name. Mapped rather than looped over,
        # so that no whole record is held while the next one is read.
        named = map(lambda record: [_unprotected(c.strip()) for c in record[:width]], records)
        for number, cells in enumerate(named if header else (), start=2):
            if number > max_rows + 1:
                if any(cells):
                    raise _too_many_rows(max_rows)
                continue  # empty lines at the end
            _check_cells(cells, row=number)
            rows.append(cells)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise _row_too_long(number + 1) from None
        raise _not_a_spreadsheet() from None
    return header, rows


# A line and its ending (\n, \r\n or \r), as io.StringIO(newline="") splits them, without
# the copy of the whole text, at four bytes a character, that StringIO makes to iterate.
LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def _csv_records(text: str, delimiter: str) -> Iterator[list[str]]:
    """The records of a CSV file, one at a time; a record longer than a row may be is
    refused before it is split, since its cells would all be made at once."""
    budget = settings.IMPORT_MAX_COLUMNS * (settings.IMPORT_MAX_CELL_CHARS + 3)
    spent = 0
    number = 1

    def lines():
        nonlocal spent
        for match in LINE.finditer(text):
            line = match.group()
            spent += len(line)
            if spent > budget:
                raise _row_too_long(number)
            yield line

    for record in csv.reader(lines(), delimiter=delimiter):
        yield record
        del record  # not held while the next one is read
        spent = 0
        number += 1


def _row_too_long(row: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("Row %(row)s is too long: a row can have at most %(columns)s columns of at most "
          "%(chars)s characters each.")
        % {
            "row": row,
            "columns": _number(settings.IMPORT_MAX_COLUMNS),
            "chars": _number(settings.IMPORT_MAX_CELL_CHARS),
        }
    )  # fmt: skip


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


Progress = Callable[[int, int], None]


class RowCounter:
    """Counts the rows a background export writes across its sheets, and reports
    `progress(done, total)` every `every` rows and once at the end."""

    def __init__(self, total: int, progress: Progress | None, *, every: int):
        self.done, self.total, self.progress, self.every = 0, total, progress, every

    def rows(self, rows: Iterable) -> Iterable:
        for row in rows:
            yield row
            self.done += 1
            if self.progress and self.done % self.every == 0:
                self.progress(self.done, max(self.done, self.total))

    def finish(self) -> None:
        if self.progress:
            self.progress(self.done, self.done)
