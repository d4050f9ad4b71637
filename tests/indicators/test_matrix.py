"""Reading a methodology matrix: one row per indicator, all or nothing."""

import csv
import io

import pytest
from django.utils.translation import override

from indicators.matrix import COLUMNS, load_matrix
from indicators.models import Indicator, MethodologyVersion
from musqat.imports import ImportFailed
from musqat.spreadsheets import read_rows


def row(code="A.1.1", **fields):
    values = {
        "area_code": "A",
        "area_name_ka": "მმართველობა",
        "area_name_en": "Governance",
        "criterion_code": "A.1",
        "criterion_name_ka": "სტრატეგია",
        "criterion_name_en": "Strategy",
        "indicator_code": code,
        "name_ka": f"ინდიკატორი {code}",
        "name_en": f"Indicator {code}",
        "response_type": "yes_no",
        "answered_by": "both",
        "weight": "1",
    }
    return {column: "" for column in COLUMNS} | values | fields


@pytest.fixture
def version(db):
    return MethodologyVersion.objects.create(code="2024", name_ka="ვერსია", name_en="Version")


def test_it_builds_the_tree_from_rows(version):
    rows = [
        row("A.1.1"),
        row(
            "A.1.2",
            response_type="scale",
            scale_labels_ka="არა | ნაწილობრივ | დიახ",
            scale_labels_en="No | Partly | Yes",
        ),
        row(
            "B.1.1",
            area_code="B",
            criterion_code="B.1",
            response_type="numeric",
            worst="20",
            best="5",
        ),
    ]
    report = load_matrix(version=version, rows=rows)

    assert report.created == 3
    assert list(version.areas.values_list("code", flat=True)) == ["A", "B"]
    scale = Indicator.objects.get(code="A.1.2")
    assert scale.labels_in("en") == ["No", "Partly", "Yes"]
    assert scale.scale_max == 2
    assert [i.order for i in Indicator.objects.filter(criterion__code="A.1")] == [0, 1]


def test_loading_the_same_rows_again_changes_nothing(version):
    load_matrix(version=version, rows=[row("A.1.1"), row("A.1.2")])
    report = load_matrix(version=version, rows=[row("A.1.1"), row("A.1.2")])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_it_reports_each_bad_row_and_column_and_writes_nothing(version):
    rows = [
        row("A.1.1"),
        row("A.1.2", response_type="scale", scale_labels_ka="არა", scale_labels_en="No"),
        row("A.1.3", response_type="guess"),
        row("A.1.4", weight="heavy"),
        row("A.1.1"),
    ]
    with override("en"):
        with pytest.raises(ImportFailed) as error:
            load_matrix(version=version, rows=rows)
        messages = [str(e) for e in error.value.report.errors]

    assert any(m.startswith("row 3, column scale_labels_ka:") for m in messages)
    assert any(m.startswith("row 4, column response_type: guess is not one of") for m in messages)
    assert any(m.startswith("row 5, column weight: “heavy” is not a number") for m in messages)
    assert any(m.startswith("row 6, column indicator_code: A.1.1 appears twice") for m in messages)
    assert not version.areas.exists()
    assert not Indicator.objects.exists()


def test_it_reads_csv_with_or_without_a_byte_order_mark():
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow(row("A.1.1"))
    data = buffer.getvalue().encode()
    for encoded in (data, b"\xef\xbb\xbf" + data):
        rows = read_rows(encoded)
        assert rows[0]["indicator_code"] == "A.1.1"
        assert rows[0]["name_ka"] == "ინდიკატორი A.1.1"


def test_errors_are_reported_in_the_users_language(version):
    with override("ka"):
        with pytest.raises(ImportFailed) as error:
            load_matrix(version=version, rows=[row("A.1.1", weight="heavy")])
        assert str(error.value.report.errors[0]).startswith("სტრიქონი 2, სვეტი weight: „heavy“")
