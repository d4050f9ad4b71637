"""A grant application in a real browser: the demo CSO monitor starts an application to an
open call, fills it in with the budget's running total, is refused a premature submission
with everything typed kept, attaches the budget (what was typed is saved with it), is asked
before leaving with changes not saved, confirms the submission before the deadline; the
application is then read-only, with its reference number, and the call says why no other
application can be started.

The call is made for this module (before Chromium starts, see tests/browser/conftest.py),
so that the test does not depend on the grants of the demo data. Screenshots, at desktop
and phone width, are saved to the artifacts folder with the prefix `workspace-grants-`.
"""

import datetime
import re
from decimal import Decimal

import pytest

from tests.browser.test_workspace import (
    Person,
    axe_violations,
    monitor_signs_in,
    success_message,
)

pytestmark = pytest.mark.browser

CALL_TITLE = "Browser grants"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(scope="module")
def grant_call(site):
    """An open call on the latest published findings of the demo, for Telavi and
    Sighnaghi, closing in a week: 5 000–20 000 ₾, the budget required as PDF or XLSX."""
    from django.utils import timezone

    from assessments.models import Cycle
    from grants.models import Call, CallStage, RequiredAttachment, RubricCriterion
    from indicators.models import Indicator
    from municipalities.models import Municipality

    cycle = Cycle.objects.with_published().order_by("-year").first()
    now = timezone.now().replace(microsecond=0)
    call = Call.objects.create(
        slug="browser-grants",
        title_ka="ბრაუზერის გრანტები",
        title_en=CALL_TITLE,
        description_ka="ადვოკატირება.",
        description_en="Advocacy.",
        budget=Decimal("100000"),
        min_grant=Decimal("5000"),
        max_grant=Decimal("20000"),
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=7),
        stage=CallStage.ANNOUNCED,
        cycle=cycle,
    )
    call.municipalities.set(Municipality.objects.filter(slug__in=["telavi", "sighnaghi"]))
    priority = (
        Indicator.objects.filter(criterion__area__version=cycle.methodology)
        .order_by("criterion__area__order", "criterion__order", "code")
        .first()
    )
    call.priority_indicators.set([priority])
    RequiredAttachment.objects.create(
        call=call, name_ka="პროექტის ბიუჯეტი", name_en="Project budget", extensions="pdf, xlsx"
    )
    RubricCriterion.objects.create(call=call, name_ka="შესაბამისობა", name_en="Relevance")
    return {"slug": call.slug, "priority": priority.code}


@pytest.fixture
def people(browser, site, artifacts):
    opened = []

    def person(name):
        opened.append(Person(browser, site, artifacts, name))
        return opened[-1]

    yield person
    for someone in opened:
        someone.close()


def row(page, number):
    return page.locator("#budget-lines tbody tr.budget-line").nth(number)


def test_a_monitor_takes_an_application_from_draft_to_submission(grant_call, people):
    monitor = people("CSO monitor")
    page = monitor.page
    monitor_signs_in(monitor)

    # From the workspace's navigation to the open calls; the monitor starts an application.
    page.locator("nav.site-nav").get_by_role("link", name="Grant applications").click()
    monitor.on("/monitor/grants/")
    assert page.locator("h1").inner_text() == "Grant applications"
    card = page.locator("article.card", has=page.get_by_role("heading", name=CALL_TITLE))
    assert "(Tbilisi time)" in card.inner_text()
    assert "6 days left" in card.inner_text()
    monitor.shoot("grants-1-en-dashboard")
    monitor.submit(card.get_by_role("button", name=re.compile(r"^Start an application")))
    monitor.on(re.compile(r"^/monitor/grants/\d+/$"))
    application = monitor.path()
    assert "Your draft application is started" in success_message(page)

    # The form: details, the target, the plan and a budget below the call's minimum.
    page.get_by_label("Contact person", exact=True).fill("ნინო ბერიძე")
    page.get_by_label("Contact e-mail", exact=True).fill("nino@example.org")
    page.get_by_label("Contact phone", exact=True).fill("+995 555 123 456")
    page.get_by_label("Registration number", exact=True).fill("404123456")
    page.get_by_label("Project title", exact=True).fill("წყალი ყველა სოფელს")
    page.get_by_label("Summary", exact=True).fill("ადვოკატირება წყალმომარაგებისთვის.")
    page.get_by_label("Target municipality", exact=True).select_option(label="Telavi")
    priority = page.locator("#target fieldset fieldset").first
    assert "priority" in priority.inner_text()
    priority.locator("input[type=checkbox]").first.check()
    page.get_by_label("Objectives", exact=True).fill("More villages served.")
    page.get_by_label("Activities", exact=True).fill("Meetings and a public hearing.")
    row(page, 0).locator("input[name$='-description']").fill("Meetings")
    row(page, 0).locator("input[name$='-amount']").fill("2500")
    row(page, 1).locator("input[name$='-description']").fill("Hearing")
    row(page, 1).locator("input[name$='-amount']").fill("1500.50")
    # The running total follows the rows, and says when it is outside the call's limits.
    assert page.locator("#budget-total").inner_text() == "4,000.50"
    assert page.locator("#budget-outside").is_visible()
    page.get_by_role("button", name="Add a row").click()
    assert page.locator("#budget-lines tbody tr.budget-line").count() == 3
    row(page, 2).locator("input[name$='-description']").fill("Leaflets")
    row(page, 2).locator("input[name$='-amount']").fill("500")
    assert page.locator("#budget-total").inner_text() == "4,500.50"
    monitor.submit(page.get_by_role("button", name="Save draft"))
    monitor.on(application)
    assert "Your draft is saved" in success_message(page)
    assert page.get_by_label("Project title", exact=True).input_value() == "წყალი ყველა სოფელს"
    assert page.locator("#budget-total").inner_text() == "4,500.50"
    assert "Attach Project budget." in page.locator("#missing").inner_text()
    monitor.shoot("grants-2-en-draft")

    # Submitting now is refused: it says why, and nothing typed is lost.
    page.get_by_label("Activities", exact=True).fill("Meetings, a hearing and leaflets.")
    monitor.submit(page.get_by_role("button", name="Submit", exact=True))
    monitor.on(application, status=400)
    refusal = page.locator("#refusal").inner_text()
    assert "Your draft is saved, but it was not submitted." in refusal
    assert "The budget adds up to 4,500.50 ₾" in refusal
    assert "Attach Project budget." in refusal
    assert (
        page.get_by_label("Activities", exact=True).input_value()
        == "Meetings, a hearing and leaflets."
    )

    # The budget attached: what was typed meanwhile is saved with it.
    page.get_by_label("Summary", exact=True).fill("Typed, then attached.")
    page.get_by_label("File for Project budget", exact=True).set_input_files(
        {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    attach = page.get_by_role("button", name=re.compile(r"^Attach\W+Project budget$"))
    monitor.submit(attach)
    monitor.on(application + "#documents")
    assert "“budget.pdf” is attached." in success_message(page)
    assert "Your draft is saved" in success_message(page)
    assert page.get_by_role("link", name="budget.pdf").count() == 1
    assert page.get_by_label("Summary", exact=True).input_value() == "Typed, then attached."
    assert (
        page.get_by_label("Activities", exact=True).input_value()
        == "Meetings, a hearing and leaflets."
    )

    # A mistake: the summary at the top of the page takes the focus, and its link leads to
    # the amount in error.
    amount = row(page, 2).locator("input[name$='-amount']")
    amount.fill("-1")
    monitor.submit(page.get_by_role("button", name="Save draft"))
    monitor.on(application, status=400)
    assert page.evaluate("document.activeElement.id") == "error-summary"
    link = page.locator("#error-summary a").first
    assert link.inner_text() == "Budget line 3: Amount (GEL)"
    assert axe_violations(page) == []
    link.click()
    assert page.evaluate("document.activeElement.id") == amount.get_attribute("id")
    assert amount.input_value() == "-1"
    amount.fill("500")

    # Leaving the page with a change not saved: the browser asks first; staying keeps it.
    row(page, 0).locator("input[name$='-amount']").fill("6000")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.locator("nav[aria-label=Breadcrumb]").get_by_role(
        "link", name="Grant applications"
    ).click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert monitor.path().startswith(application)
    assert row(page, 0).locator("input[name$='-amount']").input_value() == "6000"
    assert page.locator("#budget-total").inner_text() == "8,000.50"
    assert not page.locator("#budget-outside").is_visible()

    # "Submit" saves and shows what will be submitted, to confirm.
    monitor.submit(page.get_by_role("button", name="Submit", exact=True))
    monitor.on(application + "?confirm")
    assert page.locator("h1").inner_text() == "Submit the application?"
    summary = page.locator("#confirm-summary").inner_text()
    assert "წყალი ყველა სოფელს" in summary and "Telavi" in summary
    assert "8,000.50 ₾" in page.locator("#confirm-total").inner_text()
    assert "budget.pdf" in summary
    assert "After submission the application can no longer change." in (
        page.locator("#confirm-warning").inner_text()
    )
    assert page.get_by_role("link", name="Back to the draft").count() == 1
    monitor.shoot("grants-3-en-confirm")
    monitor.submit(page.get_by_role("button", name="Submit the application"))
    monitor.on(application)
    assert "Your application is submitted" in success_message(page)
    reference = page.locator("#application-reference").inner_text()
    assert re.fullmatch(r"BROWSER-GRANTS-\d{3}", reference)
    assert page.locator("#application-status").inner_text() == "Submitted · read only"
    assert page.locator("main textarea, main input[type=text], main select").count() == 0
    assert page.locator("main input[type=file]").count() == 0
    assert page.get_by_role("button", name="Save draft").count() == 0
    assert "8,000.50" in page.locator("main").inner_text()
    assert "Meetings, a hearing and leaflets." in page.locator("main").inner_text()
    monitor.shoot("grants-4-en-submitted")

    # The dashboard lists it; the call is still listed, saying why no other application
    # can be started, with a link to this one.
    page.locator("nav[aria-label=Breadcrumb]").get_by_role(
        "link", name="Grant applications"
    ).click()
    monitor.on("/monitor/grants/")
    assert reference in page.locator("main table").inner_text()
    card = page.locator("article.card", has=page.get_by_role("heading", name=CALL_TITLE))
    assert card.get_by_role("button", name=re.compile(r"^Start an application")).count() == 0
    assert "Your organisation has made the applications this call allows (1):" in (
        card.inner_text()
    )
    assert card.get_by_role("link", name="წყალი ყველა სოფელს").get_attribute("href") == (
        application
    )
    monitor.shoot("grants-5-en-dashboard-applied")

    # The same application in Georgian.
    page.goto(monitor.site + application)
    monitor.choose_language("ka", application)
    assert re.search("[\u10d0-\u10ff]", page.locator("h1").inner_text())
    monitor.shoot("grants-6-ka-submitted")
