"""The grant competition in public: what a citizen, a journalist or a CSO reads about calls
and grants, in Georgian and English, and what never shows.

The decided call (`decided`) had three applications: the CSO monitor's, awarded 10 000 ₾
for Telavi's water service (A.2.1); another organisation's, rejected after review; a third
one's, found ineligible. A reviewer scored the first two. Every text that must stay
private (the reviewer's name and comments, the reasons, the ineligible and rejected
applications' titles, a draft call, a draft application) carries a SECRET marker, and no
public page, file or API answer may contain one.
"""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import load_workbook

from grants import documents, register, services
from grants.models import (
    Application,
    ApplicationStatus,
    Call,
    CallStage,
    Decision,
    Eligibility,
)
from indicators.models import Indicator
from municipalities.models import Organization
from musqat.spreadsheets import read_rows
from tests import factories

from .conftest import DECIDED_AT, complete

SECRET = "SECRET"


def organisation(slug, name_en, name_ka):
    return Organization.objects.create(slug=slug, name_en=name_en, name_ka=name_ka)


def submitted_by(call, slug, name_en, name_ka, telavi, title):
    """Another organisation's complete application, submitted, with the given title."""
    org = organisation(slug, name_en, name_ka)
    member = factories.cso_monitor(f"{slug}-monitor", org)
    application = services.start_application(call=call, organization_id=org.pk, by=member)
    complete(application, member, telavi)
    application.title = title
    application.contact_email = f"{SECRET.lower()}-{slug}@example.org"
    application.contact_phone = f"{SECRET}-PHONE-{slug}"
    application.save()
    return services.submit_application(application=application, by=member)


@pytest.fixture
def reviewer(grant_reviewer):
    grant_reviewer.first_name = "SECRET-Reviewerina"
    grant_reviewer.last_name = "SECRET-Revieweradze"
    grant_reviewer.save()
    return grant_reviewer


@pytest.fixture
def decided(open_call, submitted_application, telavi, reviewer, project_staff):
    """The call reviewed and decided: one award, one rejection, one ineligible application."""
    call = open_call
    awarded = submitted_application
    rejected = submitted_by(
        call, "rejected-cso", "Rejected CSO", "უარყოფილი", telavi, "SECRET-REJECTED-TITLE"
    )
    ineligible = submitted_by(
        call, "ineligible-cso", "Ineligible CSO", "შეუსაბამო", telavi, "SECRET-INELIGIBLE-TITLE"
    )
    # Never submitted: a draft of a fourth organisation.
    drafter = organisation("draft-cso", "Drafting CSO", "მონახაზი")
    draft = services.start_application(
        call=call,
        organization_id=drafter.pk,
        by=factories.cso_monitor("draft-monitor", drafter),
    )
    draft.title = "SECRET-DRAFT-TITLE"
    draft.save()

    services.start_review(call=call, by=project_staff, now=call.closes_at)
    awarded = services.check_eligibility(application=awarded, eligible=True, by=project_staff)
    rejected = services.check_eligibility(application=rejected, eligible=True, by=project_staff)
    ineligible = services.check_eligibility(
        application=ineligible, eligible=False, reason="SECRET-INELIGIBLE-REASON", by=project_staff
    )
    criteria = list(call.rubric.all())
    for application, points in ((awarded, 4), (rejected, 1)):
        review = services.assign_reviewer(
            application=application, reviewer=reviewer, by=project_staff
        )
        services.declare_conflict(review=review, has_conflict=False, by=reviewer)
        services.save_review(
            review=review,
            scores={c.pk: (points, f"SECRET-REVIEWER-COMMENT-{c.pk}") for c in criteria},
            submit=True,
            by=reviewer,
        )
    services.moderate(
        application=rejected, score=Decimal("1.25"), note="SECRET-MODERATION", by=project_staff
    )
    services.decide(
        application=awarded,
        award=True,
        amount=Decimal("10000"),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 12, 31),
        reason="SECRET-AWARD-REASON",
        by=project_staff,
        summary_ka="სასმელი წყალი ყველა სოფელს",
        summary_en="Drinking water for every village",
        now=DECIDED_AT,
    )
    services.decide(
        application=rejected, award=False, reason="SECRET-REJECTION-REASON", by=project_staff
    )
    services.close_decisions(call=call, by=project_staff)
    awarded.refresh_from_db()
    awarded.public_summary_ka = "სასმელი წყალი ყველა სოფელს"
    awarded.public_summary_en = "Drinking water for every village"
    awarded.save()
    call.refresh_from_db()
    return {"call": call, "award": awarded, "rejected": rejected, "ineligible": ineligible}


@pytest.fixture
def draft_call(grant_cycle, telavi):
    call = Call.objects.create(
        slug="secret-draft",
        title_ka="SECRET-DRAFT-CALL",
        title_en="SECRET-DRAFT-CALL",
        description_ka="SECRET",
        description_en="SECRET",
        budget=Decimal("1000"),
        min_grant=Decimal("100"),
        max_grant=Decimal("500"),
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=5),
        cycle=grant_cycle,
    )
    call.municipalities.set([telavi])
    return call


def a_call(grant_cycle, slug, *, opens_in_days, closes_in_days, places, stage=CallStage.ANNOUNCED):
    now = timezone.now().replace(microsecond=0)
    call = Call.objects.create(
        slug=slug,
        title_ka=f"კონკურსი {slug}",
        title_en=f"Call {slug}",
        description_ka="აღწერა",
        description_en="Description",
        budget=Decimal("50000"),
        min_grant=Decimal("1000"),
        max_grant=Decimal("9999.5"),
        opens_at=now + datetime.timedelta(days=opens_in_days),
        closes_at=now + datetime.timedelta(days=closes_in_days),
        stage=stage,
        cycle=grant_cycle,
    )
    call.municipalities.set(places)
    return call


def more_awards(call, telavi, count, start=2):
    """`count` further awards of the decided call, made directly (the register only reads)."""
    indicators = list(Indicator.objects.filter(criterion__area__version=call.cycle.methodology)[:2])
    for n in range(start, start + count):
        org = organisation(f"grantee-{n}", f"Grantee {n}", f"გრანტი {n}")
        application = Application.objects.create(
            call=call,
            organization=org,
            reference=f"{call.slug.upper()}-{n + 100:03d}",
            status=ApplicationStatus.SUBMITTED,
            title=f"Project {n}",
            summary=f"Summary {n}",
            municipality=telavi,
            eligibility=Eligibility.ELIGIBLE,
            decision=Decision.AWARDED,
            awarded_amount=Decimal("1000.50"),
            grant_start=datetime.date(2025, 2, 1),
            grant_end=datetime.date(2025, 11, 30),
        )
        application.indicators.set(indicators)


# --- The list of calls ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ka", "en"])
def test_the_list_shows_open_calls_first_and_decided_ones_with_their_awards(
    visit, decided, grant_cycle, telavi, language
):
    a_call(grant_cycle, "open-now", opens_in_days=-2, closes_in_days=3, places=[telavi])
    page = visit(f"/{language}/grants/")

    assert page.status_code == 200
    assert page.lang == language
    title = "Call open-now" if language == "en" else "კონკურსი open-now"
    decided_title = decided["call"].title_en if language == "en" else decided["call"].title_ka
    assert page.text.index(title) < page.text.index(decided_title)
    assert f"/{language}/grants/open-now/" in page.hrefs()
    row = page.row(decided_title)
    # 3 applications submitted (the draft is not one), 1 award of 10 000 ₾.
    assert row[3:5] == ["3", "1"]
    assert re.sub(r"\s", " ", row[5]) in ("10 000,00 ₾", "10,000.00 ₾")


def test_an_open_call_shows_its_deadline_in_tbilisi_time_and_the_days_left(
    visit, grant_cycle, telavi
):
    call = a_call(grant_cycle, "soon", opens_in_days=-1, closes_in_days=3, places=[telavi])
    call.closes_at = datetime.datetime(2031, 5, 1, 14, 0, tzinfo=datetime.UTC)
    call.save()
    days = (datetime.date(2031, 5, 1) - timezone.localdate()).days

    page = visit("/en/grants/")

    assert "1 May 2031, 18:00" in page.text  # 14:00 UTC is 18:00 in Tbilisi
    assert f"closes in {days} days" in page.text
    assert "9,999.50 ₾" in page.text
    assert "50,000.00 ₾" in page.text


def test_a_call_to_come_says_when_it_opens(visit, grant_cycle, telavi):
    a_call(grant_cycle, "later", opens_in_days=5, closes_in_days=20, places=[telavi])

    page = visit("/en/grants/")

    assert "opens in 5 days" in page.text
    assert "opens soon" in page.text


def test_the_list_needs_no_more_queries_with_more_calls_and_awards(
    client, decided, grant_cycle, telavi, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3) as few:
        client.get("/en/grants/")
    for n in range(6):
        a_call(grant_cycle, f"more-{n}", opens_in_days=-1, closes_in_days=n + 1, places=[telavi])
    more_awards(decided["call"], telavi, 5)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/en/grants/")


# --- A call ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ka", "en"])
def test_an_open_call_says_everything_an_applicant_needs(visit, open_call, language):
    page = visit(f"/{language}/grants/kakheti-2024/")

    assert page.status_code == 200
    english = language == "en"
    assert page.title.startswith(open_call.title_en if english else open_call.title_ka)
    text = page.text
    assert (open_call.description_en if english else open_call.description_ka) in text
    # Eligible municipalities, priority indicator with its published mean score: A.2.1 is
    # 60 % in Telavi and 50 % in Sighnaghi (external, the headline kind) → 55.0.
    assert ("Telavi" if english else "თელავი") in text
    assert f"/{language}/municipalities/telavi/" in page.hrefs()
    row = page.row("A.2.1")
    assert row[1] == ("55.0" if english else "55,0")
    assert row[2] == "2"
    # Checklist, documents with their file types, rubric with weights and guidance.
    assert ("Works in Kakheti" if english else "მუშაობს კახეთში") in text
    assert page.row("Project budget" if english else "პროექტის ბიუჯეტი")[1] == ".xlsx, .pdf"
    assert page.row("Relevance" if english else "შესაბამისობა")[1] == "2 / 3"
    # How to apply, the PDFs in both languages.
    assert "/monitor/grants/" in page.hrefs()
    assert f"/{language}/grants/kakheti-2024/call-ka.pdf" in page.hrefs()
    assert f"/{language}/grants/kakheti-2024/call-en.pdf" in page.hrefs()


def test_a_decided_call_lists_every_award_and_the_total(visit, decided):
    page = visit("/en/grants/kakheti-2024/")

    award = decided["award"]
    row = page.row("Civic Monitor")
    assert award.reference in row[0]
    assert row[1] == "Telavi"
    assert row[2] == "A.2.1"
    assert row[3] == "10,000.00 ₾"
    assert row[4] == "Drinking water for every village"
    assert f"/en/grants/kakheti-2024/awards/{award.reference}/" in page.hrefs()
    assert page.row("Total awarded")[1] == "10,000.00 ₾"
    # The number of applications, never their details.
    assert "Applications 3" in page.text
    assert "Rejected CSO" not in page.text
    assert "Ineligible CSO" not in page.text


def test_in_georgian_the_award_shows_its_georgian_summary(visit, decided):
    page = visit("/ka/grants/kakheti-2024/")

    assert "სასმელი წყალი ყველა სოფელს" in page.text
    assert "Drinking water" not in page.text


def test_an_award_without_a_public_summary_shows_the_applicant_s_summary(visit, decided):
    award = decided["award"]
    award.public_summary_en = ""
    award.save()

    page = visit("/en/grants/kakheti-2024/")

    summary = page.row("Civic Monitor")[4]
    assert summary == "Advocacy for the water service. (as written by the applicant)"


def test_a_call_page_needs_no_more_queries_with_more_awards(
    client, decided, telavi, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        assert client.get("/en/grants/kakheti-2024/").status_code == 200
    more_awards(decided["call"], telavi, 6)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/en/grants/kakheti-2024/")
    assert response.content.decode().count("Grantee ") == 6


@pytest.mark.parametrize("language", ["ka", "en"])
def test_a_draft_call_is_not_found(visit, draft_call, language):
    assert visit(f"/{language}/grants/secret-draft/").status_code == 404
    assert visit(f"/{language}/grants/secret-draft/call-ka.pdf").status_code == 404


# --- An award -------------------------------------------------------------------------------


def test_an_award_shows_the_finding_it_addresses_with_a_link_to_the_scorecard(visit, decided):
    award = decided["award"]

    page = visit(f"/en/grants/kakheti-2024/awards/{award.reference}/")

    assert page.status_code == 200
    assert "Civic Monitor" in page.title
    assert "10,000.00 ₾" in page.text
    assert "Drinking water for every village" in page.text
    row = page.row("A.2.1")
    assert row[1].startswith("60.0")  # Telavi's external assessment of 2021
    assert "/en/scorecards/2021/telavi/#indicator-A.2.1" in page.hrefs()
    assert "no later cycle published yet" in page.text


def test_once_a_later_cycle_is_published_the_award_shows_before_and_after(
    visit, decided, methodology, telavi, cso, publish
):
    later = factories.cycle(2023, methodology)
    publish(
        factories.assessment(telavi, later, "external", organization=cso),
        {"A.1.1": 1, "A.2.1": 80, "B.1.1": 10},
    )

    page = visit(f"/en/grants/kakheti-2024/awards/{decided['award'].reference}/")

    row = page.row("A.2.1")
    assert row[1].startswith("60.0")
    assert row[2] == "80.0 / 100"
    assert row[3] == "▲ +20.0"
    # Whose scores they are, and of which cycle.
    headings = page.rows[0]
    assert headings[1:3] == ["External assessment score, 2021", "External assessment score, 2023"]


@pytest.mark.parametrize("which", ["rejected", "ineligible"])
def test_an_application_that_was_not_awarded_has_no_page(visit, decided, which):
    reference = decided[which].reference

    assert visit(f"/en/grants/kakheti-2024/awards/{reference}/").status_code == 404


def test_an_award_of_a_call_not_yet_decided_has_no_page(visit, submitted_application):
    reference = submitted_application.reference

    assert visit(f"/en/grants/kakheti-2024/awards/{reference}/").status_code == 404


# --- The municipality page ------------------------------------------------------------------


def test_the_municipality_page_lists_the_grants_working_on_it_and_the_calls_open_to_it(
    visit, decided, grant_cycle, telavi, sighnaghi, draft_call
):
    a_call(grant_cycle, "open-telavi", opens_in_days=-1, closes_in_days=9, places=[telavi])
    a_call(grant_cycle, "open-sighnaghi", opens_in_days=-1, closes_in_days=9, places=[sighnaghi])

    page = visit("/en/municipalities/telavi/")

    award = decided["award"]
    row = page.row("Civic Monitor")
    assert row[1:] == ["Small grants 2024", "10,000.00 ₾"]
    assert f"/en/grants/kakheti-2024/awards/{award.reference}/" in page.hrefs()
    assert "/en/grants/open-telavi/" in page.hrefs()
    assert "/en/grants/open-sighnaghi/" not in page.hrefs()
    assert "/en/grants/secret-draft/" not in page.hrefs()
    assert "Civic Monitor" not in visit("/en/municipalities/sighnaghi/").text


def test_a_decision_shows_on_the_cached_municipality_page(
    client, open_call, submitted_application, project_staff, django_capture_on_commit_callbacks
):
    assert "Civic Monitor" not in client.get("/en/municipalities/telavi/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.start_review(call=open_call, by=project_staff, now=open_call.closes_at)
        services.check_eligibility(
            application=submitted_application, eligible=True, by=project_staff
        )
        services.decide(
            application=submitted_application,
            award=True,
            amount=Decimal("10000"),
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 12, 31),
            by=project_staff,
            summary_ka="სასმელი წყალი ყველა სოფელს",
            summary_en="Drinking water for every village",
            now=DECIDED_AT,
        )
        services.close_decisions(call=open_call, by=project_staff)

    assert "Civic Monitor" in client.get("/en/municipalities/telavi/").content.decode()


# --- Open data ------------------------------------------------------------------------------


def test_the_awards_csv_has_one_row_per_award(client, decided, telavi):
    more_awards(decided["call"], telavi, 2)

    response = client.get("/en/grants/awards.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel shows Georgian with the BOM
    rows = read_rows(response.content)
    assert [row["reference"] for row in rows] == [
        decided["award"].reference,
        "KAKHETI-2024-102",
        "KAKHETI-2024-103",
    ]
    first = rows[0]
    assert first == {
        "call_slug": "kakheti-2024",
        "call_title_ka": "მცირე გრანტები 2024",
        "call_title_en": "Small grants 2024",
        "reference": decided["award"].reference,
        "organisation_ka": "სამოქალაქო მონიტორი",
        "organisation_en": "Civic Monitor",
        "municipality_slug": "telavi",
        "municipality_name_ka": "თელავი",
        "municipality_name_en": "Telavi",
        "indicator_codes": "A.2.1",
        "amount_gel": "10000.00",
        "grant_start": "2025-01-01",
        "grant_end": "2025-12-31",
        "summary_ka": "სასმელი წყალი ყველა სოფელს",
        "summary_en": "Drinking water for every village",
    }
    assert rows[1]["indicator_codes"] == "A.1.1;A.1.2"
    assert rows[1]["amount_gel"] == "1000.50"
    assert rows[1]["summary_en"] == "Summary 2"


def test_the_awards_xlsx_holds_the_same_rows(client, decided, telavi):
    more_awards(decided["call"], telavi, 2)
    csv_rows = read_rows(client.get("/ka/grants/awards.csv").content)

    response = client.get("/ka/grants/awards.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, body = values[0], values[1:]
    assert [dict(zip(header, row, strict=True))["reference"] for row in body] == [
        row["reference"] for row in csv_rows
    ]
    amounts = [dict(zip(header, row, strict=True))["amount_gel"] for row in body]
    assert amounts == [10000, 1000.5, 1000.5]


def test_an_unknown_file_format_is_not_found(client, decided):
    assert client.get("/en/grants/awards.pdf").status_code == 404


def test_the_data_page_offers_the_awards(visit, published_2021):
    hrefs = visit("/en/data/").hrefs()

    assert "/en/grants/awards.csv" in hrefs
    assert "/en/grants/awards.xlsx" in hrefs


def test_every_page_links_to_the_grants(visit, published_2021):
    assert "/ka/grants/" in visit("/ka/").hrefs()
    assert "/en/grants/" in visit("/en/about/").hrefs()


# --- What never shows -----------------------------------------------------------------------


def public_outputs(client, decided):
    """Every public page, file and answer about grants, as text."""
    award = decided["award"]
    outputs = {}
    for language in ("ka", "en"):
        for path in (
            "grants/",
            "grants/kakheti-2024/",
            f"grants/kakheti-2024/awards/{award.reference}/",
            "municipalities/telavi/",
            "data/",
        ):
            response = client.get(f"/{language}/{path}")
            assert response.status_code == 200, path
            outputs[f"/{language}/{path}"] = response.content.decode()
        with translation.override(language):
            call = register.with_call_texts(Call.objects.all()).get(pk=decided["call"].pk)
            outputs[f"PDF {language}"] = render_to_string(
                documents.TEMPLATE, documents.call_context(call)
            )
    outputs["CSV"] = client.get("/en/grants/awards.csv").content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(client.get("/en/grants/awards.xlsx").content)).active
    outputs["XLSX"] = " ".join(
        str(value) for row in sheet.iter_rows(values_only=True) for value in row
    )
    outputs["API"] = client.get("/api/v1/grants/calls/").content.decode()
    return outputs


def test_no_public_page_file_or_answer_shows_anything_private(client, decided, draft_call):
    for name, text in public_outputs(client, decided).items():
        assert SECRET not in text, (name, text[text.find(SECRET) - 200 : text.find(SECRET) + 80])
        assert SECRET.lower() not in text, name
        assert "grant-reviewer" not in text, name
        assert "nino@example.org" not in text, name


def test_no_individual_or_application_score_is_public(client, decided):
    # The reviewers gave 4 and 1 on every criterion; the rejected one was moderated to 1.25.
    for name, text in public_outputs(client, decided).items():
        for shown in ("1.25", "1,25", "4.00", "4,00"):
            assert shown not in text, (name, shown)
        assert "moderat" not in text.lower(), name
