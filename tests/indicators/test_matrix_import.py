"""Project staff import a methodology matrix: template, preview, errors by row, all or nothing."""

import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from assessments import demo
from indicators.matrix import COLUMNS, load_matrix, matrix_importer, matrix_rows, matrix_workbook
from indicators.models import Indicator, MethodologyVersion
from musqat.imports import ImportFailed, apply
from musqat.spreadsheets import read_rows


@pytest.fixture
def version_2024(methodology):
    return MethodologyVersion.objects.create(
        code="2024", name_ka="ახალი", name_en="New", previous=methodology, is_current=False
    )


@pytest.fixture
def staff_client(client, project_staff):
    client.force_login(project_staff)
    return client


def workbook_bytes(rows, columns=COLUMNS, creator="LibreOffice"):
    """An .xlsx file as a spreadsheet program saves it."""
    book = Workbook()
    book.properties.creator = creator
    sheet = book.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_dicts(rows):
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def new_indicator(code, **fields):
    values = {
        "area_code": "C",
        "area_name_ka": "სოციალური მომსახურება",
        "area_name_en": "Social services",
        "criterion_code": "C.1",
        "criterion_name_ka": "ხელმისაწვდომობა",
        "criterion_name_en": "Access",
        "indicator_code": code,
        "name_ka": f"ახალი ინდიკატორი {code}",
        "name_en": f"New indicator {code}",
        "response_type": "yes_no",
        "answered_by": "both",
        "weight": 1,
    }
    return values | fields


def upload(client, version, data, name="matrix.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(
        f"/admin/indicators/methodologyversion/{version.pk}/import/",
        {"file": file},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def text_of(response) -> str:
    """What a person reads: the text, and the labels of buttons."""
    html = re.sub(
        r'<input[^>]*type="submit"[^>]*value="([^"]*)"[^>]*>', r" \1 ", response.content.decode()
    )
    return unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")


# --- The template and the export ----------------------------------------------------------


def test_project_staff_download_a_documented_template(staff_client):
    response = staff_client.get("/admin/indicators/methodologyversion/matrix-template.xlsx")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    matrix, notes = book.worksheets
    assert [cell.value for cell in matrix[1]] == COLUMNS
    assert matrix.freeze_panes == "A2"
    assert matrix.max_row == 3
    documented = {row[0].value for row in notes.iter_rows(min_row=2)}
    assert documented == set(COLUMNS)


def test_the_blank_template_imports_cleanly(version_2024):
    report = apply(matrix_importer(version_2024), read_rows(matrix_workbook()))
    assert (report.created, report.errors) == (2, [])


def test_the_demo_methodology_exported_and_imported_again_is_unchanged(version_2024):
    load_matrix(version=version_2024, rows=read_rows(demo.METHODOLOGY_CSV.read_bytes()))
    before = matrix_rows(version_2024)

    report = apply(matrix_importer(version_2024), read_rows(matrix_workbook(version_2024)))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 100)
    assert matrix_rows(version_2024) == before


def test_the_exported_matrix_reads_back_cell_for_cell(version_2024):
    load_matrix(version=version_2024, rows=read_rows(demo.METHODOLOGY_CSV.read_bytes()))
    exported = read_rows(matrix_workbook(version_2024))
    original = [row for row in read_rows(demo.METHODOLOGY_CSV.read_bytes())]

    assert len(exported) == len(original) == 100
    for theirs, ours in zip(original, exported, strict=True):
        for column in ("indicator_code", "name_ka", "name_en", "response_type", "answered_by"):
            assert theirs[column] == ours[column]
        assert Decimal(theirs["weight"] or 1) == Decimal(ours["weight"])


def test_a_version_exported_and_imported_into_an_empty_version_is_the_same(methodology):
    empty = MethodologyVersion.objects.create(code="copy", name_ka="ასლი", name_en="Copy")
    report = apply(matrix_importer(empty), read_rows(matrix_workbook(methodology)))

    assert report.created == 4
    assert matrix_rows(empty) == matrix_rows(methodology)
    copied = Indicator.objects.get(criterion__area__version=empty, code="A.1.2")
    assert copied.labels_in("ka") == ["არა", "პროექტი", "მიღებული", "გამოიყენება"]


# --- The admin import ---------------------------------------------------------------------


def test_the_preview_counts_what_would_change_and_writes_nothing(staff_client, version_2024):
    rows = [new_indicator("C.1.1"), new_indicator("C.1.2", response_type="percent")]

    response = upload(staff_client, version_2024, workbook_bytes(rows))

    page = text_of(response)
    assert response.status_code == 200
    assert "Preview of matrix.xlsx" in page
    assert re.search(r"Created\s+Updated\s+Unchanged\s+Errors\s+2\s+0\s+0\s+0", page)
    assert "Confirm the import" in page
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()


def test_project_staff_confirm_the_preview_and_the_import_is_logged(
    staff_client, version_2024, project_staff
):
    rows = [new_indicator("C.1.1"), new_indicator("C.1.2")]
    preview = upload(staff_client, version_2024, workbook_bytes(rows))
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.content.decode()).group(1)

    response = staff_client.post(
        f"/admin/indicators/methodologyversion/{version_2024.pk}/import/",
        {"token": token},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    codes = Indicator.objects.filter(criterion__area__version=version_2024)
    assert sorted(codes.values_list("code", flat=True)) == ["C.1.1", "C.1.2"]
    entry = LogEntry.objects.get(object_id=str(version_2024.pk))
    assert entry.user == project_staff
    assert "matrix.xlsx" in entry.change_message
    assert "2 created, 0 updated, 0 unchanged, 0 errors" in entry.change_message


def test_a_deliberate_error_is_reported_by_row_and_column_and_nothing_is_written(
    staff_client, version_2024
):
    rows = [
        new_indicator("C.1.1"),
        new_indicator("C.1.2", response_type="scale", scale_labels_ka="არა | კი"),
    ]

    response = upload(staff_client, version_2024, workbook_bytes(rows))

    page = text_of(response)
    assert "row 3, column scale_labels_en:" in page
    assert "Nothing was written" in page
    assert "Confirm the import" not in page
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()


def test_the_fixed_file_then_imports(staff_client, version_2024):
    rows = [
        new_indicator("C.1.1"),
        new_indicator(
            "C.1.2", response_type="scale", scale_labels_ka="არა | კი", scale_labels_en="No | Yes"
        ),
    ]
    preview = upload(staff_client, version_2024, workbook_bytes(rows))
    token = re.search(r'name="token" value="([0-9a-f]+)"', preview.content.decode()).group(1)
    staff_client.post(
        f"/admin/indicators/methodologyversion/{version_2024.pk}/import/",
        {"token": token},
    )
    scale = Indicator.objects.get(criterion__area__version=version_2024, code="C.1.2")
    assert scale.labels_in("en") == ["No", "Yes"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"indicator_code": ""}, "row 2, column indicator_code: this column is required"),
        ({"response_type": "guess"}, "row 2, column response_type: guess is not one of"),
        ({"answered_by": "mayor"}, "row 2, column answered_by: mayor is not one of"),
        ({"weight": "heavy"}, "row 2, column weight: “heavy” is not a number"),
        ({"weight": "-1"}, "row 2, column weight:"),
        ({"response_type": "numeric", "worst": "5"}, "row 2, column best:"),
        ({"indicator_code": "C 1"}, "row 2, column indicator_code:"),
        ({"previous_code": "Z.9.9"}, "row 2, column previous_code: Z.9.9 is not an indicator"),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_written(version_2024, fields, expected):
    rows = [new_indicator("C.1.1", **fields), new_indicator("C.1.2")]
    with override("en"), pytest.raises(ImportFailed) as failed:
        apply(matrix_importer(version_2024), read_rows(workbook_bytes(rows)))
    with override("en"):
        messages = [str(error) for error in failed.value.report.errors]
    assert any(message.startswith(expected) for message in messages), messages
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()
    assert not version_2024.areas.exists()


def test_a_file_missing_a_required_column_is_reported_on_the_header_row(staff_client, version_2024):
    columns = [column for column in COLUMNS if column != "response_type"]
    response = upload(staff_client, version_2024, workbook_bytes([new_indicator("C.1.1")], columns))
    assert "row 1, column response_type: this column is missing from the header row" in (
        text_of(response)
    )


def test_a_version_with_published_results_is_refused(staff_client, published_2021, methodology):
    response = upload(staff_client, methodology, workbook_bytes([new_indicator("C.1.1")]))

    assert "already has published assessments" in text_of(response)
    assert not Indicator.objects.filter(code="C.1.1").exists()


def test_a_file_that_is_not_a_spreadsheet_gets_a_message(staff_client, version_2024):
    response = upload(staff_client, version_2024, b"%PDF-1.7\n\x00\x01binary", name="x.xlsx")
    assert "This file is not a spreadsheet" in text_of(response)


def test_an_oversized_file_gets_a_message(staff_client, version_2024, settings):
    settings.IMPORT_MAX_BYTES = 1000
    data = workbook_bytes([new_indicator(f"C.1.{n}") for n in range(1, 40)])
    response = upload(staff_client, version_2024, data)
    assert "files of at most 1000 bytes can be imported" in text_of(response)
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()


def test_a_csv_with_a_byte_order_mark_and_georgian_text_imports(version_2024):
    import csv

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerow(new_indicator("C.1.1"))
    data = b"\xef\xbb\xbf" + buffer.getvalue().encode()

    apply(matrix_importer(version_2024), read_rows(data))

    assert Indicator.objects.get(code="C.1.1").name_ka == "ახალი ინდიკატორი C.1.1"


def test_municipal_staff_cannot_import_a_matrix(client, telavi_staff, version_2024):
    client.force_login(telavi_staff)
    response = upload(client, version_2024, workbook_bytes([new_indicator("C.1.1")]))
    assert response.status_code == 403
    assert not Indicator.objects.filter(code="C.1.1").exists()


# --- The command --------------------------------------------------------------------------


def test_the_command_previews_with_dry_run_then_imports(tmp_path, version_2024):
    path = tmp_path / "matrix.xlsx"
    path.write_bytes(workbook_bytes([new_indicator("C.1.1"), new_indicator("C.1.2")]))
    out = io.StringIO()

    with override("en"):
        call_command("import_methodology", str(path), "--methodology", "2024", "--dry-run",
                     stdout=out)  # fmt: skip
        assert "Dry run, nothing written: 2 created" in out.getvalue()
        assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()

        call_command("import_methodology", str(path), "--methodology", "2024", stdout=out)
    assert Indicator.objects.filter(criterion__area__version=version_2024).count() == 2


def test_the_command_reports_errors_and_writes_nothing(tmp_path, version_2024):
    path = tmp_path / "matrix.csv"
    row = new_indicator("C.1.1", weight="heavy")
    path.write_text(
        ",".join(COLUMNS) + "\n" + ",".join(str(row.get(column, "")) for column in COLUMNS),
        encoding="utf-8",
    )
    err = io.StringIO()
    with override("en"), pytest.raises(CommandError, match="Nothing was imported: 1 errors"):
        call_command("import_methodology", str(path), "--methodology", "2024", stderr=err)
    assert "row 2, column weight: “heavy” is not a number" in err.getvalue()
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()


def test_the_command_names_the_versions_when_one_is_unknown(tmp_path, methodology):
    with override("en"), pytest.raises(CommandError, match="Versions: 2020"):
        call_command("import_methodology", str(tmp_path / "x.csv"), "--methodology", "1999")


def test_the_command_refuses_a_version_with_published_results(tmp_path, published_2021):
    path = tmp_path / "matrix.xlsx"
    path.write_bytes(workbook_bytes([new_indicator("C.1.1")]))
    with override("en"), pytest.raises(CommandError, match="already has published"):
        call_command("import_methodology", str(path))


def test_a_georgian_admin_sees_georgian_errors(client, project_staff, version_2024):
    client.force_login(project_staff)
    rows = [new_indicator("C.1.1", weight="heavy")]
    file = io.BytesIO(workbook_bytes(rows))
    file.name = "matrix.xlsx"
    response = client.post(
        f"/admin/indicators/methodologyversion/{version_2024.pk}/import/",
        {"file": file},
        HTTP_ACCEPT_LANGUAGE="ka",
    )
    assert "სტრიქონი 2, სვეტი weight: „heavy“ არ არის რიცხვი" in text_of(response)


# --- Numbers a reader could take two ways, and numbers that are none -------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"weight": "1,250"}, "row 2, column weight: “1,250” is ambiguous: write 1250 or 1,25"),
        # Decimal reads these, and the model's check would then fail on them with a 500.
        ({"weight": "NaN"}, "row 2, column weight: “NaN” is not a number"),
        (
            {"response_type": "numeric", "worst": "0", "best": "Infinity"},
            "row 2, column best: “Infinity” is not a number",
        ),
    ],
)
def test_a_number_that_is_ambiguous_or_not_finite_is_reported_and_nothing_is_written(
    version_2024, fields, expected
):
    rows = [new_indicator("C.1.1", **fields)]
    with override("en"), pytest.raises(ImportFailed) as failed:
        apply(matrix_importer(version_2024), read_rows(workbook_bytes(rows)))
    with override("en"):
        messages = [str(error) for error in failed.value.report.errors]
    assert messages[0] == expected, messages
    assert not Indicator.objects.filter(criterion__area__version=version_2024).exists()


def test_a_weight_with_a_decimal_comma_is_read(version_2024):
    rows = [new_indicator("C.1.1", weight="1,5")]
    apply(matrix_importer(version_2024), read_rows(workbook_bytes(rows)))
    assert Indicator.objects.get(criterion__area__version=version_2024).weight == Decimal("1.5")
