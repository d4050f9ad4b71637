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


# --- Numbers as people type them ---------------------------------------------------------

from musqat.spreadsheets import NO_WORDS, YES_WORDS, parse_decimal  # noqa: E402


@pytest.mark.parametrize(
    "text, number",
    [
        ("12.5", Decimal("12.5")),
        ("12,5", Decimal("12.5")),  # a Georgian decimal comma
        ("0,250", Decimal("0.25")),  # no thousands group starts with 0
        ("1,2345", Decimal("1.2345")),
        ("30 000", Decimal(30000)),
        ("30\u00a0000", Decimal(30000)),  # a no-break space, as Excel groups in Georgian
        ("1\u202f250,5", Decimal("1250.5")),  # a narrow no-break space
        ("1.250,5", Decimal("1250.5")),  # both marks: the later one is the decimal mark
        ("1,250.5", Decimal("1250.5")),
        ("1,250,000.75", Decimal("1250000.75")),
        (" -7 ", Decimal(-7)),
        ("-0", Decimal(0)),
        (".5", Decimal("0.5")),
    ],
)
def test_a_number_is_read_as_georgian_and_english_spreadsheets_write_it(text, number):
    assert parse_decimal(text) == number


def test_minus_zero_is_zero():
    assert str(parse_decimal("-0,0")) == "0.0"


@pytest.mark.parametrize("text", ["", "   ", "\u00a0"])
def test_an_empty_cell_is_no_number(text):
    assert parse_decimal(text) is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,250", "“1,250” is ambiguous: write 1250 or 1,25"),
        ("-1,500", "“-1,500” is ambiguous: write -1500 or -1,5"),
        ("12,500,000", "“12,500,000” is ambiguous: write 12500000 or 12 500 000"),
    ],
)
def test_a_comma_before_three_digits_is_ambiguous_and_not_guessed(text, message):
    with override("en"), pytest.raises(ValueError) as refused:
        parse_decimal(text)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "text",
    # Not finite, scientific notation, and thousands groups that are not groups of three.
    ["NaN", "sNaN", "Infinity", "-inf", "1E3", "heavy", "12 5", "1.2,5", "1.250.000", "-", "."],
)
def test_what_is_not_a_plain_number_is_refused_with_a_message(text):
    with override("en"), pytest.raises(ValueError, match=r"is not a number$") as refused:
        parse_decimal(text)
    assert str(refused.value) == f"“{text}” is not a number"


def test_the_refusal_speaks_georgian():
    with override("ka"), pytest.raises(ValueError) as refused:
        parse_decimal("heavy")
    assert str(refused.value) == "„heavy“ არ არის რიცხვი"


def test_yes_and_no_are_written_in_both_languages():
    assert {"1", "yes", "კი", "დიახ"} <= YES_WORDS
    assert {"0", "no", "არა"} <= NO_WORDS
    assert not YES_WORDS & NO_WORDS
