"""The site search at /ka/search/ and /en/search/: a citizen finds municipalities,
indicators, grant calls and awards, and the actions of adopted plans, in either script;
nothing unpublished is found, and whatever is typed is shown back as text.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStage,
    Decision,
    Eligibility,
)
from indicators.models import Criterion, Indicator
from municipalities.models import Municipality
from musqat.search import MAX_LENGTH, PAGE_SIZE, PREVIEW, Query
from tests import factories

WATER_KA = "სასმელი წყლით მომარაგების გრაფიკი"
WATER_EN = "Drinking water supply schedule"


@pytest.fixture
def water_indicator(methodology):
    """A.1.2 of the current methodology, named for the water service."""
    indicator = Indicator.objects.get(code="A.1.2", criterion__area__version=methodology)
    indicator.name_ka, indicator.name_en = WATER_KA, WATER_EN
    indicator.description_ka = "გრაფიკი გამოქვეყნებულია ვებგვერდზე"
    indicator.description_en = "The schedule is published on the website"
    indicator.save()
    return indicator


def call(slug, stage, cycle, **texts):
    now = timezone.now()
    defaults = {
        "title_ka": "მცირე გრანტები",
        "title_en": "Small grants",
        "description_ka": "ადვოკატირება",
        "description_en": "Advocacy",
    }
    return Call.objects.create(
        slug=slug,
        budget=Decimal("100000"),
        min_grant=Decimal("5000"),
        max_grant=Decimal("20000"),
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        stage=stage,
        cycle=cycle,
        **(defaults | texts),
    )


def application(call, organization, reference, *, title, awarded, **fields):
    return Application.objects.create(
        call=call,
        organization=organization,
        reference=reference,
        status=ApplicationStatus.SUBMITTED,
        eligibility=Eligibility.ELIGIBLE,
        decision=Decision.AWARDED if awarded else Decision.REJECTED,
        awarded_amount=Decimal("10000") if awarded else None,
        decision_reason="" if awarded else "Weak link to the findings.",
        title=title,
        **fields,
    )


@pytest.fixture
def grants(cycle_2021, cso, telavi):
    """A decided call with one award and one rejected application, both about water, and
    a draft call about water that is not public yet."""
    decided = call(
        "decided-2024",
        CallStage.DECIDED,
        cycle_2021,
        title_ka="წყლის გრანტები",
        title_en="Water grants",
    )
    call(
        "draft-2025", CallStage.DRAFT, cycle_2021, title_ka="წყლის მონახაზი", title_en="Water draft"
    )
    award = application(
        decided,
        cso,
        "DECIDED-2024-001",
        title="Water for every village",
        awarded=True,
        municipality=telavi,
        public_summary_ka="სასმელი წყალი ყველა სოფელს",
        public_summary_en="Drinking water for every village",
    )
    rejected = application(
        decided,
        factories.organization("other-cso"),
        "DECIDED-2024-002",
        title="Water rejected project",
        awarded=False,
        summary="Water meters",
    )
    return {"call": decided, "award": award, "rejected": rejected}


def hits(page, kind):
    """(title, address) of the hits listed in the section of one kind."""
    section = re.search(
        rf'<section[^>]*aria-labelledby="kind-{kind}".*?</section>', page.html, re.S
    )
    if section is None:
        return []
    return [
        (page.plain(title), href)
        for href, title in re.findall(
            r'<li class="search-hit">\s*<a class="fw-semibold" href="([^"]*)">(.*?)</a>',
            section.group(0),
            re.S,
        )
    ]


def search_box_value(page):
    found = re.search(r'<input[^>]*id="search-q"[^>]*value="([^"]*)"', page.html)
    return page.plain(found.group(1)) if found else None


# --- Finding things -------------------------------------------------------------------------


def test_it_finds_a_municipality_by_part_of_its_name_in_either_script(visit, telavi, sighnaghi):
    georgian = visit("/ka/search/?q=თელა")
    english = visit("/en/search/?q=tel")

    assert hits(georgian, "municipalities") == [("თელავი", "/ka/municipalities/telavi/")]
    assert hits(english, "municipalities") == [("Telavi", "/en/municipalities/telavi/")]


def test_it_finds_a_municipality_by_its_official_name(visit, telavi, sighnaghi):
    page = visit("/en/search/?q=სიღნაღის მუნიციპალიტეტი")

    assert hits(page, "municipalities") == [("Sighnaghi", "/en/municipalities/sighnaghi/")]


def test_a_georgian_part_of_an_indicator_s_name_finds_it_on_the_methodology_page(
    visit, water_indicator
):
    page = visit("/ka/search/?q=წყლით")

    assert hits(page, "indicators") == [(f"A.1.2 {WATER_KA}", "/ka/methodology/#i-A.1.2")]
    assert 'id="i-A.1.2"' in visit("/ka/methodology/").html


def test_an_english_word_finds_the_indicator_by_its_english_name(visit, water_indicator):
    page = visit("/en/search/?q=WATER supply")

    assert hits(page, "indicators") == [(f"A.1.2 {WATER_EN}", "/en/methodology/#i-A.1.2")]
    assert "<mark>water</mark>" not in page.html  # the title shows it: no excerpt repeats it


def test_a_word_of_the_description_finds_the_indicator_and_shows_the_passage(
    visit, water_indicator
):
    page = visit("/en/search/?q=website")

    assert hits(page, "indicators") == [(f"A.1.2 {WATER_EN}", "/en/methodology/#i-A.1.2")]
    assert "published on the <mark>website</mark>" in page.html


def test_a_code_finds_its_indicator_first_and_a_part_of_a_code_finds_it_too(visit, methodology):
    whole = visit("/en/search/?q=A.1.2")
    part = visit("/en/search/?q=1.2")

    assert hits(whole, "indicators")[0] == ("A.1.2 Indicator A.1.2", "/en/methodology/#i-A.1.2")
    assert ("A.1.2 Indicator A.1.2", "/en/methodology/#i-A.1.2") in hits(part, "indicators")


def test_an_indicator_of_an_earlier_methodology_links_to_that_version_s_page(visit, methodology):
    earlier = factories.methodology(code="2016", is_current=False)
    Indicator.objects.filter(criterion__area__version=earlier, code="B.1.1").update(
        name_en="Response time"
    )

    page = visit("/en/search/?q=response time")

    assert hits(page, "indicators") == [("B.1.1 Response time", "/en/methodology/2016/#i-B.1.1")]


def test_it_finds_the_action_of_an_adopted_plan_on_the_plan_page(visit, telavi_plan):
    telavi_plan.actions.filter(number=2).update(
        title_ka="წყალსადენის რეაბილიტაცია", title_en="Water pipes repaired"
    )

    georgian = visit("/ka/search/?q=წყალსადენ")
    english = visit("/en/search/?q=pipes")

    assert hits(georgian, "actions") == [
        ("წყალსადენის რეაბილიტაცია", "/ka/municipalities/telavi/plan/#action-2")
    ]
    assert hits(english, "actions") == [
        ("Water pipes repaired", "/en/municipalities/telavi/plan/#action-2")
    ]
    assert "Telavi · Action plan 2022–2023 · Action 2" in english.text


def test_the_actions_of_a_draft_plan_are_not_found(visit, draft_plan):
    draft_plan.actions.filter(number=1).update(title_en="Secret water pipes")

    page = visit("/en/search/?q=secret water pipes")

    assert hits(page, "actions") == []
    assert "Nothing was found for “secret water pipes”." in page.text


def test_it_finds_a_public_call_and_an_award_but_no_draft_call_or_other_application(visit, grants):
    page = visit("/en/search/?q=water")

    assert hits(page, "calls") == [("Water grants", "/en/grants/decided-2024/")]
    assert hits(page, "awards") == [
        ("Civic Monitor", "/en/grants/decided-2024/awards/DECIDED-2024-001/")
    ]
    assert "Water draft" not in page.text
    assert "DECIDED-2024-002" not in page.html and "rejected" not in page.text


def test_an_award_is_found_by_its_georgian_summary_and_by_its_reference(visit, grants):
    summary = visit("/ka/search/?q=სოფელს")
    reference = visit("/en/search/?q=decided-2024-001")

    assert hits(summary, "awards") == [
        ("სამოქალაქო მონიტორი", "/ka/grants/decided-2024/awards/DECIDED-2024-001/")
    ]
    assert len(hits(reference, "awards")) == 1


def test_the_applicant_s_summary_is_found_only_where_the_register_shows_it(visit, grants):
    award = grants["award"]
    award.summary = "Hidden meters note"
    award.save()
    assert visit("/en/search/?q=meters").text.count("Hidden meters") == 0

    Application.objects.filter(pk=award.pk).update(public_summary_en="")

    page = visit("/en/search/?q=meters")
    assert [title for title, _url in hits(page, "awards")] == ["Civic Monitor"]


# --- The page ------------------------------------------------------------------------------


def test_the_results_are_grouped_by_kind_with_their_counts(visit, telavi, water_indicator):
    page = visit("/en/search/?q=a")

    assert "Type at least 2 characters." in page.text
    page = visit("/en/search/?q=indicator")
    assert re.search(r'href="#kind-indicators">Indicators</a> <span[^>]*>3</span>', page.html)
    assert "3 results for “indicator”." in page.text
    assert search_box_value(page) == "indicator"


def test_many_hits_are_shown_a_few_at_a_time_with_a_link_to_all_of_them_by_page(visit, methodology):
    criterion = Criterion.objects.get(code="A.1", area__version=methodology)
    for number in range(PAGE_SIZE + 3):
        factories.indicator(criterion, f"A.1.{number + 10}", "yes_no", name_en=f"Water {number}")
    total = PAGE_SIZE + 3

    overview = visit("/en/search/?q=water")
    first = visit("/en/search/?q=water&kind=indicators")
    second = visit("/en/search/?q=water&kind=indicators&page=2")
    beyond = visit("/en/search/?q=water&kind=indicators&page=99")
    unreadable = visit("/en/search/?q=water&kind=indicators&page=" + "9" * 5000)

    assert len(hits(overview, "indicators")) == PREVIEW
    assert f"Indicators: all {total} results" in overview.text
    assert '/en/search/?q=water&amp;kind=indicators"' in overview.html
    assert len(re.findall(r'class="search-hit"', first.html)) == PAGE_SIZE
    assert len(re.findall(r'class="search-hit"', second.html)) == 3
    assert "Page 2 of 2" in second.text
    assert "Page 2 of 2" in beyond.text  # a page beyond the last shows the last
    assert unreadable.status_code == 200 and "Page 1 of 2" in unreadable.text


def test_an_empty_query_shows_the_box_and_a_hint(visit):
    for address in ("/en/search/", "/en/search/?q=", "/en/search/?q=%20%20"):
        page = visit(address)
        assert page.status_code == 200
        assert 'role="search"' in page.html and search_box_value(page) == ""
        assert "Type a word or a part of one" in page.text


def test_nothing_found_says_so_keeps_the_query_and_suggests_what_to_try(visit, telavi):
    page = visit("/ka/search/?q=ზღვა")

    assert page.status_code == 200
    assert search_box_value(page) == "ზღვა"
    assert "„ზღვა“" in page.text or "“ზღვა”" in page.text
    assert "A.1.2" in page.text  # the suggestion of a code


def test_the_header_has_a_labelled_search_form_on_every_page(visit, telavi):
    for address in ("/ka/", "/en/municipalities/telavi/"):
        header = visit(address).html.split("</header>")[0]
        assert re.search(r'<form class="site-search" role="search" [^>]*aria-label="', header)
        assert '<label class="visually-hidden" for="site-search-q">' in header
        assert f'action="/{address[1:3]}/search/"' in header


# --- Hostile queries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "' OR 1=1 --",
        "telavi'; DROP TABLE municipalities_municipality; --",
        "%",
        "_",
        "\\",
        "a.1.%",
    ],
)
def test_a_hostile_query_is_searched_for_as_text_and_shown_as_text(citizen, telavi, typed):
    answer = citizen.get("/en/search/", {"q": typed})

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "Telavi</a>" not in html  # % and _ are not wildcards
    assert Municipality.objects.filter(slug="telavi").exists()


def test_an_over_long_query_is_cut_and_says_so(visit, telavi):
    page = visit("/en/search/?q=" + "telavi " + "x" * 5000)

    assert page.status_code == 200
    assert len(search_box_value(page)) == MAX_LENGTH
    assert f"Only the first {MAX_LENGTH} characters" in page.text


def test_a_nul_in_the_query_is_refused_before_the_search(citizen):
    assert citizen.get("/en/search/?q=tel%00avi").status_code == 400


def test_a_query_drops_unprintable_characters_and_keeps_at_most_a_few_words():
    query = Query.read("ტელ\x00ავი\u200b  \x07 " + " ".join(f"w{n}" for n in range(20)))

    assert query.text.startswith("ტელავი w0 w1")
    assert len(query.terms) == 8
    assert Query.read("ᲗᲔᲚᲐᲕᲘ").terms == ("თელავი",)  # Mtavruli searches as Mkhedruli


# --- Cost ----------------------------------------------------------------------------------


def queries_of(citizen, address):
    with CaptureQueriesContext(connection) as captured:
        assert citizen.get(address).status_code == 200
    return len(captured)


def test_the_query_count_is_one_per_kind_whatever_the_number_of_hits(
    citizen, telavi_plan, grants, water_indicator
):
    telavi_plan.actions.update(title_en="Water pipes")
    address = "/en/search/?q=water"
    few = queries_of(citizen, address)

    for number in range(10):
        factories.indicator(
            water_indicator.criterion, f"A.1.{number + 10}", "yes_no", name_en=f"Water {number}"
        )
        factories.municipality(f"place-{number}", f"Waterford {number}", f"ადგილი {number}")
        factories.action(telavi_plan, number + 3, title_en=f"Water step {number}")
    many = queries_of(citizen, address)
    page = citizen.get(address).content.decode()

    assert few == many <= 5
    for kind in ("municipalities", "indicators", "actions", "calls", "awards"):
        assert f'id="kind-{kind}"' in page, kind
    assert queries_of(citizen, address + "&kind=indicators") <= 1
