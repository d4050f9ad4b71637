"""The applicant's workspace at /monitor/grants/: a CSO monitor finds an open call, starts an
application, fills it in, attaches the budget, submits it before the deadline (to the
second) and then only reads it; later writes the grant's reports. Nobody of another
organisation sees any of it."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import (
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    Call,
    CallStage,
    Report,
    ReportAttachment,
    ReportStatus,
    ReviewAssignment,
    ReviewScore,
)
from indicators.models import Indicator
from musqat.models import NotificationSettings
from tests import factories
from tests.conftest import Page
from tests.error_summary import error_summary
from tests.grants.conftest import (
    DECIDED_AT,
    PDF_BYTES,
    XLSX_BYTES,
    complete,
    pdf_file,
    xlsx_file,
)

# Sessions, the user, the organisations, the application, the call's lists, the form's
# choices, the budget rows, the documents, the findings and what is missing.
QUERIES_OF_THE_APPLICATION_PAGE = 19
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TEXT_FIELDS = [
    "contact_name",
    "contact_email",
    "contact_phone",
    "registration_number",
    "title",
    "summary",
    "finding_links",
    "objectives",
    "activities",
]


@pytest.fixture
def monitor_browser(browser_of, cso_monitor):
    return browser_of(cso_monitor, "en")


def application_url(application):
    return reverse("apply:application", args=[application.pk])


def sent_back(application, *, lines=None, **changes):
    """What the application page sends back: the draft as saved, with `changes`. `lines`
    (description, amount) replace the budget rows, the saved ones ticked for removal."""
    data = {name: getattr(application, name) for name in TEXT_FIELDS}
    data["municipality"] = application.municipality_id or ""
    data["indicators"] = [str(pk) for pk in application.indicators.values_list("pk", flat=True)]
    saved = list(application.budget_lines.all())
    if lines is None:
        rows = [(line.pk, line.description, line.amount, False) for line in saved]
    else:
        rows = [(line.pk, line.description, line.amount, True) for line in saved]
        rows += [(None, description, amount, False) for description, amount in lines]
    data |= {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": str(len(saved)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
    }
    for number, (pk, description, amount, remove) in enumerate(rows):
        data[f"lines-{number}-id"] = pk or ""
        data[f"lines-{number}-application"] = application.pk
        data[f"lines-{number}-description"] = description
        data[f"lines-{number}-amount"] = str(amount)
        if remove:
            data[f"lines-{number}-DELETE"] = "on"
    return data | changes


def indicator(call, code):
    return Indicator.objects.get(criterion__area__version=call.cycle.methodology, code=code)


def document_field(requirement=None):
    return f"document_{requirement.pk if requirement else 'other'}"


def upload(browser, application, file, requirement=None, **changes):
    """The page's "Attach" button: the draft as saved (with `changes`) and the file."""
    return browser.post(
        reverse("apply:attachments", args=[application.pk]),
        sent_back(application, **changes) | {document_field(requirement): file, "attach": ""},
    )


def confirm_url(application):
    return application_url(application) + "?confirm"


def confirm(browser, application):
    """The confirmation page's "Submit the application" button."""
    return browser.post(application_url(application), {"confirm": ""})


def frozen_at(moment):
    """Every clock of the site, the services' and the models' alike, stopped at `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


# --- From draft to submission -----------------------------------------------------------------


def test_it_takes_an_application_from_draft_to_submission(
    open_call,
    cso,
    cso_monitor,
    monitor_browser,
    telavi,
    budget_requirement,
    django_capture_on_commit_callbacks,
):
    cso_monitor.email = "monitor@example.org"
    cso_monitor.save()
    NotificationSettings.objects.create(user=cso_monitor, language="en")
    browser = monitor_browser

    # The dashboard offers the open call; the monitor starts an application.
    page = Page(browser.get(reverse("apply:dashboard")))
    assert "Small grants 2024" in page.text
    assert "Start an application" in page.text
    response = browser.post(reverse("apply:start", args=[open_call.slug]), {"organization": cso.pk})
    application = Application.objects.get(call=open_call, organization=cso)
    assert response.status_code == 302
    assert response["Location"] == application_url(application)
    assert application.status == ApplicationStatus.DRAFT
    assert application.created_by == cso_monitor

    # A first save: the details, the target and two budget lines.
    data = sent_back(
        application,
        lines=[("Meetings in villages", "7000"), ("Public hearing", "5500.50")],
        contact_name="Nino Beridze",
        contact_email="nino@example.org",
        contact_phone="+995 555 123 456",
        registration_number="404123456",
        title="Water for every village",
        summary="Advocacy for the water service.",
        municipality=telavi.pk,
        indicators=[indicator(open_call, "A.2.1").pk, indicator(open_call, "A.1.1").pk],
        finding_links="https://musqat.ge/en/2021/telavi/#indicator-A.2.1\n",
        objectives="More villages served.",
        activities="Meetings and a public hearing.",
        save="",
    )
    response = browser.post(application_url(application), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.title == "Water for every village"
    assert application.municipality == telavi
    assert {i.code for i in application.indicators.all()} == {"A.1.1", "A.2.1"}
    assert [
        (line.description, line.amount, line.order) for line in application.budget_lines.all()
    ] == [
        ("Meetings in villages", Decimal("7000"), 0),
        ("Public hearing", Decimal("5500.50"), 1),
    ]
    page = Page(browser.get(application_url(application)))
    assert "Your draft is saved" in page.text
    assert "12,500.50 ₾" in page.text  # the running total, beside the call's limits
    assert "Attach Project budget." in page.text  # what is still missing before submitting
    # The published finding of each chosen indicator, with its score and scorecard link.
    assert "A.2.1 Indicator A.2.1 60.0 / 100" in page.text
    assert "/2021/telavi/#indicator-A.2.1" in " ".join(page.hrefs())

    # The budget is attached, as a spreadsheet, with a change typed meanwhile: both saved.
    response = upload(
        browser, application, xlsx_file(), budget_requirement, summary="Typed, then attached."
    )
    assert response.status_code == 302
    assert response["Location"] == application_url(application) + "#documents"
    document = application.attachments.get()
    assert (document.requirement, document.name, document.size) == (
        budget_requirement,
        "budget.xlsx",
        len(XLSX_BYTES),
    )
    application.refresh_from_db()
    assert application.summary == "Typed, then attached."
    page = Page(browser.get(application_url(application)))
    assert (
        "Your draft is saved. Nothing is sent until you submit it. “budget.xlsx” is attached."
        in (page.text)
    )

    # "Submit" saves the draft and asks to confirm what will be submitted; nothing is sent.
    response = browser.post(application_url(application), sent_back(application, submit=""))
    assert response.status_code == 302
    assert response["Location"] == confirm_url(application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    page = Page(browser.get(confirm_url(application)))
    assert page.title.startswith("Submit the application?")
    for shown in (
        "Project title Water for every village",
        "Target municipality Telavi",
        "Amount requested 12,500.50 ₾",
        "Project budget: budget.xlsx",
        "After submission the application can no longer change.",
    ):
        assert shown in page.text, shown
    assert (application_url(application), "Back to the draft") in page.links
    assert 'name="csrfmiddlewaretoken"' in page.html
    assert mail.outbox == []

    # Confirmed: a reference number, a confirmation e-mail in the monitor's language.
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(browser, application)
    assert response.status_code == 302
    assert response["Location"] == application_url(application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference == "KAKHETI-2024-001"
    assert application.requested_amount == Decimal("12500.50")
    assert application.submitted_by == cso_monitor
    [message] = mail.outbox
    assert message.to == ["monitor@example.org"]
    assert message.subject == "Application received: KAKHETI-2024-001"
    assert "Its reference number is KAKHETI-2024-001" in message.body
    assert f"/monitor/grants/{application.pk}/" in message.body

    # Read only from now on: everything shown, no form.
    page = Page(browser.get(application_url(application)))
    assert "Your application is submitted: its reference number is KAKHETI-2024-001" in page.text
    assert "KAKHETI-2024-001" in page.html
    assert 'id="application-form"' not in page.html
    assert "Save draft" not in page.text
    assert "Meetings in villages" in page.text and "12,500.50" in page.text
    assert "budget.xlsx" in page.text
    assert "Submitted · read only" in page.text


def test_it_writes_the_confirmation_in_each_member_s_own_language(
    complete_draft, cso, cso_monitor, django_capture_on_commit_callbacks
):
    cso_monitor.email = "monitor@example.org"
    cso_monitor.save()
    NotificationSettings.objects.create(user=cso_monitor, language="en")
    colleague = factories.cso_monitor("colleague", cso)
    colleague.email = "colleague@example.org"
    colleague.save()  # no settings: Georgian, the site's language

    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(application=complete_draft, by=cso_monitor)

    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["monitor@example.org"].body.startswith("Hello cso-monitor,")
    assert by_address["colleague@example.org"].body.startswith("მოგესალმებით, colleague!")
    assert "გახსენით ბმულზე:" in by_address["colleague@example.org"].body


def test_it_keeps_the_order_of_the_budget_rows_and_removes_a_ticked_one(
    complete_draft, monitor_browser
):
    first, second = complete_draft.budget_lines.all()
    data = sent_back(complete_draft, save="")
    data["lines-0-DELETE"] = "on"
    data |= {
        "lines-TOTAL_FORMS": "3",
        "lines-2-id": "",
        "lines-2-application": complete_draft.pk,
        "lines-2-description": "Leaflets",
        "lines-2-amount": "800",
    }
    assert monitor_browser.post(application_url(complete_draft), data).status_code == 302
    assert [(line.description, line.order) for line in complete_draft.budget_lines.all()] == [
        ("Hearing", 0),
        ("Leaflets", 1),
    ]
    assert complete_draft.budget_total() == Decimal("5800")


# --- Budget -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-50", "An amount is more than zero."), ("lots", "Enter a number."), ("0", "more than zero")],
)
def test_it_refuses_a_budget_amount_that_is_not_a_positive_number_and_keeps_what_was_typed(
    complete_draft, monitor_browser, amount, message
):
    data = sent_back(
        complete_draft,
        lines=[("Meetings", "7000"), ("Transport", amount)],
        title="A better title",
        save="",
    )
    response = monitor_browser.post(application_url(complete_draft), data)

    assert response.status_code == 400
    page = Page(response)
    assert "Nothing was saved: correct what is marked below and save again." in page.text
    assert message in page.text
    assert 'value="A better title"' in page.html
    assert page.title.startswith("Water for every village")  # what is saved, in the heading
    assert 'value="Transport"' in page.html
    assert f'value="{amount}"' in page.html
    assert 'aria-invalid="true"' in page.html
    assert "data-unsaved" in page.html  # leaving this page would lose what was typed
    complete_draft.refresh_from_db()
    assert complete_draft.title == "Water for every village"
    assert [line.description for line in complete_draft.budget_lines.all()] == [
        "Meetings",
        "Hearing",
    ]


@pytest.mark.parametrize(
    ("lines", "total"),
    [
        ([("Meetings", "3000")], "3,000.00"),
        ([("Meetings", "15000"), ("Hall", "5000.01")], "20,000.01"),
    ],
)
def test_it_refuses_to_submit_a_budget_outside_the_call_s_limits_and_keeps_the_draft(
    complete_draft, monitor_browser, lines, total
):
    data = sent_back(complete_draft, lines=lines, submit="")
    response = monitor_browser.post(application_url(complete_draft), data)

    assert response.status_code == 400
    page = Page(response)
    assert "Your draft is saved, but it was not submitted." in page.text
    assert (
        f"The budget adds up to {total} ₾; this call gives from 5,000.00 ₾ to 20,000.00 ₾."
        in page.text
    )
    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.DRAFT
    assert complete_draft.reference is None
    assert [line.description for line in complete_draft.budget_lines.all()] == [
        description for description, _amount in lines
    ]
    assert mail.outbox == []


def test_it_refuses_to_submit_an_incomplete_application_and_says_what_is_missing(
    draft_application, monitor_browser
):
    data = sent_back(draft_application, title="Only a title", submit="")
    response = monitor_browser.post(application_url(draft_application), data)

    assert response.status_code == 400
    page = Page(response)
    assert "The application is not complete:" in page.text
    assert "Choose the target municipality." in page.text
    assert "Add the budget lines." in page.text
    assert "Attach Project budget." in page.text
    draft_application.refresh_from_db()
    assert draft_application.title == "Only a title"
    assert draft_application.status == ApplicationStatus.DRAFT


def test_it_asks_to_confirm_only_a_complete_draft(draft_application, monitor_browser):
    page = Page(monitor_browser.get(confirm_url(draft_application)))

    assert page.status_code == 200
    assert "The application is not complete:" in page.text
    assert "Give the project title." in page.text
    assert "Submit the application" not in page.text
    assert 'id="application-form"' in page.html


def test_it_checks_everything_again_when_the_submission_is_confirmed(
    complete_draft, monitor_browser, budget_requirement
):
    """A colleague removed the budget after the confirmation page was shown."""
    response = monitor_browser.post(
        application_url(complete_draft), sent_back(complete_draft, submit="")
    )
    assert response["Location"] == confirm_url(complete_draft)
    assert "Submit the application" in Page(monitor_browser.get(confirm_url(complete_draft))).text
    complete_draft.attachments.all().delete()

    response = confirm(monitor_browser, complete_draft)

    assert response.status_code == 400
    page = Page(response)
    assert (
        "Your draft is saved, but it was not submitted. The application is not complete: "
        "Attach Project budget." in page.text
    )
    assert 'value="Water for every village"' in page.html  # the draft, to go on with
    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.DRAFT
    assert complete_draft.reference is None
    assert mail.outbox == []


def test_the_confirmation_asks_for_a_post_with_its_token(complete_draft, browser_of, cso_monitor):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    browser.force_login(cso_monitor)
    assert confirm(browser, complete_draft).status_code == 403
    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.DRAFT


# --- What the form accepts --------------------------------------------------------------------


def test_it_offers_only_the_call_s_municipalities_and_its_methodology_s_indicators(
    draft_application, monitor_browser, methodology, sighnaghi
):
    gurjaani = factories.municipality("gurjaani", "Gurjaani", "გურჯაანი")
    other_methodology = factories.methodology(code="2030", is_current=False)
    stranger = Indicator.objects.get(criterion__area__version=other_methodology, code="A.1.1")

    page = Page(monitor_browser.get(application_url(draft_application)))
    assert "Sighnaghi" in page.text and "Gurjaani" not in page.text
    # The call's priority indicator comes first, and is marked.
    assert page.text.index("A.2.1 Indicator A.2.1 priority") < page.text.index("A.1.1")

    for field, value in (("municipality", gurjaani.pk), ("indicators", [stranger.pk])):
        data = sent_back(draft_application, save="", **{field: value})
        response = monitor_browser.post(application_url(draft_application), data)
        assert response.status_code == 400
        assert "Select a valid choice" in Page(response).text
    draft_application.refresh_from_db()
    assert draft_application.municipality is None


def test_it_takes_only_web_addresses_as_links_to_findings(draft_application, monitor_browser):
    data = sent_back(
        draft_application,
        finding_links="https://musqat.ge/en/2021/telavi/\njavascript:alert(1)",
        save="",
    )
    response = monitor_browser.post(application_url(draft_application), data)

    assert response.status_code == 400
    assert "Line 2 is not a web address (http:// or https://): javascript:alert(1)" in (
        Page(response).text
    )
    draft_application.refresh_from_db()
    assert draft_application.finding_links == ""


# --- The deadline, to the second --------------------------------------------------------------


@pytest.fixture
def closing_soon(open_call):
    """The call closes in an hour, on the second."""
    open_call.closes_at = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    open_call.save()
    return open_call


def test_it_accepts_a_submission_confirmed_one_second_before_the_call_closes(
    closing_soon, complete_draft, monitor_browser
):
    assert monitor_browser.get(confirm_url(complete_draft)).status_code == 200
    moment = closing_soon.closes_at - datetime.timedelta(seconds=1)
    with frozen_at(moment):
        response = confirm(monitor_browser, complete_draft)

    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.SUBMITTED
    assert complete_draft.submitted_at == moment


@pytest.mark.parametrize("late", [0, 1])
def test_it_refuses_a_submission_confirmed_from_the_second_the_call_closes_and_keeps_the_draft(
    closing_soon, complete_draft, monitor_browser, late
):
    """The confirmation page was shown before the deadline; its button is pressed after."""
    deadline = timezone.localtime(closing_soon.closes_at).strftime("%d %B %Y, %H:%M").lstrip("0")
    response = monitor_browser.post(
        application_url(complete_draft),
        sent_back(complete_draft, title="Typed at the last moment", submit=""),
    )
    assert response["Location"] == confirm_url(complete_draft)
    with frozen_at(closing_soon.closes_at + datetime.timedelta(seconds=late)):
        response = confirm(monitor_browser, complete_draft)
        page = Page(response)
        later = Page(monitor_browser.get(confirm_url(complete_draft)))

    assert response.status_code == 403
    assert (
        f"The call closed at {deadline} (Tbilisi time); the application was not submitted. "
        "Your draft is kept." in page.text
    )
    assert "Typed at the last moment" in page.text  # saved before, shown read-only
    assert "Save draft" not in page.text
    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.DRAFT
    assert complete_draft.title == "Typed at the last moment"
    assert mail.outbox == []
    # Coming back, the draft reads as it was; the page says the call has closed.
    assert "The call has closed: this draft was not submitted" in later.text
    assert 'id="application-form"' not in later.html
    assert "Submit the application" not in later.text


@pytest.mark.parametrize("late", [0, 1])
def test_it_refuses_an_edit_from_the_second_the_call_closes_and_shows_what_was_typed(
    closing_soon, complete_draft, monitor_browser, late
):
    deadline = timezone.localtime(closing_soon.closes_at).strftime("%d %B %Y, %H:%M").lstrip("0")
    with frozen_at(closing_soon.closes_at + datetime.timedelta(seconds=late)):
        response = monitor_browser.post(
            application_url(complete_draft),
            sent_back(complete_draft, title="Typed at the last moment", submit=""),
        )
    page = Page(response)

    assert response.status_code == 403
    assert (
        f"The call closed at {deadline} (Tbilisi time); the draft can no longer change."
        in page.text
    )
    assert 'value="Typed at the last moment"' in page.html  # to copy, not lost
    assert "Save draft" not in page.text
    complete_draft.refresh_from_db()
    assert complete_draft.title == "Water for every village"


def test_it_shows_the_deadline_in_tbilisi_time(open_call, monitor_browser, cso_monitor):
    open_call.closes_at = datetime.datetime(2031, 3, 1, 20, 0, tzinfo=datetime.UTC)
    open_call.save()
    page = Page(monitor_browser.get(reverse("apply:dashboard")))
    assert "Deadline: 2 March 2031, 00:00 (Tbilisi time)" in page.text


# --- One application each, read-only once submitted -------------------------------------------


def test_it_lets_an_organisation_apply_only_as_often_as_the_call_allows(
    draft_application, open_call, cso, monitor_browser
):
    draft_application.title = "Water for every village"
    draft_application.save()
    page = Page(monitor_browser.get(reverse("apply:dashboard")))
    # The call is still listed, saying why no application can be started, with the draft.
    assert "Start an application" not in page.text
    assert "No call is open" not in page.text
    assert "Small grants 2024" in page.text
    assert (
        "Your organisation has made the applications this call allows (1): "
        "Water for every village · Draft" in page.text
    )
    assert (application_url(draft_application), "Water for every village") in page.links

    response = monitor_browser.post(
        reverse("apply:start", args=[open_call.slug]), {"organization": cso.pk}
    )

    assert response.status_code == 403
    assert "Your organisation already has the applications this call allows (1)." in (
        Page(response).text
    )
    assert Application.objects.filter(call=open_call, organization=cso).count() == 1


def test_it_refuses_to_start_an_application_for_an_organisation_the_user_is_not_in(
    open_call, other_cso, monitor_browser
):
    response = monitor_browser.post(
        reverse("apply:start", args=[open_call.slug]), {"organization": other_cso.pk}
    )
    assert response.status_code == 403
    assert "You may apply only for an organisation you are a member of." in Page(response).text
    assert not Application.objects.exists()


def test_it_refuses_to_start_an_application_to_a_closed_call(open_call, cso, monitor_browser):
    open_call.closes_at = timezone.now() - datetime.timedelta(seconds=1)
    open_call.opens_at = open_call.closes_at - datetime.timedelta(days=5)
    open_call.save()
    response = monitor_browser.post(
        reverse("apply:start", args=[open_call.slug]), {"organization": cso.pk}
    )
    assert response.status_code == 403
    assert "This call is not open for applications." in Page(response).text


def test_it_refuses_a_forged_edit_of_a_submitted_application(
    submitted_application, monitor_browser, budget_requirement
):
    document = submitted_application.attachments.get()
    data = sent_back(submitted_application, title="Changed afterwards", save="")

    for response in (
        monitor_browser.post(application_url(submitted_application), data),
        monitor_browser.post(
            application_url(submitted_application), sent_back(submitted_application, submit="")
        ),
        confirm(monitor_browser, submitted_application),
        upload(monitor_browser, submitted_application, pdf_file("new.pdf"), budget_requirement),
        monitor_browser.post(
            reverse("apply:attachments", args=[submitted_application.pk]),
            {"requirement": budget_requirement.pk, "file": pdf_file("new.pdf")},
        ),
        monitor_browser.post(
            reverse("apply:remove_attachment", args=[submitted_application.pk, document.pk])
        ),
        monitor_browser.post(
            reverse("apply:remove_attachment", args=[submitted_application.pk, document.pk]),
            sent_back(submitted_application, remove=""),
        ),
    ):
        assert response.status_code == 403
        assert "This application has been submitted already and can no longer change." in (
            Page(response).text
        )

    submitted_application.refresh_from_db()
    assert submitted_application.title == "Water for every village"
    assert submitted_application.reference == "KAKHETI-2024-001"
    assert list(submitted_application.attachments.all()) == [document]
    # Its confirmation step shows the application as it is, read only.
    page = Page(monitor_browser.get(confirm_url(submitted_application)))
    assert "Submit the application" not in page.text
    assert "Submitted · read only" in page.text


# --- Nobody else's ----------------------------------------------------------------------------


def test_it_does_not_find_another_organisation_s_application(
    complete_draft, browser_of, other_monitor, budget_requirement
):
    browser = browser_of(other_monitor, "en")
    document = complete_draft.attachments.get()

    assert browser.get(application_url(complete_draft)).status_code == 404
    assert browser.get(confirm_url(complete_draft)).status_code == 404
    assert (
        browser.post(application_url(complete_draft), sent_back(complete_draft)).status_code == 404
    )
    assert confirm(browser, complete_draft).status_code == 404
    assert upload(browser, complete_draft, pdf_file(), budget_requirement).status_code == 404
    remove = reverse("apply:remove_attachment", args=[complete_draft.pk, document.pk])
    assert browser.post(remove).status_code == 404
    assert browser.post(remove, sent_back(complete_draft, remove="")).status_code == 404
    assert browser.get(reverse("apply:attachment", args=[document.pk])).status_code == 404
    page = Page(browser.get(reverse("apply:dashboard")))
    assert "Water for every village" not in page.text
    assert complete_draft.attachments.count() == 1
    complete_draft.refresh_from_db()
    assert complete_draft.status == ApplicationStatus.DRAFT


def test_it_asks_a_citizen_to_sign_in(citizen, complete_draft):
    for url in (
        reverse("apply:dashboard"),
        application_url(complete_draft),
        reverse("apply:attachment", args=[complete_draft.attachments.get().pk]),
    ):
        response = citizen.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/monitor/login/?next={url}"


def test_it_tells_someone_of_no_organisation_that_they_cannot_apply(
    open_call, browser_of, project_staff
):
    response = browser_of(project_staff, "en").get(reverse("apply:dashboard"))
    assert response.status_code == 403
    assert "not a member of any civil society organisation" in Page(response).text


def test_it_refuses_a_get_to_start(open_call, monitor_browser):
    response = monitor_browser.get(reverse("apply:start", args=[open_call.slug]))
    assert response.status_code == 405


# --- Documents --------------------------------------------------------------------------------


def test_it_replaces_the_earlier_file_of_the_same_document(
    draft_application, monitor_browser, budget_requirement, django_capture_on_commit_callbacks
):
    assert (
        upload(monitor_browser, draft_application, pdf_file(), budget_requirement).status_code
        == 302
    )
    first = draft_application.attachments.get()
    stored = first.file.name
    assert first.file.storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(monitor_browser, draft_application, xlsx_file(), budget_requirement)

    assert response.status_code == 302
    assert response["Location"].endswith("#documents")
    second = draft_application.attachments.get()
    assert second.name == "budget.xlsx"
    assert not first.file.storage.exists(stored)


def test_it_takes_other_documents_of_any_known_type(draft_application, monitor_browser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("village.png", PNG_BYTES, content_type="image/png")
    assert upload(monitor_browser, draft_application, photo).status_code == 302
    assert upload(monitor_browser, draft_application, pdf_file("letter.pdf")).status_code == 302
    assert sorted(a.name for a in draft_application.attachments.filter(requirement=None)) == [
        "letter.pdf",
        "village.png",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "budget.docx",
            b"PK\x03\x04" + b"\x00" * 40,
            "“budget.docx” is not one of the file types this document takes: xlsx, pdf.",
        ),
        ("budget.pdf", PNG_BYTES, "“budget.pdf” is not really a .pdf file"),
        ("budget.xlsx", b"MZ\x90\x00" + b"\x00" * 40, "“budget.xlsx” is not really a .xlsx file"),
        ("b" * 197 + ".pdf", PDF_BYTES, "a file name may be 200 characters at most"),
    ],
)
def test_it_refuses_a_document_of_the_wrong_type_content_or_name_at_its_input_and_saves_the_rest(
    draft_application, monitor_browser, budget_requirement, name, content, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = upload(
        monitor_browser,
        draft_application,
        SimpleUploadedFile(name, content),
        budget_requirement,
        title="Typed before attaching",
        **{document_field(): pdf_file("letter.pdf")},
    )

    assert response.status_code == 400
    page = Page(response)
    assert "Your draft is saved, but a document was not attached: see below why." in page.text
    field = document_field(budget_requirement)
    assert f'id="id_{field}-error"' in page.html
    assert message in page.text
    assert 'value="Typed before attaching"' in page.html
    draft_application.refresh_from_db()
    assert draft_application.title == "Typed before attaching"
    # The other document chosen with it passed its checks: it is attached.
    assert [a.name for a in draft_application.attachments.all()] == ["letter.pdf"]


def test_it_refuses_a_document_that_is_too_big(
    draft_application, monitor_browser, budget_requirement, settings
):
    settings.EVIDENCE_MAX_BYTES = len(PDF_BYTES) - 1
    response = upload(monitor_browser, draft_application, pdf_file(), budget_requirement)
    assert response.status_code == 400
    assert "“budget.pdf” is 50 bytes; a document may be 49 bytes at most." in Page(response).text
    assert not draft_application.attachments.exists()


def test_it_saves_the_files_chosen_with_the_draft(
    draft_application, monitor_browser, budget_requirement
):
    data = sent_back(draft_application, title="Saved with its budget", save="")
    data |= {document_field(budget_requirement): xlsx_file(), document_field(): pdf_file("a.pdf")}

    response = monitor_browser.post(application_url(draft_application), data)

    assert response.status_code == 302
    assert response["Location"] == application_url(draft_application)
    draft_application.refresh_from_db()
    assert draft_application.title == "Saved with its budget"
    assert {
        (a.requirement_id, a.name, a.uploaded_by_id) for a in draft_application.attachments.all()
    } == {
        (budget_requirement.pk, "budget.xlsx", draft_application.created_by_id),
        (None, "a.pdf", draft_application.created_by_id),
    }


def test_a_draft_that_saves_nothing_asks_for_the_chosen_file_again(
    draft_application, monitor_browser, budget_requirement
):
    data = sent_back(draft_application, finding_links="not an address", save="")
    data[document_field(budget_requirement)] = pdf_file()

    response = monitor_browser.post(application_url(draft_application), data)

    assert response.status_code == 400
    page = Page(response)
    assert "Nothing was saved: correct what is marked below and save again." in page.text
    assert "“budget.pdf” was not attached, as nothing was saved: choose it again." in page.text
    assert not draft_application.attachments.exists()


def test_it_still_attaches_a_document_posted_on_its_own(
    draft_application, monitor_browser, budget_requirement
):
    """Without the draft's fields, as an older page or a script posts it: nothing is lost."""
    url = reverse("apply:attachments", args=[draft_application.pk])
    response = monitor_browser.post(url, {"requirement": budget_requirement.pk, "file": pdf_file()})
    assert response.status_code == 302
    assert draft_application.attachments.get().name == "budget.pdf"

    refused = monitor_browser.post(url, {"requirement": "", "file": pdf_file("x.exe", b"MZ")})
    assert refused.status_code == 400
    assert "The document was not attached." in Page(refused).text
    assert draft_application.attachments.count() == 1


def test_it_removes_a_document_and_saves_what_was_typed(
    complete_draft, monitor_browser, django_capture_on_commit_callbacks
):
    document = complete_draft.attachments.get()
    stored = document.file.name
    remove = reverse("apply:remove_attachment", args=[complete_draft.pk, document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = monitor_browser.post(
            remove, sent_back(complete_draft, objectives="Typed, then removed.", remove="")
        )
    assert response.status_code == 302
    assert response["Location"] == application_url(complete_draft) + "#documents"
    assert not complete_draft.attachments.exists()
    assert not document.file.storage.exists(stored)
    complete_draft.refresh_from_db()
    assert complete_draft.objectives == "Typed, then removed."
    page = Page(monitor_browser.get(application_url(complete_draft)))
    assert "Your draft is saved. Nothing is sent until you submit it. “budget.pdf” is removed." in (
        page.text
    )


def test_it_removes_nothing_when_what_was_typed_is_refused(complete_draft, monitor_browser):
    document = complete_draft.attachments.get()
    remove = reverse("apply:remove_attachment", args=[complete_draft.pk, document.pk])
    response = monitor_browser.post(
        remove, sent_back(complete_draft, finding_links="not an address", remove="")
    )
    assert response.status_code == 400
    assert 'value="not an address"' in Page(response).html or "not an address" in (
        Page(response).text
    )
    assert list(complete_draft.attachments.all()) == [document]


def test_the_page_s_buttons_save_everything_typed(complete_draft, monitor_browser):
    """Attach and remove are buttons of the draft's own form, sent with its fields and
    files; Enter in a field saves the draft (the form's first button), never removes."""
    page = Page(monitor_browser.get(application_url(complete_draft)))
    form = page.html[page.html.index('<form method="post" id="application-form"') :]
    form = form[: form.index("</form>")]
    assert 'enctype="multipart/form-data"' in form
    assert "data-unsaved" not in form  # as saved: nothing to lose by leaving
    document = complete_draft.attachments.get()
    remove = reverse("apply:remove_attachment", args=[complete_draft.pk, document.pk])
    attach = reverse("apply:attachments", args=[complete_draft.pk])
    assert f'formaction="{remove}"' in form
    assert f'formaction="{attach}"' in form
    assert form.index('type="submit" name="save"') < form.index("formaction=")
    assert "<form" not in form[1:]  # no form inside the form


def test_it_serves_a_document_only_to_the_people_who_may_read_the_application(
    submitted_application, browser_of, cso_monitor, project_staff, grant_reviewer, other_monitor
):
    document = submitted_application.attachments.get()
    url = reverse("apply:attachment", args=[document.pk])
    assigned = factories.user("assigned-reviewer", group="Grant reviewers")
    ReviewAssignment.objects.create(
        application=submitted_application, reviewer=assigned, has_conflict=False
    )
    conflicted = factories.user("conflicted-reviewer", group="Grant reviewers")
    ReviewAssignment.objects.create(
        application=submitted_application,
        reviewer=conflicted,
        has_conflict=True,
        conflict_note="My cousin",
    )

    for person in (cso_monitor, project_staff, assigned):
        response = browser_of(person).get(url)
        assert response.status_code == 200, person
        assert response["Content-Disposition"] == 'attachment; filename="budget.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF_BYTES
    for person in (grant_reviewer, conflicted, other_monitor):
        assert browser_of(person).get(url).status_code == 404, person


# --- After the decision -----------------------------------------------------------------------


def test_it_shows_the_decision_but_never_the_reviews(awarded_application, monitor_browser):
    reviewer = factories.user("secret-reviewer", group="Grant reviewers")
    review = ReviewAssignment.objects.create(
        application=awarded_application,
        reviewer=reviewer,
        has_conflict=False,
        submitted_at=timezone.now(),
    )
    for criterion in awarded_application.call.rubric.all():
        ReviewScore.objects.create(
            review=review, criterion=criterion, points=4, comment="A reviewer's private remark"
        )

    page = Page(monitor_browser.get(application_url(awarded_application)))

    assert "Decision: awarded" in page.text
    assert "Awarded: 10,000.00 ₾." in page.text
    assert "Strong link to the findings." in page.text
    assert "interim report" in page.text and "final report" in page.text
    for secret in ("secret-reviewer", "A reviewer's private remark", "Relevance", "Feasibility"):
        assert secret not in page.text


def test_it_lists_the_organisation_s_applications_with_decisions_and_reports_due(
    awarded_application, monitor_browser
):
    today = timezone.localdate()
    awarded_application.reports.filter(kind="interim").update(
        due_on=today + datetime.timedelta(days=5)
    )
    awarded_application.reports.filter(kind="final").update(
        due_on=today - datetime.timedelta(days=3)
    )
    page = Page(monitor_browser.get(reverse("apply:dashboard")))
    row = page.row("Water for every village")
    assert row[2] == "KAKHETI-2024-001"
    assert "awarded 10,000.00 ₾" in row[3]
    due = (today + datetime.timedelta(days=5)).strftime("%d.%m.%Y")
    assert f"interim report : due {due} (5 days left)" in row[4]
    overdue = (today - datetime.timedelta(days=3)).strftime("%d.%m.%Y")
    assert f"final report : due {overdue} ( overdue )" in row[4]


# --- The dashboard's queries ------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 4])
def test_it_runs_the_same_queries_however_many_calls_and_applications_it_lists(
    size, open_call, cso, cso_monitor, other_cso, browser_of, django_assert_num_queries
):
    factories.cso_monitor("member-of-both", other_cso).organization_memberships.create(
        organization=cso
    )
    for number in range(size):
        call = Call.objects.get(pk=open_call.pk)
        call.pk = None
        call.slug = f"call-{number}"
        call.save()
        call.municipalities.set(open_call.municipalities.all())
        application = services.start_application(call=call, organization_id=cso.pk, by=cso_monitor)
        complete(application, cso_monitor, call.municipalities.first())
        Report.objects.create(application=application, kind="interim", due_on=timezone.localdate())
    browser = browser_of(cso_monitor, "en")
    browser.get(reverse("apply:dashboard"))  # the session and the user, once

    with django_assert_num_queries(8):
        page = Page(browser.get(reverse("apply:dashboard")))

    assert len(page.rows) == size + 1
    assert page.text.count("Start an application") == 1  # the fixture's call only
    # The others are listed too, each with the application the organisation made to it.
    assert page.text.count("has made the applications this call allows (1)") == size


# --- Reports ----------------------------------------------------------------------------------


@pytest.fixture
def interim(awarded_application):
    return awarded_application.reports.get(kind="interim")


def report_url(report):
    return reverse("apply:report", args=[report.pk])


def report_data(**changes):
    return {
        "narrative": "We met every village council.",
        "spent": "4000.50",
        "financial": "Meetings 4000.50 ₾.",
        "outcome": "The council adopted a plan.",
        "outcome_indicators": [],
    } | changes


def test_it_lets_the_grantee_save_and_submit_a_report(interim, monitor_browser, open_call):
    target = indicator(open_call, "A.2.1")
    page = Page(monitor_browser.get(report_url(interim)))
    assert "interim report: Water for every village" in page.text
    assert "due" in page.text

    response = monitor_browser.post(
        report_url(interim),
        report_data(outcome_indicators=[target.pk], new_file=pdf_file("receipts.pdf"), save=""),
    )
    assert response.status_code == 302
    interim.refresh_from_db()
    assert interim.status == ReportStatus.DUE
    assert interim.spent == Decimal("4000.50")
    assert list(interim.outcome_indicators.all()) == [target]
    assert interim.attachments.get().name == "receipts.pdf"

    response = monitor_browser.post(report_url(interim), report_data(submit=""))
    assert response.status_code == 302
    interim.refresh_from_db()
    assert interim.status == ReportStatus.SUBMITTED
    page = Page(monitor_browser.get(report_url(interim)))
    assert "Your report is submitted" in page.text
    assert "read only" in page.text
    assert "<textarea" not in page.html

    forged = monitor_browser.post(report_url(interim), report_data(narrative="Rewritten", save=""))
    assert forged.status_code == 403
    interim.refresh_from_db()
    assert interim.narrative == "We met every village council."


def test_it_refuses_to_submit_a_report_without_its_narrative_and_financial_parts(
    interim, monitor_browser
):
    response = monitor_browser.post(report_url(interim), report_data(financial="", submit=""))
    assert response.status_code == 400
    assert "Write both the narrative and the financial report first." in Page(response).text
    interim.refresh_from_db()
    assert interim.status == ReportStatus.DUE
    assert interim.narrative == "We met every village council."


def test_it_offers_only_the_application_s_indicators_for_the_outcome(
    interim, monitor_browser, open_call
):
    response = monitor_browser.post(
        report_url(interim),
        report_data(outcome_indicators=[indicator(open_call, "B.1.1").pk], save=""),
    )
    assert response.status_code == 400
    assert 'value="We met every village council."' not in Page(response).html  # a textarea
    assert "We met every village council." in Page(response).text


def test_it_opens_a_returned_report_again_with_the_staff_s_comment(
    interim, monitor_browser, project_staff
):
    interim.narrative, interim.financial = "First version", "Costs"
    interim.save()
    services.submit_report(report=interim, by=interim.application.created_by)
    services.review_report(
        report=interim, accept=False, comment="Add the receipts.", by=project_staff
    )

    page = Page(monitor_browser.get(report_url(interim)))

    assert "Returned by project staff: what needs to change" in page.text
    assert "Add the receipts." in page.text
    assert "<textarea" in page.html
    response = monitor_browser.post(report_url(interim), report_data(submit=""))
    assert response.status_code == 302
    interim.refresh_from_db()
    assert interim.status == ReportStatus.SUBMITTED


def test_it_keeps_reports_and_their_documents_to_the_grantee_and_staff(
    interim, browser_of, cso_monitor, other_monitor, project_staff, grant_reviewer
):
    document = ReportAttachment.objects.create(
        report=interim, file=pdf_file("receipts.pdf"), name="receipts.pdf", size=len(PDF_BYTES)
    )
    url = reverse("apply:report_attachment", args=[document.pk])
    for person in (cso_monitor, project_staff):
        response = browser_of(person).get(url)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
    for person in (other_monitor, grant_reviewer):
        assert browser_of(person).get(url).status_code == 404
    assert browser_of(other_monitor).get(report_url(interim)).status_code == 404
    assert browser_of(other_monitor).post(report_url(interim), report_data()).status_code == 404


# --- The e-mails ------------------------------------------------------------------------------


def test_it_tells_the_applicant_of_the_decision_and_of_a_returned_report(
    submitted_application, open_call, cso_monitor, project_staff, django_capture_on_commit_callbacks
):
    cso_monitor.email = "monitor@example.org"
    cso_monitor.save()
    NotificationSettings.objects.create(user=cso_monitor, language="en")
    services.start_review(call=open_call, by=project_staff, now=open_call.closes_at)
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)
    with django_capture_on_commit_callbacks(execute=True):
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
    [decided] = mail.outbox
    assert decided.subject == "Decision on your grant application KAKHETI-2024-001"
    assert "has been awarded a grant of 10,000.00 ₾" in decided.body
    assert "The grant runs from 01.01.2025 to 31.12.2025." in decided.body

    report = submitted_application.reports.get(kind="interim")
    report.narrative, report.financial = "Done", "Spent"
    report.save()
    services.submit_report(report=report, by=cso_monitor)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_report(
            report=report, accept=False, comment="Add receipts.", by=project_staff
        )
    returned = mail.outbox[-1]
    assert returned.subject == "Your grant report was returned: KAKHETI-2024-001"
    assert "returned the interim report of the grant KAKHETI-2024-001" in returned.body
    assert "Add receipts." in returned.body
    assert f"/monitor/grants/reports/{report.pk}/" in returned.body


def test_the_workspace_links_to_grant_applications(monitor_browser, open_call):
    page = Page(monitor_browser.get(reverse("monitor:dashboard")))
    assert ("/monitor/grants/", "Grant applications") in page.links


def test_an_application_to_a_draft_call_cannot_be_started(open_call, cso, monitor_browser):
    Call.objects.filter(pk=open_call.pk).update(stage=CallStage.DRAFT)
    response = monitor_browser.post(
        reverse("apply:start", args=[open_call.slug]), {"organization": cso.pk}
    )
    assert response.status_code == 404
    assert not Application.objects.exists()


@pytest.mark.parametrize("language", ["ka", "en"])
def test_it_speaks_the_monitor_s_language(
    complete_draft, awarded_application_of_other_call, browser_of, cso_monitor, language
):
    browser = browser_of(cso_monitor, language)
    for url in (
        reverse("apply:dashboard"),
        application_url(complete_draft),
        application_url(awarded_application_of_other_call),
        reverse("apply:report", args=[awarded_application_of_other_call.reports.first().pk]),
    ):
        page = Page(browser.get(url))
        assert page.status_code == 200, url
        assert page.lang == language
    if language == "ka":
        assert "მცირე გრანტები 2024" in Page(browser.get(reverse("apply:dashboard"))).text


@pytest.fixture
def awarded_application_of_other_call(open_call, cso, cso_monitor, project_staff, telavi):
    """An award of an earlier call of the same findings, besides the open call's draft."""
    call = Call.objects.get(pk=open_call.pk)
    call.pk, call.slug = None, "kakheti-2023"
    call.save()
    call.municipalities.set([telavi])
    call.required_attachments.create(name_ka="ბიუჯეტი", name_en="Budget", extensions="pdf")
    call.rubric.create(name_ka="შესაბამისობა", name_en="Relevance")
    application = complete(
        services.start_application(call=call, organization_id=cso.pk, by=cso_monitor),
        cso_monitor,
        telavi,
    )
    services.submit_application(application=application, by=cso_monitor)
    services.start_review(call=call, by=project_staff, now=call.closes_at)
    services.check_eligibility(application=application, eligible=True, by=project_staff)
    services.decide(
        application=application,
        award=True,
        amount=Decimal("9000"),
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2025, 6, 30),
        by=project_staff,
        summary_ka="სასმელი წყალი ყველა სოფელს",
        summary_en="Drinking water for every village",
        now=DECIDED_AT,
    )
    return application


@pytest.mark.parametrize("size", [1, 5])
def test_the_application_page_runs_the_same_queries_however_long_the_application(
    size, complete_draft, cso_monitor, monitor_browser, open_call, django_assert_num_queries
):
    for number in range(size):
        complete_draft.budget_lines.create(
            description=f"Line {number}", amount=Decimal(100), order=10 + number
        )
        ApplicationAttachment.objects.create(
            application=complete_draft,
            file=pdf_file(f"annex-{number}.pdf"),
            name=f"annex-{number}.pdf",
            size=len(PDF_BYTES),
        )
    complete_draft.indicators.add(*Indicator.objects.filter(code__in=["A.1.1", "B.1.1"]))
    monitor_browser.get(application_url(complete_draft))

    with django_assert_num_queries(QUERIES_OF_THE_APPLICATION_PAGE):
        page = Page(monitor_browser.get(application_url(complete_draft)))

    assert len([text for _href, text in page.links if text.startswith("annex-")]) == size


def test_a_late_draft_shows_the_total_of_the_rows_typed(
    closing_soon, complete_draft, monitor_browser
):
    with frozen_at(closing_soon.closes_at):
        response = monitor_browser.post(
            application_url(complete_draft),
            sent_back(complete_draft, lines=[("Meetings", "6000"), ("Hall", "1000")], save=""),
        )
    assert response.status_code == 403
    assert "7,000.00 ₾" in Page(response).text


def test_a_refused_draft_is_summed_up_at_the_top_with_a_link_to_each_field_and_row(
    complete_draft, monitor_browser
):
    data = sent_back(
        complete_draft,
        lines=[("Meetings", "7000"), ("Transport", "lots")],
        finding_links="not an address",
        save="",
    )
    response = monitor_browser.post(application_url(complete_draft), data)

    assert response.status_code == 400
    heading, lines = error_summary(response.content.decode())
    assert heading == "Nothing was saved: correct what is marked below and save again."
    targets = dict(lines)
    # The rows already saved come first: the refused one is the page's fourth.
    assert targets["id_lines-3-amount"] == "Budget line 4: Amount (GEL): Enter a number."
    assert targets["id_finding_links"].startswith("Published findings it builds on: Line 1")
    # The summary stands in for the refusal: it is said once.
    assert Page(response).text.count("Nothing was saved") == 1


def test_a_refused_report_is_summed_up_and_asks_before_its_page_is_left(interim, monitor_browser):
    response = monitor_browser.post(report_url(interim), report_data(spent="lots", save=""))

    assert response.status_code == 400
    heading, lines = error_summary(response.content.decode())
    assert heading == "Nothing was saved: correct what is marked below and save again."
    assert lines == [("id_spent", "Spent (GEL): Enter a number.")]
    assert re.search(r"<form [^>]*data-warn-unsaved[^>]* data-unsaved", response.content.decode())
