"""Importing municipalities and CSO organisations from spreadsheets: preview first,
errors per row and column, all or nothing."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import override
from openpyxl import Workbook

from municipalities.models import Municipality, Organization
from municipalities.resources import (
    MUNICIPALITY_COLUMNS,
    ORGANIZATION_COLUMNS,
    municipalities_importer,
    municipality_table,
    organization_table,
    organizations_importer,
)
from musqat.imports import ImportFailed, apply, preview
from musqat.spreadsheets import XLSX_TYPE, Sheet, read_rows, write_csv, write_xlsx
from tests import factories

IMPORT_URL = "admin:municipalities_municipality_import"


@pytest.fixture(autouse=True)
def in_english():
    """Messages are compared in English, except where the language is the point."""
    with override("en"):
        yield


@pytest.fixture
def staff_client(client, project_staff):
    """The project staff in the admin, reading it in English."""
    client.force_login(project_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def kvareli(**changes):
    """A row for Kvareli, which is not in the database yet, as read from a file."""
    values = {
        "slug": "kvareli",
        "region": "kakheti",
        "name_ka": "ყვარელი",
        "name_en": "Kvareli",
        "official_name_ka": "ყვარლის მუნიციპალიტეტი",
        "official_name_en": "Kvareli Municipality",
        "centre_ka": "ყვარელი",
        "centre_en": "Kvareli",
        "population": "29827",
        "population_year": "2014",
        "area_km2": "1000.5",
        "latitude": "41.95",
        "longitude": "45.81",
    }
    return values | changes


def telavi_row(**changes):
    """Telavi's row as it stands in the database (see tests.factories.municipality)."""
    return (
        kvareli(
            slug="telavi",
            name_ka="თელავი",
            name_en="Telavi",
            official_name_ka="თელავის მუნიციპალიტეტი",
            official_name_en="Telavi Municipality",
            centre_ka="თელავი",
            centre_en="Telavi",
            population="30000",
            area_km2="1000",
            latitude="41.9",
            longitude="45.5",
        )
        | changes
    )


def sighnaghi_row(**changes):
    return (
        telavi_row(
            slug="sighnaghi",
            name_ka="სიღნაღი",
            name_en="Sighnaghi",
            official_name_ka="სიღნაღის მუნიციპალიტეტი",
            official_name_en="Sighnaghi Municipality",
            centre_ka="სიღნაღი",
            centre_en="Sighnaghi",
        )
        | changes
    )


def civic_monitor(**changes):
    values = {
        "slug": "civic-monitor",
        "name_ka": "სამოქალაქო მონიტორი",
        "name_en": "Civic Monitor",
        "description_ka": "",
        "description_en": "",
        "website": "",
        "email": "",
        "municipalities": "",
    }
    return values | changes


def csv_file(rows, *, bom=True) -> bytes:
    text = write_csv(list(rows[0]), [list(row.values()) for row in rows])
    return text.encode() if bom else text.lstrip("\ufeff").encode()


def municipality_facts():
    """The facts the rows in these tests would change, to prove a failed import changed none."""
    return sorted(
        Municipality.objects.values_list(
            "slug", "name_ka", "name_en", "population", "area_km2", "latitude", "region__slug"
        )
    )


# --- A valid file ------------------------------------------------------------------------


def test_the_preview_counts_what_a_valid_file_would_do_and_writes_nothing(telavi, sighnaghi):
    rows = [kvareli(), telavi_row(population="31250"), sighnaghi_row()]

    report = preview(municipalities_importer, rows)

    assert (report.created, report.updated, report.unchanged, report.errors) == (1, 1, 1, [])
    assert [(c.row, c.state) for c in report.changes] == [(2, "created"), (3, "updated")]
    assert report.changes[1].label.endswith("(telavi): population")
    assert not Municipality.objects.filter(slug="kvareli").exists()
    assert Municipality.objects.get(slug="telavi").population == 30000


def test_a_valid_file_adds_and_updates_municipalities(telavi):
    report = apply(municipalities_importer, [kvareli(), telavi_row(population="31250")])

    assert (report.created, report.updated) == (1, 1)
    kvareli_ = Municipality.objects.get(slug="kvareli")
    assert kvareli_.region.slug == "kakheti"
    assert kvareli_.official_name_ka == "ყვარლის მუნიციპალიტეტი"
    assert kvareli_.area_km2 == Decimal("1000.5")
    assert kvareli_.latitude == Decimal("41.95")
    telavi.refresh_from_db()
    assert telavi.population == 31250
    assert telavi.name_ka == "თელავი"


def test_columns_left_out_of_the_file_are_not_changed(telavi):
    report = apply(municipalities_importer, [{"slug": "telavi", "population": "31 250"}])

    assert report.updated == 1
    telavi.refresh_from_db()
    assert (telavi.population, telavi.name_en) == (31250, "Telavi")
    assert telavi.latitude == Decimal("41.9")


def test_numbers_may_be_written_as_georgian_or_english_spreadsheets_show_them(telavi):
    apply(
        municipalities_importer,
        [{"slug": "telavi", "population": "31 250", "area_km2": "1.083,5", "latitude": "41,91"}],
    )

    telavi.refresh_from_db()
    assert (telavi.population, telavi.area_km2, telavi.latitude) == (
        31250,
        Decimal("1083.5"),
        Decimal("41.91"),
    )


def test_organisations_name_the_municipalities_they_work_in_by_slug(telavi, sighnaghi, cso):
    rows = [
        civic_monitor(municipalities="telavi | sighnaghi", email="info@example.ge"),
        civic_monitor(slug="kakheti-watch", name_ka="კახეთის დარაჯი", name_en="Kakheti Watch"),
    ]

    report = apply(organizations_importer, rows)

    assert (report.created, report.updated) == (1, 1)
    assert report.changes[0].label.endswith("(civic-monitor): email, municipalities")
    cso.refresh_from_db()
    assert cso.email == "info@example.ge"
    assert set(cso.municipalities.values_list("slug", flat=True)) == {"telavi", "sighnaghi"}
    assert not Organization.objects.get(slug="kakheti-watch").municipalities.exists()


# --- Download, edit, import ----------------------------------------------------------------


def test_reimporting_the_current_municipalities_changes_nothing(telavi, sighnaghi):
    sighnaghi.latitude, sighnaghi.area_km2 = Decimal("41.61792"), Decimal("1251.2")
    sighnaghi.save()
    columns, table = municipality_table()
    assert columns == MUNICIPALITY_COLUMNS

    xlsx = write_xlsx([Sheet("Municipalities", columns, table)])
    csv = write_csv(columns, table).encode()
    for data in (xlsx, csv):
        report = preview(municipalities_importer, read_rows(data))
        assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
        assert report.errors == []


def test_reimporting_the_current_organisations_changes_nothing(telavi, sighnaghi, cso):
    cso.municipalities.set([telavi, sighnaghi])
    factories.organization("kakheti-watch")
    columns, table = organization_table()
    assert columns == ORGANIZATION_COLUMNS
    assert [table[0][0], table[0][-1]] == ["civic-monitor", "sighnaghi|telavi"]

    report = preview(organizations_importer, read_rows(write_xlsx([Sheet("CSOs", columns, table)])))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


# --- Bad rows: each is reported where it is, and nothing at all is written -----------------


@pytest.mark.parametrize(
    "bad_row, column, message",
    [
        (kvareli(region="imereti"), "region", "there is no region with the slug “imereti”"),
        (kvareli(population="many"), "population", "“many” is not a number"),
        (kvareli(population="12.5"), "population", "“12.5” is not a whole number"),
        (kvareli(population="-5"), "population", "greater than or equal to 0"),
        (kvareli(latitude="95"), "latitude", "less than or equal to 90"),
        (kvareli(latitude="41.123456"), "latitude", "no more than 5 decimal places"),
        (kvareli(slug="kvareli town"), "slug", "Enter a valid “slug”"),
        (kvareli(name_ka=""), "name_ka", "This field cannot be blank."),
        (kvareli(official_name_ka=""), "official_name_ka", "This field cannot be blank."),
        (sighnaghi_row(area_km2=""), "area_km2", "This field cannot be null."),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(
    telavi, sighnaghi, bad_row, column, message
):
    before = municipality_facts()
    rows = [telavi_row(population="31250"), bad_row]

    with pytest.raises(ImportFailed) as failed:
        apply(municipalities_importer, rows)

    errors = failed.value.report.errors
    assert {(error.row, error.column) for error in errors} == {(3, column)}
    assert message in errors[0].message
    assert str(errors[0]).startswith(f"row 3, column {column}: ")
    assert municipality_facts() == before


def test_a_slug_twice_in_one_file_is_an_error(telavi):
    with pytest.raises(ImportFailed) as failed:
        apply(municipalities_importer, [kvareli(), telavi_row(), kvareli(population="1")])

    assert [str(e) for e in failed.value.report.errors] == [
        "row 4, column slug: “kvareli” is already in row 2"
    ]
    assert not Municipality.objects.filter(slug="kvareli").exists()


def test_an_unknown_column_refuses_the_file_rather_than_being_ignored(telavi):
    with pytest.raises(ImportFailed) as failed:
        apply(municipalities_importer, [{"slug": "telavi", "populaton": "31250"}])

    error = failed.value.report.errors[0]
    assert (error.row, error.column) == (1, "populaton")
    assert "the columns are: slug, region, name_ka" in error.message


def test_a_file_without_a_slug_column_is_refused(telavi):
    with pytest.raises(ImportFailed) as failed:
        apply(municipalities_importer, [{"name_en": "Telavi"}])

    assert [(e.row, e.column) for e in failed.value.report.errors] == [(1, "slug")]


def test_an_unknown_municipality_of_an_organisation_names_the_column(telavi, cso):
    rows = [civic_monitor(municipalities="telavi|tbilisi"), civic_monitor(slug="new", email="x")]

    with pytest.raises(ImportFailed) as failed:
        apply(organizations_importer, rows)

    assert [str(error) for error in failed.value.report.errors] == [
        "row 2, column municipalities: there is no municipality with the slug “tbilisi”",
        "row 3, column email: Enter a valid email address.",
    ]
    assert not cso.municipalities.exists()
    assert not Organization.objects.filter(slug="new").exists()


def test_errors_are_reported_in_the_users_language(telavi):
    with override("ka"):
        with pytest.raises(ImportFailed) as failed:
            apply(municipalities_importer, [kvareli(latitude="95")])

        assert str(failed.value.report.errors[0]) == (
            "სტრიქონი 2, სვეტი latitude: მნიშვნელობა უნდა იყოს 90-ზე ნაკლები ან ტოლი."
        )


# --- Files: XLSX from LibreOffice, CSV with or without a BOM ------------------------------


def libreoffice_xlsx(rows) -> bytes:
    """An XLSX file the way LibreOffice Calc saves one: numbers stored as floating point,
    the application named LibreOffice in docProps/app.xml."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    columns = list(rows[0])
    sheet.append(columns)
    numbers = {"population", "population_year", "area_km2", "latitude", "longitude"}
    for row in rows:
        sheet.append([float(row[c]) if c in numbers else row[c] for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = data.replace(b"Microsoft Excel", b"LibreOffice/7.6.4.1$Linux_X86_64")
            target.writestr(item, data)
    return out.getvalue()


def test_georgian_text_from_a_libreoffice_xlsx_is_kept_as_written(telavi):
    data = libreoffice_xlsx([kvareli(official_name_ka="ყვარლის მუნიციპალიტეტი")])
    assert b"LibreOffice" in zipfile.ZipFile(io.BytesIO(data)).read("docProps/app.xml")

    report = apply(municipalities_importer, read_rows(data))

    assert report.created == 1
    kvareli_ = Municipality.objects.get(slug="kvareli")
    assert (kvareli_.name_ka, kvareli_.official_name_ka, kvareli_.centre_ka) == (
        "ყვარელი",
        "ყვარლის მუნიციპალიტეტი",
        "ყვარელი",
    )
    assert (kvareli_.population, kvareli_.population_year) == (29827, 2014)


@pytest.mark.parametrize("bom", [True, False], ids=["with a BOM", "without a BOM"])
def test_a_utf8_csv_is_read_with_or_without_a_byte_order_mark(telavi, bom):
    data = csv_file([kvareli()], bom=bom)
    assert data.startswith(b"\xef\xbb\xbf") == bom

    report = apply(municipalities_importer, read_rows(data))

    assert report.created == 1
    assert Municipality.objects.get(slug="kvareli").name_ka == "ყვარელი"


# --- The admin page ------------------------------------------------------------------------


def upload(client, data: bytes, name="municipalities.csv"):
    return client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data)})


def test_project_staff_find_the_import_on_each_changelist(staff_client, telavi):
    for model in ("municipality", "organization"):
        page = staff_client.get(reverse(f"admin:municipalities_{model}_changelist"))

        link = reverse(f"admin:municipalities_{model}_import")
        assert f'href="{link}"'.encode() in page.content
        import_page = staff_client.get(link).content.decode()
        assert "Download the current list (XLSX)" in import_page
        assert 'type="file"' in import_page


def test_staff_of_a_municipality_cannot_import(client, telavi_staff):
    client.force_login(telavi_staff)

    assert client.get(reverse(IMPORT_URL)).status_code == 403
    download = reverse("admin:municipalities_municipality_download", args=["xlsx"])
    assert client.get(download).status_code == 403


def test_someone_who_may_only_read_municipalities_sees_no_import(client, telavi):
    reader = factories.user("reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_municipality"))
    client.force_login(reader)

    changelist = client.get(reverse("admin:municipalities_municipality_changelist"))

    assert changelist.status_code == 200
    assert reverse(IMPORT_URL).encode() not in changelist.content
    assert client.get(reverse(IMPORT_URL)).status_code == 403


def test_project_staff_preview_then_confirm_and_the_import_is_logged(
    staff_client, project_staff, telavi
):
    page = upload(staff_client, csv_file([kvareli(), telavi_row(population="31250")]))

    report = page.context["report"]
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert "Confirm the import" in page.content.decode()
    assert not Municipality.objects.filter(slug="kvareli").exists()

    done = staff_client.post(reverse(IMPORT_URL), page.context["confirm_form"].initial)

    assert done.status_code == 302
    assert Municipality.objects.filter(slug="kvareli").exists()
    entry = LogEntry.objects.get(user=project_staff)
    assert entry.content_type.model_class() is Municipality
    assert "municipalities.csv" in entry.change_message
    assert "1 created, 1 updated, 0 unchanged, 0 errors" in entry.change_message


def test_the_preview_shows_each_bad_row_and_offers_no_confirmation(staff_client, telavi):
    page = upload(staff_client, csv_file([kvareli(region="imereti")]))

    assert "confirm_form" not in page.context
    assert "row 2, column region: there is no region with the slug “imereti”" in (
        page.content.decode()
    )
    assert not Municipality.objects.filter(slug="kvareli").exists()


def test_a_file_that_is_not_a_spreadsheet_gets_a_message(staff_client, telavi):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    broken_xlsx = b"PK\x03\x04" + bytes(100)

    for data, name in [(png, "map.png"), (broken_xlsx, "list.xlsx")]:
        page = upload(staff_client, data, name)

        assert page.status_code == 400
        assert "This file is not a spreadsheet" in page.content.decode()
        assert page.context["report"] is None


def test_a_file_over_10_mb_is_refused_with_a_message(staff_client, telavi):
    data = csv_file([kvareli()]) + b" " * (10 * 1024 * 1024)

    page = upload(staff_client, data)

    assert page.status_code == 400
    assert "can be imported" in page.content.decode()
    assert "10.0" in page.content.decode()
    assert page.context["report"] is None
    assert not Municipality.objects.filter(slug="kvareli").exists()


def test_the_current_list_downloads_as_xlsx_in_the_import_columns(staff_client, telavi):
    response = staff_client.get(
        reverse("admin:municipalities_municipality_download", args=["xlsx"])
    )

    assert response["Content-Type"] == XLSX_TYPE
    assert 'filename="municipalities.xlsx"' in response["Content-Disposition"]
    rows = read_rows(response.content)
    assert list(rows[0]) == MUNICIPALITY_COLUMNS
    assert (rows[0]["name_ka"], rows[0]["region"], rows[0]["latitude"]) == (
        "თელავი",
        "kakheti",
        "41.9",
    )


def test_the_organisations_download_names_their_municipalities(staff_client, telavi, cso):
    cso.municipalities.set([telavi])

    response = staff_client.get(reverse("admin:municipalities_organization_download", args=["csv"]))

    rows = read_rows(response.content)
    assert (rows[0]["slug"], rows[0]["municipalities"]) == ("civic-monitor", "telavi")


# --- The management command ---------------------------------------------------------------


def test_the_command_imports_after_a_dry_run_that_writes_nothing(tmp_path, telavi):
    path = tmp_path / "municipalities.csv"
    path.write_bytes(csv_file([kvareli()]))
    out = io.StringIO()

    call_command("import_municipalities", str(path), "--dry-run", stdout=out)
    assert "Dry run, nothing written: 1 created" in out.getvalue()
    assert not Municipality.objects.filter(slug="kvareli").exists()

    call_command("import_municipalities", str(path), stdout=out)
    assert "Imported: 1 created" in out.getvalue()
    assert Municipality.objects.filter(slug="kvareli").exists()


def test_the_command_imports_organisations_and_stops_on_errors(tmp_path, telavi, cso):
    path = tmp_path / "organisations.csv"
    path.write_bytes(csv_file([civic_monitor(municipalities="telavi|nowhere")]))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 1 errors"):
        call_command("import_municipalities", str(path), "--organizations", stderr=err)
    assert "column municipalities: there is no municipality" in err.getvalue()
    assert not cso.municipalities.exists()


def test_the_command_refuses_a_file_that_is_not_a_spreadsheet(tmp_path, telavi):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))

    with pytest.raises(CommandError, match="This file is not a spreadsheet"):
        call_command("import_municipalities", str(path))


# --- Numbers a reader could take two ways ----------------------------------------------------


def test_a_population_with_a_thousands_comma_is_reported_as_ambiguous(telavi):
    before = municipality_facts()

    with pytest.raises(ImportFailed) as failed:
        apply(municipalities_importer, [{"slug": "telavi", "population": "1,250"}])

    assert [str(error) for error in failed.value.report.errors] == [
        "row 2, column population: “1,250” is ambiguous: write 1250 or 1,25"
    ]
    assert municipality_facts() == before


def test_a_population_grouped_with_spaces_is_whole_but_a_fraction_is_not(telavi):
    apply(municipalities_importer, [{"slug": "telavi", "population": "31\u00a0250"}])
    assert Municipality.objects.get(slug="telavi").population == 31250

    with pytest.raises(ImportFailed) as failed:
        apply(municipalities_importer, [{"slug": "telavi", "population": "31 250,5"}])
    assert [error.message for error in failed.value.report.errors] == [
        "“31 250,5” is not a whole number"
    ]


def test_a_population_with_a_thousands_point_is_reported_as_ambiguous(telavi):
    with pytest.raises(ImportFailed) as failed:
        apply(municipalities_importer, [{"slug": "telavi", "population": "30.000"}])

    assert [error.message for error in failed.value.report.errors] == [
        "“30.000” is ambiguous: write 30000 or 30"
    ]
