"""What keeps imports and exported files safe: whose preview is confirmed, damaged files,
formulas in text, and rows of a matrix that contradict each other."""

import io
import re

import pytest
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

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
    from django.contrib.admin.models import LogEntry

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
    import zipfile

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
    assert response.status_code == 200
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
