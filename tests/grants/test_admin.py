"""Project staff run the grant competition in the admin: calls and their stages, eligibility,
reviewers, moderation, decisions, reports and the ranking. Nobody else sees any of it there.

The call is `open_call` (tests/grants/conftest.py): 5 000–20 000 ₾ of 100 000 ₾, rubric
Relevance ×2 and Feasibility ×1, open now; the CSO monitor's organisation applies for
12 000 ₾ (`submitted_application`, KAKHETI-2024-001).
"""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assessments.permissions import GRANT_REVIEWER_GROUP
from grants import documents, services
from grants.models import (
    Application,
    ApplicationStatus,
    Call,
    CallExport,
    CallStage,
    Decision,
    Eligibility,
    Report,
    ReportStatus,
    ReviewAssignment,
    ReviewScore,
)
from municipalities.models import Organization, OrganizationMembership
from tests import factories
from tests.conftest import Page
from tests.error_summary import error_summary

from .conftest import PDF_BYTES, complete, pdf_file

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def staff(client, project_staff):
    client.force_login(project_staff)
    client.defaults.update(EN)
    return client


def closed(call):
    """The call's deadline has passed (review has not started)."""
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - datetime.timedelta(days=20), closes_at=now - datetime.timedelta(days=1)
    )
    call.refresh_from_db()
    return call


def under_review(call, by):
    closed(call)
    return services.start_review(call=call, by=by)


def result_rows(response) -> list[list[str]]:
    """The body rows of the page's main table (the admin's list, or the ranking)."""
    html = response.content.decode()
    table = html[html.index('id="result_list"') :].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return Page(SimpleNamespace(status_code=response.status_code, content=body.encode())).rows


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def reviewer(username, *, first_name=""):
    return factories.user(username, group=GRANT_REVIEWER_GROUP, first_name=first_name)


# --- Calls ----------------------------------------------------------------------------------


def new_call_data(cycle, telavi, indicator, **changes):
    return {
        "slug": "kakheti-2025",
        "title_ka": "გრანტები 2025",
        "title_en": "Grants 2025",
        "description_ka": "აღწერა",
        "description_en": "Description",
        "cycle": cycle.pk,
        "budget": "50000",
        "min_grant": "5000",
        "max_grant": "15000",
        "max_months": "12",
        "applications_per_organization": "1",
        "opens_at_0": "2025-03-01",
        "opens_at_1": "10:00:00",
        "closes_at_0": "2025-04-01",
        "closes_at_1": "18:00:00",
        "municipalities": [telavi.pk],
        "priority_indicators": [indicator.pk],
        "moderation_threshold": "1.5",
        "checklist-TOTAL_FORMS": "1",
        "checklist-INITIAL_FORMS": "0",
        "checklist-0-text_ka": "რეგისტრირებული",
        "checklist-0-text_en": "Registered",
        "checklist-0-order": "0",
        "required_attachments-TOTAL_FORMS": "1",
        "required_attachments-INITIAL_FORMS": "0",
        "required_attachments-0-name_ka": "ბიუჯეტი",
        "required_attachments-0-name_en": "Budget",
        "required_attachments-0-extensions": "xlsx, pdf",
        "required_attachments-0-order": "0",
        "rubric-TOTAL_FORMS": "2",
        "rubric-INITIAL_FORMS": "0",
        "rubric-0-name_ka": "შესაბამისობა",
        "rubric-0-name_en": "Relevance",
        "rubric-0-guidance_ka": "",
        "rubric-0-guidance_en": "How well it builds on the findings",
        "rubric-0-weight": "2",
        "rubric-0-order": "0",
        "rubric-1-name_ka": "ბიუჯეტი",
        "rubric-1-name_en": "Budget",
        "rubric-1-guidance_ka": "",
        "rubric-1-guidance_en": "",
        "rubric-1-weight": "1",
        "rubric-1-order": "1",
    } | changes


def test_project_staff_create_a_call_with_its_checklist_documents_and_rubric(
    staff, grant_cycle, telavi
):
    indicator = (
        grant_cycle.methodology.areas.get(code="A").criteria.get(code="A.2").indicators.get()
    )

    answer = staff.post("/admin/grants/call/add/", new_call_data(grant_cycle, telavi, indicator))

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    call = Call.objects.get(slug="kakheti-2025")
    assert (call.title_ka, call.title_en, call.stage) == ("გრანტები 2025", "Grants 2025", "draft")
    # Typed in Tbilisi time, kept in UTC (Tbilisi is UTC+4).
    assert call.opens_at == datetime.datetime(2025, 3, 1, 6, 0, tzinfo=datetime.UTC)
    assert list(call.municipalities.all()) == [telavi]
    assert list(call.priority_indicators.all()) == [indicator]
    assert [item.text_en for item in call.checklist.all()] == ["Registered"]
    assert call.required_attachments.get().allowed == ["xlsx", "pdf"]
    assert [(c.name_en, c.weight) for c in call.rubric.all()] == [
        ("Relevance", Decimal(2)),
        ("Budget", Decimal(1)),
    ]


def test_a_call_refuses_limits_out_of_order_and_keeps_what_was_typed(staff, grant_cycle, telavi):
    indicator = (
        grant_cycle.methodology.areas.get(code="A").criteria.get(code="A.2").indicators.get()
    )
    data = new_call_data(grant_cycle, telavi, indicator, max_grant="60000")

    answer = staff.post("/admin/grants/call/add/", data)

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "The maximum grant is more than the whole budget." in page
    assert "How well it builds on the findings" in page
    assert not Call.objects.exists()


def test_the_stage_of_a_call_is_not_a_field_of_its_form(staff, open_call):
    page = staff.get(f"/admin/grants/call/{open_call.pk}/change/").content.decode()

    assert 'name="stage"' not in page
    assert 'name="closes_at_0"' in page
    # The call has opened: only its closing time still moves.
    assert 'name="opens_at_0"' not in page


def call_change_data(call, **changes):
    """What the change form of an announced, open call posts, with its inlines as they are."""
    local = timezone.localtime(call.closes_at)
    data = {
        "title_ka": call.title_ka,
        "title_en": call.title_en,
        "description_ka": call.description_ka,
        "description_en": call.description_en,
        "budget": str(call.budget),
        "min_grant": str(call.min_grant),
        "max_grant": str(call.max_grant),
        "max_months": str(call.max_months),
        "applications_per_organization": str(call.applications_per_organization),
        "closes_at_0": local.strftime("%Y-%m-%d"),
        "closes_at_1": local.strftime("%H:%M:%S"),
        "municipalities": [m.pk for m in call.municipalities.all()],
        "priority_indicators": [i.pk for i in call.priority_indicators.all()],
        "moderation_threshold": str(call.moderation_threshold),
    }
    inlines = {
        "checklist": (call.checklist.all(), ["text_ka", "text_en", "order"]),
        "required_attachments": (
            call.required_attachments.all(),
            ["name_ka", "name_en", "extensions", "order"],
        ),
        "rubric": (
            call.rubric.all(),
            ["name_ka", "name_en", "guidance_ka", "guidance_en", "weight", "order"],
        ),
    }
    for prefix, (rows, fields) in inlines.items():
        rows = list(rows)
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = str(row.pk)
            data[f"{prefix}-{index}-call"] = str(call.pk)
            for field in fields:
                value = getattr(row, field)
                data[f"{prefix}-{index}-{field}"] = "" if value is None else str(value)
    return data | changes


def test_staff_extend_the_deadline_of_an_announced_call(staff, open_call):
    later = timezone.localtime(open_call.closes_at) + datetime.timedelta(days=7)

    answer = staff.post(
        f"/admin/grants/call/{open_call.pk}/change/",
        call_change_data(open_call, closes_at_0=later.strftime("%Y-%m-%d")),
    )

    assert answer.status_code == 302, answer.context["adminform"].form.errors
    open_call.refresh_from_db()
    assert open_call.closes_at == later
    assert open_call.stage == CallStage.ANNOUNCED


def moved_deadline(call, moment):
    """The call's change form with its closing time moved to `moment` (Tbilisi time)."""
    local = timezone.localtime(moment)
    return call_change_data(
        call, closes_at_0=local.strftime("%Y-%m-%d"), closes_at_1=local.strftime("%H:%M:%S")
    )


@pytest.mark.parametrize("before", [datetime.timedelta(minutes=1), datetime.timedelta(0)])
def test_a_deadline_before_an_application_already_submitted_is_refused(
    staff, open_call, submitted_application, before
):
    submitted = timezone.localtime(submitted_application.submitted_at)
    closes_at = open_call.closes_at
    # A minute before the submission, or its very second (the form has no microseconds):
    # from the closing second on, a submission is refused.
    answer = staff.post(
        f"/admin/grants/call/{open_call.pk}/change/",
        moved_deadline(open_call, submitted.replace(microsecond=0) - before),
    )

    assert answer.status_code == 200
    assert answer.context["adminform"].form.errors["closes_at"] == [
        f"An application was submitted at {submitted:%d.%m.%Y %H:%M:%S} (Tbilisi time); the call "
        "closes after it."
    ]
    open_call.refresh_from_db()
    assert open_call.closes_at == closes_at


def test_a_deadline_after_the_last_submission_may_move_earlier(
    staff, open_call, submitted_application
):
    earlier = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)

    answer = staff.post(
        f"/admin/grants/call/{open_call.pk}/change/",
        moved_deadline(open_call, earlier),
        follow=True,
    )

    open_call.refresh_from_db()
    assert open_call.closes_at == earlier
    # No draft is hurried: the one application was submitted.
    assert [m.level_tag for m in answer.context["messages"]] == ["success"]


def test_closing_a_call_early_warns_how_many_drafts_can_no_longer_be_submitted(
    staff, open_call, other_cso, submitted_application
):
    for title in ("A draft", "Another draft"):
        Application.objects.create(call=open_call, organization=other_cso, title=title)
    past = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=5)
    Application.objects.filter(pk=submitted_application.pk).update(
        submitted_at=past - datetime.timedelta(hours=1)
    )

    answer = staff.post(
        f"/admin/grants/call/{open_call.pk}/change/", moved_deadline(open_call, past), follow=True
    )

    open_call.refresh_from_db()
    assert open_call.closes_at == past
    warnings = [str(m) for m in answer.context["messages"] if m.level_tag == "warning"]
    assert warnings == ["The call has closed: 2 draft applications can no longer be submitted."]


def test_an_earlier_deadline_warns_the_drafts_must_be_submitted_sooner(
    staff, open_call, draft_application
):
    earlier = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)

    answer = staff.post(
        f"/admin/grants/call/{open_call.pk}/change/",
        moved_deadline(open_call, earlier),
        follow=True,
    )

    warnings = [str(m) for m in answer.context["messages"] if m.level_tag == "warning"]
    local = timezone.localtime(earlier)
    assert warnings == [
        "The deadline is earlier than it was: 1 draft application must now be submitted before "
        f"{local:%d.%m.%Y %H:%M} (Tbilisi time)."
    ]


def test_a_later_deadline_warns_nobody(staff, open_call, draft_application):
    later = open_call.closes_at + datetime.timedelta(days=7)

    answer = staff.post(
        f"/admin/grants/call/{open_call.pk}/change/", moved_deadline(open_call, later), follow=True
    )

    assert [m.level_tag for m in answer.context["messages"]] == ["success"]
    open_call.refresh_from_db()
    assert open_call.closes_at == later


def test_a_call_that_has_closed_is_not_announced_from_its_page(staff, open_call):
    past = timezone.now() - datetime.timedelta(days=1)
    Call.objects.filter(pk=open_call.pk).update(
        stage=CallStage.DRAFT, opens_at=past - datetime.timedelta(days=10), closes_at=past
    )

    refused = staff.post(f"/admin/grants/call/{open_call.pk}/step/announce/")

    assert refused.status_code == 400
    [message] = messages_of(refused)
    assert message.startswith("The call closed at ")
    assert message.endswith("move its closing time into the future before announcing it.")
    assert Call.objects.get().stage == CallStage.DRAFT


def test_the_longest_grant_is_set_on_the_call_and_shown_to_the_public(staff, client, open_call):
    page = staff.get(f"/admin/grants/call/{open_call.pk}/change/").content.decode()
    assert 'name="max_months"' in page
    assert "longest grant (months)" in page.lower()

    answer = staff.post(
        f"/admin/grants/call/{open_call.pk}/change/", call_change_data(open_call, max_months="61")
    )
    assert answer.status_code == 200
    assert "max_months" in answer.context["adminform"].form.errors
    answer = staff.post(
        f"/admin/grants/call/{open_call.pk}/change/", call_change_data(open_call, max_months="18")
    )
    assert answer.status_code == 302
    open_call.refresh_from_db()
    assert open_call.max_months == 18

    public = Page(client.get("/en/grants/kakheti-2024/"))
    assert "Grant period up to 18 months" in public.text
    with translation.override("en"):
        pdf_html = render_to_string("pdf/grant_call.html", documents.call_context(open_call))
    assert "Grant period" in pdf_html and "up to 18 months" in pdf_html


def test_a_call_export_is_named_in_tbilisi_time(staff, open_call):
    export = CallExport.objects.create(call=open_call)
    # 23:14 UTC on 5 December is 03:14 on 6 December in Tbilisi (UTC+4).
    CallExport.objects.filter(pk=export.pk).update(
        requested_at=datetime.datetime(2026, 12, 5, 23, 14, tzinfo=datetime.UTC)
    )
    export.refresh_from_db()

    assert str(export) == "Small grants 2024 · 2026-12-06 03:14"
    page = Page(staff.get(f"/admin/grants/callexport/{export.pk}/change/"))
    assert "Small grants 2024 · 2026-12-06 03:14" in page.title


def test_a_forged_stage_in_the_call_s_form_is_ignored(staff, open_call):
    data = call_change_data(open_call, stage="decided", opens_at_0="2020-01-01")

    staff.post(f"/admin/grants/call/{open_call.pk}/change/", data)

    open_call.refresh_from_db()
    assert open_call.stage == CallStage.ANNOUNCED
    assert open_call.opens_at.year != 2020


def test_the_call_page_suggests_the_weakest_published_findings_with_their_scores(staff, open_call):
    page = Page(staff.get(f"/admin/grants/call/{open_call.pk}/change/"))

    assert page.status_code == 200
    assert "Suggested priority indicators" in page.text
    # Headline (external) scores of Telavi and Sighnaghi in 2021: A.1.2 is answered by
    # municipalities only, so it has no external score. A.2.1: (60 + 50) ÷ 2 = 55.0 (chosen),
    # B.1.1: Sighnaghi's 40 (Telavi's is N/A) = 40.0, A.1.1: 100.
    assert page.row("B.1.1 Indicator B.1.1")[1:] == ["40.0", "1", "–"]
    assert page.row("A.2.1 Indicator A.2.1")[1:] == ["55.0", "2", "yes"]
    assert page.row("A.1.1 Indicator A.1.1")[1:] == ["100.0", "2", "–"]


def test_staff_move_a_call_through_its_stages_and_refusals_say_why(
    staff, open_call, submitted_application, project_staff
):
    step = f"/admin/grants/call/{open_call.pk}/step/"

    confirm = staff.get(step + "start_review/")
    assert confirm.status_code == 200
    assert "Yes: Start review" in confirm.content.decode()
    refused = staff.post(step + "start_review/")
    assert refused.status_code == 400
    assert messages_of(refused) == ["Review starts once the call has closed."]
    assert Call.objects.get().stage == CallStage.ANNOUNCED

    closed(open_call)
    assert staff.post(step + "start_review/", follow=True).status_code == 200
    assert Call.objects.get().stage == CallStage.UNDER_REVIEW

    refused = staff.post(step + "close_decisions/")
    assert refused.status_code == 400
    assert messages_of(refused) == ["Check the eligibility of every application first."]

    services.check_eligibility(
        application=submitted_application, eligible=False, reason="Not registered", by=project_staff
    )
    done = staff.post(step + "close_decisions/", follow=True)
    assert Call.objects.get().stage == CallStage.DECIDED
    assert "Done: Close decisions. The call is now “decided”." in messages_of(done)

    assert staff.post(step + "announce/").status_code == 400
    assert staff.get(step + "publish/").status_code == 404


def test_a_draft_call_is_announced_only_with_a_rubric(staff, open_call):
    Call.objects.filter(pk=open_call.pk).update(stage=CallStage.DRAFT)
    open_call.rubric.all().delete()
    url = f"/admin/grants/call/{open_call.pk}/step/announce/"

    refused = staff.post(url)

    assert refused.status_code == 400
    assert messages_of(refused) == [
        "A call needs a rubric of at least one criterion before it opens."
    ]
    assert Call.objects.get().stage == CallStage.DRAFT


# --- Applications -----------------------------------------------------------------------------


def test_an_application_is_read_only_and_shows_everything_staff_need(staff, submitted_application):
    url = f"/admin/grants/application/{submitted_application.pk}/change/"
    page = Page(staff.get(url))

    assert page.status_code == 200
    for field in ("title", "summary", "objectives", "requested_amount", "eligibility"):
        assert f'name="{field}"' not in page.html
    assert "Water for every village" in page.text
    assert page.row("Meetings") == ["Meetings", "7,000.00 ₾"]
    attachment = submitted_application.attachments.get()
    assert (reverse("apply:attachment", args=[attachment.pk]), "budget.pdf") in page.links
    assert "No reviewer is assigned yet." in page.text
    assert staff.get("/admin/grants/application/add/").status_code == 403


def test_only_a_draft_application_may_be_deleted(staff, submitted_application, other_cso):
    submitted = f"/admin/grants/application/{submitted_application.pk}/delete/"
    assert staff.get(submitted).status_code == 403
    assert staff.post(submitted, {"post": "yes"}).status_code == 403
    assert Application.objects.filter(pk=submitted_application.pk).exists()

    draft = Application.objects.create(
        call=submitted_application.call, organization=other_cso, title="Draft"
    )
    assert (
        staff.post(f"/admin/grants/application/{draft.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not Application.objects.filter(pk=draft.pk).exists()


def test_an_ineligible_application_needs_a_reason_and_the_typed_text_is_kept(
    staff, submitted_application
):
    url = f"/admin/grants/application/{submitted_application.pk}/eligibility/"

    refused = staff.post(url, {"verdict": "ineligible", "reason": "   "})

    assert refused.status_code == 400
    assert messages_of(refused) == ["Give the reason why the application is ineligible."]
    assert re.search(r'value="ineligible"[^>]*checked', refused.content.decode())
    submitted_application.refresh_from_db()
    assert submitted_application.eligibility == Eligibility.PENDING

    done = staff.post(url, {"verdict": "ineligible", "reason": "Not registered in Georgia"})

    assert done.status_code == 302
    submitted_application.refresh_from_db()
    assert submitted_application.eligibility == Eligibility.INELIGIBLE
    assert submitted_application.eligibility_reason == "Not registered in Georgia"


def test_a_reviewer_in_conflict_is_not_offered_and_cannot_be_assigned(
    staff, submitted_application, cso, grant_reviewer, project_staff
):
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)
    # A reviewer of the applying organisation (which also assessed Telavi in 2021).
    insider = reviewer("insider-reviewer", first_name="Insider")
    OrganizationMembership.objects.create(user=insider, organization=cso)
    url = f"/admin/grants/application/{submitted_application.pk}/assign/"

    form = staff.get(url)
    choices = form.context["form"].fields["reviewer"].queryset
    assert list(choices) == [grant_reviewer]
    assert "1 reviewer is not offered" in form.content.decode()

    forged = staff.post(url, {"reviewer": insider.pk})
    assert forged.status_code == 400
    assert "Select a valid choice." in forged.content.decode()
    assert not ReviewAssignment.objects.exists()

    assert staff.post(url, {"reviewer": grant_reviewer.pk}).status_code == 302
    assert ReviewAssignment.objects.get().reviewer == grant_reviewer


def test_a_reviewer_is_assigned_only_to_an_eligible_application(
    staff, submitted_application, grant_reviewer
):
    url = f"/admin/grants/application/{submitted_application.pk}/assign/"

    refused = staff.post(url, {"reviewer": grant_reviewer.pk})

    assert refused.status_code == 400
    assert messages_of(refused) == [
        "Reviewers are assigned only to eligible, submitted applications."
    ]
    assert not ReviewAssignment.objects.exists()


def test_a_moderated_score_keeps_the_reviewers_scores_beside_it(
    staff, open_call, submitted_application, project_staff
):
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)
    relevance, feasibility = open_call.rubric.all()
    review(submitted_application, reviewer("r1"), {relevance: 5, feasibility: 5})
    review(submitted_application, reviewer("r2"), {relevance: 1, feasibility: None})
    url = f"/admin/grants/application/{submitted_application.pk}/moderate/"

    refused = staff.post(url, {"score": "3.5", "note": ""})
    assert refused.status_code == 400
    assert messages_of(refused) == ["Explain the moderated score."]
    assert staff.post(url, {"score": "3.5", "note": "Agreed in the panel"}).status_code == 302

    page = Page(staff.get(f"/admin/grants/application/{submitted_application.pk}/change/"))
    # r1: 5; r2: 1 (feasibility N/A is left out) → spread 4 > 1.5. Relevance (1 + 5) ÷ 2 = 3,
    # feasibility 5 → (2 × 3 + 5) ÷ 3 = 3.67.
    assert page.row("Computed score (0–5)") == ["Computed score (0–5)", "3.67"]
    assert page.row("Moderated score") == ["Moderated score", "3.50 (Agreed in the panel)"]
    assert page.row("Score for ranking") == ["Score for ranking", "3.50"]
    assert page.row("Spread between reviewers")[1] == "4.00 needs moderation"
    assert ["Feasibility", "N/A", ""] in page.rows
    assert ["Feasibility", "5", "Fine"] in page.rows


def review(application, person, points, *, submitted=True):
    """A review with the given points per criterion (None is N/A), submitted by default."""
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=person,
        has_conflict=False,
        declared_at=timezone.now(),
        submitted_at=timezone.now() if submitted else None,
    )
    for criterion, value in points.items():
        ReviewScore.objects.create(
            review=assignment, criterion=criterion, points=value, comment="Fine" if value else ""
        )
    return assignment


# --- Decisions ------------------------------------------------------------------------------


def second_application(call, telavi, amount_lines=("9000", "3000")):
    """Another organisation's complete, submitted application (12 000 ₾)."""
    organisation = Organization.objects.create(
        slug="second-cso", name_ka="მეორე ორგანიზაცია", name_en="Second CSO"
    )
    member = factories.cso_monitor("second-monitor", organisation)
    draft = services.start_application(call=call, organization_id=organisation.pk, by=member)
    complete(draft, member, telavi)
    return services.submit_application(application=draft, by=member)


def award_data(**changes):
    """A grant of half a year from today, within the call's 12 months."""
    start = timezone.localdate()
    return {
        "decision": "award",
        "amount": "10000",
        "start": start.isoformat(),
        "end": (start + datetime.timedelta(days=182)).isoformat(),
        "summary_ka": "წყალი ყველა სოფელს",
        "summary_en": "Water for every village",
        "reason": "",
    } | changes


def test_staff_award_a_grant_within_the_limits_with_its_agreement(
    staff, open_call, submitted_application, project_staff
):
    under_review(open_call, project_staff)
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)
    url = f"/admin/grants/application/{submitted_application.pk}/decide/"

    too_much = staff.post(url, award_data(amount="25000"))
    assert too_much.status_code == 400
    assert messages_of(too_much) == ["An award is from 5,000.00 ₾ to 20,000.00 ₾."]

    not_a_pdf = staff.post(url, award_data(agreement=pdf_file("agreement.pdf", b"MZ nope")))
    assert not_a_pdf.status_code == 400
    assert "“agreement.pdf” is not a PDF or DOCX file." in not_a_pdf.content.decode()

    done = staff.post(url, award_data(agreement=pdf_file("agreement.pdf")))

    assert done.status_code == 302
    submitted_application.refresh_from_db()
    assert submitted_application.decision == Decision.AWARDED
    assert submitted_application.awarded_amount == Decimal("10000")
    assert Report.objects.filter(application=submitted_application).count() == 2
    agreement = staff.get(f"/admin/grants/application/{submitted_application.pk}/agreement/")
    assert agreement.status_code == 200
    assert b"".join(agreement.streaming_content) == PDF_BYTES
    assert "no-store" in agreement["Cache-Control"]


def test_an_award_beyond_the_call_s_budget_is_refused(
    staff, open_call, submitted_application, telavi, project_staff
):
    Call.objects.filter(pk=open_call.pk).update(budget=Decimal("20000"))
    second = second_application(open_call, telavi)
    under_review(open_call, project_staff)
    for application in (submitted_application, second):
        services.check_eligibility(application=application, eligible=True, by=project_staff)
    first_url = f"/admin/grants/application/{submitted_application.pk}/decide/"
    assert staff.post(first_url, award_data(amount="12000"), follow=True).status_code == 200

    refused = staff.post(
        f"/admin/grants/application/{second.pk}/decide/", award_data(amount="10000")
    )

    assert refused.status_code == 400
    assert messages_of(refused) == ["This award would go beyond the call's budget."]
    second.refresh_from_db()
    assert second.decision == Decision.PENDING
    # What was typed is still there.
    assert 'value="10000"' in refused.content.decode()


def test_the_decide_page_says_a_decision_is_final_and_shows_the_call_s_limits(
    staff, open_call, submitted_application, project_staff
):
    under_review(open_call, project_staff)
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)

    page = Page(staff.get(f"/admin/grants/application/{submitted_application.pk}/decide/"))

    assert page.status_code == 200
    assert "A decision is final." in page.text
    assert "the decision cannot be corrected here, and the applicant is told by e-mail" in page.text
    assert (
        "An award is from 5,000.00 ₾ to 20,000.00 ₾, and at most the 12,000.00 ₾ requested. "
        "Awarded so far: 0.00 ₾ of 100,000.00 ₾." in page.text
    )
    assert "A grant lasts at most 12 months" in page.text
    # Beside the fields they limit.
    assert (
        "From 5,000.00 ₾ to 20,000.00 ₾, and at most the 12,000.00 ₾ requested; "
        "100,000.00 ₾ of the call's budget is not awarded yet." in page.text
    )
    assert "At most 12 months after the start (calendar months), and not in the past." in page.text
    assert 'name="summary_ka"' in page.html and 'name="summary_en"' in page.html


def test_an_award_needs_both_public_summaries_and_keeps_what_was_typed(
    staff, open_call, submitted_application, project_staff
):
    under_review(open_call, project_staff)
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)
    url = f"/admin/grants/application/{submitted_application.pk}/decide/"

    refused = staff.post(url, award_data(summary_ka="  ", summary_en="Water for Telavi"))

    assert refused.status_code == 400
    form = refused.context["form"]
    assert form.errors == {"summary_ka": ["An award needs the public summary in this language."]}
    assert "Water for Telavi" in refused.content.decode()
    submitted_application.refresh_from_db()
    assert submitted_application.decision == Decision.PENDING

    # A rejection needs neither.
    rejected = staff.post(
        url, {"decision": "reject", "reason": "Weak link", "summary_ka": "", "summary_en": ""}
    )
    assert rejected.status_code == 302


def test_an_award_longer_than_the_call_allows_is_refused_on_the_page(
    staff, open_call, submitted_application, project_staff
):
    under_review(open_call, project_staff)
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)
    start = timezone.localdate()
    url = f"/admin/grants/application/{submitted_application.pk}/decide/"

    refused = staff.post(
        url,
        award_data(
            start=start.isoformat(), end=(start + datetime.timedelta(days=35 * 30)).isoformat()
        ),
    )

    assert refused.status_code == 400
    latest = services.add_months(start, 12)
    assert messages_of(refused) == [
        f"A grant of this call lasts at most 12 months: starting on {start:%d.%m.%Y}, it ends "
        f"on {latest:%d.%m.%Y} at the latest."
    ]
    submitted_application.refresh_from_db()
    assert submitted_application.decision == Decision.PENDING

    done = staff.post(url, award_data(end=latest.isoformat()))
    assert done.status_code == 302
    submitted_application.refresh_from_db()
    assert submitted_application.grant_end == latest
    assert submitted_application.public_summary_en == "Water for every village"


def test_a_rejection_needs_a_reason(staff, open_call, submitted_application, project_staff):
    under_review(open_call, project_staff)
    services.check_eligibility(application=submitted_application, eligible=True, by=project_staff)
    url = f"/admin/grants/application/{submitted_application.pk}/decide/"

    refused = staff.post(url, {"decision": "reject", "reason": ""})
    assert messages_of(refused) == ["Give the reason for the rejection."]
    assert staff.post(url, {"decision": "reject", "reason": "Weak link"}).status_code == 302

    submitted_application.refresh_from_db()
    assert (submitted_application.decision, submitted_application.decision_reason) == (
        Decision.REJECTED,
        "Weak link",
    )


# --- Reports --------------------------------------------------------------------------------


def submitted_report(application, by):
    report = application.reports.get(kind="interim")
    report.narrative = "We held six hearings."
    report.financial = "Spent as planned."
    report.save()
    return services.submit_report(report=report, by=by)


def test_staff_return_a_report_with_comments_then_accept_it(
    staff, awarded_application, cso_monitor
):
    report = submitted_report(awarded_application, cso_monitor)
    url = f"/admin/grants/report/{report.pk}/review/"

    page = Page(staff.get(f"/admin/grants/report/{report.pk}/change/"))
    assert "We held six hearings." in page.text
    assert 'name="narrative"' not in page.html
    assert (url, "Accept or return with comments…") in page.links

    refused = staff.post(url, {"verdict": "return", "comment": ""})
    assert refused.status_code == 400
    assert messages_of(refused) == ["Say what needs to change before returning the report."]

    assert staff.post(url, {"verdict": "return", "comment": "Add the receipts."}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.staff_comment) == (ReportStatus.RETURNED, "Add the receipts.")

    services.submit_report(report=report, by=cso_monitor)
    assert staff.post(url, {"verdict": "accept", "comment": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_the_reports_list_shows_days_left_and_overdue(staff, awarded_application):
    interim, final = awarded_application.reports.order_by("due_on")
    today = timezone.localdate()
    Report.objects.filter(pk=interim.pk).update(due_on=today - datetime.timedelta(days=3))
    Report.objects.filter(pk=final.pk).update(due_on=today + datetime.timedelta(days=10))

    rows = result_rows(staff.get("/admin/grants/report/"))

    # The status first; the due date with the days left under it.
    earlier, later = today - datetime.timedelta(days=3), today + datetime.timedelta(days=10)
    assert rows == [
        ["due", "KAKHETI-2024-001", "Civic Monitor", "interim report",
         f"{earlier:%d.%m.%Y} 3 days overdue", "-"],
        ["due", "KAKHETI-2024-001", "Civic Monitor", "final report",
         f"{later:%d.%m.%Y} 10 days left", "-"],
    ]  # fmt: skip
    overdue = result_rows(staff.get("/admin/grants/report/?deadline=overdue"))
    assert [row[3] for row in overdue] == ["interim report"]


# --- Nobody else ------------------------------------------------------------------------------


def grants_admin_addresses(call, application, report):
    export = call.exports.create()
    attachment = report.attachments.create(file=pdf_file(), name="receipts.pdf")
    return [
        "/admin/grants/",
        "/admin/grants/call/",
        "/admin/grants/call/add/",
        f"/admin/grants/call/{call.pk}/change/",
        f"/admin/grants/call/{call.pk}/step/announce/",
        f"/admin/grants/call/{call.pk}/ranking/",
        f"/admin/grants/call/{call.pk}/export/",
        "/admin/grants/application/",
        f"/admin/grants/application/{application.pk}/change/",
        f"/admin/grants/application/{application.pk}/eligibility/",
        f"/admin/grants/application/{application.pk}/assign/",
        f"/admin/grants/application/{application.pk}/moderate/",
        f"/admin/grants/application/{application.pk}/decide/",
        f"/admin/grants/application/{application.pk}/agreement/",
        "/admin/grants/report/",
        f"/admin/grants/report/{report.pk}/change/",
        f"/admin/grants/report/{report.pk}/review/",
        f"/admin/grants/report/{report.pk}/attachments/{attachment.pk}/",
        "/admin/grants/callexport/",
        f"/admin/grants/callexport/{export.pk}/change/",
        f"/admin/grants/callexport/{export.pk}/download/",
    ]


@pytest.mark.parametrize("person", ["telavi_staff", "cso_monitor", "grant_reviewer"])
def test_nobody_but_project_staff_opens_any_grants_admin_page(
    request, client, person, awarded_application
):
    call = awarded_application.call
    addresses = grants_admin_addresses(
        call, awarded_application, awarded_application.reports.first()
    )
    client.force_login(request.getfixturevalue(person))

    for address in addresses:
        got = client.get(address)
        refused = got.status_code in (403, 404) or (
            got.status_code == 302 and "/login/" in got["Location"]
        )
        assert refused, (address, got.status_code)
        assert client.post(address, {"verdict": "eligible"}).status_code in (302, 403, 404)
    assert awarded_application.call.stage == CallStage.DECIDED
    index = client.get("/admin/")
    assert b"/admin/grants/" not in index.content


@pytest.mark.parametrize("language", ["ka", "en"])
def test_project_staff_open_every_grants_admin_page(staff, awarded_application, language):
    call = awarded_application.call
    report = awarded_application.reports.first()
    staff.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    for address in grants_admin_addresses(call, awarded_application, report):
        got = staff.get(address)
        if address.endswith(("/download/", "/agreement/")):
            # The export is not written yet, and no agreement was uploaded.
            assert got.status_code == 404, address
        else:
            assert got.status_code == 200, (address, got.status_code)


def test_an_address_that_is_no_record_id_finds_nothing(staff, open_call):
    for address in (
        f"/admin/grants/call/{'9' * 40}/ranking/",
        "/admin/grants/call/abc/step/announce/",
        f"/admin/grants/application/{'9' * 40}/decide/",
    ):
        assert staff.get(address).status_code == 404, address


# --- The ranking ------------------------------------------------------------------------------


def eligible(call, slug, requested, municipality, *, number):
    organisation = Organization.objects.create(slug=slug, name_ka=slug, name_en=slug.title())
    return Application.objects.create(
        call=call,
        organization=organisation,
        reference=f"KAKHETI-2024-{number:03d}",
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        title=f"Project of {slug}",
        municipality=municipality,
        requested_amount=Decimal(requested),
        eligibility=Eligibility.ELIGIBLE,
    )


@pytest.fixture
def ranked_call(open_call, telavi, project_staff):
    """Three eligible applications under review, with a budget of 30 000 ₾:
    A (12 000 ₾) reviewed 4 and 4 → 4.00; B (15 000 ₾) reviewed 5 and 1 → 3.00, moderated to
    4.50; C (9 000 ₾) reviewed 2 and N/A on feasibility → 2.00; D (5 000 ₾) not reviewed yet."""
    Call.objects.filter(pk=open_call.pk).update(budget=Decimal("30000"))
    under_review(open_call, project_staff)
    relevance, feasibility = open_call.rubric.all()
    one, two = reviewer("r1"), reviewer("r2")
    a = eligible(open_call, "alpha", "12000", telavi, number=1)
    review(a, one, {relevance: 4, feasibility: 4})
    review(a, two, {relevance: 4, feasibility: 4})
    b = eligible(open_call, "beta", "15000", telavi, number=2)
    review(b, one, {relevance: 5, feasibility: 5})
    review(b, two, {relevance: 1, feasibility: 1})
    Application.objects.filter(pk=b.pk).update(moderated_score=Decimal("4.5"))
    c = eligible(open_call, "gamma", "9000", telavi, number=3)
    review(c, one, {relevance: 2, feasibility: None})
    review(c, two, {relevance: 2, feasibility: 3}, submitted=False)
    eligible(open_call, "delta", "5000", telavi, number=4)
    ineligible = eligible(open_call, "epsilon", "5000", telavi, number=5)
    Application.objects.filter(pk=ineligible.pk).update(
        eligibility=Eligibility.INELIGIBLE, eligibility_reason="Late"
    )
    return Call.objects.get(pk=open_call.pk)


def test_the_ranking_orders_by_the_moderated_score_where_set_with_a_running_total(
    staff, ranked_call
):
    answer = staff.get(f"/admin/grants/call/{ranked_call.pk}/ranking/")

    assert answer.status_code == 200
    rows = result_rows(answer)
    # The score it ranks by (and the computed one beside a moderated score); the reviews
    # with their spread, flagged past the call's 1.5; the money; past the budget, flagged.
    assert rows == [
        ["1", "KAKHETI-2024-002", "Beta Telavi", "4.50 moderated; computed 3.00",
         "2 / 2 spread 4.00 needs moderation", "15,000.00 ₾", "15,000.00 ₾", "not decided yet"],
        ["2", "KAKHETI-2024-001", "Alpha Telavi", "4.00", "2 / 2 spread 0.00",
         "12,000.00 ₾", "27,000.00 ₾", "not decided yet"],
        ["3", "KAKHETI-2024-003", "Gamma Telavi", "2.00", "1 / 2 spread –", "9,000.00 ₾",
         "36,000.00 ₾ beyond the budget", "not decided yet"],
        ["–", "KAKHETI-2024-004", "Delta Telavi", "–", "0 / 0 spread –", "5,000.00 ₾",
         "41,000.00 ₾ beyond the budget", "not decided yet"],
    ]  # fmt: skip
    assert "KAKHETI-2024-005" not in answer.content.decode()


def test_the_applications_list_puts_where_each_stands_first_in_few_columns(
    staff, ranked_call, telavi
):
    """The list fits a 1280 px screen beside the menu and the filters: five columns."""
    alpha = Application.objects.get(reference="KAKHETI-2024-001")
    Organization.objects.filter(pk=alpha.organization_id).update(
        name_en="Alpha Association for the Monitoring of Municipal Services in Kakheti"
    )
    Application.objects.filter(reference="KAKHETI-2024-002").update(moderated_score=None)
    Application.objects.filter(reference="KAKHETI-2024-003").update(
        decision=Decision.REJECTED, decision_reason="Weak"
    )
    unchecked = eligible(ranked_call, "zeta", "7000", telavi, number=6)
    Application.objects.filter(pk=unchecked.pk).update(eligibility=Eligibility.PENDING)
    Application.objects.create(call=ranked_call, organization=unchecked.organization, title="Draft")

    answer = staff.get(f"/admin/grants/application/?call__id__exact={ranked_call.pk}")

    page = Page(answer)
    header = page.html.split('id="result_list"', 1)[1].split("</thead>", 1)[0]
    assert [page.plain(cell) for cell in re.findall(r"<th[^>]*>(.*?)</th>", header, re.S)] == [
        "Status", "Reference", "Organisation, municipality", "Requested amount", "Reviews · score",
    ]  # fmt: skip
    rows = result_rows(answer)
    assert rows == [
        ["eligible", "KAKHETI-2024-001", "Alpha Association for the Monit… Telavi", "12,000.00 ₾",
         "2 / 2 · 4.00"],
        ["eligible", "KAKHETI-2024-002", "Beta Telavi", "15,000.00 ₾",
         "2 / 2 · 3.00 needs moderation"],
        ["rejected", "KAKHETI-2024-003", "Gamma Telavi", "9,000.00 ₾", "1 / 2 · 2.00"],
        ["eligible", "KAKHETI-2024-004", "Delta Telavi", "5,000.00 ₾", "0 / 0 · –"],
        ["ineligible", "KAKHETI-2024-005", "Epsilon Telavi", "5,000.00 ₾", "0 / 0 · –"],
        ["not checked yet", "KAKHETI-2024-006", "Zeta Telavi", "7,000.00 ₾", "0 / 0 · –"],
        ["draft", "draft", "Zeta –", "0.00 ₾", "–"],
    ]  # fmt: skip
    # The cut name is whole on hover, and on the application's page.
    assert 'title="Alpha Association for the Monitoring of Municipal Services in Kakheti"' in (
        answer.content.decode()
    )


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_ranking_and_the_applications_list_take_as_many_queries_however_many_rows(
    staff, ranked_call, telavi
):
    relevance, feasibility = ranked_call.rubric.all()
    pages = [
        f"/admin/grants/call/{ranked_call.pk}/ranking/",
        "/admin/grants/application/",
        f"/admin/grants/call/{ranked_call.pk}/change/",
    ]
    before = [queries_of(staff, url) for url in pages]
    for number in range(6, 12):
        application = eligible(ranked_call, f"cso-{number}", "5000", telavi, number=number)
        review(application, reviewer(f"extra-{number}"), {relevance: 3, feasibility: None})

    assert [queries_of(staff, url) for url in pages] == before


def test_only_a_draft_call_may_be_deleted(staff, open_call):
    delete = f"/admin/grants/call/{open_call.pk}/delete/"
    assert staff.post(delete, {"post": "yes"}).status_code == 403
    assert Call.objects.filter(pk=open_call.pk).exists()

    Call.objects.filter(pk=open_call.pk).update(stage=CallStage.DRAFT)
    assert staff.post(delete, {"post": "yes"}).status_code == 302
    assert not Call.objects.filter(pk=open_call.pk).exists()


def test_staff_write_an_award_s_public_summary_and_nothing_the_applicant_wrote(
    staff, awarded_application
):
    url = f"/admin/grants/application/{awarded_application.pk}/change/"

    answer = staff.post(
        url,
        {
            "public_summary_ka": "წყალი ყველა სოფელს",
            "public_summary_en": "Water for every village",
            "title": "Changed by staff",
            "requested_amount": "1",
            "decision": "rejected",
        },
    )

    assert answer.status_code == 302
    awarded_application.refresh_from_db()
    assert awarded_application.public_summary_ka == "წყალი ყველა სოფელს"
    assert awarded_application.public_summary_en == "Water for every village"
    assert awarded_application.title == "Water for every village"
    assert awarded_application.requested_amount == Decimal("12000")
    assert awarded_application.decision == Decision.AWARDED


def test_a_call_s_priority_indicators_come_from_its_cycle_s_methodology(staff, grant_cycle, telavi):
    other_version = factories.methodology(code="2030", is_current=False)
    stranger = other_version.areas.get(code="B").criteria.get().indicators.get()
    data = new_call_data(grant_cycle, telavi, stranger)

    answer = staff.post("/admin/grants/call/add/", data)

    assert answer.status_code == 200
    assert (
        "Priority indicators come from the methodology of the cycle 2021; these do not: B.1.1."
        in answer.content.decode()
    )
    assert not Call.objects.exists()


def test_a_refused_call_is_summed_up_with_a_link_to_each_field_and_row_in_error(
    staff, grant_cycle, telavi
):
    indicator = (
        grant_cycle.methodology.areas.get(code="A").criteria.get(code="A.2").indicators.get()
    )
    data = new_call_data(
        grant_cycle, telavi, indicator, max_grant="60000", **{"rubric-1-weight": "-1"}
    )

    answer = staff.post("/admin/grants/call/add/", data)

    assert answer.status_code == 200
    heading, lines = error_summary(answer.content.decode())
    assert heading == "Nothing was saved: 2 fields need attention"
    targets = dict(lines)
    assert targets["id_max_grant"].startswith("Maximum grant")
    assert "The maximum grant is more than the whole budget." in targets["id_max_grant"]
    assert targets["id_rubric-1-weight"].startswith("Rubric criterion 2: Weight")
    assert not Call.objects.exists()
