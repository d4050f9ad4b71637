"""An action plan in a real browser, as issue 16's "done when" tells it: the Telavi staff
member closes the demo's plan in force, drafts a new one from the weakest 2021 findings
(a due date outside the plan's period is refused with everything typed kept), adopts it
with the mayor's order, and reports an action done with a file; the CSO monitor disputes
the report with evidence; Telavi answers; a citizen reads all of it on Telavi's plan page
in both languages, and in Telavi's Atom feed.

What the test needs from the database is read before Chromium starts (see
tests/browser/conftest.py). Screenshots, at desktop and phone width, are saved to the
artifacts folder with the prefix `workspace-…-plans-`.
"""

import datetime
import re
from xml.etree import ElementTree

import pytest

from tests.browser.test_workspace import Person, monitor_signs_in, staff_signs_in

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE_KA = "ბავშვთა ბაღების ინკლუზიური ინფრასტრუქტურა"
TITLE_EN = "Inclusive kindergarten buildings"
REPORT = "ექვს ბაღში პანდუსები დამონტაჟდა."
VERDICT = "Two of the six ramps are too steep to use; photographs attached."
ANSWER = "ორი პანდუსი ხელახლა გაკეთდება მომდევნო თვეში."


@pytest.fixture(scope="module")
def telavi(site, tmp_path_factory):
    """Telavi's demo plan in force, the weakest 2021 finding of Telavi, the dates of the
    new plan (this year and the next) and the files to upload."""
    from django.utils import timezone

    from assessments.models import ActionPlan, Cycle, PlanStatus
    from assessments.results.findings import weakest_indicators

    cycle = Cycle.objects.get(year=2021)
    plan = ActionPlan.objects.get(municipality__slug="telavi", status=PlanStatus.ADOPTED)
    weakest = weakest_indicators(cycle, [plan.municipality_id], limit=1)[0]
    today = timezone.localdate()
    folder = tmp_path_factory.mktemp("plan-files")
    files = {}
    for name in ("order.pdf", "ramps.pdf", "photos.pdf"):
        files[name] = folder / name
        files[name].write_bytes(PDF)
    return {
        "plan": plan.pk,
        "weakest": weakest.indicator.code,
        "start": datetime.date(today.year, 1, 1),
        "end": datetime.date(today.year + 1, 12, 31),
        "today": today,
        "files": files,
    }


@pytest.fixture
def people(browser, site, artifacts):
    opened = []

    def person(name):
        opened.append(Person(browser, site, artifacts, name))
        return opened[-1]

    yield person
    for someone in opened:
        someone.close()


def ka(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


def admin_success(page) -> str:
    return " ".join(page.locator("ul.messagelist li.success").all_inner_texts())


def test_telavi_adopts_a_plan_the_cso_disputes_a_report_telavi_answers_and_citizens_read_it(
    telavi, people
):
    staff = people("Telavi staff")
    page = staff.page
    staff_signs_in(staff, "telavi-staff")

    # One plan is in force at a time: the demo's is closed first, after a confirmation.
    staff.goto(f"/admin/assessments/actionplan/{telavi['plan']}/change/")
    staff.on(f"/admin/assessments/actionplan/{telavi['plan']}/change/", language="ka")
    staff.submit(page.locator(".workflow-actions a[href$='/close/']"))
    staff.on(f"/admin/assessments/actionplan/{telavi['plan']}/close/", language="ka")
    staff.submit(page.locator("#content input[type=submit]"))
    assert admin_success(page)

    # A new plan answering the 2021 findings; the municipality is Telavi's without a choice.
    staff.goto("/admin/assessments/actionplan/add/")
    staff.on("/admin/assessments/actionplan/add/", language="ka")
    assert page.locator("#id_municipality").count() == 0
    page.locator("#id_cycle").select_option(label="2021")
    page.locator("#id_starts_on").fill(ka(telavi["start"]))
    page.locator("#id_ends_on").fill(ka(telavi["end"]))
    page.locator("#id_order_number").fill("№ 2-1/77")
    page.locator("#id_order_date").fill(ka(telavi["today"]))
    page.locator("#id_order_document").set_input_files(telavi["files"]["order.pdf"])
    staff.submit(page.locator("input[name=_continue]"))
    staff.on(re.compile(r"/admin/assessments/actionplan/\d+/change/"), language="ka")
    plan_path = staff.path().split("#")[0]

    # An action on the weakest finding, offered first with its score.
    staff.submit(page.locator(".workflow-panel a[href*='/action/add/']"))
    staff.on(re.compile(r"/admin/assessments/action/add/\?plan=\d+"), language="ka")
    first_choice = page.locator("#id_indicators input[type=checkbox]").first
    label = page.locator(f"label[for='{first_choice.get_attribute('id')}']").inner_text()
    assert label.strip().startswith(telavi["weakest"]), label
    first_choice.check()
    for field, text in (
        ("title_ka", TITLE_KA),
        ("title_en", TITLE_EN),
        ("description_ka", "ბაღებში პანდუსები და ადაპტირებული სველი წერტილები მოეწყობა."),
        ("description_en", "Ramps and adapted toilets in every kindergarten."),
        ("responsible_unit_ka", "ბაგა-ბაღების გაერთიანება"),
        ("responsible_unit_en", "Kindergarten Union"),
        ("budget_source_ka", "მუნიციპალური ბიუჯეტი"),
        ("budget_source_en", "Municipal budget"),
        ("expected_result_ka", "ყველა ბაღი ხელმისაწვდომია ეტლით მოსარგებლე ბავშვებისთვის."),
        ("expected_result_en", "Every kindergarten is accessible to children in wheelchairs."),
    ):
        page.locator(f"#id_{field}").fill(text)
    page.locator("#id_budget").fill("25000")
    page.locator("#id_starts_on").fill(ka(telavi["start"]))
    # A due date after the plan's end is refused, in Georgian, with everything kept.
    late = telavi["end"] + datetime.timedelta(days=1)
    page.locator("#id_due_on").fill(ka(late))
    staff.submit(page.locator("input[name=_save]"))
    staff.on(re.compile(r"/admin/assessments/action/add/\?plan=\d+"), language="ka")
    errors = page.locator(".errorlist").all_inner_texts()
    assert any("გეგმის პერიოდ" in error for error in errors), errors
    assert page.locator("#id_title_ka").input_value() == TITLE_KA
    assert page.locator("#id_indicators input[type=checkbox]").first.is_checked()
    page.locator("#id_due_on").fill(ka(telavi["end"]))
    staff.submit(page.locator("input[name=_save]"))
    staff.on(re.compile(r"/admin/assessments/action/(\?.*)?$"), language="ka")

    # Adopted with the order, after a confirmation.
    staff.goto(plan_path)
    staff.on(plan_path, language="ka")
    staff.submit(page.locator(".workflow-actions a[href$='/adopt/']"))
    staff.submit(page.locator("#content input[type=submit]"))
    assert admin_success(page)
    staff.shoot("plans-adopted")

    # The action is reported done, with a file.
    staff.goto(plan_path)
    staff.submit(page.locator(".workflow-panel a", has_text=TITLE_KA).first)
    staff.on(re.compile(r"/admin/assessments/action/\d+/change/"), language="ka")
    action_path = staff.path()
    staff.submit(page.locator(".object-tools a[href$='/report/']"))
    page.locator("#id_status").select_option("done")
    page.locator("#id_text").fill(REPORT)
    page.locator("#id_files").set_input_files(telavi["files"]["ramps.pdf"])
    staff.submit(page.locator("#content input[type=submit]"))
    staff.on(action_path, language="ka")
    assert REPORT in page.locator("#content").inner_text()

    # The CSO monitor disputes the report, with evidence.
    monitor = people("CSO monitor")
    mpage = monitor.page
    monitor_signs_in(monitor)
    monitor.goto("/monitor/plans/")
    monitor.on("/monitor/plans/")
    monitor.submit(mpage.locator("main a", has_text="Telavi").first)
    monitor.on(re.compile(r"/monitor/plans/\d+/"))
    waiting = mpage.locator("a", has_text="Give your verdict").filter(has_text=TITLE_EN)
    monitor.submit(waiting)
    monitor.on(re.compile(r"/monitor/plans/reports/\d+/verdict/"))
    assert REPORT in mpage.locator("main").inner_text()
    mpage.get_by_label("disputed").check()
    mpage.locator("#id_text").fill(VERDICT)
    mpage.locator("#id_files").set_input_files(telavi["files"]["photos.pdf"])
    monitor.submit(mpage.locator("main button[type=submit]"))
    monitor.on(re.compile(r"/monitor/plans/\d+/"))
    assert "disputed" in mpage.locator(".alert-success").inner_text()
    monitor.shoot("plans-verdict")

    # Telavi answers the verdict.
    staff.goto(action_path)
    staff.on(action_path, language="ka")
    staff.submit(page.locator("#content a.button[href*='/answer/']"))
    page.locator("#id_text").fill(ANSWER)
    staff.submit(page.locator("#content input[type=submit]"))
    staff.on(action_path, language="ka")
    assert ANSWER in page.locator("#content").inner_text()

    # A citizen reads both voices on Telavi's plan page, in Georgian and in English.
    citizen = people("Citizen")
    cpage = citizen.page
    citizen.goto("/ka/municipalities/telavi/plan/")
    citizen.on("/ka/municipalities/telavi/plan/", language="ka")
    text = cpage.locator("main").inner_text()
    for shown in (TITLE_KA, REPORT, VERDICT, ANSWER, "სადავო", telavi["weakest"]):
        assert shown in text, shown
    citizen.shoot("plans-citizen-ka")
    citizen.goto("/en/municipalities/telavi/plan/")
    citizen.on("/en/municipalities/telavi/plan/")
    text = cpage.locator("main").inner_text()
    for shown in (TITLE_EN, REPORT, VERDICT, ANSWER, "disputed"):
        assert shown in text, shown
    citizen.shoot("plans-citizen-en")

    # And in Telavi's feed: the adoption, the report and the verdict.
    feed = cpage.request.get(citizen.site + "/ka/municipalities/telavi/feed/")
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    entries = ElementTree.fromstring(feed.body()).findall(f"{ATOM}entry")
    summaries = " ".join("".join(entry.itertext()) for entry in entries[:5])  # the newest first
    assert VERDICT in summaries or "სადავო" in summaries, summaries
    assert REPORT in summaries, summaries
