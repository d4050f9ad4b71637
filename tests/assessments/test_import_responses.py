"""Importing an assessment's answers from a spreadsheet.

The Telavi staff member fills in Telavi's 2022 self-assessment (a draft) from a file:
A.1.1 yes or no, A.1.2 a level 0–3, B.1.1 days (worst 20, best 5). A.2.1 is a
percentage that only the CSO answers. Every file is previewed first, every problem is
reported by row and column, and a file with any problem writes nothing at all.
"""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.core.validators import DecimalValidator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from assessments.answers.import_template import TEMPLATE_COLUMNS, template_rows, template_workbook
from assessments.answers.imports import COLUMNS, responses_importer
from assessments.models import Response
from assessments.workflow import Status
from musqat.imports import ImportFailed, ImportRefused, apply, preview
from musqat.spreadsheets import read_rows
from tests import factories
from tests.conftest import Page

HEADER = ["indicator_code", "value", "not_applicable", "na_reason", "evidence", "links"]
EVIDENCE_KA = "სტანდარტი მიღებულია საკრებულოს მიერ, ოქმი №12"
REASON_KA = "მუნიციპალიტეტს ეს სერვისი არ აქვს"


def csv_bytes(rows, header=HEADER, *, bom=False, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8")


LIBREOFFICE_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template></Template><TotalTime>3</TotalTime>"
    "<Application>LibreOffice/7.6.4.1$Linux_X86_64 LibreOffice_project/"
    "e19e193f88cd6c0525a17fb7a176ed8e6a3e2aa1</Application>"
    "<AppVersion>15.0000</AppVersion></Properties>"
)


def libreoffice_xlsx(rows, header=HEADER):
    """An .xlsx file as LibreOffice Calc saves one: typed numbers, its own application
    name, and a formatted but empty row below the data."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.cell(row=len(rows) + 4, column=1).font = Font(bold=True)
    made = io.BytesIO()
    book.save(made)
    out = io.BytesIO()
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = LIBREOFFICE_APP_XML.encode()
            copy.writestr(item, data)
    return out.getvalue()


def run(assessment, data, *, by=None, dry_run=False):
    rows = read_rows(data)
    importer = responses_importer(assessment)
    return preview(importer, rows, by=by) if dry_run else apply(importer, rows, by=by)


def answers_of(assessment):
    return {
        r.indicator.code: (r.value, r.is_na)
        for r in assessment.responses.select_related("indicator")
    }


def history_count(assessment):
    return Response.history.filter(assessment_id=assessment.pk).count()


@pytest.fixture(autouse=True)
def in_english():
    """Messages are read in English here, except where a test says otherwise."""
    with translation.override("en"):
        yield


@pytest.fixture
def telavi_answered(telavi_self):
    """Telavi's draft with answers already typed in: A.1.1 no, A.1.2 level 1."""
    factories.answer(telavi_self, "A.1.1", 0)
    factories.answer(telavi_self, "A.1.2", 1)
    return telavi_self


@pytest.fixture
def a_file(tmp_path):
    def a_file(data, name="answers.csv"):
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return a_file


# --- A valid file ---------------------------------------------------------------------------


def test_it_imports_a_valid_file_with_the_command(telavi_self, a_file, capsys):
    path = a_file(
        csv_bytes(
            [
                ["A.1.1", "კი", "", "", EVIDENCE_KA, "https://telavi.gov.ge/decree-12"],
                ["A.1.2", "2", "", "", "", ""],
                ["B.1.1", "12,5", "", "", "", ""],
            ]
        )
    )
    out = io.StringIO()

    call_command("import_responses", path, assessment=telavi_self.pk, stdout=out)

    assert answers_of(telavi_self) == {
        "A.1.1": (Decimal(1), False),
        "A.1.2": (Decimal(2), False),
        "B.1.1": (Decimal("12.5"), False),
    }
    first = telavi_self.responses.get(indicator__code="A.1.1")
    assert first.evidence == EVIDENCE_KA
    assert first.link_list == ["https://telavi.gov.ge/decree-12"]
    assert first.version == 1
    assert "3 created, 0 updated, 0 unchanged, 0 errors" in out.getvalue()
    history = Response.history.filter(assessment_id=telavi_self.pk)
    assert history.count() == 3
    assert {record.history_change_reason for record in history} == {"import"}


def test_it_updates_changed_answers_and_counts_the_unchanged_ones(telavi_answered, telavi_staff):
    report = run(
        telavi_answered,
        csv_bytes([["A.1.1", "no", "", "", "", ""], ["A.1.2", "3", "", "", "", ""]]),
        by=telavi_staff,
    )

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    changed = telavi_answered.responses.get(indicator__code="A.1.2")
    assert changed.value == 3
    assert changed.version == 2
    assert changed.updated_by == telavi_staff
    record = changed.history.first()
    assert record.history_user == telavi_staff
    assert record.history_change_reason == "import"
    assert record.history_type == "~"
    untouched = telavi_answered.responses.get(indicator__code="A.1.1")
    assert untouched.version == 1
    assert untouched.history.count() == 1


def test_it_reads_yes_and_no_in_georgian_and_english(telavi_self):
    run(telavi_self, csv_bytes([["A.1.1", "არა", "", "", "", ""]]))
    assert answers_of(telavi_self)["A.1.1"] == (Decimal(0), False)

    run(telavi_self, csv_bytes([["A.1.1", "Yes", "", "", "", ""]]))
    assert answers_of(telavi_self)["A.1.1"] == (Decimal(1), False)


def test_it_marks_an_indicator_not_applicable_with_its_reason(telavi_answered):
    run(telavi_answered, csv_bytes([["A.1.2", "", "კი", REASON_KA, "", ""]]))

    response = telavi_answered.responses.get(indicator__code="A.1.2")
    assert (response.value, response.is_na, response.na_reason) == (None, True, REASON_KA)


def test_it_leaves_a_column_the_file_lacks_as_it_is(telavi_answered):
    response = telavi_answered.responses.get(indicator__code="A.1.2")
    response.evidence = EVIDENCE_KA
    response.save()

    run(telavi_answered, csv_bytes([["A.1.2", "2"]], header=["indicator_code", "value"]))

    response.refresh_from_db()
    assert (response.value, response.evidence) == (2, EVIDENCE_KA)


def test_it_skips_blank_rows_and_ignores_helper_columns(telavi_self):
    header = ["indicator_code", "indicator_name", "value"]
    report = run(
        telavi_self,
        csv_bytes([["A.1.1", "whatever", "1"], ["", "", ""], ["A.1.2", "", "3"]], header=header),
    )

    assert report.created == 2
    assert report.errors == []


def test_a_dry_run_reports_the_counts_and_writes_nothing(telavi_answered, a_file):
    path = a_file(csv_bytes([["A.1.2", "3", "", "", "", ""], ["B.1.1", "8", "", "", "", ""]]))
    out = io.StringIO()

    call_command("import_responses", path, assessment=telavi_answered.pk, dry_run=True, stdout=out)

    assert "Dry run, nothing written: 1 created, 1 updated, 0 unchanged, 0 errors." in (
        out.getvalue()
    )
    assert answers_of(telavi_answered) == {
        "A.1.1": (Decimal(0), False),
        "A.1.2": (Decimal(1), False),
    }


# --- Bad rows: each one reported where it is, and nothing written -----------------------------

BAD_ROWS = [
    (
        ["A.1.2", "5", "", "", "", ""],
        "row 3, column value: level 5 is outside 0–3 for indicator A.1.2",
    ),
    (
        ["A.1.2", "1.5", "", "", "", ""],
        "row 3, column value: 1.5 is not a whole level: indicator A.1.2 takes a level from 0 to 3",
    ),
    (
        ["A.1.1", "maybe", "", "", "", ""],
        "row 3, column value: “maybe” is not an answer to yes-or-no indicator A.1.1: "
        "write 1 (yes, კი) or 0 (no, არა)",
    ),
    (
        ["A.1.1", "2", "", "", "", ""],
        "row 3, column value: “2” is not an answer to yes-or-no indicator A.1.1: "
        "write 1 (yes, კი) or 0 (no, არა)",
    ),
    (
        ["B.1.1", "eight", "", "", "", ""],
        "row 3, column value: “eight” is not a number; indicator B.1.1 takes a number, "
        "in days (20 scores 0, 5 scores 100)",
    ),
    (
        ["B.1.1", "8.123456", "", "", "", ""],
        "row 3, column value: indicator B.1.1: Ensure that there are no more than 4 decimal "
        "places.",
    ),
    (
        ["Z.9.9", "1", "", "", "", ""],
        "row 3, column indicator_code: there is no indicator Z.9.9 in the methodology of this "
        "cycle",
    ),
    (
        ["A.2.1", "60", "", "", "", ""],
        "row 3, column indicator_code: indicator A.2.1 is answered by CSO monitor only; "
        "this assessment (Self-assessment) does not answer it",
    ),
    (
        ["", "1", "", "", "", ""],
        "row 3, column indicator_code: the indicator code is missing",
    ),
    (
        ["B.1.1", "", "1", "", "", ""],
        "row 3, column na_reason: indicator B.1.1: Say why this indicator does not apply.",
    ),
    (
        ["B.1.1", "8", "1", REASON_KA, "", ""],
        "row 3, column value: indicator B.1.1: Leave the value empty when the indicator does "
        "not apply.",
    ),
    (
        ["B.1.1", "8", "perhaps", "", "", ""],
        "row 3, column not_applicable: “perhaps” is neither yes nor no: write 1 (or yes, კი) "
        "when indicator B.1.1 does not apply, and leave it empty when it does",
    ),
    (
        ["B.1.1", "8", "", "", "", "https://telavi.gov.ge ftp://files.telavi.ge/x"],
        "row 3, column links: indicator B.1.1: Line 2 is not a web address (http:// or "
        "https://): ftp://files.telavi.ge/x",
    ),
]


def good_row_beside(bad_row):
    """A row that is right in itself, about another indicator than the bad row."""
    if bad_row[0] == "A.1.1":
        return ["A.1.2", "3", "", "", "", ""]
    return ["A.1.1", "1", "", "", "", ""]


@pytest.mark.parametrize("bad_row, message", BAD_ROWS, ids=[m for _row, m in BAD_ROWS])
def test_it_reports_a_bad_row_by_row_and_column_and_writes_nothing(
    telavi_answered, telavi_staff, bad_row, message
):
    before = history_count(telavi_answered)
    data = csv_bytes([good_row_beside(bad_row), bad_row])

    with pytest.raises(ImportFailed) as failed:
        run(telavi_answered, data, by=telavi_staff)

    assert [str(error) for error in failed.value.report.errors] == [message]
    # The good row in the same file was not written either.
    assert answers_of(telavi_answered) == {
        "A.1.1": (Decimal(0), False),
        "A.1.2": (Decimal(1), False),
    }
    assert history_count(telavi_answered) == before


def test_it_refuses_an_indicator_named_twice(telavi_answered):
    data = csv_bytes([["A.1.1", "1", "", "", "", ""], ["A.1.1", "0", "", "", "", ""]])

    with pytest.raises(ImportFailed) as failed:
        run(telavi_answered, data)

    assert [str(error) for error in failed.value.report.errors] == [
        "row 3, column indicator_code: indicator A.1.1 is already in row 2"
    ]
    assert answers_of(telavi_answered)["A.1.1"] == (Decimal(0), False)


def test_it_reports_every_bad_row_of_a_file_at_once(telavi_self):
    data = csv_bytes([["A.1.2", "7", "", "", "", ""], ["B.1.1", "", "yes", "", "", ""]])

    report = run(telavi_self, data, dry_run=True)

    assert [(e.row, e.column) for e in report.errors] == [(2, "value"), (3, "na_reason")]


def test_the_command_lists_the_errors_and_writes_nothing(telavi_self, a_file):
    path = a_file(csv_bytes([["A.1.1", "1", "", "", "", ""], ["A.1.2", "5", "", "", "", ""]]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 1 errors."):
        call_command("import_responses", path, assessment=telavi_self.pk, stderr=err)

    assert "row 3, column value: level 5 is outside 0–3 for indicator A.1.2" in err.getvalue()
    assert not telavi_self.responses.exists()


def test_it_names_the_missing_required_column(telavi_self):
    report = run(telavi_self, csv_bytes([["A.1.1"]], header=["indicator_code"]), dry_run=True)

    assert [str(e) for e in report.errors] == [
        "row 1, column value: this column is missing from the header row"
    ]


# --- Files that are not what they should be -------------------------------------------------


def test_it_refuses_a_file_that_is_not_a_spreadsheet(telavi_self, a_file):
    path = a_file(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="answers.xlsx")

    with pytest.raises(CommandError, match="This file is not a spreadsheet"):
        call_command("import_responses", path, assessment=telavi_self.pk)


def test_it_refuses_a_zip_that_is_not_a_workbook(telavi_self, a_file):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as made:
        made.writestr("readme.txt", "hello")
    path = a_file(archive.getvalue(), name="answers.xlsx")

    with pytest.raises(CommandError, match="This file is not a spreadsheet"):
        call_command("import_responses", path, assessment=telavi_self.pk)


def test_it_refuses_a_file_over_the_limit(telavi_self, a_file, settings):
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    padding = [["", "", "", "", "x" * 1000, ""]] * 11_000
    path = a_file(csv_bytes([["A.1.1", "1", "", "", "", ""], *padding]))

    with pytest.raises(CommandError, match="files of at most 10.0.MB can be imported"):
        call_command("import_responses", path, assessment=telavi_self.pk)
    assert not telavi_self.responses.exists()


def test_it_says_which_assessment_it_cannot_find(db, a_file):
    path = a_file(csv_bytes([["A.1.1", "1", "", "", "", ""]]))

    with pytest.raises(CommandError, match="There is no assessment with the id 999."):
        call_command("import_responses", path, assessment=999)


# --- Georgian text, whoever wrote the file ----------------------------------------------------


def test_it_reads_georgian_text_from_a_libreoffice_workbook(telavi_self):
    data = libreoffice_xlsx(
        [
            [
                "A.1.1",
                1,
                None,
                None,
                EVIDENCE_KA,
                "https://telavi.gov.ge/a\nhttps://telavi.gov.ge/b",
            ],
            ["A.1.2", 2, None, None, "განკარგულება №4", None],
            ["B.1.1", 12.5, None, None, None, None],
        ]
    )

    report = run(telavi_self, data)

    assert report.created == 3
    assert answers_of(telavi_self)["B.1.1"] == (Decimal("12.5"), False)
    first = telavi_self.responses.get(indicator__code="A.1.1")
    assert first.evidence == EVIDENCE_KA
    assert first.link_list == ["https://telavi.gov.ge/a", "https://telavi.gov.ge/b"]
    assert telavi_self.responses.get(indicator__code="A.1.2").evidence == "განკარგულება №4"


def test_it_reads_georgian_text_from_a_csv_file_with_a_byte_order_mark(telavi_self):
    data = csv_bytes([["B.1.1", "", "კი", REASON_KA, "", ""]], bom=True)

    report = run(telavi_self, data)

    assert report.created == 1
    response = telavi_self.responses.get(indicator__code="B.1.1")
    assert (response.is_na, response.na_reason) == (True, REASON_KA)


def test_it_reads_an_excel_csv_with_semicolons_and_decimal_commas(telavi_self):
    data = csv_bytes([["B.1.1", "7,25", "", "", EVIDENCE_KA, ""]], delimiter=";", bom=True)

    run(telavi_self, data)

    assert answers_of(telavi_self)["B.1.1"] == (Decimal("7.25"), False)


# --- Only drafts ------------------------------------------------------------------------------


def test_it_refuses_an_assessment_that_is_no_longer_a_draft(telavi_self, to_status, a_file):
    to_status(telavi_self, Status.SUBMITTED)
    data = csv_bytes([["A.1.2", "3", "", "", "", ""]])

    with pytest.raises(ImportRefused, match="This assessment is “Submitted”: only a draft"):
        run(telavi_self, data)
    with pytest.raises(CommandError, match="only a draft accepts answers"):
        call_command("import_responses", a_file(data), assessment=telavi_self.pk)
    assert answers_of(telavi_self)["A.1.2"] == (Decimal(2), False)


def test_it_refuses_someone_who_may_not_enter_the_answers(telavi_self, sighnaghi_staff):
    with pytest.raises(ImportRefused, match="You may not change the answers"):
        run(telavi_self, csv_bytes([["A.1.1", "1", "", "", "", ""]]), by=sighnaghi_staff)


# --- The template -----------------------------------------------------------------------------


def test_the_template_has_a_row_for_each_indicator_the_assessment_answers(telavi_answered):
    rows = {
        row[0]: dict(zip(TEMPLATE_COLUMNS, row, strict=True))
        for row in template_rows(telavi_answered)
    }

    assert list(rows) == ["A.1.1", "A.1.2", "B.1.1"]
    assert rows["A.1.2"]["value"] == 1
    assert rows["A.1.2"]["allowed_values"].startswith("a level from 0 to 3: 0 = None; 1 = Draft")
    assert rows["B.1.1"]["value"] is None
    assert set(COLUMNS) <= set(TEMPLATE_COLUMNS)


def test_the_template_imported_as_it_is_changes_nothing(telavi_answered):
    response = telavi_answered.responses.get(indicator__code="A.1.1")
    response.evidence = "ოქმი\r\nმეორე ხაზი"
    response.links = "https://telavi.gov.ge/a\r\nhttps://telavi.gov.ge/b"
    response.save()

    report = run(telavi_answered, template_workbook(telavi_answered), dry_run=True)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert report.errors == []


def test_the_template_explains_the_columns_and_each_indicator_on_a_second_sheet(telavi_self):
    book = load_workbook(io.BytesIO(template_workbook(telavi_self)), read_only=True)
    notes = [[cell.value for cell in row] for row in book.worksheets[1].iter_rows()]

    assert [row[0] for row in notes[1 : len(TEMPLATE_COLUMNS) + 1]] == TEMPLATE_COLUMNS
    assert ["B.1.1", "Indicator B.1.1", "a number, in days (20 scores 0, 5 scores 100)"] in notes


# --- Lookups do not grow with the rows -------------------------------------------------------


def test_it_takes_as_many_queries_for_many_rows_as_for_few(telavi_self, methodology):
    criterion = methodology.areas.get(code="B").criteria.get()
    for number in range(2, 30):
        factories.indicator(criterion, f"B.1.{number}", "percent")

    def queries(codes):
        with CaptureQueriesContext(connection) as captured:
            run(telavi_self, csv_bytes([[code, "50", "", "", "", ""] for code in codes]))
        return len(captured)

    few = queries(["B.1.2", "B.1.3"])
    many = queries([f"B.1.{number}" for number in range(4, 30)])
    assert many == few
    updated = queries([f"B.1.{number}" for number in range(2, 30)])
    assert telavi_self.responses.filter(value=50).count() == 28
    assert updated <= few + 4


# --- In the admin -----------------------------------------------------------------------------


def import_url(assessment):
    return reverse("admin:assessments_assessment_import", args=[assessment.pk])


def upload(name, data):
    return SimpleUploadedFile(name, data)


def test_the_telavi_staff_member_previews_then_confirms_an_import(
    telavi_answered, telavi_staff, browser_of
):
    browser = browser_of(telavi_staff, "en")
    data = csv_bytes(
        [
            ["A.1.1", "0", "", "", "", ""],  # as it is
            ["A.1.2", "3", "", "", "", ""],  # was level 1
            ["B.1.1", "8", "", "", EVIDENCE_KA, ""],  # new
        ]
    )

    shown = browser.post(import_url(telavi_answered), {"file": upload("telavi.csv", data)})

    assert shown.status_code == 200
    page = Page(shown)
    assert page.row("Created")[:4] == ["Created", "Updated", "Unchanged", "Errors"]
    assert ["1", "1", "1", "0"] in page.rows
    assert "Nothing has been written yet." in page.text
    assert answers_of(telavi_answered)["A.1.2"] == (Decimal(1), False)
    assert "B.1.1" not in answers_of(telavi_answered)

    confirm = shown.context["confirm_form"].initial
    done = browser.post(import_url(telavi_answered), confirm)

    assert done.status_code == 302
    assert done.url == reverse("admin:assessments_assessment_change", args=[telavi_answered.pk])
    assert answers_of(telavi_answered)["A.1.2"] == (Decimal(3), False)
    assert telavi_answered.responses.get(indicator__code="B.1.1").updated_by == telavi_staff
    entry = LogEntry.objects.get(object_id=str(telavi_answered.pk), user=telavi_staff)
    assert "telavi.csv" in entry.change_message
    assert "1 created, 1 updated, 1 unchanged, 0 errors" in entry.change_message


def test_the_preview_shows_each_error_and_offers_no_confirmation(
    telavi_self, telavi_staff, browser_of
):
    browser = browser_of(telavi_staff, "en")
    data = csv_bytes([["A.1.2", "5", "", "", "", ""]])

    shown = browser.post(import_url(telavi_self), {"file": upload("telavi.csv", data)})

    page = Page(shown)
    assert "Nothing was written: 1 error must be fixed first." in page.text
    assert "row 2, column value: level 5 is outside 0–3 for indicator A.1.2" in page.text
    assert "confirm_form" not in shown.context
    assert not telavi_self.responses.exists()


def test_the_preview_speaks_the_person_s_language(telavi_self, telavi_staff, browser_of):
    data = csv_bytes([["B.1.1", "8.123456", "", "", "", ""]])

    shown = browser_of(telavi_staff, "ka").post(
        import_url(telavi_self), {"file": upload("telavi.csv", data)}
    )

    # Django's own words for a value with too many decimals, as the Georgian form says them.
    with translation.override("ka"):
        georgian = DecimalValidator(14, 4).messages["max_decimal_places"] % {"max": 4}
    assert "ათობითი გამყოფის შემდეგ ციფრების რაოდენობა" in georgian
    assert georgian in Page(shown).text


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("photo.xlsx", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "This file is not a spreadsheet."),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "This is an old Excel"),
    ],
)
def test_the_admin_page_refuses_a_file_that_is_not_a_spreadsheet_with_a_message(
    telavi_self, telavi_staff, browser_of, name, data, message
):
    shown = browser_of(telavi_staff, "en").post(
        import_url(telavi_self), {"file": upload(name, data)}
    )

    assert shown.status_code == 400
    assert message in Page(shown).text


def test_the_admin_page_refuses_a_file_over_the_limit(
    telavi_self, telavi_staff, browser_of, settings
):
    settings.IMPORT_MAX_BYTES = 2000
    data = csv_bytes([["A.1.1", "1", "", "", "x" * 3000, ""]])

    shown = browser_of(telavi_staff, "en").post(
        import_url(telavi_self), {"file": upload("big.csv", data)}
    )

    assert "files of at most 2.0 KB can be imported" in Page(shown).text
    assert not telavi_self.responses.exists()


def test_the_admin_offers_the_import_only_on_a_draft_the_person_may_edit(
    telavi_self, telavi_staff, browser_of, to_status
):
    browser = browser_of(telavi_staff, "en")
    change = reverse("admin:assessments_assessment_change", args=[telavi_self.pk])

    assert import_url(telavi_self) in Page(browser.get(change)).hrefs()

    to_status(telavi_self, Status.SUBMITTED)
    assert import_url(telavi_self) not in Page(browser.get(change)).hrefs()
    refused = browser.get(import_url(telavi_self))
    assert refused.status_code == 403
    assert "only a draft accepts answers from a spreadsheet" in Page(refused).text
    posted = browser.post(
        import_url(telavi_self), {"file": upload("a.csv", csv_bytes([["A.1.1", "0"]]))}
    )
    assert posted.status_code == 403


def test_another_municipality_s_staff_cannot_reach_the_import(
    telavi_self, sighnaghi_staff, browser_of
):
    browser = browser_of(sighnaghi_staff, "en")
    template = reverse("admin:assessments_assessment_responses_template", args=[telavi_self.pk])

    assert browser.get(import_url(telavi_self)).status_code == 404
    assert browser.get(template).status_code == 404
    posted = browser.post(
        import_url(telavi_self), {"file": upload("a.csv", csv_bytes([["A.1.1", "1"]]))}
    )
    assert posted.status_code == 404
    assert not telavi_self.responses.exists()


def test_the_telavi_staff_member_downloads_the_template_with_the_current_answers(
    telavi_answered, telavi_staff, browser_of
):
    url = reverse("admin:assessments_assessment_responses_template", args=[telavi_answered.pk])

    download = browser_of(telavi_staff, "en").get(url)

    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        'attachment; filename="musqat-responses-2022-telavi-self.xlsx"'
    )
    rows = read_rows(download.content)
    assert [(row["indicator_code"], row["value"]) for row in rows] == [
        ("A.1.1", "0"),
        ("A.1.2", "1"),
        ("B.1.1", ""),
    ]
    assert url in Page(browser_of(telavi_staff, "en").get(import_url(telavi_answered))).hrefs()


# --- The CSO's external assessment ------------------------------------------------------------


def test_it_imports_the_cso_s_percentages_and_checks_their_range(telavi_external, cso_monitor):
    book = Workbook()
    sheet = book.active
    sheet.append(["indicator_code", "value"])
    sheet.append(["A.2.1", 0.6])
    sheet["B2"].number_format = "0%"
    made = io.BytesIO()
    book.save(made)

    run(telavi_external, made.getvalue(), by=cso_monitor)

    assert answers_of(telavi_external) == {"A.2.1": (Decimal(60), False)}
    with pytest.raises(ImportFailed) as failed:
        run(telavi_external, csv_bytes([["A.2.1", "120"]], header=["indicator_code", "value"]))
    assert [str(error) for error in failed.value.report.errors] == [
        "row 2, column value: 120 is outside 0–100 for indicator A.2.1, a percentage"
    ]
    assert answers_of(telavi_external) == {"A.2.1": (Decimal(60), False)}


# --- Numbers, queries and addresses (review findings) -----------------------------------------


def test_a_number_with_a_thousands_comma_is_reported_as_ambiguous(telavi_self):
    data = csv_bytes([["B.1.1", "1,250", "", "", "", ""]])

    with pytest.raises(ImportFailed) as failed:
        run(telavi_self, data)

    assert [str(error) for error in failed.value.report.errors] == [
        "row 2, column value: “1,250” is ambiguous: write 1250 or 1,25; indicator B.1.1 takes "
        "a number, in days (20 scores 0, 5 scores 100)"
    ]
    assert not telavi_self.responses.exists()


def test_updating_every_stored_answer_takes_as_many_queries_as_updating_two(
    telavi_self, methodology
):
    criterion = methodology.areas.get(code="B").criteria.get()
    codes = [f"B.1.{number}" for number in range(2, 30)]
    for code in codes:
        factories.indicator(criterion, code, "percent")
        factories.answer(telavi_self, code, 10)

    def queries(rows):
        with CaptureQueriesContext(connection) as captured:
            report = run(telavi_self, csv_bytes(rows))
        return len(captured), report.updated

    two = queries([[code, "20" if code in codes[:2] else "10", "", "", "", ""] for code in codes])
    every = queries([[code, "30", "", "", "", ""] for code in codes])

    assert (two[1], every[1]) == (2, 28)
    assert every[0] == two[0]
    assert telavi_self.responses.filter(value=30).count() == 28


def test_an_assessment_address_that_is_not_a_number_is_not_found(
    telavi_self, telavi_staff, browser_of
):
    browser = browser_of(telavi_staff, "en")

    assert browser.get("/admin/assessments/assessment/abc/import/").status_code == 404
    template = "/admin/assessments/assessment/abc/responses-template.xlsx"
    assert browser.get(template).status_code == 404
