"""Action plans in public, as a citizen reads them in Georgian and in English.

Telavi's plan (`telavi_plan`, tests/conftest.py) answers its 2021 findings for 2022–2023
and was adopted on 10 January 2022 by the mayor's order N 123: action 1 addresses A.1.1
(external 100 in 2021) and is due on 30 June 2022; action 2 addresses A.2.1 (external 60)
and B.1.1 (not applicable), is due on 31 December 2023 and costs 40 000 ₾ (action 1:
12 500,50 ₾). In `disputed`, Telavi reports action 2 done, the CSO monitor disputes it with
evidence, and Telavi answers. A draft plan carries SECRET markers, which no public page,
feed or file may contain.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import ActionStatus, ActionUpdate, PlanEvidence, VerdictKind
from assessments.plans import services
from assessments.plans.services import Link
from indicators.models import Indicator
from musqat.georgian import has_mtavruli
from tests import factories

SECRET = "SECRET"
LANGUAGES = ["ka", "en"]
# As read (page.text turns the no-break space between thousands into a space).
BUDGET = {"ka": "52 500,50 ₾", "en": "52,500.50 ₾"}


def on_day(monkeypatch, day):
    """Pages judge overdue and stale actions as of this day."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@pytest.fixture
def disputed(telavi_plan, telavi_staff, cso_monitor, monitoring_cso):
    """Action 2: an earlier report, then "done" with a file; the CSO monitor disputes it
    with a file and a link; Telavi answers."""
    action = telavi_plan.actions.get(number=2)
    services.report_progress(
        action=action,
        by=telavi_staff,
        reported_on=datetime.date(2022, 3, 1),
        status=ActionStatus.IN_PROGRESS,
        text="სამუშაოები ათ სოფელში დაიწყო",
    )
    report = services.report_progress(
        action=action,
        by=telavi_staff,
        reported_on=datetime.date(2022, 6, 1),
        status=ActionStatus.DONE,
        text="წყალი ყველა სოფელშია",
        files=[factories.pdf("acceptance-act.pdf", b"%PDF-1.4 ACCEPTANCE")],
    )
    verdict = services.give_verdict(
        update=report,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="სამ სოფელში წყალი ჯერ არ არის",
        files=[factories.pdf("photos.pdf", b"%PDF-1.4 PHOTOS")],
        links=[Link("Village survey", "https://example.org/survey")],
    )
    services.answer_verdict(
        verdict=verdict, by=telavi_staff, text="სამი სოფელი მომავალ თვეში ჩაერთვება"
    )
    return {"action": action, "report": report, "verdict": verdict}


def article(page, number):
    """One action's card on a plan page."""
    return re.search(
        rf'<article class="action-card" id="action-{number}".*?</article>', page.html, re.S
    ).group(0)


def first_voices(html):
    """The first pair of voices in a card: the latest report beside its verdicts."""
    return re.search(r'<div class="row g-2 voices">.*?</section>\s*</div>', html, re.S).group(0)


def file_of(evidence):
    return f"/plans/evidence/{evidence.pk}/"


# --- The plan page ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_telavi_s_plan_with_both_voices_side_by_side(visit, disputed, language):
    page = visit(f"/{language}/municipalities/telavi/plan/")

    assert page.status_code == 200
    assert page.lang == language
    card = article(page, 2)
    latest = first_voices(card)
    # The municipality's report, then the organisation's verdict and Telavi's answer beside it.
    report, verdict = latest.split("voice-monitor", 1)
    assert "წყალი ყველა სოფელშია" in report
    assert "სამ სოფელში წყალი ჯერ არ არის" in verdict
    assert "სამი სოფელი მომავალ თვეში ჩაერთვება" in verdict
    organisation = {"ka": "სამოქალაქო მონიტორი", "en": "Civic Monitor"}[language]
    assert organisation in verdict
    assert 'class="verdict-kind verdict-disputed"' in verdict
    # Both voices' evidence: the report's file, the verdict's file, the verdict's link.
    files = {e.title: e for e in PlanEvidence.objects.all()}
    assert f"/{language}{file_of(files['acceptance-act.pdf'])}" in report
    assert f"/{language}{file_of(files['photos.pdf'])}" in verdict
    assert 'href="https://example.org/survey" rel="nofollow noopener"' in verdict
    # The earlier report waits behind a disclosure.
    earlier = card.split("<details", 1)[1]
    assert "სამუშაოები ათ სოფელში დაიწყო" in earlier
    assert "სამუშაოები ათ სოფელში დაიწყო" not in latest
    assert not has_mtavruli(page.text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_action_says_what_it_is_who_does_it_when_and_for_how_much(
    visit, telavi_plan, language
):
    page = visit(f"/{language}/municipalities/telavi/plan/")

    card = page.plain(article(page, 1))
    if language == "ka":
        assert card.startswith("1. ღონისძიება 1")
        assert "ინფრასტრუქტურის სამსახური" in card
        assert "12 500,50 ₾ (მუნიციპალური ბიუჯეტი)" in card
    else:
        assert card.startswith("1. Action 1")
        assert "Infrastructure department" in card
        assert "12,500.50 ₾ (Municipal budget)" in card
    assert "01.01.2022 – 30.06.2022" in card
    assert f'<a href="/{language}/scorecards/2021/telavi/#indicator-A.1.1">' in article(page, 1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_names_the_period_the_cycle_the_order_and_the_totals(
    visit, disputed, telavi_plan, language
):
    page = visit(f"/{language}/municipalities/telavi/plan/")

    assert "01.01.2022 – 31.12.2023" in page.text
    assert f"/{language}/scorecards/2021/telavi/" in page.hrefs()
    assert f"/{language}/plans/{telavi_plan.pk}/order/" in page.hrefs()
    assert "N 123" in page.text
    assert BUDGET[language] in page.text
    assert f"/{language}/plans/2021/" in page.hrefs()
    assert f"/{language}/municipalities/telavi/feed/" in page.hrefs()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="' in page.html.split("</head>")[0]
    )


def test_the_summary_counts_actions_done_on_track_delayed_and_dropped(
    visit, telavi_plan, telavi_staff, monkeypatch
):
    on_day(monkeypatch, datetime.date(2022, 7, 1))  # action 1 was due on 30 June

    page = visit("/en/municipalities/telavi/plan/")

    assert f"Done 0 On track 1 Delayed 1 Dropped 0 Budget {BUDGET['en']}" in page.text
    assert "overdue" in page.plain(article(page, 1))
    assert "overdue" not in page.plain(article(page, 2))

    services.report_progress(
        action=telavi_plan.actions.get(number=1),
        by=telavi_staff,
        reported_on=datetime.date(2022, 7, 1),
        status=ActionStatus.DONE,
        text="დასრულდა",
    )
    cache.clear()
    page = visit("/en/municipalities/telavi/plan/")

    assert "Done 1 On track 1 Delayed 0" in page.text
    assert "done on 01.07.2022, late" in page.plain(article(page, 1))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_moved_due_date_keeps_the_first_promise_visible(
    visit, telavi_plan, telavi_staff, language
):
    action = telavi_plan.actions.get(number=1)
    action.due_on = datetime.date(2022, 9, 30)
    action.save()
    services.record_due_date_change(
        action=action, old_due_on=datetime.date(2022, 6, 30), by=telavi_staff
    )

    card = article(visit(f"/{language}/municipalities/telavi/plan/"), 1)

    assert "01.01.2022 – 30.09.2022" in card
    assert "<del>30.06.2022</del>" in card


@pytest.mark.parametrize("language", LANGUAGES)
def test_before_a_later_cycle_each_indicator_shows_its_starting_score(visit, telavi_plan, language):
    page = visit(f"/{language}/municipalities/telavi/plan/")

    decimal = "," if language == "ka" else "."
    assert page.row("A.1.1")[1] == f"100{decimal}0 / 100"
    assert page.row("A.2.1")[1] == f"60{decimal}0 / 100"
    if language == "en":
        assert page.rows[0][1:] == ["Before (2021)", "After", "Change"]
        assert page.row("A.2.1")[2] == "no later cycle yet"
        assert page.row("B.1.1")[1:] == ["no score", "no later cycle yet"]  # not applicable


@pytest.mark.parametrize("language", LANGUAGES)
def test_once_the_next_cycle_is_published_each_indicator_shows_before_and_after(
    visit, published_2020, published_2021, telavi, telavi_staff, language
):
    # A plan that answered Telavi's 2020 findings: A.1.1 was "no" (0), A.2.1 40 %;
    # in 2021 they are "yes" (100) and 60 %.
    plan = factories.plan(
        telavi, published_2020.cycle, starts_on="2020-07-01", ends_on="2021-12-31"
    )
    factories.action(plan, 1, indicators=["A.1.1", "A.2.1"], due_on=datetime.date(2021, 6, 30))
    factories.adopt(plan, telavi_staff)

    page = visit(f"/{language}/municipalities/telavi/plan/")

    assert page.status_code == 200
    decimal = "," if language == "ka" else "."
    assert page.row("A.1.1")[1:] == [
        f"0{decimal}0 / 100",
        f"100{decimal}0 / 100",
        f"▲ +100{decimal}0",
    ]
    assert page.row("A.2.1")[1:] == [
        f"40{decimal}0 / 100",
        f"60{decimal}0 / 100",
        f"▲ +20{decimal}0",
    ]
    if language == "en":
        assert page.rows[0][1:] == ["Before (2020)", "After (2021)", "Change"]
    assert f"/{language}/scorecards/2021/telavi/" in page.hrefs()


@pytest.fixture
def version_2023(methodology, telavi, cso, publish, published_2021):
    """A new methodology for 2023: A.1.1 compares with 2020's A.1.1; A.2.1 was measured
    differently (not comparable); B.1.1 has no counterpart. Telavi's 2023 external
    assessment: A.1.1 yes (100), A.2.1 80 %, B.1.1 10 days."""
    version = factories.methodology(code="2023", is_current=False)
    version.previous = methodology
    version.save()
    for code, comparable in (("A.1.1", True), ("A.2.1", False)):
        successor = Indicator.objects.get(code=code, criterion__area__version=version)
        successor.previous = Indicator.objects.get(code=code, criterion__area__version=methodology)
        successor.comparable = comparable
        successor.save()
    cycle = factories.cycle(2023, version)
    publish(
        factories.assessment(telavi, cycle, "external", organization=cso),
        {"A.1.1": 1, "A.2.1": 80, "B.1.1": 10},
    )
    return cycle


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_indicator_measured_differently_in_the_later_cycle_is_not_compared(
    visit, telavi_plan, version_2023, language
):
    page = visit(f"/{language}/municipalities/telavi/plan/")

    decimal = "," if language == "ka" else "."
    assert page.row("A.1.1")[1:] == [f"100{decimal}0 / 100", f"100{decimal}0 / 100", f"0{decimal}0"]
    for code in ("A.2.1", "B.1.1"):
        row = page.row(code)
        assert len(row) == 3  # the later score and the change are one cell that says why
        assert "80" not in row[2]
    if language == "en":
        assert page.row("A.2.1")[2] == "not comparable"
        assert page.row("B.1.1")[2] == "not comparable"
        assert "After (2023)" in page.rows[0]


def test_an_action_done_without_its_indicators_improving_is_flagged(
    visit, published_2020, published_2021, sighnaghi, sighnaghi_staff, telavi, telavi_staff
):
    # Sighnaghi's answers were the same in 2020 and 2021; Telavi's improved.
    for place, staff in ((sighnaghi, sighnaghi_staff), (telavi, telavi_staff)):
        plan = factories.plan(
            place, published_2020.cycle, starts_on="2020-07-01", ends_on="2021-12-31"
        )
        factories.action(plan, 1, indicators=["A.1.1", "A.2.1"])
        plan = factories.adopt(plan, staff)
        services.report_progress(
            action=plan.actions.get(),
            by=staff,
            reported_on=datetime.date(2021, 5, 1),
            status=ActionStatus.DONE,
            text="დასრულდა",
        )

    flag = "done, but its indicators did not improve"
    assert flag in visit("/en/municipalities/sighnaghi/plan/").text
    assert flag not in visit("/en/municipalities/telavi/plan/").text


# --- Which plan -----------------------------------------------------------------------------


@pytest.fixture
def two_plans(published_2020, draft_plan, telavi, telavi_staff):
    """Telavi's plan for its 2020 findings, adopted and closed; then its 2021 plan."""
    earlier = factories.plan(
        telavi, published_2020.cycle, starts_on="2020-07-01", ends_on="2021-12-31"
    )
    factories.action(earlier, 1, title_en="Earlier action", title_ka="წინა ღონისძიება")
    factories.adopt(earlier, telavi_staff)
    services.close_plan(plan=earlier, by=telavi_staff)
    factories.adopt(draft_plan, telavi_staff)
    return earlier


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_plan_in_force_shows_first_and_links_to_the_earlier_one(visit, two_plans, language):
    page = visit(f"/{language}/municipalities/telavi/plan/")
    assert "2022–2023" in page.title
    assert f"/{language}/municipalities/telavi/plan/?plan={two_plans.pk}" in page.hrefs()
    # By its number, as the site links to it, or by the cycle it answers.
    assert visit(f"/{language}/municipalities/telavi/plan/?cycle=2020").title == (
        visit(f"/{language}/municipalities/telavi/plan/?plan={two_plans.pk}").title
    )

    earlier = visit(f"/{language}/municipalities/telavi/plan/?plan={two_plans.pk}")
    assert earlier.status_code == 200
    assert "2020–2021" in earlier.title
    assert ("წინა ღონისძიება" if language == "ka" else "Earlier action") in earlier.text
    assert f"/{language}/municipalities/telavi/plan/" in earlier.hrefs()
    assert 'role="note"' in earlier.html  # closed: it says so


@pytest.mark.parametrize("query", ["?cycle=1999", "?cycle=abc", "?cycle="])
def test_a_cycle_without_a_public_plan_is_not_found(visit, telavi_plan, query):
    assert visit(f"/en/municipalities/telavi/plan/{query}").status_code == 404


def test_a_municipality_without_a_public_plan_has_no_plan_page(visit, telavi_plan):
    assert visit("/en/municipalities/sighnaghi/plan/").status_code == 404
    assert visit("/en/municipalities/nowhere/plan/").status_code == 404


# --- Drafts are never public ----------------------------------------------------------------


@pytest.fixture
def secret_draft(draft_plan, telavi_staff):
    """Telavi's draft plan with SECRET texts, a report and a file that must stay private."""
    draft_plan.order_number = f"{SECRET}-ORDER"
    draft_plan.order_document.save("order.pdf", factories.pdf(), save=False)
    draft_plan.save()
    for action in draft_plan.actions.all():
        action.title_ka = action.title_en = f"{SECRET}-ACTION-{action.number}"
        action.save()
    report = ActionUpdate.objects.create(
        action=draft_plan.actions.get(number=1),
        reported_on=datetime.date(2022, 2, 1),
        status=ActionStatus.IN_PROGRESS,
        text=f"{SECRET}-REPORT",
        author=telavi_staff,
    )
    evidence = PlanEvidence.objects.create(
        update=report, file=factories.pdf("secret.pdf"), title=f"{SECRET}-FILE"
    )
    return {"plan": draft_plan, "evidence": evidence}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_draft_plan_is_in_no_public_page_feed_or_download(client, visit, secret_draft, language):
    plan = secret_draft["plan"]
    for path in (
        "municipalities/telavi/plan/",
        "municipalities/telavi/plan/?cycle=2021",
        "plans/2021/",
        f"plans/{plan.pk}/order/",
        f"plans/evidence/{secret_draft['evidence'].pk}/",
    ):
        assert visit(f"/{language}/{path}").status_code == 404, path
    for path in (
        "municipalities/telavi/",
        "scorecards/2021/telavi/",
        "municipalities/telavi/feed/",
    ):
        response = client.get(f"/{language}/{path}")
        assert response.status_code == 200
        assert SECRET not in response.content.decode(), path
    assert "/plan/" not in " ".join(visit(f"/{language}/municipalities/telavi/").hrefs())
    assert "action-mark" not in visit(f"/{language}/scorecards/2021/telavi/").html


# --- The files ------------------------------------------------------------------------------


def test_the_evidence_files_of_a_public_plan_download(client, disputed):
    for evidence in PlanEvidence.objects.exclude(file=""):
        response = client.get(f"/en{file_of(evidence)}")

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == evidence.file.open("rb").read()
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"]


def test_a_link_is_a_link_and_no_download(client, disputed):
    link = PlanEvidence.objects.get(url="https://example.org/survey")

    assert client.get(f"/en{file_of(link)}").status_code == 404


def test_the_order_of_a_public_plan_downloads_and_a_draft_s_does_not(
    client, telavi_plan, telavi, published_2021
):
    response = client.get(f"/ka/plans/{telavi_plan.pk}/order/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert 'filename="telavi-action-plan-2022-2023-order.pdf"' in response["Content-Disposition"]

    draft = factories.plan(
        telavi, published_2021.cycle, starts_on="2024-01-01", ends_on="2025-12-31"
    )
    draft.order_document.save("order.pdf", factories.pdf(), save=True)
    assert client.get(f"/ka/plans/{draft.pk}/order/").status_code == 404
    assert client.get("/ka/plans/999999/order/").status_code == 404


def test_a_closed_plan_s_files_stay_public(client, disputed, telavi_plan, telavi_staff):
    services.close_plan(plan=telavi_plan, by=telavi_staff)

    assert client.get(f"/en/plans/{telavi_plan.pk}/order/").status_code == 200
    for evidence in PlanEvidence.objects.exclude(file=""):
        assert client.get(f"/en{file_of(evidence)}").status_code == 200


# --- The municipality page and the scorecard ------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_municipality_page_summarises_its_plan_and_links_to_it(
    visit, telavi_plan, monkeypatch, language
):
    on_day(monkeypatch, datetime.date(2022, 7, 1))

    page = visit(f"/{language}/municipalities/telavi/")

    assert f"/{language}/municipalities/telavi/plan/" in page.hrefs()
    assert f"/{language}/municipalities/telavi/feed/" in page.hrefs()
    assert 'type="application/atom+xml"' in page.html.split("</head>")[0]
    counts = re.search(r'<dl class="plan-counts">.*?</dl>', page.html, re.S).group(0)
    assert [page.plain(dd) for dd in re.findall(r"<dd>([^<]*)</dd>", counts)] == [
        "0",
        "1",
        "1",
        "0",
        BUDGET[language],
    ]


def test_a_municipality_without_a_plan_says_so(visit, published_2021):
    page = visit("/en/municipalities/telavi/")

    assert "No action plan of this municipality has been adopted yet." in page.text
    assert "/en/municipalities/telavi/plan/" not in page.hrefs()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_scorecard_marks_the_findings_with_planned_actions(visit, telavi_plan, language):
    page = visit(f"/{language}/scorecards/2021/telavi/?show=all")

    marked = {
        code: re.search(
            rf'id="indicator-{re.escape(code)}">.*?</h4>\s*(<p class="action-mark[^"]*">.*?</p>)?',
            page.html,
            re.S,
        ).group(1)
        for code in ("A.1.1", "A.1.2", "A.2.1", "B.1.1")
    }
    plan = f"/{language}/municipalities/telavi/plan/"
    assert f'href="{plan}#action-1"' in marked["A.1.1"]
    assert f'href="{plan}#action-2"' in marked["A.2.1"]
    assert f'href="{plan}#action-2"' in marked["B.1.1"]
    assert marked["A.1.2"] is None
    assert plan in page.hrefs()  # the plan answering this cycle
    assert f"/{language}/municipalities/telavi/feed/" in page.html.split("</head>")[0]


def test_a_scorecard_no_plan_answers_marks_nothing(visit, telavi_plan, published_2020):
    page = visit("/en/scorecards/2020/telavi/")

    assert "action-mark" not in page.html
    assert "/en/municipalities/telavi/plan/" not in page.hrefs()


# --- The regional page ----------------------------------------------------------------------


@pytest.fixture
def sighnaghi_plan(published_2021, sighnaghi, sighnaghi_staff):
    """Sighnaghi's plan for 2021: one action due 31 December 2022, reported done in 2023."""
    plan = factories.plan(sighnaghi, published_2021.cycle)
    factories.action(
        plan, 1, indicators=["A.2.1"], due_on=datetime.date(2022, 12, 31), budget=Decimal("1000")
    )
    plan = factories.adopt(plan, sighnaghi_staff)
    services.report_progress(
        action=plan.actions.get(),
        by=sighnaghi_staff,
        reported_on=datetime.date(2023, 2, 1),
        status=ActionStatus.DONE,
        text="დასრულდა დაგვიანებით",
    )
    return plan


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_regional_page_compares_on_time_overdue_and_disputed_shares(
    visit, disputed, telavi_plan, telavi_staff, sighnaghi_plan, language
):
    # Telavi: action 1 done on time; action 2 reported done, disputed.
    services.report_progress(
        action=telavi_plan.actions.get(number=1),
        by=telavi_staff,
        reported_on=datetime.date(2022, 6, 15),
        status=ActionStatus.DONE,
        text="დასრულდა ვადაში",
    )

    page = visit(f"/{language}/plans/2021/")

    assert page.status_code == 200
    telavi, sighnaghi = ("თელავი", "სიღნაღი") if language == "ka" else ("Telavi", "Sighnaghi")
    share = (lambda text: text.replace(".", ",")) if language == "ka" else (lambda text: text)
    # The municipality (with its plan's period), actions, done on time, overdue, disputed,
    # done, dropped, budget.
    assert page.row(telavi)[1:6] == [
        "2",
        share("100.0% (2)"),
        share("0.0% (0)"),
        share("50.0% (1)"),
        "2",
    ]
    assert page.row(sighnaghi)[1:6] == [
        "1",
        share("0.0% (0)"),
        share("0.0% (0)"),
        share("0.0% (0)"),
        "1",
    ]
    # Best on-time share first, each row linking to the plan.
    names = [cells[0] for cells in page.rows[1:]]
    assert names == [f"{telavi} 2022–2023", f"{sighnaghi} 2022–2023"]
    assert f"/{language}/municipalities/telavi/plan/" in page.hrefs()
    assert "<caption>" in page.html
    assert not has_mtavruli(page.text)


def test_the_regional_page_counts_overdue_actions(visit, telavi_plan, monkeypatch):
    on_day(monkeypatch, datetime.date(2022, 7, 1))  # action 1 is a day overdue

    page = visit("/en/plans/2021/")

    assert page.row("Telavi")[1:4] == ["2", "0.0% (0)", "50.0% (1)"]


def test_the_regional_page_switches_between_the_cycles_plans_answer(visit, two_plans):
    page = visit("/en/plans/2021/")

    assert "/en/plans/2020/" in page.hrefs()
    assert visit("/en/plans/2020/").status_code == 200


@pytest.mark.parametrize("year", [2020, 1999])
def test_a_year_without_public_plans_has_no_regional_page(visit, draft_plan, published_2020, year):
    assert visit(f"/en/plans/{year}/").status_code == 404
    assert visit("/en/plans/2021/").status_code == 404  # only a draft answers 2021


# --- Queries and the page cache -------------------------------------------------------------


def more_actions(plan, staff, monitor, organization, count=3, start=3):
    """Further actions, each with indicators, a criterion, two reports with evidence, a
    verdict with evidence and an answer."""
    criterion = Indicator.objects.get(
        code="A.1.1", criterion__area__version=plan.cycle.methodology
    ).criterion
    for number in range(start, start + count):
        action = factories.action(plan, number, indicators=["A.1.1", "A.2.1"])
        action.criteria.add(criterion)
        for day, status in ((1, ActionStatus.IN_PROGRESS), (2, ActionStatus.DONE)):
            report = services.report_progress(
                action=action,
                by=staff,
                reported_on=datetime.date(2022, 5, day),
                status=status,
                text=f"ანგარიში {number}",
                files=[factories.pdf(f"report-{number}.pdf")],
                links=[Link("Photo", "https://example.org/photo")],
            )
        if monitor:
            verdict = services.give_verdict(
                update=report,
                by=monitor,
                organization_id=organization.pk,
                verdict=VerdictKind.CONFIRMED,
                text="დადასტურდა",
                files=[factories.pdf("check.pdf")],
            )
            services.answer_verdict(verdict=verdict, by=staff, text="მადლობა")


PLAN_PAGE_QUERIES = 13
REGIONAL_PAGE_QUERIES = 9


def test_the_plan_page_needs_no_more_queries_with_more_actions(
    client, disputed, telavi_plan, telavi_staff, cso_monitor, monitoring_cso,
    django_assert_num_queries,
):  # fmt: skip
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        assert client.get("/en/municipalities/telavi/plan/").status_code == 200

    more_actions(telavi_plan, telavi_staff, cso_monitor, monitoring_cso)
    cache.clear()

    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        page = client.get("/en/municipalities/telavi/plan/")
    assert 'id="action-5"' in page.content.decode()


def test_the_regional_page_needs_no_more_queries_with_more_plans_and_actions(
    client, disputed, telavi_plan, telavi_staff, cso_monitor, monitoring_cso,
    sighnaghi_plan, sighnaghi_staff, django_assert_num_queries,
):  # fmt: skip
    with django_assert_num_queries(REGIONAL_PAGE_QUERIES):
        assert client.get("/en/plans/2021/").status_code == 200

    more_actions(telavi_plan, telavi_staff, cso_monitor, monitoring_cso)
    more_actions(sighnaghi_plan, sighnaghi_staff, None, None, start=2)
    cache.clear()

    with django_assert_num_queries(REGIONAL_PAGE_QUERIES):
        page = client.get("/en/plans/2021/")
    assert "Sighnaghi" in page.content.decode()


@pytest.mark.parametrize(
    "path",
    ["municipalities/telavi/plan/", "municipalities/telavi/plan/?cycle=2021", "plans/2021/"],
)
def test_the_plan_pages_are_cached_until_a_report_is_committed(
    client, telavi_plan, telavi_staff, django_assert_num_queries,
    django_capture_on_commit_callbacks, path,
):  # fmt: skip
    client.get(f"/ka/{path}")
    with django_assert_num_queries(0):
        assert client.get(f"/ka/{path}").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        services.report_progress(
            action=telavi_plan.actions.get(number=1),
            by=telavi_staff,
            reported_on=datetime.date(2022, 6, 15),
            status=ActionStatus.DONE,
            text="ახალი ანგარიში",
        )

    page = client.get(f"/ka/{path}").content.decode()
    if "plans/2021" in path:
        # Before: both actions overdue (100,0 %); now one of two is done on time.
        assert "100,0%" not in page
        assert "50,0%" in page
    else:
        assert "ახალი ანგარიში" in page


def test_a_made_up_query_is_served_but_not_cached(
    client, telavi_plan, django_assert_max_num_queries
):
    client.get("/en/municipalities/telavi/plan/?utm=x")

    with django_assert_max_num_queries(30) as captured:
        assert client.get("/en/municipalities/telavi/plan/?utm=x").status_code == 200
    assert len(captured.captured_queries) > 0


@pytest.mark.parametrize(
    "path, shown",
    [
        ("/en/municipalities/telavi/", "answers the findings of 2021 with 5 actions"),
        ("/en/scorecards/2021/telavi/?show=all", 'href="/en/municipalities/telavi/plan/#action-5"'),
    ],
)
def test_the_plan_s_summary_and_marks_need_no_more_queries_with_more_actions(
    client, disputed, telavi_plan, telavi_staff, cso_monitor, monitoring_cso, path, shown,
):  # fmt: skip
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200

    more_actions(telavi_plan, telavi_staff, cso_monitor, monitoring_cso)
    cache.clear()

    with CaptureQueriesContext(connection) as more:
        page = client.get(path).content.decode()
    assert len(more.captured_queries) == len(few.captured_queries)
    assert shown in page
