"""The CSO monitor's side of action plans at /monitor/plans/: the plans of the
municipalities where the monitor's organisation works, each action with the
municipality's report, and the organisation's verdict on the latest report."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import ActionStatus, ActionUpdate, Verdict, VerdictKind
from assessments.plans import services
from assessments.plans.services import Link
from municipalities.models import OrganizationMembership
from tests import factories
from tests.assessments.conftest import WINDOWS_PROGRAM, pdf
from tests.conftest import Page
from tests.error_summary import error_summary

REPORTED_ON = datetime.date(2022, 3, 1)


def report(plan, number, staff, *, text="ტენდერი გამოცხადდა", reported_on=REPORTED_ON, **fields):
    """Telavi's staff reports on an action, as the admin's report form does."""
    return services.report_progress(
        action=plan.actions.get(number=number),
        by=staff,
        reported_on=reported_on,
        status=fields.pop("status", ActionStatus.IN_PROGRESS),
        text=text,
        **fields,
    )


def see(browser, url, **kwargs):
    return Page(browser.get(url, **kwargs))


def text_area(html, name):
    """What the text area of this name shows."""
    found = re.search(rf'<textarea name="{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S)
    return unescape(found.group(1)).strip()


@pytest.fixture
def monitor(browser_of, cso_monitor):
    """The CSO monitor, reading in English; the organisation works in Telavi."""
    return browser_of(cso_monitor, "en")


@pytest.fixture
def reported(telavi_plan, telavi_staff):
    """Telavi has reported on action 1, with a PDF and a link."""
    return report(
        telavi_plan,
        1,
        telavi_staff,
        progress=30,
        files=[factories.pdf("tender.pdf")],
        links=[Link("Tender notice", "https://tenders.procurement.gov.ge/1")],
    )


@pytest.fixture
def sighnaghi_monitor(other_cso, sighnaghi):
    """A monitor of an organisation that works only in Sighnaghi."""
    other_cso.municipalities.add(sighnaghi)
    return factories.cso_monitor("sighnaghi-monitor", other_cso)


def verdict_data(**changes):
    return {
        "verdict": VerdictKind.DISPUTED,
        "text": "სამუშაოები არ დაწყებულა: the site was empty on 5 March.",
        "links": "https://photos.example.org/telavi-site",
    } | changes


# --- The list of plans -----------------------------------------------------------------------


def test_it_lists_the_adopted_plans_where_the_organisation_works(
    reported, sighnaghi, published_2021, sighnaghi_staff, telavi, monitor
):
    sighnaghi_plan = factories.plan(sighnaghi, published_2021.cycle)
    factories.action(sighnaghi_plan, 1)
    factories.adopt(sighnaghi_plan, sighnaghi_staff)
    factories.action(factories.plan(telavi, published_2021.cycle), 1)  # a new draft

    page = see(monitor, reverse("monitor:plans"))

    assert page.status_code == 200
    assert page.rows[1:] == [["Telavi", "2022–2023", "2021", "adopted", "2", "1"]]
    assert (reverse("monitor:plan", args=[reported.action.plan_id]), "Telavi") in page.links


def test_it_shows_a_closed_plan_read_only(telavi_plan, telavi_staff, reported, monitor):
    services.close_plan(plan=telavi_plan, by=telavi_staff)

    listed = see(monitor, reverse("monitor:plans"))
    page = see(monitor, reverse("monitor:plan", args=[telavi_plan.pk]))
    refused = see(monitor, reverse("monitor:verdict", args=[reported.pk]))

    assert listed.row("Telavi")[3:] == ["closed · read only", "2", "–"]
    assert "This plan is closed" in page.text
    assert "tender.pdf" in page.text
    assert f"/en/municipalities/telavi/plan/?plan={telavi_plan.pk}" in page.hrefs()
    assert reverse("monitor:verdict", args=[reported.pk]) not in page.hrefs()
    assert refused.status_code == 403
    assert "Reports are judged only on an adopted plan that is in force." in refused.text


def test_it_counts_the_reports_awaiting_a_verdict_on_the_dashboard(reported, monitor):
    page = see(monitor, reverse("monitor:dashboard"))

    assert "1 action plan report awaits your organisation's verdict." in page.text
    assert (reverse("monitor:plans"), "Action plans") in page.links


# --- A plan and its actions ------------------------------------------------------------------


def test_it_shows_every_action_with_the_municipality_s_report_and_its_health(
    telavi_plan, reported, monitor
):
    first, second = telavi_plan.actions.order_by("number")

    page = see(monitor, reverse("monitor:plan", args=[telavi_plan.pk]))

    assert page.status_code == 200
    assert f'id="action-{first.pk}"' in page.html
    assert f'id="action-{second.pk}"' in page.html
    assert "1. Action 1" in page.text and "2. Action 2" in page.text
    # The municipality's voice: the latest report, its author and its evidence.
    assert "01.03.2022 · telavi-staff · in progress, 30% ტენდერი გამოცხადდა" in page.text
    assert ("https://tenders.procurement.gov.ge/1", "Tender notice") in page.links
    pdf = reported.evidence.get(title="tender.pdf")
    assert (reverse("assessments:plan_evidence", args=[pdf.pk]), "tender.pdf") in page.links
    # Both actions were due by the end of 2023 and are not done.
    assert page.text.count("overdue") == 2
    assert "not verified" in page.text  # action 1's report has no verdict
    assert "No report yet." in page.text  # action 2
    assert (reverse("monitor:verdict", args=[reported.pk]), "Give your verdict : 1. Action 1") in (
        page.links
    )


def test_it_shows_a_moved_due_date_beside_the_first_promise(telavi_plan, telavi_staff, monitor):
    action = telavi_plan.actions.get(number=1)
    action.due_on = datetime.date(2022, 9, 30)
    action.save()
    services.record_due_date_change(
        action=action, old_due_on=datetime.date(2022, 6, 30), by=telavi_staff
    )

    page = see(monitor, reverse("monitor:plan", args=[telavi_plan.pk]))

    assert "01.01.2022–30.09.2022 (originally due 30.06.2022)" in page.text


# --- The verdict -----------------------------------------------------------------------------


def test_the_cso_monitor_disputes_the_latest_report_with_evidence(
    telavi_plan, reported, monitor, monitoring_cso
):
    url = reverse("monitor:verdict", args=[reported.pk])
    form = see(monitor, url)
    assert form.status_code == 200
    assert "ტენდერი გამოცხადდა" in form.text
    assert 'enctype="multipart/form-data"' in form.html

    response = monitor.post(url, verdict_data(files=[factories.pdf("site-photos.pdf")]))

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('monitor:plan', args=[telavi_plan.pk])}#action-{reported.action_id}"
    )
    given = Verdict.objects.get(update=reported)
    assert (given.organization, given.verdict) == (monitoring_cso, VerdictKind.DISPUTED)
    assert sorted(item.title for item in given.evidence.all()) == [
        "https://photos.example.org/telavi-site",
        "site-photos.pdf",
    ]
    page = Page(monitor.get(response["Location"]))
    assert "Your verdict on action 1 is recorded: disputed." in page.text
    assert "disputed Civic Monitor" in page.text
    assert "the site was empty on 5 March." in page.text
    assert "site-photos.pdf" in page.text
    assert ("https://photos.example.org/telavi-site", "https://photos.example.org/telavi-site") in (
        page.links
    )
    assert "The municipality has not answered." in page.text
    assert url not in page.hrefs()
    assert "Your organisation has judged this report." in page.text
    assert see(monitor, reverse("monitor:plans")).row("Telavi")[5] == "0"


def test_it_shows_the_municipality_s_answer_to_a_verdict(
    reported, telavi_staff, cso_monitor, monitoring_cso, monitor
):
    given = services.give_verdict(
        update=reported,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.INSUFFICIENT,
        text="No contract attached.",
    )
    services.answer_verdict(verdict=given, by=telavi_staff, text="The contract is now attached.")

    page = see(monitor, reverse("monitor:plan", args=[reported.action.plan_id]))

    assert "insufficient evidence Civic Monitor" in page.text
    assert "The municipality's answer" in page.text
    assert "The contract is now attached." in page.text


def test_a_second_verdict_by_the_same_organisation_is_refused(reported, monitor):
    url = reverse("monitor:verdict", args=[reported.pk])
    monitor.post(url, verdict_data())

    again = see(monitor, url)
    response = monitor.post(url, verdict_data(verdict=VerdictKind.CONFIRMED, text="Confirmed."))

    assert again.status_code == 403
    assert "Your organisation has already judged this report." in again.text
    assert response.status_code == 400
    assert "Your organisation has already judged this report." in Page(response).text
    assert text_area(response.content.decode(), "text") == "Confirmed."
    assert Verdict.objects.filter(update=reported).count() == 1


def test_only_the_latest_report_is_judged(telavi_plan, telavi_staff, reported, monitor):
    newer = report(telavi_plan, 1, telavi_staff, text="დასრულდა", status=ActionStatus.DONE)
    url = reverse("monitor:verdict", args=[reported.pk])

    opened = see(monitor, url)
    response = monitor.post(url, verdict_data())

    newest = "A newer report has arrived since you opened this one; judge the newest."
    assert opened.status_code == 403 and newest in opened.text
    assert response.status_code == 400
    assert newest in Page(response).text
    assert text_area(response.content.decode(), "text") == verdict_data()["text"]
    assert not Verdict.objects.exists()
    plan_page = see(monitor, reverse("monitor:plan", args=[telavi_plan.pk]))
    assert reverse("monitor:verdict", args=[newer.pk]) in plan_page.hrefs()
    assert "1 earlier report" in plan_page.text


def test_a_monitor_of_two_organisations_working_there_chooses_on_whose_behalf(
    reported, cso_monitor, other_cso, telavi, monitor
):
    other_cso.municipalities.add(telavi)
    OrganizationMembership.objects.create(user=cso_monitor, organization=other_cso)
    url = reverse("monitor:verdict", args=[reported.pk])
    assert "On behalf of" in see(monitor, url).text

    monitor.post(url, verdict_data(organization=str(other_cso.pk)))

    assert Verdict.objects.get().organization == other_cso
    form = see(monitor, url)
    assert form.status_code == 200
    assert "On behalf of" not in form.text  # only the Civic Monitor is left to judge
    page = see(monitor, reverse("monitor:plan", args=[reported.action.plan_id]))
    assert url in page.hrefs()


# --- Who may -----------------------------------------------------------------------------------


def test_a_monitor_elsewhere_finds_neither_the_plan_nor_its_reports(
    browser_of, sighnaghi_monitor, telavi_plan, reported
):
    browser = browser_of(sighnaghi_monitor, "en")

    assert browser.get(reverse("monitor:plan", args=[telavi_plan.pk])).status_code == 404
    url = reverse("monitor:verdict", args=[reported.pk])
    assert browser.get(url).status_code == 404
    assert browser.post(url, verdict_data()).status_code == 404
    assert "Telavi" not in see(browser, reverse("monitor:plans")).text
    assert not Verdict.objects.exists()


def test_a_draft_plan_is_not_found_here(draft_plan, monitoring_cso, telavi_staff, monitor):
    draft_report = ActionUpdate.objects.create(
        action=draft_plan.actions.first(),
        reported_on=REPORTED_ON,
        status=ActionStatus.IN_PROGRESS,
        text="…",
        author=telavi_staff,
    )

    assert monitor.get(reverse("monitor:plan", args=[draft_plan.pk])).status_code == 404
    url = reverse("monitor:verdict", args=[draft_report.pk])
    assert monitor.get(url).status_code == 404
    assert monitor.post(url, verdict_data()).status_code == 404
    assert "No municipality where your organisation works has adopted" in (
        see(monitor, reverse("monitor:plans")).text
    )


def test_it_asks_a_visitor_to_sign_in(client, reported):
    for url in (
        reverse("monitor:plans"),
        reverse("monitor:plan", args=[reported.action.plan_id]),
        reverse("monitor:verdict", args=[reported.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('monitor:login')}?next={url}"
    sent = client.post(reverse("monitor:verdict", args=[reported.pk]), verdict_data())
    assert sent.status_code == 302
    assert not Verdict.objects.exists()


def test_telavi_staff_do_not_judge_their_own_reports(browser_of, telavi_staff, reported):
    browser = browser_of(telavi_staff, "en")
    url = reverse("monitor:verdict", args=[reported.pk])

    listed = see(browser, reverse("monitor:plans"))

    assert "not a member of any civil society organisation" in listed.text
    assert browser.get(reverse("monitor:plan", args=[reported.action.plan_id])).status_code == 404
    assert browser.post(url, verdict_data()).status_code == 404
    assert not Verdict.objects.exists()


def test_it_refuses_a_verdict_sent_without_the_form_s_csrf_token(cso_monitor, reported):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cso_monitor)

    response = browser.post(reverse("monitor:verdict", args=[reported.pk]), verdict_data())

    assert response.status_code == 403
    assert not Verdict.objects.exists()


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"text": "ა" * 20_000}, "არაუმეტეს 10000 სიმბოლოსი (მას აქვს 20000)"),
        ({"links": "javascript:alert(document.cookie)"}, "ხაზი 1 არ არის ვებმისამართი"),
        (
            {"files": [factories.pdf("photos.pdf", WINDOWS_PROGRAM)]},
            "„photos.pdf“",
        ),
    ],
    ids=["a text of 20,000 characters", "a javascript: link", "a program named .pdf"],
)
def test_hostile_input_is_refused_in_georgian_keeping_what_was_typed(
    browser_of, cso_monitor, reported, changes, error
):
    browser = browser_of(cso_monitor, "ka")
    data = verdict_data(**changes)

    response = browser.post(reverse("monitor:verdict", args=[reported.pk]), data)

    page = Page(response)
    assert response.status_code == 400
    assert page.lang == "ka"
    assert "არაფერი შენახულა" in page.text
    assert error in page.text
    assert text_area(page.html, "text") == data["text"]
    assert not Verdict.objects.exists()


# --- Queries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 6])
def test_the_plan_pages_run_the_same_queries_however_many_actions(
    size,
    draft_plan,
    telavi_staff,
    cso_monitor,
    monitoring_cso,
    browser_of,
    django_assert_num_queries,
):
    for number in range(3, size + 1):
        factories.action(draft_plan, number, indicators=["A.1.1"])
    plan = factories.adopt(draft_plan, telavi_staff)
    for number in range(1, size + 1):
        update = report(
            plan,
            number,
            telavi_staff,
            files=[factories.pdf(f"report-{number}.pdf")],
            links=[Link("Notice", f"https://example.org/{number}")],
        )
        report(plan, number, telavi_staff, reported_on=REPORTED_ON - datetime.timedelta(days=9))
        if number % 2:
            given = services.give_verdict(
                update=update,
                by=cso_monitor,
                organization_id=monitoring_cso.pk,
                verdict=VerdictKind.CONFIRMED,
                text="Seen on site.",
                files=[factories.pdf("site.pdf")],
            )
            services.answer_verdict(verdict=given, by=telavi_staff, text="Thank you.")
    browser = browser_of(cso_monitor, "en")
    browser.get(reverse("monitor:plans"))  # the session and the user, once

    with django_assert_num_queries(6):
        listed = see(browser, reverse("monitor:plans"))
    with django_assert_num_queries(15):
        page = see(browser, reverse("monitor:plan", args=[plan.pk]))

    assert listed.row("Telavi")[4:] == [str(size), str(size // 2)]
    assert len(re.findall(r'id="action-\d+"', page.html)) == size
    assert page.text.count("Give your verdict") == size // 2


def test_a_refused_verdict_is_summed_up_and_names_the_files_to_choose_again(
    browser_of, cso_monitor, reported
):
    browser = browser_of(cso_monitor, "en")
    data = verdict_data(text="")
    data["files"] = pdf("photos.pdf")

    response = browser.post(reverse("monitor:verdict", args=[reported.pk]), data)

    assert response.status_code == 400
    heading, lines = error_summary(response.content.decode())
    assert heading == "Nothing was saved: correct what is marked below and save again."
    assert [target for target, _ in lines] == ["id_text"]
    assert (
        "“photos.pdf” was not attached, as nothing was saved: choose it again."
        in Page(response).text
    )
