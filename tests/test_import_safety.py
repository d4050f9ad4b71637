"""What keeps imports and exported files safe: whose preview is confirmed, damaged files,
formulas in text, rows of a matrix that contradict each other, and files that would make far
more work than they look (zip bombs, entity expansion, too many rows, columns or characters)."""

import io
import re
import zipfile

import openpyxl
import pytest
from defusedxml import EntitiesForbidden
from django.contrib.admin.models import LogEntry
from django.utils.translation import override
from openpyxl import Workbook, load_workbook
from openpyxl.xml.functions import iterparse

from bench.import_bombs import (
    SHEET_HEAD,
    SHEET_TAIL,
    matrix_of,
    shared_string_bomb,
    wide_sheet_bomb,
)
from bench.import_bombs import workbook as bomb_workbook
from indicators.matrix import COLUMNS, matrix_importer
from indicators.models import Indicator, MethodologyVersion
from musqat.imports import ImportFailed, apply
from musqat.spreadsheets import Sheet, SpreadsheetError, read_rows, write_csv, write_xlsx


@pytest.fixture
def version_2024(methodology):
    return MethodologyVersion.objects.create(code="2024", name_ka="ახალი", name_en="New")


def matrix_file(*codes, **fields):
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for code in codes:
        values = {
            "area_code": "C",
            "area_name_ka": "სოციალური",
            "area_name_en": "Social",
            "criterion_code": "C.1",
            "criterion_name_ka": "წვდომა",
            "criterion_name_en": "Access",
            "indicator_code": code,
            "name_ka": f"ინდიკატორი {code}",
            "name_en": f"Indicator {code}",
            "response_type": "yes_no",
        } | fields.get(code, {})
        sheet.append([values.get(column, "") for column in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def preview_token(client, version, data):
    file = io.BytesIO(data)
    file.name = "matrix.xlsx"
    page = client.post(f"/admin/indicators/methodologyversion/{version.pk}/import/", {"file": file})
    return re.search(r'name="token" value="([0-9a-f]+)"', page.content.decode()).group(1)


def confirm(client, version, token):
    return client.post(
        f"/admin/indicators/methodologyversion/{version.pk}/import/",
        {"token": token},
        HTTP_ACCEPT_LANGUAGE="en",
    )


# --- Whose preview ------------------------------------------------------------------------


def test_a_preview_is_confirmed_only_by_whoever_made_it(
    client, project_staff, version_2024, django_user_model
):
    client.force_login(project_staff)
    token = preview_token(client, version_2024, matrix_file("C.1.1"))
    other = django_user_model.objects.create_superuser("other-staff", "o@example.org", "x")
    client.force_login(other)

    response = confirm(client, version_2024, token)

    assert "The previewed file has expired" in response.content.decode()
    assert not Indicator.objects.filter(code="C.1.1").exists()


def test_a_preview_is_confirmed_only_on_the_page_it_was_made_for(
    client, project_staff, version_2024, methodology
):
    client.force_login(project_staff)
    token = preview_token(client, version_2024, matrix_file("C.1.1"))
    another = MethodologyVersion.objects.create(code="2025", name_ka="სხვა", name_en="Other")

    response = confirm(client, another, token)

    assert "The previewed file has expired" in response.content.decode()
    assert not Indicator.objects.filter(code="C.1.1").exists()


def test_the_log_names_the_file_that_was_previewed(client, project_staff, version_2024):
    client.force_login(project_staff)
    token = preview_token(client, version_2024, matrix_file("C.1.1"))
    client.post(
        f"/admin/indicators/methodologyversion/{version_2024.pk}/import/",
        {"token": token, "file_name": "something-else.xlsx"},
    )

    assert "matrix.xlsx" in LogEntry.objects.get(object_id=str(version_2024.pk)).change_message


def test_an_unknown_or_malformed_token_is_an_expired_preview(client, project_staff, version_2024):
    client.force_login(project_staff)
    for token in ("../../etc/passwd", "0" * 32, ""):
        response = confirm(client, version_2024, token)
        assert "The previewed file has expired" in response.content.decode()


def test_a_non_numeric_version_id_finds_no_version(client, project_staff):
    client.force_login(project_staff)
    for url in ("abc/import/", "abc/matrix.xlsx"):
        response = client.get(f"/admin/indicators/methodologyversion/{url}", follow=True)
        assert response.status_code in (200, 404)
        assert b"Import a methodology matrix" not in response.content


# --- Damaged files ------------------------------------------------------------------------


def damaged(data: bytes, part: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == part else source.read(item))
    return buffer.getvalue()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_workbook_with_a_damaged_part_is_not_a_spreadsheet(part):
    data = damaged(matrix_file("C.1.1"), part, b"<not xml")
    with override("en"), pytest.raises(SpreadsheetError, match="not a spreadsheet"):
        read_rows(data)


def test_the_admin_says_so_instead_of_failing(client, project_staff, version_2024):
    client.force_login(project_staff)
    file = io.BytesIO(damaged(matrix_file("C.1.1"), "xl/worksheets/sheet1.xml", b"<x"))
    file.name = "matrix.xlsx"
    response = client.post(
        f"/admin/indicators/methodologyversion/{version_2024.pk}/import/",
        {"file": file},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "This file is not a spreadsheet" in response.content.decode()


# --- Formulas in text ---------------------------------------------------------------------

RISKY = ['=HYPERLINK("http://example.org","click")', "+1+1", "-2+3", "@SUM(A1)"]


def test_text_that_looks_like_a_formula_is_written_to_xlsx_as_text():
    data = write_xlsx([Sheet("evidence", ["text"], [[text] for text in RISKY])])
    sheet = load_workbook(io.BytesIO(data))["evidence"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == RISKY
    assert {cell.data_type for cell in cells} == {"s"}


def test_text_that_looks_like_a_formula_is_protected_in_csv_and_read_back_as_it_was():
    text = write_csv(["text", "number"], [[value, -5] for value in RISKY])
    lines = text.splitlines()[1:]
    assert all(line.startswith("\"'") or line.startswith("'") for line in lines)
    assert lines[1].endswith(",-5")  # numbers stay numbers
    rows = read_rows(text.encode())
    assert [row["text"] for row in rows] == RISKY


# --- Rows of a matrix that contradict each other ------------------------------------------


def test_an_area_described_differently_on_a_later_row_is_an_error(version_2024):
    data = matrix_file("C.1.1", "C.1.2", **{"C.1.2": {"area_name_en": "Welfare"}})
    with override("en"), pytest.raises(ImportFailed) as failed:
        apply(matrix_importer(version_2024), read_rows(data))
    with override("en"):
        messages = [str(error) for error in failed.value.report.errors]
    assert messages == [
        "row 3, column area_name_en: Welfare differs from row 2, which says Social for C"
    ]
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()


def test_a_criterion_under_two_areas_is_an_error(version_2024):
    data = matrix_file("C.1.1", "D.1.1", **{"D.1.1": {"area_code": "D", "area_name_en": "D"}})
    with override("en"), pytest.raises(ImportFailed) as failed:
        apply(matrix_importer(version_2024), read_rows(data))
    with override("en"):
        assert str(failed.value.report.errors[0]).startswith("row 3, column area_code: D differs")


def test_cells_left_empty_on_later_rows_repeat_the_first(version_2024):
    data = matrix_file("C.1.1", "C.1.2", **{"C.1.2": {"area_name_en": "", "area_name_ka": ""}})
    report = apply(matrix_importer(version_2024), read_rows(data))
    assert report.created == 2


# --- Files that would make far more work than they look ----------------------------------

MIB = 1024 * 1024


def refused(data: bytes) -> str:
    """The message a file is refused with, in English."""
    with override("en"), pytest.raises(SpreadsheetError) as refusal:
        read_rows(data)
    return str(refusal.value)


@pytest.fixture(scope="module")
def gigabyte_string():
    return shared_string_bomb()


def test_a_gigabyte_shared_string_in_a_megabyte_file_is_refused_before_it_is_parsed(
    gigabyte_string,
):
    assert len(gigabyte_string) < 1.1 * MIB
    assert refused(gigabyte_string) == (
        "An .xlsx file is compressed: this one unpacks to more than 20.0\xa0MB, and at most "
        "20.0\xa0MB can be imported."
    )


def test_a_hundred_thousand_rows_of_two_hundred_columns_in_700_kb_are_refused():
    data = wide_sheet_bomb(rows=100_001, columns=200)
    assert len(data) < 800 * 1024
    assert "unpacks to more than 20.0\xa0MB" in refused(data)


def test_the_admin_shows_the_refusal_and_writes_nothing(
    client, project_staff, version_2024, gigabyte_string
):
    client.force_login(project_staff)
    file = io.BytesIO(gigabyte_string)
    file.name = "matrix.xlsx"
    response = client.post(
        f"/admin/indicators/methodologyversion/{version_2024.pk}/import/",
        {"file": file},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "this one unpacks to more than 20.0\xa0MB" in response.content.decode()
    assert 'name="token"' not in response.content.decode()
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()
    assert not LogEntry.objects.exists()


def test_the_limit_on_what_a_workbook_unpacks_to_is_a_setting(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5000
    assert "this one unpacks to more than 4.9\xa0KB" in refused(matrix_file("C.1.1"))


def test_a_part_packed_far_tighter_than_a_spreadsheet_packs_is_refused():
    padded = b'<?xml version="1.0"?><Properties>' + b" " * 2 * MIB + b"</Properties>"
    data = damaged(matrix_file("C.1.1"), "docProps/app.xml", padded)
    assert refused(data).startswith(
        "This workbook is compressed unusually tightly: a part of it unpacks to "
    )
    assert refused(data).endswith("times its size, and at most 100 times can be imported.")


def test_a_workbook_of_too_many_parts_is_refused(settings):
    settings.IMPORT_MAX_ARCHIVE_MEMBERS = 5
    assert refused(matrix_file("C.1.1")) == (
        "This workbook has more than 5 parts (an .xlsx file is an archive of parts); at most "
        "5 can be imported."
    )


def test_a_size_the_archive_lies_about_is_found_out_while_unpacking():
    data = bytearray(shared_string_bomb(gigabytes=1))
    entry = data.rindex(b"PK\x01\x02")  # the last entry: xl/sharedStrings.xml
    assert data[entry + 46 : entry + 66] == b"xl/sharedStrings.xml"
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # "unpacks to 1000 bytes"
    assert "not a spreadsheet" in refused(bytes(data))


# Each entity is ten of the one before, nine levels up: 3 GB of "lol" from under 1 KB.
ENTITIES = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10)
)
LAUGHS = (
    f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [{ENTITIES}]>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)


def with_shared_strings(strings: bytes) -> bytes:
    """A workbook whose one cell, the header, is the first of ``strings``."""
    sheet = SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_TAIL
    return bomb_workbook(sheet, strings)


def test_a_billion_laughs_in_the_shared_strings_is_refused():
    harmless = LAUGHS.replace(f"<!DOCTYPE sst [{ENTITIES}]>", "").replace("&lol9;", "code")
    assert read_rows(with_shared_strings(harmless.encode())) == []  # a header row, no rows
    assert "not a spreadsheet" in refused(with_shared_strings(LAUGHS.encode()))


def test_a_billion_laughs_the_size_check_cannot_see_is_refused_by_the_xml_parser():
    # In UTF-16 "<!DOCTYPE" is not the bytes check_archive looks for; defusedxml refuses it.
    utf16 = LAUGHS.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert b"<!DOCTYPE" not in utf16
    assert "not a spreadsheet" in refused(with_shared_strings(utf16))


def test_openpyxl_parses_with_defusedxml_which_refuses_entities():
    assert openpyxl.DEFUSEDXML
    with pytest.raises(EntitiesForbidden):
        list(iterparse(io.BytesIO(LAUGHS.encode())))


# Rows, columns and cells, in XLSX and CSV alike.


def xlsx_of(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_of(*rows) -> bytes:
    return write_csv(rows[0], rows[1:]).encode()


@pytest.mark.parametrize("kind", [xlsx_of, csv_of])
def test_a_sheet_over_the_row_limit_is_refused(settings, kind):
    settings.IMPORT_MAX_ROWS = 3
    assert len(read_rows(kind(["code"], ["a"], ["b"], ["c"]))) == 3
    assert refused(kind(["code"], ["a"], ["b"], ["c"], ["d"])) == (
        "The file has more than 3 rows under the header row; at most 3 can be imported at "
        "once. If the rows after row 4 look empty, delete them: they may hold formatting."
    )


def test_formatted_empty_rows_past_the_row_limit_count_too(settings):
    settings.IMPORT_MAX_ROWS = 3
    book = Workbook()
    book.active.append(["code"])
    book.active.append(["a"])
    book.active.cell(row=5, column=1).number_format = "0%"  # an empty cell with a format
    buffer = io.BytesIO()
    book.save(buffer)
    assert "more than 3 rows" in refused(buffer.getvalue())


def test_empty_lines_at_the_end_of_a_csv_file_do_not_count(settings):
    settings.IMPORT_MAX_ROWS = 3
    assert len(read_rows(b"code\na\nb\n\n\n\n\n")) == 2


def test_a_row_that_calls_itself_row_two_billion_is_refused_without_reading_up_to_it():
    sheet = SHEET_HEAD + (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'
        b'<row r="2000000000"><c r="A2000000000"><v>1</v></c></row>'
    ) + SHEET_TAIL  # fmt: skip
    assert "more than 10,000 rows" in refused(bomb_workbook(sheet))


@pytest.mark.parametrize("kind", [xlsx_of, csv_of])
def test_a_sheet_over_the_column_limit_is_refused(settings, kind):
    settings.IMPORT_MAX_COLUMNS = 3
    assert read_rows(kind(["a", "b", "c"], [1, 2, 3])) == [{"a": "1", "b": "2", "c": "3"}]
    assert refused(kind(["a", "b", "c", "d"], [1, 2, 3, 4])) == (
        "The header row has 4 columns; at most 3 can be imported."
    )


@pytest.mark.parametrize("kind", [xlsx_of, csv_of])
def test_an_over_long_cell_is_refused(settings, kind):
    settings.IMPORT_MAX_CELL_CHARS = 10
    assert read_rows(kind(["code", "note"], ["A.1.1", "x" * 10]))[0]["note"] == "x" * 10
    assert refused(kind(["code", "note"], ["A.1.1", "x" * 11])) == (
        "Cell B2 holds 11 characters; a cell can hold at most 10."
    )


def test_a_csv_line_longer_than_any_row_can_be_is_refused_before_it_is_split(settings):
    settings.IMPORT_MAX_COLUMNS = 3
    settings.IMPORT_MAX_CELL_CHARS = 10
    assert refused(b"a,b,c\n" + b"x," * 30 + b"\n") == (
        "Row 2 is too long: a row can have at most 3 columns of at most 10 characters each."
    )


def test_a_csv_cell_longer_than_csv_reads_is_refused_with_the_limits():
    data = b"code,note\nA.1.1," + b"x" * 200_000 + b"\n"
    assert refused(data).startswith("Row 2 is too long")


def test_a_matrix_exactly_at_the_limits_still_imports(settings, version_2024):
    codes = ["C.1.1", "C.1.2", "C.1.3"]
    data = matrix_file(*codes, **{"C.1.3": {"description_en": "d" * 40}})
    settings.IMPORT_MAX_ROWS = len(codes)
    settings.IMPORT_MAX_COLUMNS = len(COLUMNS)
    settings.IMPORT_MAX_CELL_CHARS = 40
    report = apply(matrix_importer(version_2024), read_rows(data))
    assert report.created == 3


def test_the_largest_real_import_is_far_within_the_default_limits(settings):
    data = matrix_of(1000)  # the demo methodology ten times over: 1,000 indicators
    unpacked = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert unpacked * 4 < settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    assert len(COLUMNS) * 3 <= settings.IMPORT_MAX_COLUMNS
    assert settings.IMPORT_MAX_ROWS >= 1000 * 10
    assert len(read_rows(data)) == 1000


def test_a_previewed_file_that_the_limits_refuse_by_the_time_it_is_confirmed_says_so(
    client, project_staff, version_2024, settings
):
    client.force_login(project_staff)
    token = preview_token(client, version_2024, matrix_file("C.1.1", "C.1.2"))
    settings.IMPORT_MAX_ROWS = 1

    response = confirm(client, version_2024, token)

    assert "The file has more than 1 rows under the header row" in response.content.decode()
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()
