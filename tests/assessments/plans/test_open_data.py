"""Action plans in open data: data/<year>/actions.csv and .xlsx, one row per action of
every adopted or closed plan answering the cycle, never a draft.

Telavi's plan answers its 2021 findings (tests/conftest.py, telavi_plan): action 1
addresses A.1.1 (external 100 in 2021) and is due on 30 June 2022; action 2 addresses
A.2.1 (external 60) and B.1.1 (not applicable), with a budget of 40,000.00 lari.
"""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from assessments.models import ActionStatus, VerdictKind
from assessments.opendata import columns
from assessments.plans import services
from musqat.spreadsheets import read_rows
from tests import factories


def csv_rows(response):
    assert response.content.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def everything_in(response) -> str:
    if response["Content-Type"].startswith("text/csv"):
        return response.content.decode("utf-8-sig")
    return "\n".join(
        str(cell)
        for sheet in workbook(response).worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )


@pytest.fixture
def judged(telavi_plan, telavi_staff, cso_monitor, monitoring_cso):
    """Telavi reports action 1 in progress; the CSO monitor disputes the report."""
    report = services.report_progress(
        action=telavi_plan.actions.get(number=1),
        by=telavi_staff,
        reported_on=datetime.date(2022, 5, 20),
        status=ActionStatus.IN_PROGRESS,
        progress=60,
        text="ქსელი 5 სოფელშია გაყვანილი",
        today=datetime.date(2022, 5, 20),
    )
    services.give_verdict(
        update=report,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="წყალი მხოლოდ 3 სოფელშია",
    )
    cache.clear()
    return telavi_plan


@pytest.fixture
def sighnaghi_draft(published_2021, sighnaghi):
    """Sighnaghi's plan, still a draft: nothing of it is public."""
    plan = factories.plan(sighnaghi, published_2021.cycle)
    factories.action(plan, 1, title_ka="საიდუმლო", title_en="Secret", indicators=["A.1.1"])
    return plan


# --- The page -------------------------------------------------------------------------------


def test_the_page_offers_the_actions_of_the_cycles_that_adopted_plans_answer(
    judged, published_2020, visit
):
    page = visit("/en/data/")

    hrefs = page.hrefs()
    assert "/en/data/2021/actions.csv" in hrefs
    assert "/en/data/2021/actions.xlsx" in hrefs
    assert page.row("Action plans")[:2] == ["Action plans", "2"]
    # No plan answers 2020: nothing to offer there.
    assert "/en/data/2020/actions.csv" not in hrefs


def test_a_draft_plan_is_not_counted_on_the_page(sighnaghi_draft, visit):
    page = visit("/en/data/")

    assert "/en/data/2021/actions.csv" not in page.hrefs()


def test_the_dictionary_describes_every_column_of_the_actions_in_both_languages(citizen, db):
    rows = csv_rows(citizen.get("/en/data/dictionary.csv"))

    described = [row for row in rows if row["dataset"] == "actions"]
    assert [row["column"] for row in described] == columns.ACTION_NAMES
    for row in described:
        assert row["description_ka"] and row["description_en"], row["column"]
    budget = next(row for row in described if row["column"] == "budget")
    assert (budget["type"], budget["unit"]) == ("decimal", "GEL")


# --- The files ------------------------------------------------------------------------------


def test_a_journalist_downloads_telavi_s_actions_as_csv(judged, citizen):
    response = citizen.get("/ka/data/2021/actions.csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="musqat-2021-actions.csv"'
    assert response.content.decode("utf-8-sig").split("\r\n", 1)[0].split(",") == (
        columns.ACTION_NAMES
    )
    first, second = csv_rows(response)
    assert first == {
        "cycle": "2021",
        "municipality_slug": "telavi",
        "municipality_name_ka": "თელავი",
        "municipality_name_en": "Telavi",
        "plan_status": "adopted",
        "plan_starts_on": "2022-01-01",
        "plan_ends_on": "2023-12-31",
        "order_number": "N 123",
        "order_date": "2022-01-01",
        "action_number": "1",
        "title_ka": "ღონისძიება 1",
        "title_en": "Action 1",
        "responsible_unit_ka": "ინფრასტრუქტურის სამსახური",
        "responsible_unit_en": "Infrastructure department",
        "starts_on": "2022-01-01",
        "due_on": "2022-06-30",
        "original_due_on": "",
        "budget": "12500.5",
        "budget_source_ka": "მუნიციპალური ბიუჯეტი",
        "budget_source_en": "Municipal budget",
        "status": "in_progress",
        "progress": "60",
        "overdue": "true",  # due on 30 June 2022, still in progress
        "latest_report_on": "2022-05-20",
        "latest_verdicts": "disputed",
        "verdict_organisations_ka": "სამოქალაქო მონიტორი",
        "verdict_organisations_en": "Civic Monitor",
        "indicator_codes": "A.1.1",
        "baselines": "100",
    }
    assert (second["action_number"], second["budget"], second["status"]) == (
        "2",
        "40000",
        "planned",
    )
    assert (second["indicator_codes"], second["baselines"]) == ("A.2.1;B.1.1", "60;")
    assert (second["latest_report_on"], second["latest_verdicts"]) == ("", "")


def test_the_workbook_types_numbers_dates_and_flags_and_carries_its_dictionary(judged, citizen):
    response = citizen.get("/en/data/2021/actions.xlsx")

    assert response["Content-Disposition"] == 'attachment; filename="musqat-2021-actions.xlsx"'
    book = workbook(response)
    assert book.sheetnames == ["actions", "dictionary"]
    sheet = book["actions"]
    assert sheet.freeze_panes == "A2"
    names = [cell.value for cell in sheet[1]]
    assert names == columns.ACTION_NAMES
    first = dict(zip(names, sheet[2], strict=True))
    assert (first["budget"].value, first["budget"].data_type) == (12500.5, "n")
    assert (first["progress"].value, first["progress"].data_type) == (60, "n")
    assert (first["overdue"].value, first["overdue"].data_type) == (True, "b")
    assert first["title_ka"].value == "ღონისძიება 1"
    assert sheet.max_row == 1 + 2
    described = [row[0].value for row in book["dictionary"].iter_rows(min_row=2)]
    assert described == columns.ACTION_NAMES


def test_a_moved_due_date_keeps_the_first_promise_in_the_file(telavi_plan, telavi_staff, citizen):
    action = telavi_plan.actions.get(number=1)
    action.due_on = datetime.date(2022, 12, 31)
    action.save()
    services.record_due_date_change(
        action=action, old_due_on=datetime.date(2022, 6, 30), by=telavi_staff
    )
    cache.clear()

    first = csv_rows(citizen.get("/en/data/2021/actions.csv"))[0]

    assert (first["due_on"], first["original_due_on"]) == ("2022-12-31", "2022-06-30")


@pytest.mark.parametrize("name", ["actions.csv", "actions.xlsx"])
def test_no_draft_plan_is_in_the_files(telavi_plan, sighnaghi_draft, citizen, name):
    draft = factories.plan(
        telavi_plan.municipality, telavi_plan.cycle, starts_on="2024-01-01", ends_on="2025-12-31"
    )
    factories.action(draft, 1, title_ka="დაუმტკიცებელი", title_en="Not adopted")

    response = citizen.get(f"/en/data/2021/{name}")

    text = everything_in(response)
    assert "სიღნაღი" not in text and "Secret" not in text
    assert "Not adopted" not in text and "2024-01-01" not in text
    assert "Action 2" in text  # Telavi's adopted plan is there


def test_a_cycle_without_adopted_plans_has_an_actions_file_with_only_its_header(
    sighnaghi_draft, citizen
):
    response = citizen.get("/en/data/2021/actions.csv")

    assert response.status_code == 200
    assert csv_rows(response) == []


def test_formula_like_text_stays_inert(telavi_plan, citizen):
    action = telavi_plan.actions.get(number=2)
    action.title_en = '=HYPERLINK("https://evil.example","click")'
    action.responsible_unit_ka = "+995 32 200 00 00"
    action.save()
    cache.clear()

    csv_file = citizen.get("/en/data/2021/actions.csv")
    xlsx_file = citizen.get("/en/data/2021/actions.xlsx")

    raw = next(r for r in csv_rows(csv_file) if r["action_number"] == "2")
    assert raw["title_en"] == """'=HYPERLINK("https://evil.example","click")"""
    assert raw["responsible_unit_ka"] == "'+995 32 200 00 00"
    # Read back as the import reads it, the text is what the municipality wrote.
    back = next(r for r in read_rows(csv_file.content) if r["action_number"] == "2")
    assert back["title_en"] == '=HYPERLINK("https://evil.example","click")'
    sheet = workbook(xlsx_file)["actions"]
    names = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=3, column=names.index("title_en") + 1)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("https://evil.example","click")', "s")


def test_a_file_is_made_again_after_a_report(
    telavi_plan, telavi_staff, citizen, django_capture_on_commit_callbacks
):
    assert csv_rows(citizen.get("/en/data/2021/actions.csv"))[1]["status"] == "planned"

    with django_capture_on_commit_callbacks(execute=True):
        services.report_progress(
            action=telavi_plan.actions.get(number=2),
            by=telavi_staff,
            reported_on=datetime.date(2022, 3, 1),
            status=ActionStatus.DONE,
            text="დასრულდა",
            today=datetime.date(2022, 3, 1),
        )

    second = csv_rows(citizen.get("/en/data/2021/actions.csv"))[1]
    assert (second["status"], second["latest_report_on"]) == ("done", "2022-03-01")


def test_more_plans_and_actions_need_no_more_queries(
    judged, sighnaghi, sighnaghi_staff, citizen, django_assert_num_queries
):
    with django_assert_num_queries(8):
        assert citizen.get("/en/data/2021/actions.csv").status_code == 200

    plan = factories.plan(sighnaghi, judged.cycle)
    for number in (1, 2, 3):
        factories.action(plan, number, indicators=["A.1.1", "A.2.1"])
    factories.adopt(plan, sighnaghi_staff)
    cache.clear()

    with django_assert_num_queries(8):
        response = citizen.get("/en/data/2021/actions.csv")
    assert len(csv_rows(response)) == 5
