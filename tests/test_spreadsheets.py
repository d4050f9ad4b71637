"""Reading spreadsheets as Excel and LibreOffice write them, and refusing what isn't one."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from musqat.spreadsheets import Sheet, SpreadsheetError, read_rows, write_csv, write_xlsx


def xlsx(*rows, percent_column=None):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if percent_column:
        for cell in sheet[percent_column][1:]:
            cell.number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_it_reads_the_first_sheet_as_text_under_the_header_row():
    rows = read_rows(xlsx(["code", "value", "name"], ["A.1.1", 3.0, "თელავი"], ["A.1.2", 12.5, ""]))
    assert rows == [
        {"code": "A.1.1", "value": "3", "name": "თელავი"},
        {"code": "A.1.2", "value": "12.5", "name": ""},
    ]


def test_a_cell_formatted_as_a_percentage_reads_as_its_percentage():
    rows = read_rows(xlsx(["code", "value"], ["A.2.1", 0.75], percent_column="B"))
    assert rows[0]["value"] == "75"


def test_empty_rows_at_the_end_are_dropped_but_rows_keep_their_places():
    rows = read_rows(xlsx(["code"], ["A"], [None], ["B"], [None], [None]))
    assert [row["code"] for row in rows] == ["A", "", "B"]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_is_read_with_or_without_a_byte_order_mark(bom):
    data = bom + "code,name\r\nA.1.1,მმართველობა\r\n".encode()
    assert read_rows(data) == [{"code": "A.1.1", "name": "მმართველობა"}]


def test_csv_with_semicolons_as_some_excel_versions_save_it():
    data = b"code;value\nA.1.1;12,5\n"
    assert read_rows(data) == [{"code": "A.1.1", "value": "12,5"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n\x00\x00\x01", "not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel file"),
        ("კოდი\n".encode("utf-16"), "not a spreadsheet"),
        ("code,name\nA,Telavi é\n".encode("latin-1"), "not in UTF-8"),
        (b"", "no header row"),
    ],
)
def test_what_is_not_a_spreadsheet_is_refused_with_a_message(data, message):
    with override("en"), pytest.raises(SpreadsheetError, match=message):
        read_rows(data)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with override("en"), pytest.raises(SpreadsheetError, match="not a spreadsheet"):
        read_rows(buffer.getvalue())


def test_a_file_over_the_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 100
    with override("en"), pytest.raises(SpreadsheetError, match="files of at most 100"):
        read_rows(b"code\n" + b"A\n" * 100)


def test_a_written_workbook_has_a_frozen_bold_header_and_typed_numbers():
    data = write_xlsx([Sheet("scores", ["municipality", "score"], [["თელავი", Decimal("61.25")]])])
    sheet = load_workbook(io.BytesIO(data))["scores"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "თელავი"
    assert sheet["B2"].value == 61.25
    assert sheet["B2"].data_type == "n"


def test_a_written_csv_starts_with_a_byte_order_mark_and_a_header_row():
    text = write_csv(["municipality", "score"], [["თელავი", Decimal("61.50")], ["x", None]])
    assert text == "\ufeffmunicipality,score\r\nთელავი,61.5\r\nx,\r\n"
