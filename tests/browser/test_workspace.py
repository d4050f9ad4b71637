"""Data entry in a real browser: a CSO monitor fills in and submits the 2022 Telavi external
assessment in the monitor workspace, project staff open the right of reply in the admin, and a
Telavi staff member replies to a finding.

The demo users of seed_demo (password `musqat-demo`) play the people:
  a CSO monitor        cso-monitor     /monitor/
  project staff        project-staff   /admin/
  Telavi staff         telavi-staff    /admin/

Screenshots, at desktop and phone width, are saved to the artifacts folder with the prefix
`workspace-`. Every Georgian page is checked for uppercase Georgian (Mtavruli), lost
characters and the Georgian web font, as the portal's pages are.
"""

import json
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.test_portal import GEORGIAN_PAGE, OVERFLOW

pytestmark = pytest.mark.browser

PASSWORD = "musqat-demo"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 360, "height": 740}

# What each answer card of an area page holds, read from the page rather than the methodology.
CARDS = """() => [...document.querySelectorAll("fieldset.answer-card")].map((card) => {
    const value = card.querySelector("input[name$='-value']:not([type=hidden])");
    const hint = value && document.getElementById(value.id + "_helptext");
    return {
        code: card.id.replace(/^indicator-/, ""),
        levels: card.querySelectorAll("input[type=radio][name$='-value']").length,
        percent: Boolean(hint && /percent/i.test(hint.textContent)),
        answered: Boolean(
            card.querySelector("input[type=checkbox][name$='-is_na']:checked")
            || card.querySelector("input[type=radio][name$='-value']:checked")
            || (value && value.type !== "radio" && value.value)
        ),
    };
})"""


class Person:
    """Someone at their own browser: a tab that remembers how every page it loaded answered."""

    def __init__(self, browser, site, artifacts, name):
        self.context = browser.new_context(viewport=DESKTOP, locale="ka-GE")
        self.page = self.context.new_page()
        self.site = site
        self.artifacts = artifacts
        self.name = name
        self.documents = []  # (status, url) of every page loaded in the main frame
        self.broken = []  # images, stylesheets, fonts… that failed
        self.errors = []  # uncaught JavaScript errors
        self.refused = []  # what the Content-Security-Policy blocked (Chromium's console says)
        self.page.on("response", self._response)
        self.page.on("requestfailed", lambda r: self.broken.append(("failed", r.url)))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)

    def _response(self, response):
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self.documents.append((response.status, response.url))
        elif response.status >= 400:
            self.broken.append((response.status, response.url))

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)

    def goto(self, path):
        self.page.goto(self.site + path)

    def path(self):
        return self.page.url.removeprefix(self.site)

    def on(self, path, status=200, language="en"):
        """Check the page now shown is `path` (a string or a pattern), as it should be."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        page = self.page
        pattern = path if isinstance(path, re.Pattern) else re.compile(re.escape(path) + "$")
        if "#" not in pattern.pattern:
            # A redirect keeps the fragment of the page it came from.
            pattern = re.compile(pattern.pattern.removesuffix("$") + r"(#[^#]*)?$")
        try:
            page.wait_for_url(
                lambda url: bool(pattern.search(url.removeprefix(self.site))), timeout=10_000
            )
        except PlaywrightTimeout:
            alerts = page.locator(".alert, .errornote, .messagelist").all_inner_texts()
            raise AssertionError(
                f"{self.name} expected {pattern.pattern} but is on {self.path()}: {alerts}"
            ) from None
        page.wait_for_load_state("load")
        answered, url = self.documents[-1]
        assert answered == status, f"{self.name}: {url} answered {answered}, not {status}"
        assert not self.broken, f"{self.name}: resources failed to load: {self.broken}"
        assert not self.errors, f"{self.name}: JavaScript errors: {self.errors}"
        assert not self.refused, f"{self.name}: the Content-Security-Policy refused: {self.refused}"
        assert page.locator("html").get_attribute("lang") == language, url
        if language == "ka":
            found = page.evaluate(GEORGIAN_PAGE)
            assert not found["mtavruli"], f"{url}: Mtavruli in the text: {found['mtavruli']}"
            assert not found["replacement"], f"{url}: {found['replacement']} U+FFFD in the text"
            assert not found["uppercased"], f"{url}: Georgian set uppercase: {found['uppercased']}"
            assert found["fontLoaded"], f"{url}: Noto Sans Georgian not loaded: {found['faces']}"
        return page

    def submit(self, control):
        """Click a control that loads a page, and wait for it: it may have the same address."""
        with self.page.expect_navigation():
            control.click()

    def choose_language(self, code, path):
        """The header's language buttons (the workspace) or select (the admin) keep the page."""
        buttons = self.page.locator(f"form.workspace-language button[value={code}]")
        with self.page.expect_navigation():
            if buttons.count():
                buttons.click()
            else:
                self.page.locator("#admin-language").select_option(code)
        self.on(path, language=code)

    def shoot(self, name, *, fits_a_phone=True):
        """Full-page screenshots at desktop and phone width; the phone one must not scroll
        sideways (outside a .table-responsive scroller) when `fits_a_phone`."""
        page = self.page
        for size, width in ((DESKTOP, "desktop"), (MOBILE, "mobile")):
            page.set_viewport_size(size)
            page.evaluate("document.fonts.ready.then(() => true)")
            if size is MOBILE and fits_a_phone:
                fit = page.evaluate(OVERFLOW)
                assert fit["scrollWidth"] <= fit["innerWidth"] + 1, (
                    f"{self.path()} scrolls sideways at {MOBILE['width']} px: {fit}"
                )
            shot = self.artifacts / f"workspace-{width}-{name}.png"
            shot.unlink(missing_ok=True)
            page.screenshot(path=shot, full_page=True)
            assert shot.is_file() and shot.stat().st_size > 0, shot
        page.set_viewport_size(DESKTOP)

    def close(self):
        self.context.close()


@pytest.fixture
def people(browser, site, artifacts):
    """Opens a browser for each person the test names; closes them all at the end."""
    opened = []

    def person(name):
        opened.append(Person(browser, site, artifacts, name))
        return opened[-1]

    yield person
    for someone in opened:
        someone.close()


def monitor_signs_in(monitor):
    """The CSO monitor opens the workspace, picks English and signs in."""
    page = monitor.page
    monitor.goto("/monitor/")
    monitor.on("/monitor/login/?next=/monitor/", language="ka")
    monitor.choose_language("en", "/monitor/login/?next=/monitor/")
    page.get_by_label("Username").fill("cso-monitor")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    monitor.on("/monitor/")
    assert page.locator("h1").inner_text() == "My assessments"


def staff_signs_in(person, username):
    """Municipal and project staff sign in to the admin (in Georgian, its default)."""
    page = person.page
    person.goto("/admin/")
    person.on("/admin/login/?next=/admin/", language="ka")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    person.on("/admin/", language="ka")


def card(page, code):
    return page.locator(f'fieldset[id="indicator-{code}"]')


def value_input(page, code):
    return card(page, code).locator("input[name$='-value']:not([type=hidden])")


def answer_every_open_card(page):
    """Answer each indicator of the area page that has no answer yet, as quickly as honestly:
    the first level of a scale, "yes", or a number in range. Returns how many were answered."""
    answered = 0
    for found in page.evaluate(CARDS):
        if found["answered"]:
            continue
        if found["levels"]:
            card(page, found["code"]).locator("input[type=radio][name$='-value']").first.check()
        else:
            value_input(page, found["code"]).fill("50" if found["percent"] else "5")
        answered += 1
    return answered


def number_in(field):
    """The number a text input shows, whichever decimal separator and places it uses."""
    return Decimal(field.input_value().replace(",", "."))


def progress_of_all(page):
    """The overview's "N of M answered" for all areas, as (N, M)."""
    text = page.locator("table tfoot .small").inner_text()
    answered, total = re.fullmatch(r"(\d+) of (\d+) answered", text.strip()).groups()
    return int(answered), int(total)


def success_message(page):
    return page.locator(".messages .alert-success").inner_text()


def test_a_monitor_fills_in_and_submits_and_telavi_staff_reply(people):
    monitor = people("CSO monitor")
    page = monitor.page
    monitor_signs_in(monitor)

    # The dashboard lists the organisation's assessments; the monitor finds Telavi 2022.
    page.locator("#f-cycle").select_option("2022")
    page.locator("#f-q").fill("Telavi")
    page.get_by_role("button", name="Filter").click()
    monitor.on(re.compile(r"^/monitor/\?cycle=2022&status=&q=Telavi$"))
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1
    assert "Draft" in rows.first.inner_text()
    rows.first.get_by_role("link", name="Telavi").click()
    monitor.on(re.compile(r"^/monitor/assessments/\d+/$"))
    overview = monitor.path()
    pk = int(overview.split("/")[3])
    assert "Telavi 2022" in page.locator("h1").inner_text()
    assert progress_of_all(page)[0] == 0
    total = progress_of_all(page)[1]
    areas = [
        re.match(r"[A-Z]+", link.inner_text()).group()
        for link in page.locator("main table tbody th[scope=row]").all()
    ]
    assert areas[0] == "A" and len(areas) >= 2

    # Area A, partly: a scale level with evidence and a link, a "no", a percentage that is
    # out of range at first, a number, and an indicator that does not apply.
    page.get_by_role("link", name=re.compile(r"^Fill in .*")).first.click()
    area_a = f"/monitor/assessments/{pk}/areas/A/"
    monitor.on(area_a)
    cards = page.evaluate(CARDS)
    scale = next(c["code"] for c in cards if c["levels"] > 2)
    yes_no, not_applicable = [c["code"] for c in cards if c["levels"] == 2][:2]
    percent = next(c["code"] for c in cards if not c["levels"] and c["percent"])
    number = next(c["code"] for c in cards if not c["levels"] and not c["percent"])

    card(page, scale).locator("input[type=radio][name$='-value']").nth(2).check()
    card(page, scale).get_by_label("Evidence", exact=True).fill("საკრებულოს დადგენილება №12")
    card(page, scale).get_by_label("Evidence (English)").fill("Council resolution no. 12")
    card(page, scale).get_by_label("Links").fill("https://telavi.gov.ge/strategy")
    card(page, yes_no).locator("input[type=radio][value='0']").check()
    value_input(page, percent).fill("150")
    value_input(page, number).fill("7")
    card(page, not_applicable).get_by_label("Not applicable").check()
    card(page, not_applicable).get_by_label("Reason it does not apply", exact=True).fill(
        "სერვისი არ არსებობს"
    )
    card(page, not_applicable).get_by_label("Reason it does not apply (English)").fill(
        "There is no such service"
    )
    monitor.submit(page.get_by_role("button", name="Save draft"))

    # 150 % is refused with a clear message; the other answers are saved and nothing typed
    # is lost.
    monitor.on(area_a, status=400)
    summary = page.locator("#error-summary").inner_text()
    assert "Not saved: 1 answer needs attention" in summary
    assert "Saved 4 answers of" in summary
    assert "border-danger" in card(page, percent).get_attribute("class")
    assert "Enter a percentage from 0 to 100." in card(page, percent).inner_text()
    assert value_input(page, percent).input_value() == "150"
    assert card(page, scale).locator("input[type=radio][name$='-value']").nth(2).is_checked()
    assert card(page, scale).get_by_label("Evidence (English)").input_value() == (
        "Council resolution no. 12"
    )
    assert card(page, not_applicable).get_by_label("Not applicable").is_checked()
    value_input(page, percent).fill("62")
    monitor.submit(page.get_by_role("button", name="Save draft"))
    monitor.on(area_a)
    assert "Saved 1 answer of" in success_message(page)
    assert "(5/" in page.locator("nav .nav-link.active").inner_text()
    monitor.shoot("1-en-area-A-draft")

    # Away to the overview and the dashboard, and back: the draft is as it was left.
    page.locator("nav[aria-label=Breadcrumb]").get_by_role("link", name="Telavi 2022").click()
    monitor.on(overview)
    assert progress_of_all(page) == (5, total)
    page.locator("nav.site-nav").get_by_role("link", name="My assessments").click()
    monitor.on("/monitor/")
    assert f"5 of {total} answered" in page.locator("main table").inner_text()
    page.locator(f'main table a[href="{overview}"]').first.click()
    monitor.on(overview)
    page.get_by_role("link", name=re.compile(r"^Fill in .*")).first.click()
    monitor.on(area_a)
    assert card(page, scale).locator("input[type=radio][name$='-value']").nth(2).is_checked()
    assert card(page, scale).get_by_label("Evidence", exact=True).input_value() == (
        "საკრებულოს დადგენილება №12"
    )
    assert card(page, scale).get_by_label("Links").input_value() == (
        "https://telavi.gov.ge/strategy"
    )
    assert card(page, yes_no).locator("input[type=radio][value='0']").is_checked()
    assert number_in(value_input(page, percent)) == 62
    assert number_in(value_input(page, number)) == 7
    assert card(page, not_applicable).get_by_label("Not applicable").is_checked()
    reason_en = card(page, not_applicable).get_by_label("Reason it does not apply (English)")
    assert reason_en.input_value() == "There is no such service"

    # Saving the untouched page changes nothing (and erases nothing).
    monitor.submit(page.get_by_role("button", name="Save draft"))
    monitor.on(area_a)
    assert success_message(page) == "Nothing had changed, so nothing was saved."
    assert card(page, scale).locator("input[type=radio][name$='-value']").nth(2).is_checked()
    assert card(page, yes_no).locator("input[type=radio][value='0']").is_checked()
    assert "(5/" in page.locator("nav .nav-link.active").inner_text()

    # The same page in Georgian, workspace and all, then back to English.
    monitor.choose_language("ka", area_a)
    for words in (
        page.locator("button[name=save]").inner_text(),
        page.locator("nav.site-nav a[href='/monitor/']").inner_text(),
    ):
        assert re.search("[\u10d0-\u10ff]", words), f"Not in Georgian: {words!r}"
    monitor.shoot("2-ka-area-A-draft")
    monitor.choose_language("en", area_a)

    # Submitting early is refused with the list of what is missing, each a link to its card.
    page.get_by_role("link", name="Back to the overview").click()
    monitor.on(overview)
    page.get_by_role("link", name="Submit…").click()
    monitor.on(f"/monitor/assessments/{pk}/transition/?action=submit")
    missing = page.locator("main .alert-danger li")
    assert missing.count() == total - 5
    assert "cannot be submitted yet" in page.locator("main .alert-danger").inner_text()
    assert page.get_by_role("button", name=re.compile("Submit")).count() == 0
    codes = [item.locator("a").inner_text() for item in missing.all()]
    assert scale not in codes and not_applicable not in codes
    monitor.shoot("3-en-submit-missing")

    # The monitor follows the first missing link and answers everything, area after area.
    missing.first.locator("a").click()
    monitor.on(f"{area_a}#indicator-{codes[0]}")
    for position, code in enumerate(areas):
        answer_every_open_card(page)
        if position + 1 < len(areas):
            following = areas[position + 1]
            monitor.submit(page.get_by_role("button", name=f"Save and go to area {following}"))
            monitor.on(f"/monitor/assessments/{pk}/areas/{following}/")
        else:
            assert page.get_by_role("button", name=re.compile("Save and go")).count() == 0
            monitor.submit(page.get_by_role("button", name="Save draft"))
            monitor.on(f"/monitor/assessments/{pk}/areas/{code}/")
        assert "as a draft" in success_message(page)
    for pill in page.locator("nav .nav-link .small").all_inner_texts():
        done, of = re.fullmatch(r"\((\d+)/(\d+)\)", pill).groups()
        assert done == of, page.locator("nav .nav-link").all_inner_texts()

    # Complete: the confirmation page offers the submit button, and submitting locks the work.
    page.get_by_role("link", name="Back to the overview").click()
    monitor.on(overview)
    assert progress_of_all(page) == (total, total)
    page.get_by_role("link", name="Submit…").click()
    monitor.on(f"/monitor/assessments/{pk}/transition/?action=submit")
    assert page.locator("main .alert-danger").count() == 0
    monitor.shoot("4-en-submit-confirm")
    page.get_by_role("button", name="Yes: Submit").click()
    monitor.on(overview)
    assert "The assessment is now submitted" in success_message(page)
    status = page.locator("main dl dd").first.inner_text()
    assert status == "Submitted · read only"
    assert page.get_by_role("link", name="Submit…").count() == 0
    assert page.get_by_role("link", name=re.compile(r"^Fill in")).count() == 0
    page.get_by_role("link", name=re.compile(r"^View .*")).first.click()
    monitor.on(area_a)
    assert "you can read it but no longer change it" in page.locator(".alert-info").inner_text()
    assert page.locator("main form input, main form textarea, main form button").count() == 0
    assert "Council resolution no. 12" in card(page, scale).inner_text()
    assert "სერვისი არ არსებობს" in card(page, not_applicable).inner_text()
    monitor.shoot("5-en-area-A-read-only")

    # Saving by URL what the page no longer offers is refused, and changes nothing.
    token = next(c["value"] for c in monitor.context.cookies() if c["name"] == "csrftoken")
    forged = page.request.post(
        monitor.site + area_a, form={"csrfmiddlewaretoken": token, "save": ""}
    )
    assert forged.status == 403 and "Nothing was saved" in forged.text()
    page.reload()
    monitor.on(area_a)
    assert "Strategy adopted by the council" in card(page, scale).inner_text()

    # Project staff open the right of reply for ten days, from the assessment's workflow panel.
    staff = people("project staff")
    staff_signs_in(staff, "project-staff")
    change = f"/admin/assessments/assessment/{pk}/change/"
    staff.goto(change)
    staff.on(change, language="ka")
    staff.choose_language("en", change)
    assert "Workflow: Submitted" in staff.page.locator("#workflow-heading").inner_text()
    staff.page.locator(".workflow-actions").get_by_role(
        "link", name="Open the right of reply…"
    ).click()
    staff.on(f"/admin/assessments/assessment/{pk}/transition/open_reply/")
    staff.page.get_by_label("Days the municipality has to reply").fill("10")
    staff.page.get_by_role("button", name="Yes: Open the right of reply").click()
    staff.on(change)
    last_day = (timezone.localdate() + timedelta(days=9)).strftime("%d.%m.%Y")
    assert staff.page.locator("#workflow-heading").inner_text() == "Workflow: Right of reply"
    assert staff.page.locator(".workflow-deadline").inner_text() == (
        f"Replies due: {last_day} · in 9 days"
    )

    # Telavi's staff member replies to the first finding, in Georgian and English.
    telavi = people("Telavi staff")
    staff_signs_in(telavi, "telavi-staff")
    telavi.goto(change)
    telavi.on(change, language="ka")
    telavi.page.locator(f'.workflow-panel a.button[href$="/{pk}/reply/"]').click()
    reply_page = f"/admin/assessments/assessment/{pk}/reply/"
    telavi.on(reply_page, language="ka")
    findings = telavi.page.locator("fieldset.answer-module")
    assert findings.count() == total
    first = findings.first
    reply_ka = "სტრატეგია 2023 წელს დამტკიცდება."
    reply_en = "The strategy will be adopted in 2023."
    first.locator("textarea[name$='-reply']").fill(reply_ka)
    first.locator("textarea[name$='-reply_en']").fill(reply_en)
    telavi.submit(telavi.page.locator("form .submit-row input[type=submit]"))
    telavi.on(reply_page, language="ka")
    assert telavi.page.locator("ul.messagelist li.success").count() == 1
    telavi.page.reload()
    telavi.on(reply_page, language="ka")
    first = telavi.page.locator("fieldset.answer-module").first
    assert first.locator("textarea[name$='-reply']").input_value() == reply_ka
    assert first.locator("textarea[name$='-reply_en']").input_value() == reply_en
    telavi.shoot("6-ka-admin-reply")

    # The monitor, reading the submitted area, sees the municipality's reply.
    first_code = first.get_attribute("id").removeprefix("indicator-")
    first_area = first_code.split(".")[0]
    monitor.goto(f"/monitor/assessments/{pk}/areas/{first_area}/")
    monitor.on(f"/monitor/assessments/{pk}/areas/{first_area}/")
    assert reply_ka in card(page, first_code).inner_text()


PHONE = {"width": 390, "height": 844}


def axe_violations(page):
    """axe-core's WCAG 2.1 AA findings on the page as drawn, or none when it is not installed
    (test_accessibility.py requires it where MUSQAT_REQUIRE_BROWSER=1)."""
    from tests.browser.test_accessibility import AXE_JS, AXE_RUN, WCAG_TAGS

    if not AXE_JS.is_file():
        return []
    # Evaluated through the browser's own channel: the page's Content-Security-Policy
    # refuses a script tag that is not its own.
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    assert page.evaluate("typeof axe.run") == "function"
    return page.evaluate(AXE_RUN, WCAG_TAGS)


def nu_errors(html: bytes, folder):
    """The Nu HTML checker's errors in a page as the server sent it; none when the checker
    is not installed."""
    from tests.browser.test_accessibility import VNU_JAR

    java = shutil.which("java")
    if not (VNU_JAR.is_file() and java):
        return []
    page = folder / "workspace-nu-page.html"
    page.write_bytes(html)
    checked = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return [m["message"] for m in json.loads(checked.stderr)["messages"]]


def test_an_area_form_shows_reasons_for_n_a_sums_up_a_refusal_and_warns_before_leaving(people):
    """Kvareli's 2022 external assessment, a draft the earlier test leaves alone: the reasons
    appear when N/A is ticked, a mistake lands the focus on the summary, whose link leads to
    the field, and leaving with a change not saved makes the browser ask first."""
    monitor = people("CSO monitor")
    page = monitor.page
    monitor_signs_in(monitor)
    page.locator("#f-cycle").select_option("2022")
    page.locator("#f-q").fill("Kvareli")
    page.get_by_role("button", name="Filter").click()
    monitor.on(re.compile(r"^/monitor/\?cycle=2022&status=&q=Kvareli$"))
    page.locator("main table tbody tr").first.get_by_role("link", name="Kvareli").click()
    monitor.on(re.compile(r"^/monitor/assessments/\d+/$"))
    pk = int(monitor.path().split("/")[3])
    area_a = f"/monitor/assessments/{pk}/areas/A/"
    monitor.goto(area_a)
    monitor.on(area_a)
    cards = page.evaluate(CARDS)
    assert not any(c["answered"] for c in cards)
    not_applicable = next(c["code"] for c in cards if c["levels"] == 2)
    percent = next(c["code"] for c in cards if not c["levels"] and c["percent"])

    # The reasons are hidden until N/A is ticked, and come and go with the box.
    reasons = card(page, not_applicable).locator("fieldset.na-reason")
    assert reasons.is_hidden()
    card(page, not_applicable).get_by_label("Not applicable").check()
    assert reasons.is_visible()
    assert "Needed only when “Not applicable” is ticked" in reasons.inner_text()
    card(page, not_applicable).get_by_label("Not applicable").uncheck()
    assert reasons.is_hidden()
    card(page, not_applicable).get_by_label("Not applicable").check()
    reasons.get_by_label("Reason it does not apply", exact=True).fill("სერვისი არ არსებობს")
    reasons.get_by_label("Reason it does not apply (English)").fill("There is no such service")

    # One mistake: the valid answer is saved, the summary takes the focus and names the other.
    value_input(page, percent).fill("150")
    monitor.submit(page.get_by_role("button", name="Save draft"))
    monitor.on(area_a, status=400)
    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.get_attribute("role") == "alert"
    assert summary.locator("h2").inner_text() == "Not saved: 1 answer needs attention"
    assert "Saved 1 answer of" in summary.inner_text()
    assert card(page, not_applicable).get_by_label("Not applicable").is_checked()
    assert reasons.is_visible()
    link = summary.get_by_role("link", name=re.compile(rf"^{re.escape(percent)} "))
    field_id = value_input(page, percent).get_attribute("id")
    assert link.get_attribute("href") == f"#{field_id}"

    # The link takes the focus to the field, which still says what was typed.
    link.click()
    assert page.evaluate("document.activeElement.id") == field_id
    assert value_input(page, percent).input_value() == "150"

    # Corrected and saved, the page leaves without a question ...
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    value_input(page, percent).fill("62")
    monitor.submit(page.get_by_role("button", name="Save draft"))
    monitor.on(area_a)
    assert "Saved 1 answer of" in success_message(page)
    assert dialogs == []

    # ... but with a change not saved, the browser asks before leaving, and stays if told.
    evidence = card(page, percent).get_by_label("Evidence", exact=True)
    evidence.click()
    evidence.fill("12 of 20 villages")
    page.get_by_role("link", name="Back to the overview").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert monitor.path().partition("#")[0] == area_a
    assert evidence.input_value() == "12 of 20 villages"
    monitor.submit(page.get_by_role("button", name="Save draft"))
    monitor.on(area_a)
    assert dialogs == ["beforeunload"]  # saving asks nothing
    page.remove_listener("dialog", answer)

    # The page with an error, in Georgian, at desktop and phone width: no WCAG violation
    # (axe, when installed in var/a11y) and no HTML error (the Nu checker, likewise).
    monitor.choose_language("ka", area_a)
    value_input(page, percent).fill("150")
    with page.expect_navigation() as refused:
        page.locator("button[name=save]").click()
    monitor.on(area_a, status=400, language="ka")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert re.search("[\u10d0-\u10ff]", page.locator("#error-summary").inner_text())
    assert nu_errors(refused.value.body(), monitor.artifacts) == []
    for name, size in (("desktop", DESKTOP), ("phone-390", PHONE)):
        page.set_viewport_size(size)
        page.evaluate("document.fonts.ready.then(() => true)")
        fit = page.evaluate(OVERFLOW)
        assert fit["scrollWidth"] <= fit["innerWidth"] + 1, f"{name}: scrolls sideways: {fit}"
        assert axe_violations(page) == [], name
        page.evaluate("window.scrollTo(0, 0)")
        shot = monitor.artifacts / f"workspace-{name}-7-ka-area-error.png"
        shot.unlink(missing_ok=True)
        page.screenshot(path=shot)
        assert shot.is_file() and shot.stat().st_size > 0
        # And the field in error, reached from the summary.
        page.locator("#error-summary a").first.click()
        assert page.evaluate("document.activeElement.id") == field_id
        page.wait_for_timeout(1000)  # the page scrolls smoothly (Bootstrap's scroll-behavior)
        shot = monitor.artifacts / f"workspace-{name}-8-ka-area-error-field.png"
        shot.unlink(missing_ok=True)
        page.screenshot(path=shot)
        assert shot.is_file() and shot.stat().st_size > 0
    page.set_viewport_size(DESKTOP)


def test_the_admin_s_area_form_shows_reasons_for_n_a_and_sums_up_a_refusal(people):
    """Telavi's staff member, in the admin's data entry of the 2022 self-assessment."""
    staff = people("Telavi staff")
    page = staff.page
    staff_signs_in(staff, "telavi-staff")
    drafts = "/admin/assessments/assessment/?kind__exact=self&status__exact=draft"
    staff.goto(drafts)
    staff.on(drafts, language="ka")
    staff.choose_language("en", drafts)
    page.locator("#result_list tbody tr th a").first.click()
    staff.on(re.compile(r"^/admin/assessments/assessment/\d+/change/\?_changelist_filters=.*$"))
    pk = int(staff.path().split("/")[4])
    area_a = f"/admin/assessments/assessment/{pk}/areas/A/"
    staff.goto(area_a)
    staff.on(area_a)
    first = page.locator("fieldset.answer-module").first
    reasons = first.locator("fieldset.na-reason")
    assert reasons.is_hidden()
    first.get_by_label("Not applicable").check()
    assert reasons.is_visible()
    assert "Needed only when “Not applicable” is ticked" in reasons.inner_text()

    # N/A without a reason: refused, and the summary leads to the reason.
    staff.submit(page.locator(".submit-row input[name=save]"))
    staff.on(area_a, status=400)
    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.locator("h2").inner_text() == "Nothing was saved: 1 answer needs attention"
    reason = page.locator("fieldset.answer-module").first.locator("textarea[name$='-na_reason']")
    assert summary.locator("a").get_attribute("href") == f"#{reason.get_attribute('id')}"
    assert reasons.is_visible()
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert axe_violations(page) == [], size
    page.set_viewport_size(DESKTOP)
    summary.locator("a").click()
    assert page.evaluate("document.activeElement.id") == reason.get_attribute("id")

    # What came back is not saved yet: leaving asks first.
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("link", name="Back to the assessment").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert staff.path().partition("#")[0] == area_a
    reason.fill("ეს სერვისი მუნიციპალიტეტს არ აქვს")
    staff.submit(page.locator(".submit-row input[name=save]"))
    staff.on(area_a)
    assert dialogs == ["beforeunload"]
    assert "Saved 1 answer of" in page.locator("ul.messagelist li.success").inner_text()


def test_a_refused_admin_change_form_is_summed_up_and_its_links_reach_the_fields(people):
    """Project staff change a grant call and leave its budget empty."""
    staff = people("Project staff")
    page = staff.page
    staff_signs_in(staff, "project-staff")
    staff.choose_language("en", "/admin/")
    staff.goto("/admin/grants/call/")
    page.locator("#result_list tbody tr th a").first.click()
    staff.on(re.compile(r"^/admin/grants/call/\d+/change/"))
    change = staff.path()
    page.locator("#id_budget").fill("")
    staff.submit(page.locator(".submit-row input[name=_save]"))
    staff.on(change)
    summary = page.locator("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.locator("strong").inner_text() == "Nothing was saved: 1 field needs attention"
    # Django's own bare note gives way to the summary.
    assert page.locator("p.errornote").first.is_hidden()
    assert summary.locator("a").get_attribute("href") == "#id_budget"
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert axe_violations(page) == [], size
    page.set_viewport_size(DESKTOP)
    summary.locator("a").click()
    assert page.evaluate("document.activeElement.id") == "id_budget"
    staff.shoot("admin-change-form-error")
