"""Action plans in the admin, as the people use them: Telavi's staff draft their plan from
the weakest 2021 findings, adopt it with the mayor's order, keep their actions, report
progress and answer the monitors' verdicts; project staff may do the same anywhere;
Sighnaghi's staff, the CSO monitor and citizens get nowhere near Telavi's plan.

The plan is `draft_plan` / `telavi_plan` (tests/conftest.py): Telavi, cycle 2021,
2022–2023; action 1 addresses A.1.1 and is due 30 June 2022, action 2 A.2.1 and B.1.1.
Telavi's headline (external) scores in 2021: A.1.1 100, A.2.1 60, B.1.1 not applicable;
A.1.2 is answered only by the self-assessment, so it has no headline score.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments.models import (
    Action,
    ActionPlan,
    ActionStatus,
    ActionUpdate,
    DueDateChange,
    PlanStatus,
    VerdictAnswer,
    VerdictKind,
)
from assessments.plans import services
from assessments.plans.services import Link
from indicators.models import Indicator
from tests import factories
from tests.conftest import Page
from tests.error_summary import error_summary

EN = {"Accept-Language": "en"}
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 32


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def telavi_browser(browser_of, telavi_staff):
    return browser_of(telavi_staff, "en")


@pytest.fixture
def staff_browser(browser_of, project_staff):
    return browser_of(project_staff, "en")


def indicator(plan, code):
    return Indicator.objects.get(code=code, criterion__area__version=plan.cycle.methodology)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def plan_data(plan=None, **changes):
    """What the plan's form sends, as a browser fills it in."""
    data = {
        "cycle": plan.cycle_id if plan else "",
        "starts_on": plan.starts_on.isoformat() if plan else "2022-01-01",
        "ends_on": plan.ends_on.isoformat() if plan else "2023-12-31",
        "order_number": plan.order_number if plan else "",
        "order_date": plan.order_date.isoformat() if plan and plan.order_date else "",
        "_save": "Save",
    }
    return data | changes


def new_action_data(plan, **changes):
    data = {
        "plan": plan.pk,
        "number": "3",
        "title_ka": "სოფლების ჩართვა",
        "title_en": "Bring in the remaining villages",
        "description_ka": "დარჩენილი 8 სოფელი",
        "description_en": "The remaining 8 villages",
        "responsible_unit_ka": "სოციალური სამსახური",
        "responsible_unit_en": "Social services department",
        "starts_on": "2022-02-01",
        "due_on": "2023-06-30",
        "budget": "15000.50",
        "budget_source_ka": "მუნიციპალური ბიუჯეტი",
        "budget_source_en": "Municipal budget",
        "expected_result_ka": "ყველა სოფელი ჩართულია",
        "expected_result_en": "Every village takes part",
        "status": "planned",
        "progress": "",
        "dropped_reason_ka": "",
        "dropped_reason_en": "",
        "_save": "Save",
    }
    return data | changes


def action_data(action, **changes):
    """What an action's change page sends back unchanged, with these changes."""
    data = {
        "number": str(action.number),
        "starts_on": action.starts_on.isoformat(),
        "due_on": action.due_on.isoformat(),
        "budget": "" if action.budget is None else str(action.budget),
        "status": action.status,
        "progress": "" if action.progress is None else str(action.progress),
        "indicators": [target.indicator_id for target in action.targets.all()],
        "criteria": list(action.criteria.values_list("pk", flat=True)),
        "_save": "Save",
    }
    for name in (
        "title",
        "description",
        "responsible_unit",
        "budget_source",
        "expected_result",
        "dropped_reason",
    ):
        for language in ("ka", "en"):
            data[f"{name}_{language}"] = getattr(action, f"{name}_{language}") or ""
    return data | changes


def checkbox_labels(html, name) -> list[str]:
    """The labels of a field's checkboxes, in the order the page shows them."""
    found = re.findall(
        rf'<label[^>]*>\s*<input type="checkbox" name="{name}"[^>]*>\s*(.*?)</label>', html, re.S
    )
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", label)).strip() for label in found]


def report(action, by, **fields):
    return services.report_progress(
        action=action,
        by=by,
        reported_on=fields.pop("reported_on", datetime.date(2022, 3, 1)),
        status=fields.pop("status", ActionStatus.IN_PROGRESS),
        text=fields.pop("text", "Works started in 4 villages"),
        **fields,
    )


# --- Drafting a plan --------------------------------------------------------------------------


def test_telavi_staff_find_action_plans_and_actions_in_the_admin(telavi_browser):
    page = Page(telavi_browser.get(reverse("admin:index")))
    assert page.status_code == 200
    assert reverse("admin:assessments_actionplan_changelist") in page.hrefs()
    assert reverse("admin:assessments_action_changelist") in page.hrefs()
    # Reports and verdicts change only through their steps; they are read on the actions.
    assert reverse("admin:assessments_actionupdate_changelist") not in page.hrefs()


def test_telavi_staff_draft_a_plan_for_their_own_municipality(
    telavi_browser, published_2021, telavi, sighnaghi
):
    url = reverse("admin:assessments_actionplan_add")
    page = Page(telavi_browser.get(url))
    assert page.status_code == 200
    assert 'name="municipality"' not in page.html
    assert "Telavi" in page.text
    assert f'<option value="{published_2021.cycle.pk}">' in page.html

    # Even a hand-made request cannot draft a plan for another municipality.
    saved = telavi_browser.post(url, plan_data(cycle=published_2021.cycle.pk) | {
        "municipality": sighnaghi.pk
    })  # fmt: skip
    assert saved.status_code == 302
    plan = ActionPlan.objects.get()
    assert plan.municipality == telavi
    assert plan.status == PlanStatus.DRAFT


def test_the_cycle_is_one_with_published_results_for_the_municipality(
    telavi_browser, published_2021, methodology
):
    unpublished = factories.cycle(2023, methodology, is_open=True)
    page = Page(telavi_browser.get(reverse("admin:assessments_actionplan_add")))
    assert f'<option value="{unpublished.pk}">' not in page.html
    refused = telavi_browser.post(
        reverse("admin:assessments_actionplan_add"), plan_data(cycle=unpublished.pk)
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in Page(refused).text
    assert not ActionPlan.objects.exists()


def test_project_staff_choose_the_municipality(staff_browser, published_2021, sighnaghi):
    page = Page(staff_browser.get(reverse("admin:assessments_actionplan_add")))
    assert 'name="municipality"' in page.html
    saved = staff_browser.post(
        reverse("admin:assessments_actionplan_add"),
        plan_data(cycle=published_2021.cycle.pk, municipality=sighnaghi.pk),
    )
    assert saved.status_code == 302
    assert ActionPlan.objects.get().municipality == sighnaghi


def test_telavi_staff_see_only_their_own_plans(
    telavi_browser, draft_plan, published_2021, sighnaghi, django_assert_num_queries
):
    factories.plan(sighnaghi, published_2021.cycle)
    url = reverse("admin:assessments_actionplan_changelist")
    with django_assert_num_queries(10):
        page = Page(telavi_browser.get(url))
    # One municipality's staff are not shown its name on every row: only its one plan.
    assert "1 action plan" in page.text
    assert "2022–2023" in page.text
    assert "Sighnaghi" not in page.text


def test_the_actions_list_does_not_grow_in_queries_with_its_rows(
    telavi_browser, draft_plan, django_assert_num_queries
):
    url = reverse("admin:assessments_action_changelist")
    with django_assert_num_queries(10):
        page = Page(telavi_browser.get(url))
    assert "Action 1" in page.text and "Action 2" in page.text
    for number in range(3, 8):
        factories.action(draft_plan, number)
    with django_assert_num_queries(10):
        page = Page(telavi_browser.get(url))
    assert "Action 7" in page.text


def test_the_plan_page_lists_its_actions_and_offers_to_add_one(telavi_browser, draft_plan):
    page = Page(
        telavi_browser.get(reverse("admin:assessments_actionplan_change", args=[draft_plan.pk]))
    )
    assert page.status_code == 200
    for action in draft_plan.actions.all():
        assert reverse("admin:assessments_action_change", args=[action.pk]) in page.hrefs()
    add = f"{reverse('admin:assessments_action_add')}?plan={draft_plan.pk}"
    assert add in page.hrefs()
    assert reverse("admin:assessments_actionplan_adopt", args=[draft_plan.pk]) in page.hrefs()


# --- Actions ----------------------------------------------------------------------------------


def test_indicators_are_offered_weakest_first_with_their_scores(telavi_browser, draft_plan):
    page = Page(
        telavi_browser.get(f"{reverse('admin:assessments_action_add')}?plan={draft_plan.pk}")
    )
    assert page.status_code == 200
    assert checkbox_labels(page.html, "indicators") == [
        "A.2.1 · Indicator A.2.1 — 60.0",
        "A.1.1 · Indicator A.1.1 — 100.0",
        # No headline score: Telavi's external assessment does not answer A.1.2, and
        # B.1.1 does not apply there.
        "A.1.2 · Indicator A.1.2",
        "B.1.1 · Indicator B.1.1",
    ]
    # The plan and the next number are filled in.
    assert f'<option value="{draft_plan.pk}" selected>' in page.html
    assert 'name="number" value="3"' in page.html


def test_telavi_staff_add_an_action_addressing_the_weakest_finding(telavi_browser, draft_plan):
    weakest = indicator(draft_plan, "A.2.1")
    criterion = weakest.criterion
    saved = telavi_browser.post(
        reverse("admin:assessments_action_add"),
        new_action_data(draft_plan, indicators=[weakest.pk], criteria=[criterion.pk]),
    )
    assert saved.status_code == 302
    action = draft_plan.actions.get(number=3)
    assert action.title_ka == "სოფლების ჩართვა"
    assert action.title_en == "Bring in the remaining villages"
    assert str(action.budget) == "15000.50"
    assert [target.indicator for target in action.targets.all()] == [weakest]
    assert list(action.criteria.all()) == [criterion]
    # A draft's starting scores are kept when the plan is adopted, not before.
    assert action.targets.get().baseline is None


def test_a_due_date_outside_the_plan_s_period_is_refused_with_everything_kept(
    telavi_browser, draft_plan
):
    refused = telavi_browser.post(
        reverse("admin:assessments_action_add"),
        new_action_data(
            draft_plan, due_on="2024-06-30", indicators=[indicator(draft_plan, "A.2.1").pk]
        ),
    )
    page = Page(refused)
    assert refused.status_code == 200
    assert "The due date must fall within the plan's period, 2022-01-01–2023-12-31." in page.text
    assert 'value="Bring in the remaining villages"' in page.html
    assert "The remaining 8 villages" in page.html
    assert 'value="2024-06-30"' in page.html
    assert re.search(
        r'<input type="checkbox" name="indicators" value="\d+"[^>]* checked', page.html
    )
    assert not draft_plan.actions.filter(number=3).exists()


def test_a_due_date_before_the_start_is_refused(telavi_browser, draft_plan):
    refused = telavi_browser.post(
        reverse("admin:assessments_action_add"),
        new_action_data(draft_plan, starts_on="2022-05-01", due_on="2022-04-01"),
    )
    assert refused.status_code == 200
    assert "The due date must come after the start date." in Page(refused).text


def test_the_form_is_in_georgian_for_georgian_staff(browser_of, telavi_staff, draft_plan):
    page = Page(
        browser_of(telavi_staff, "ka").get(
            f"{reverse('admin:assessments_action_add')}?plan={draft_plan.pk}"
        )
    )
    assert page.lang == "ka"
    # Scores are written the Georgian way.
    assert "A.2.1 · ინდიკატორი A.2.1 — 60,0" in checkbox_labels(page.html, "indicators")


def test_an_action_s_status_moves_only_with_a_dated_report(telavi_browser, telavi_plan):
    """The change form shows the status and progress; a report changes them, and a
    dropped action's report says why."""
    action = telavi_plan.actions.get(number=1)
    change = reverse("admin:assessments_action_change", args=[action.pk])
    telavi_browser.post(change, action_data(action, status="done", progress="100"))
    action.refresh_from_db()
    assert (action.status, action.progress) == (ActionStatus.PLANNED, None)
    assert 'name="status"' not in Page(telavi_browser.get(change)).html

    report = reverse("admin:assessments_action_report", args=[action.pk])
    refused = telavi_browser.post(report, {"reported_on": "2022-03-01", "status": "dropped"})
    assert refused.status_code == 400
    assert ActionUpdate.objects.filter(action=action).count() == 0
    telavi_browser.post(
        report,
        {"reported_on": "2022-03-01", "status": "dropped", "text": "The donor withdrew"},
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DROPPED
    assert action.dropped_reason_en == "The donor withdrew"


def test_sighnaghi_staff_cannot_add_an_action_to_telavi_s_plan(
    browser_of, sighnaghi_staff, draft_plan
):
    browser = browser_of(sighnaghi_staff, "en")
    page = Page(browser.get(f"{reverse('admin:assessments_action_add')}?plan={draft_plan.pk}"))
    assert f'<option value="{draft_plan.pk}"' not in page.html
    refused = browser.post(reverse("admin:assessments_action_add"), new_action_data(draft_plan))
    assert refused.status_code == 200
    assert "Select a valid choice" in Page(refused).text
    assert not draft_plan.actions.filter(number=3).exists()


def test_a_draft_s_action_may_be_deleted_an_adopted_plan_s_may_not(
    telavi_browser, draft_plan, telavi_staff
):
    action = draft_plan.actions.get(number=2)
    delete = reverse("admin:assessments_action_delete", args=[action.pk])
    assert telavi_browser.get(delete).status_code == 200
    factories.adopt(draft_plan, telavi_staff)
    assert telavi_browser.get(delete).status_code == 403
    assert telavi_browser.post(delete, {"post": "yes"}).status_code == 403
    bulk = telavi_browser.post(
        reverse("admin:assessments_action_changelist"),
        {"action": "delete_selected", "_selected_action": [action.pk], "post": "yes"},
    )
    assert bulk.status_code == 200
    assert "the actions of an adopted plan are kept" in Page(bulk).text
    assert Action.objects.filter(pk=action.pk).exists()


# --- Adopting and closing ---------------------------------------------------------------------


def test_without_its_order_a_plan_is_not_adopted_and_the_page_says_why(telavi_browser, draft_plan):
    url = reverse("admin:assessments_actionplan_adopt", args=[draft_plan.pk])
    page = Page(telavi_browser.get(url))
    assert page.status_code == 200
    assert "It can then never be deleted" in page.text
    refused = Page(telavi_browser.post(url))
    assert refused.status_code == 400
    assert (
        "A plan is adopted by the mayor's order; first give its order number, order date, "
        "order document." in refused.text
    )
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.DRAFT


def test_telavi_staff_adopt_their_plan_with_the_order_document(telavi_browser, draft_plan):
    change = reverse("admin:assessments_actionplan_change", args=[draft_plan.pk])
    saved = telavi_browser.post(
        change,
        plan_data(
            draft_plan,
            order_number="N 1/42",
            order_date="2022-01-05",
            order_document=factories.pdf("order-42.pdf"),
        ),
    )
    assert saved.status_code == 302
    draft_plan.refresh_from_db()
    assert draft_plan.order_document.name.endswith("order-42.pdf")

    # The private file is shown through the admin's checked view, never a public address.
    page = Page(telavi_browser.get(change))
    order_url = reverse("admin:assessments_actionplan_order", args=[draft_plan.pk])
    assert order_url in page.hrefs()
    download = telavi_browser.get(order_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")

    url = reverse("admin:assessments_actionplan_adopt", args=[draft_plan.pk])
    confirm = Page(telavi_browser.get(url))
    assert "N 1/42" in confirm.text
    assert "order-42.pdf" in confirm.text
    adopted = telavi_browser.post(url, follow=True)
    assert adopted.redirect_chain[-1][0] == change
    assert "Done: Adopt. The plan is now “adopted”." in messages_of(adopted)
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.ADOPTED
    # Each action keeps its indicators' published scores as its starting point.
    target = draft_plan.actions.get(number=2).targets.get(indicator__code="A.2.1")
    assert target.baseline == 60

    # Its municipality, cycle and order are now fixed.
    page = Page(adopted)
    assert 'name="cycle"' not in page.html
    assert 'name="order_number"' not in page.html
    assert 'name="order_document"' not in page.html
    assert reverse("admin:assessments_actionplan_close", args=[draft_plan.pk]) in page.hrefs()


def test_a_non_pdf_order_document_is_refused(telavi_browser, draft_plan):
    change = reverse("admin:assessments_actionplan_change", args=[draft_plan.pk])
    refused = telavi_browser.post(
        change,
        plan_data(
            draft_plan,
            order_number="N 1/42",
            order_document=SimpleUploadedFile("order.pdf", WINDOWS_PROGRAM),
        ),
    )
    assert refused.status_code == 200
    assert "“order.pdf” is not a PDF file" in Page(refused).text
    assert 'value="N 1/42"' in refused.content.decode()
    draft_plan.refresh_from_db()
    assert not draft_plan.order_document
    assert draft_plan.order_number == ""


def test_an_adopted_plan_cannot_be_deleted(telavi_browser, telavi_plan, draft_plan):
    delete = reverse("admin:assessments_actionplan_delete", args=[telavi_plan.pk])
    assert telavi_browser.get(delete).status_code == 403
    assert telavi_browser.post(delete, {"post": "yes"}).status_code == 403
    page = Page(
        telavi_browser.get(reverse("admin:assessments_actionplan_change", args=[telavi_plan.pk]))
    )
    assert delete not in page.hrefs()
    bulk = telavi_browser.post(
        reverse("admin:assessments_actionplan_changelist"),
        {"action": "delete_selected", "_selected_action": [telavi_plan.pk], "post": "yes"},
    )
    assert bulk.status_code == 200
    assert "an adopted plan is never deleted; close it instead" in Page(bulk).text
    assert ActionPlan.objects.filter(pk=telavi_plan.pk).exists()


def test_a_draft_plan_can_be_deleted(telavi_browser, draft_plan):
    delete = reverse("admin:assessments_actionplan_delete", args=[draft_plan.pk])
    assert telavi_browser.post(delete, {"post": "yes"}).status_code == 302
    assert not ActionPlan.objects.filter(pk=draft_plan.pk).exists()


def test_closing_a_plan_makes_it_and_its_actions_read_only(telavi_browser, telavi_plan):
    url = reverse("admin:assessments_actionplan_close", args=[telavi_plan.pk])
    assert "takes no more progress reports" in Page(telavi_browser.get(url)).text
    assert telavi_browser.post(url).status_code == 302
    telavi_plan.refresh_from_db()
    assert telavi_plan.status == PlanStatus.CLOSED
    action = telavi_plan.actions.get(number=1)
    change = reverse("admin:assessments_action_change", args=[action.pk])
    page = Page(telavi_browser.get(change))
    assert page.status_code == 200
    assert 'name="title_en"' not in page.html
    assert "Action 1" in page.text
    assert telavi_browser.post(change, action_data(action, title_en="Changed")).status_code == 403
    assert reverse("admin:assessments_action_report", args=[action.pk]) not in page.hrefs()
    # A closed plan is not closed twice: the step says so and changes nothing.
    again = Page(telavi_browser.post(url))
    assert again.status_code == 400
    assert "Only an adopted plan can be closed." in again.text


# --- An adopted plan's actions ----------------------------------------------------------------


def test_a_changed_due_date_keeps_the_original_visible(telavi_browser, telavi_plan, telavi_staff):
    action = telavi_plan.actions.get(number=1)
    change = reverse("admin:assessments_action_change", args=[action.pk])
    saved = telavi_browser.post(change, action_data(action, due_on="2022-09-30"))
    assert saved.status_code == 302
    action.refresh_from_db()
    assert action.due_on == datetime.date(2022, 9, 30)
    assert action.original_due_on == datetime.date(2022, 6, 30)
    moved = DueDateChange.objects.get(action=action)
    assert (moved.old_due_on, moved.new_due_on, moved.changed_by) == (
        datetime.date(2022, 6, 30),
        datetime.date(2022, 9, 30),
        telavi_staff,
    )
    page = Page(telavi_browser.get(change))
    assert "Original due date" in page.text
    assert "30.06.2022 → 30.09.2022 (telavi-staff" in page.text
    assert 'name="original_due_on"' not in page.html


def test_choosing_an_indicator_on_an_adopted_plan_keeps_its_starting_score(
    telavi_browser, telavi_plan
):
    action = telavi_plan.actions.get(number=1)
    data = action_data(action)
    data["indicators"] = [*data["indicators"], indicator(telavi_plan, "A.2.1").pk]
    assert telavi_browser.post(
        reverse("admin:assessments_action_change", args=[action.pk]), data
    ).status_code == 302  # fmt: skip
    assert {t.indicator.code: t.baseline for t in action.targets.all()} == {
        "A.1.1": 100,
        "A.2.1": 60,
    }


def test_telavi_staff_report_progress_with_a_file_and_a_link(
    telavi_browser, telavi_plan, telavi_staff
):
    action = telavi_plan.actions.get(number=1)
    url = reverse("admin:assessments_action_report", args=[action.pk])
    page = Page(telavi_browser.get(url))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.html
    saved = telavi_browser.post(
        url,
        {
            "reported_on": "2022-03-01",
            "status": "in_progress",
            "progress": "40",
            "text": "Works started in 4 villages",
            "files": factories.pdf("minutes.pdf"),
            "links": "https://telavi.gov.ge/news/1",
        },
        follow=True,
    )
    assert saved.redirect_chain[-1][0] == reverse(
        "admin:assessments_action_change", args=[action.pk]
    )
    update = ActionUpdate.objects.get(action=action)
    assert update.author == telavi_staff
    assert sorted(e.title for e in update.evidence.all()) == [
        "https://telavi.gov.ge/news/1",
        "minutes.pdf",
    ]
    action.refresh_from_db()
    assert (action.status, action.shown_progress) == (ActionStatus.IN_PROGRESS, 40)

    page = Page(saved)
    assert "Report of 01.03.2022 by telavi-staff" in page.text
    file = update.evidence.get(url="")
    assert (reverse("assessments:plan_evidence", args=[file.pk]), "minutes.pdf") in page.links
    assert ("https://telavi.gov.ge/news/1", "https://telavi.gov.ge/news/1") in page.links


def test_the_report_s_date_is_filled_in_for_the_browser_s_date_picker(
    browser_of, telavi_staff, telavi_plan
):
    action = telavi_plan.actions.get(number=1)
    page = Page(
        browser_of(telavi_staff, "ka").get(
            reverse("admin:assessments_action_report", args=[action.pk])
        )
    )
    assert page.lang == "ka"
    assert re.search(r'type="date" name="reported_on" value="\d{4}-\d{2}-\d{2}"', page.html)


def test_a_refused_report_keeps_what_was_typed(telavi_browser, telavi_plan):
    action = telavi_plan.actions.get(number=1)
    url = reverse("admin:assessments_action_report", args=[action.pk])
    refused = telavi_browser.post(
        url,
        {
            "reported_on": "2022-03-01",
            "status": "in_progress",
            "text": "Works started in 4 villages",
            "links": "not an address",
        },
    )
    page = Page(refused)
    assert refused.status_code == 400
    assert "Line 1 is not a web address" in page.text
    assert "Works started in 4 villages" in page.html
    assert "not an address" in page.html
    assert not ActionUpdate.objects.exists()


def test_progress_is_not_reported_on_a_draft(telavi_browser, draft_plan):
    action = draft_plan.actions.get(number=1)
    url = reverse("admin:assessments_action_report", args=[action.pk])
    assert "adopted plan that is in force" in Page(telavi_browser.get(url)).text
    refused = telavi_browser.post(
        url, {"reported_on": "2022-03-01", "status": "in_progress", "text": "Started"}
    )
    assert refused.status_code == 400
    assert "Progress is reported only on an adopted plan that is in force." in Page(refused).text
    assert not ActionUpdate.objects.exists()


def test_telavi_staff_answer_the_cso_s_verdict(
    telavi_browser, telavi_plan, telavi_staff, cso_monitor, monitoring_cso
):
    action = telavi_plan.actions.get(number=1)
    update = report(action, telavi_staff)
    verdict = services.give_verdict(
        update=update,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="Only 2 villages had started",
        links=[Link(title="Photos", url="https://example.org/photos")],
    )
    change = reverse("admin:assessments_action_change", args=[action.pk])
    page = Page(telavi_browser.get(change))
    row = page.row("Civic Monitor")
    assert row[1].startswith("disputed")
    assert row[2] == "Only 2 villages had started"
    assert ("https://example.org/photos", "Photos") in page.links
    answer_url = reverse("admin:assessments_action_answer", args=[action.pk, verdict.pk])
    assert answer_url in page.hrefs()

    form = Page(telavi_browser.get(answer_url))
    assert "Only 2 villages had started" in form.text
    assert telavi_browser.post(answer_url, {"text": ""}).status_code == 400
    saved = telavi_browser.post(answer_url, {"text": "Two more started in April"}, follow=True)
    assert saved.redirect_chain[-1][0] == change
    answer = VerdictAnswer.objects.get(verdict=verdict)
    assert (answer.text, answer.author) == ("Two more started in April", telavi_staff)
    page = Page(saved)
    assert "Two more started in April" in page.row("Civic Monitor")[4]
    assert answer_url not in page.hrefs()
    # A verdict is answered once.
    again = Page(telavi_browser.post(answer_url, {"text": "Again"}))
    assert again.status_code == 400
    assert "The municipality has already answered this verdict." in again.text


# --- Everyone else ----------------------------------------------------------------------------


@pytest.fixture
def telavi_addresses(telavi_plan, telavi_staff, cso_monitor, monitoring_cso):
    """Every admin address of Telavi's adopted plan, with a report and a verdict."""
    action = telavi_plan.actions.get(number=1)
    update = report(action, telavi_staff)
    verdict = services.give_verdict(
        update=update,
        by=cso_monitor,
        organization_id=monitoring_cso.pk,
        verdict=VerdictKind.DISPUTED,
        text="Only 2 villages had started",
    )
    plan_urls = [
        reverse(f"admin:assessments_actionplan_{page}", args=[telavi_plan.pk])
        for page in ("change", "delete", "history", "adopt", "close", "order")
    ]
    action_urls = [
        reverse(f"admin:assessments_action_{page}", args=[action.pk])
        for page in ("change", "delete", "history", "report")
    ]
    answer = reverse("admin:assessments_action_answer", args=[action.pk, verdict.pk])
    return [*plan_urls, *action_urls, answer]


def test_sighnaghi_staff_find_nothing_of_telavi_s_plan(
    browser_of, sighnaghi_staff, telavi_addresses, telavi_plan
):
    browser = browser_of(sighnaghi_staff, "en")
    for url in telavi_addresses:
        assert browser.get(url).status_code == 404, url
        assert browser.post(url, {"text": "x", "post": "yes"}).status_code == 404, url
    telavi_plan.refresh_from_db()
    assert telavi_plan.status == PlanStatus.ADOPTED
    assert ActionUpdate.objects.count() == 1
    assert not VerdictAnswer.objects.exists()
    listing = Page(browser.get(reverse("admin:assessments_actionplan_changelist")))
    assert "Telavi" not in listing.text


@pytest.mark.parametrize("who", ["cso_monitor", "citizen"])
def test_the_monitor_and_citizens_are_sent_to_sign_in(
    who, request, browser_of, telavi_addresses, telavi_plan
):
    person = None if who == "citizen" else request.getfixturevalue(who)
    browser = browser_of(person, "en")
    for url in telavi_addresses:
        for response in (browser.get(url), browser.post(url, {"text": "x", "post": "yes"})):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
    telavi_plan.refresh_from_db()
    assert telavi_plan.status == PlanStatus.ADOPTED
    assert not VerdictAnswer.objects.exists()


def test_a_step_posted_without_its_csrf_token_is_refused(telavi_staff, draft_plan):
    # The order is in place: only the token is missing.
    draft_plan.order_number = "N 1"
    draft_plan.order_date = datetime.date(2022, 1, 5)
    draft_plan.order_document.save("order.pdf", factories.pdf(), save=True)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(telavi_staff)
    url = reverse("admin:assessments_actionplan_adopt", args=[draft_plan.pk])
    assert browser.post(url).status_code == 403
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.DRAFT


def test_project_staff_read_reports_and_verdicts_but_change_them_only_through_the_steps(
    staff_browser, telavi_browser, telavi_plan, telavi_staff
):
    update = report(telavi_plan.actions.get(number=1), telavi_staff)
    change = reverse("admin:assessments_actionupdate_change", args=[update.pk])
    page = Page(staff_browser.get(change))
    assert page.status_code == 200
    assert "Works started in 4 villages" in page.text
    assert 'name="text"' not in page.html
    assert staff_browser.post(change, {"text": "Changed"}).status_code == 403
    # Municipal staff read them on their actions' pages.
    assert telavi_browser.get(change).status_code == 403
    history = reverse("admin:assessments_actionupdate_history", args=[update.pk])
    assert telavi_browser.get(history).status_code == 403
    update.refresh_from_db()
    assert update.text == "Works started in 4 villages"


def test_a_refused_report_is_summed_up_with_a_link_to_the_field_in_error(
    telavi_browser, telavi_plan
):
    action = telavi_plan.actions.get(number=1)
    refused = telavi_browser.post(
        reverse("admin:assessments_action_report", args=[action.pk]),
        {"reported_on": "2022-03-01", "status": "in_progress", "text": "", "links": "x"},
    )

    heading, lines = error_summary(refused.content.decode())
    assert heading == "Nothing was saved: 2 fields need attention"
    assert [target for target, _ in lines] == ["id_text", "id_links"]


def test_a_refused_change_form_is_summed_up_in_place_of_django_s_bare_note(
    telavi_browser, draft_plan
):
    refused = telavi_browser.post(
        reverse("admin:assessments_action_add"),
        new_action_data(draft_plan, due_on="2030-06-30", title_ka=""),
    )

    heading, lines = error_summary(refused.content.decode())
    assert heading == "Nothing was saved: 2 fields need attention"
    assert [target for target, _ in lines] == ["id_title_ka", "id_due_on"]
    assert lines[1][1].startswith("Due date: The due date must fall within the plan's period")
