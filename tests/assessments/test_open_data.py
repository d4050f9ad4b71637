"""The open-data page and its files: published results only, as CSV and XLSX.

The numbers are those of `published_2021` (tests/conftest.py): Telavi's external
assessment scores 80.0 (A 80, B not applicable) and ranks first, Sighnaghi's 57.5;
their self-assessments score 56.7 and 100.0.
"""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from assessments.models import Cycle, ScoreSnapshot
from assessments.opendata import columns
from assessments.results.cycles import cycle_results, published_cycles
from assessments.results.scorecard import scorecard
from assessments.workflow import Status
from indicators.matrix import COLUMNS, load_matrix, matrix_rows
from indicators.models import MethodologyVersion
from musqat.spreadsheets import number_text, read_rows
from tests import factories


def csv_rows(response):
    """A downloaded CSV as a spreadsheet program reads it: text cells under a header."""
    assert response.content.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def header(response):
    return response.content.decode("utf-8-sig").split("\r\n", 1)[0].split(",")


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def in_file(value, places):
    """A number as the CSV writes it, rounded to the given places."""
    return "" if value is None else number_text(value.quantize(Decimal(places)))


def row_of(rows, **wanted):
    found = [r for r in rows if all(r[key] == value for key, value in wanted.items())]
    assert len(found) == 1, f"{len(found)} rows for {wanted}"
    return found[0]


# --- The page ------------------------------------------------------------------------------


def test_a_citizen_downloads_the_2021_scores_as_csv_with_georgian_names_intact(
    published_2021, visit, citizen
):
    page = visit("/ka/data/")
    link = "/ka/data/2021/scores.csv"
    assert link in page.hrefs()

    response = citizen.get(link)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="musqat-2021-scores.csv"'
    rows = read_rows(response.content)  # as the spreadsheet import would read it back
    telavi = row_of(rows, municipality_slug="telavi", kind="external", level="overall")
    assert telavi["municipality_name_ka"] == "თელავი"
    with translation.override("ka"):
        assert telavi["name_ka"] == gettext("Overall score")
    assert telavi["score"] == "80"


def test_the_page_lists_each_published_cycle_newest_first_with_its_files_and_row_counts(
    published_2021, published_2020, visit
):
    page = visit("/en/data/")

    assert page.status_code == 200
    assert page.title.startswith("Open data")
    hrefs = page.hrefs()
    for year in (2021, 2020):
        for name in ("scores.csv", "scores.xlsx", "responses.csv", "responses.xlsx"):
            assert f"/en/data/{year}/{name}" in hrefs
    assert hrefs.index("/en/data/2021/scores.csv") < hrefs.index("/en/data/2020/scores.csv")
    # 2021: four assessments, each with an overall score, 2 areas and 3 criteria; 3 answers each.
    files = [row for row in page.rows if row and row[0] in ("Scores", "Indicator responses")]
    assert [row[:2] for row in files] == [
        ["Scores", "24"],
        ["Indicator responses", "12"],
        ["Scores", "12"],
        ["Indicator responses", "6"],
    ]


def test_the_page_offers_the_methodology_the_dictionary_the_licence_and_the_api(
    published_2021, visit
):
    page = visit("/en/data/")

    hrefs = page.hrefs()
    assert "/en/data/methodology/2020.csv" in hrefs
    assert page.row("Methodology")[1] == "4"  # indicators, one row each
    assert "/en/data/dictionary.csv" in hrefs
    assert "https://creativecommons.org/licenses/by/4.0/" in hrefs
    assert "CC BY 4.0" in page.text
    assert "MUSQAT – Municipal Services Quality Assessment Tool, results 2021" in page.text
    assert "/en/api/" in hrefs
    # The dictionary describes every column of every file.
    assert page.row("municipality_name_ka")[1] == "text"
    assert page.row("normalised")[1:3] == ["decimal", "0–1"]
    for dataset in columns.dictionary():
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in page.html


def test_every_page_links_to_the_open_data(published_2021, visit):
    page = visit("/ka/")

    assert "/ka/data/" in page.hrefs()


def test_the_page_says_when_nothing_is_published_yet(methodology, visit):
    page = visit("/en/data/")

    assert page.status_code == 200
    assert "No results have been published yet." in page.text


# --- The scores file ------------------------------------------------------------------------


def test_the_scores_csv_holds_every_published_score_cell_by_cell(published_2021, citizen):
    response = citizen.get("/en/data/2021/scores.csv")

    assert header(response) == columns.SCORE_NAMES
    rows = csv_rows(response)
    assert [(r["municipality_slug"], r["kind"], r["level"], r["code"]) for r in rows[:6]] == [
        ("sighnaghi", "self", "overall", ""),
        ("sighnaghi", "self", "area", "A"),
        ("sighnaghi", "self", "criterion", "A.1"),
        ("sighnaghi", "self", "criterion", "A.2"),
        ("sighnaghi", "self", "area", "B"),
        ("sighnaghi", "self", "criterion", "B.1"),
    ]
    assert len(rows) == 24
    telavi = row_of(rows, municipality_slug="telavi", kind="external", level="overall")
    assert telavi | {"published_at": ""} == {
        "cycle": "2021",
        "municipality_slug": "telavi",
        "municipality_name_ka": "თელავი",
        "municipality_name_en": "Telavi",
        "kind": "external",
        "kind_name_ka": telavi["kind_name_ka"],
        "kind_name_en": "External assessment",
        "level": "overall",
        "code": "",
        "area_code": "",
        "name_ka": telavi["name_ka"],
        "name_en": "Overall score",
        "score": "80",
        "rank": "1",
        "band_ka": "მაღალი",
        "band_en": "High",
        "revision": "1",
        "published_at": "",
    }
    snapshot = ScoreSnapshot.objects.get(assessment=published_2021["telavi", "external"])
    published_at = datetime.fromisoformat(telavi["published_at"])
    assert published_at == snapshot.published_at.replace(microsecond=0)

    def score(slug, kind, level, code=""):
        return row_of(rows, municipality_slug=slug, kind=kind, level=level, code=code)["score"]

    assert score("telavi", "self", "overall") == "56.67"
    assert score("telavi", "self", "area", "A") == "33.33"
    assert score("telavi", "self", "area", "B") == "80"
    assert score("telavi", "external", "criterion", "A.2") == "60"
    assert score("telavi", "external", "area", "B") == ""  # every indicator not applicable
    assert score("sighnaghi", "external", "overall") == "57.5"
    assert score("sighnaghi", "external", "area", "A") == "75"
    sighnaghi = row_of(rows, municipality_slug="sighnaghi", kind="external", level="overall")
    assert (sighnaghi["rank"], sighnaghi["band_en"]) == ("2", "Developing")
    area = row_of(rows, municipality_slug="sighnaghi", kind="external", level="area", code="A")
    assert (area["name_ka"], area["name_en"], area["rank"]) == ("მმართველობა", "Governance", "")


def test_the_scores_agree_with_the_published_results_and_scorecards(published_2021, citizen):
    rows = csv_rows(citizen.get("/en/data/2021/scores.csv"))
    results = cycle_results(published_2021.cycle, with_areas=True)

    for result in results.published:
        slug = result.municipality.slug
        for kind, overall in result.overall.items():
            row = row_of(rows, municipality_slug=slug, kind=kind, level="overall")
            assert Decimal(row["score"]) == overall.quantize(Decimal("0.01"))
        card = scorecard(result.municipality, published_2021.cycle)
        for area in card.areas:
            for kind, value in area.by_kind.items():
                row = row_of(rows, municipality_slug=slug, kind=kind, code=area.item.code)
                assert row["score"] == in_file(value, "0.01")
        assert row_of(rows, municipality_slug=slug, kind=results.headline_kind, level="overall")[
            "rank"
        ] == str(result.rank)


def test_the_scores_workbook_has_a_frozen_header_numbers_as_numbers_and_its_dictionary(
    published_2021, citizen
):
    response = citizen.get("/ka/data/2021/scores.xlsx")

    assert response["Content-Disposition"] == 'attachment; filename="musqat-2021-scores.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = workbook(response)
    assert book.sheetnames == ["scores", "dictionary"]
    sheet = book["scores"]
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == columns.SCORE_NAMES
    first = sheet[2]  # Sighnaghi's self-assessment, overall
    by_name = dict(zip(columns.SCORE_NAMES, first, strict=True))
    assert by_name["municipality_name_ka"].value == "სიღნაღი"
    assert by_name["score"].value == 100 and by_name["score"].data_type == "n"
    assert by_name["rank"].value == 1 and by_name["rank"].data_type == "n"
    assert by_name["cycle"].value == 2021 and by_name["cycle"].data_type == "n"
    assert sheet.max_row == 1 + 24
    described = [row[0].value for row in book["dictionary"].iter_rows(min_row=2)]
    assert described == columns.SCORE_NAMES


# --- The responses file ---------------------------------------------------------------------


def test_the_responses_csv_holds_every_published_answer_cell_by_cell(published_2021, citizen):
    response = citizen.get("/en/data/2021/responses.csv")

    assert response["Content-Disposition"] == 'attachment; filename="musqat-2021-responses.csv"'
    assert header(response) == columns.RESPONSE_NAMES
    rows = csv_rows(response)
    assert len(rows) == 12
    assert [r["indicator_code"] for r in rows[:3]] == ["A.1.1", "A.1.2", "B.1.1"]

    found = row_of(rows, municipality_slug="telavi", kind="external", indicator_code="A.2.1")
    assert found == found | {
        "cycle": "2021",
        "municipality_name_ka": "თელავი",
        "area_code": "A",
        "criterion_code": "A.2",
        "indicator_name_ka": "ინდიკატორი A.2.1",
        "indicator_name_en": "Indicator A.2.1",
        "response_type": "percent",
        "value": "60",
        "not_applicable": "false",
        "normalised": "0.6",
        "answer_en": "60%",
        "evidence_ka": "მოვინახულეთ 12 სოფელი 20-დან",
        "evidence_en": "We visited 12 of 20 villages",
        "reply_ka": "დანარჩენი სოფლები 2022 წელს ჩაერთვება",
        "reply_en": "The other villages join in 2022",
        "revision": "1",
    }
    not_applicable = row_of(
        rows, municipality_slug="telavi", kind="external", indicator_code="B.1.1"
    )
    assert not_applicable == not_applicable | {
        "value": "",
        "not_applicable": "true",
        "normalised": "",
        "answer_en": "Not applicable",
        "na_reason_ka": "მუნიციპალიტეტს ეს სერვისი არ აქვს",
        "na_reason_en": "The municipality has no such service",
    }
    scale = row_of(rows, municipality_slug="telavi", kind="self", indicator_code="A.1.2")
    assert (scale["value"], scale["normalised"]) == ("2", "0.6667")
    assert scale["answer_en"] == "Adopted (level 2 of 3)"
    assert scale["answer_ka"].startswith("მიღებული")
    numeric = row_of(rows, municipality_slug="sighnaghi", kind="external", indicator_code="B.1.1")
    assert (numeric["value"], numeric["normalised"], numeric["answer_en"]) == (
        "14",
        "0.4",
        "14 days",
    )


def test_the_responses_agree_with_the_published_scorecard(published_2021, telavi, citizen):
    rows = csv_rows(citizen.get("/en/data/2021/responses.csv"))
    card = scorecard(telavi, published_2021.cycle)

    for area in card.areas:
        for criterion in area.children:
            for indicator_row in criterion.children:
                for answer in indicator_row.answers:
                    row = row_of(
                        rows, municipality_slug="telavi", kind=answer.kind,
                        indicator_code=indicator_row.indicator.code,
                    )  # fmt: skip
                    assert row["normalised"] == in_file(answer.normalised, "0.0001")


def test_the_responses_workbook_types_values_as_numbers_and_flags_as_booleans(
    published_2021, citizen
):
    book = workbook(citizen.get("/en/data/2021/responses.xlsx"))

    sheet = book["responses"]
    assert sheet.freeze_panes == "A2"
    names = [cell.value for cell in sheet[1]]
    assert names == columns.RESPONSE_NAMES
    rows = [dict(zip(names, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    telavi = next(
        r for r in rows
        if r["municipality_slug"].value == "telavi" and r["kind"].value == "external"
        and r["indicator_code"].value == "A.2.1"
    )  # fmt: skip
    assert (telavi["value"].value, telavi["value"].data_type) == (60, "n")
    assert (telavi["normalised"].value, telavi["normalised"].data_type) == (0.6, "n")
    assert (telavi["not_applicable"].value, telavi["not_applicable"].data_type) == (False, "b")


# --- Methodology and dictionary -------------------------------------------------------------


def test_the_methodology_csv_is_the_matrix_and_imports_back_unchanged(published_2021, citizen):
    response = citizen.get("/ka/data/methodology/2020.csv")

    assert response["Content-Disposition"] == ('attachment; filename="musqat-methodology-2020.csv"')
    assert header(response) == COLUMNS
    rows = read_rows(response.content)
    scale = row_of(rows, indicator_code="A.1.2")
    assert scale["scale_labels_ka"] == "არა | პროექტი | მიღებული | გამოიყენება"
    numeric = row_of(rows, indicator_code="B.1.1")
    assert (numeric["worst"], numeric["best"], numeric["unit_ka"]) == ("20", "5", "დღე")

    copy = MethodologyVersion.objects.create(
        code="copy", name_ka="ასლი", name_en="Copy", is_current=False
    )
    load_matrix(version=copy, rows=rows)
    assert matrix_rows(copy) == matrix_rows(published_2021.cycle.methodology)


def test_a_methodology_still_in_preparation_is_not_offered(published_2021, citizen, visit):
    MethodologyVersion.objects.create(code="2024", name_ka="ახალი", name_en="Next")

    assert citizen.get("/en/data/methodology/2024.csv").status_code == 404
    assert citizen.get("/en/data/methodology/none.csv").status_code == 404
    assert "/en/data/methodology/2024.csv" not in visit("/en/data/").hrefs()


def test_the_dictionary_csv_describes_every_column_of_every_file(citizen, db):
    response = citizen.get("/en/data/dictionary.csv")

    assert response["Content-Disposition"] == ('attachment; filename="musqat-data-dictionary.csv"')
    rows = csv_rows(response)
    assert list(rows[0]) == columns.DICTIONARY_COLUMNS
    described = {(r["dataset"], r["column"]) for r in rows}
    assert described == {
        *(("scores", name) for name in columns.SCORE_NAMES),
        *(("responses", name) for name in columns.RESPONSE_NAMES),
        *(("actions", name) for name in columns.ACTION_NAMES),
        *(("methodology", name) for name in COLUMNS),
    }
    score = row_of(rows, dataset="scores", column="score")
    assert (score["type"], score["unit"]) == ("decimal", "0–100")
    assert score["description_en"].startswith("The published score, rounded to 2 decimals")
    assert score["description_ka"]


# --- Nothing unpublished leaks ------------------------------------------------------------


@pytest.fixture
def unpublished_work(published_2021, methodology, cso):
    """Kvareli's 2021 assessments, a draft and one under review; a 2022 cycle under review;
    and a correction of Telavi's external answers, not yet published."""
    kvareli = factories.municipality("kvareli", "Kvareli", "ყვარელი")
    cycle_2021 = published_2021.cycle
    draft = factories.assessment(kvareli, cycle_2021, "self")
    factories.answer(draft, "A.1.1", 1)
    review = factories.assessment(
        kvareli, cycle_2021, "external", organization=cso, status=Status.REVIEW
    )
    for code, value in {"A.1.1": 1, "A.2.1": 90, "B.1.1": 6}.items():
        factories.answer(review, code, value)
    cycle_2022 = factories.cycle(2022, methodology, is_open=True)
    submitted = factories.assessment(
        published_2021["telavi", "self"].municipality, cycle_2022, "self",
        status=Status.SUBMITTED,
    )  # fmt: skip
    factories.answer(submitted, "A.1.1", 1)
    correction = factories.answer(published_2021["telavi", "external"], "A.2.1", 95)
    correction.evidence = "დაუდასტურებელი შესწორება"
    correction.save()
    cache.clear()
    return cycle_2022


def test_no_file_and_not_the_page_show_anything_unpublished(unpublished_work, citizen, visit):
    page = visit("/en/data/")
    assert "2022" not in page.text
    assert page.rows[1][:2] == ["Scores", "24"]

    for name in ("scores.csv", "scores.xlsx", "responses.csv", "responses.xlsx"):
        response = citizen.get(f"/en/data/2021/{name}")
        if name.endswith(".csv"):
            text = response.content.decode("utf-8-sig")
        else:
            text = "\n".join(
                str(cell)
                for sheet in workbook(response).worksheets
                for row in sheet.iter_rows(values_only=True)
                for cell in row
            )
        assert "kvareli" not in text and "ყვარელი" not in text, name
        assert "დაუდასტურებელი" not in text, name
    telavi = row_of(
        csv_rows(citizen.get("/en/data/2021/responses.csv")),
        municipality_slug="telavi", kind="external", indicator_code="A.2.1",
    )  # fmt: skip
    assert telavi["value"] == "60"  # the published answer, not the correction under way


def test_a_year_without_published_results_has_no_files(unpublished_work, citizen):
    for url in (
        "/en/data/2022/scores.csv",
        "/ka/data/2022/responses.xlsx",
        "/en/data/2019/scores.csv",
        "/en/data/2021/secrets.csv",
        "/en/data/2021/scores.pdf",
    ):
        assert citizen.get(url).status_code == 404, url


# --- Caching and queries ------------------------------------------------------------------


def test_a_file_is_made_again_after_a_publication(
    published_2021, publish, cso, citizen, django_capture_on_commit_callbacks
):
    assert "kvareli" not in citizen.get("/en/data/2021/scores.csv").content.decode()

    kvareli = factories.municipality("kvareli", "Kvareli", "ყვარელი")
    assessment = factories.assessment(kvareli, published_2021.cycle, "external", organization=cso)
    with django_capture_on_commit_callbacks(execute=True):
        publish(assessment, {"A.1.1": 1, "A.2.1": 90, "B.1.1": 6})

    rows = csv_rows(citizen.get("/en/data/2021/scores.csv"))
    assert row_of(rows, municipality_slug="kvareli", level="overall")["municipality_name_ka"] == (
        "ყვარელი"
    )


@pytest.fixture
def more_published(request, published_2021, cso, publish):
    """Another cycle, and two more municipalities published in 2021."""

    def grow():
        request.getfixturevalue("published_2020")
        for slug, name_en, name_ka in (("kvareli", "Kvareli", "ყვარელი"),
                                       ("gurjaani", "Gurjaani", "გურჯაანი")):  # fmt: skip
            place = factories.municipality(slug, name_en, name_ka)
            publish(
                factories.assessment(place, published_2021.cycle, "external", organization=cso),
                {"A.1.1": 1, "A.2.1": 70, "B.1.1": 10},
            )
            publish(
                factories.assessment(place, published_2021.cycle, "self"),
                {"A.1.1": 0, "A.1.2": 1, "B.1.1": 12},
            )
        cache.clear()

    return grow


@pytest.mark.parametrize(
    "url, count",
    [
        ("/en/data/", 7),
        ("/en/data/2021/scores.csv", 7),
        ("/en/data/2021/responses.xlsx", 4),
        ("/en/data/methodology/2020.csv", 3),
    ],
)
def test_the_page_and_its_files_run_the_same_queries_however_much_is_published(
    citizen, more_published, django_assert_num_queries, url, count
):
    with django_assert_num_queries(count):
        assert citizen.get(url).status_code == 200

    more_published()

    with django_assert_num_queries(count):
        assert citizen.get(url).status_code == 200


def test_a_cached_file_is_served_without_building_it_again(
    published_2021, citizen, django_assert_num_queries
):
    first = citizen.get("/en/data/2021/scores.csv")

    with django_assert_num_queries(1):  # only: is 2021 published?
        again = citizen.get("/ka/data/2021/scores.csv")

    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]


def test_the_cycles_with_files_are_those_with_published_results(published_2021, unpublished_work):
    assert list(published_cycles()) == [Cycle.objects.get(year=2021)]
