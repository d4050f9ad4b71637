"""The whole round, as the people do it through their pages: the CSO monitor fills in and
submits Telavi's 2022 external assessment, project staff open the right of reply, the
Telavi staff member replies (and sees nothing of Sighnaghi's), project staff return one
indicator with a comment, the monitor fixes it and resubmits, project staff publish, the
public scorecard shows the new numbers, and the full history shows all of it.

Then the admin's workflow pages one by one.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Response, ReviewComment
from assessments.workflow import Status
from indicators.models import Indicator
from tests import factories
from tests.assessments.conftest import answer_all, post_data, reply_data
from tests.conftest import Page
from tests.error_summary import error_summary

SIGHNAGHI_SECRET = "Sighnaghi's water registry, sheet 3"


def transition_url(assessment, action):
    return reverse("admin:assessments_assessment_transition", args=[assessment.pk, action])


def change_url(assessment):
    return reverse("admin:assessments_assessment_change", args=[assessment.pk])


def indicator_pk(assessment, code):
    return str(
        Indicator.objects.get(code=code, criterion__area__version=assessment.cycle.methodology).pk
    )


def return_data(assessment, comments, note=""):
    data = {
        "note": note,
        "comments-TOTAL_FORMS": str(len(comments)),
        "comments-INITIAL_FORMS": "0",
    }
    for number, (code, text) in enumerate(comments):
        data[f"comments-{number}-indicator"] = indicator_pk(assessment, code) if code else ""
        data[f"comments-{number}-text"] = text
    return data


def table_rows(page, marker):
    """The body rows of the table marked so (an id or class attribute), as cell texts."""
    table = re.search(rf"<table\b[^>]*{marker}[^>]*>.*?</table>", page.html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [page.plain(cell) for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)
    ]


def signed_in(username):
    """A browser in which the person signed in with their password, reading English."""
    browser = Client(headers={"Accept-Language": "en"})
    # django-axes counts every password check, so it needs the request that makes it.
    assert browser.login(request=HttpRequest(), username=username, password="pw")
    return browser


@pytest.fixture
def sighnaghi_work(sighnaghi_external, sighnaghi_self, to_status):
    """Sighnaghi's own assessments: the external one also in its right of reply."""
    to_status(sighnaghi_external, Status.REPLY)
    response = sighnaghi_external.responses.get(indicator__code="A.2.1")
    response.evidence = SIGHNAGHI_SECRET
    response.save()
    answer_all(sighnaghi_self)
    return sighnaghi_external, sighnaghi_self


def test_it_takes_the_round_from_the_monitor_s_draft_to_the_public_scorecard(
    telavi_external, sighnaghi_work, cso_monitor, project_staff, telavi_staff, open_area, client
):
    sighnaghi_external, sighnaghi_self = sighnaghi_work

    # 1. The CSO monitor signs in, fills in both areas and submits.
    monitor = Client(headers={"Accept-Language": "en"})
    signing_in = monitor.post(
        reverse("monitor:login"), {"username": "cso-monitor", "password": "pw"}
    )
    assert signing_in["Location"] == reverse("monitor:dashboard")
    dashboard = Page(monitor.get(reverse("monitor:dashboard")))
    assert "0 of 3 answered" in dashboard.row("Telavi")[3]

    area_a = open_area(monitor, telavi_external, "A")
    saved = area_a.post(
        {
            "A.1.1": {"value": "1", "evidence": "The council adopted the strategy"},
            "A.2.1": {"value": "60", "evidence": "We visited 12 of 20 villages"},
        }
    )
    assert saved.status_code == 302
    assert (
        open_area(monitor, telavi_external, "B").post({"B.1.1": {"value": "8"}}).status_code == 302
    )
    submitted = monitor.post(
        reverse("monitor:transition", args=[telavi_external.pk]), {"action": "submit"}
    )
    assert submitted.status_code == 302
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.SUBMITTED

    # 2. Project staff open the right of reply for ten days.
    staff = signed_in("project-staff")
    change = Page(staff.get(change_url(telavi_external)))
    assert "Open the right of reply…" in change.text
    confirm = Page(staff.get(transition_url(telavi_external, "open_reply")))
    assert "Days the municipality has to reply" in confirm.text
    opened = staff.post(transition_url(telavi_external, "open_reply"), {"days": "10"})
    assert opened["Location"] == change_url(telavi_external)
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.REPLY
    assert telavi_external.reply_deadline == timezone.localdate() + datetime.timedelta(days=9)

    # 3. The Telavi staff member sees Telavi's assessments only, and replies.
    telavi = signed_in("telavi-staff")
    listing = telavi.get(reverse("admin:assessments_assessment_changelist"))
    listed = table_rows(Page(listing), 'id="result_list"')
    # Status and progress first, then the municipality, kind and cycle.
    assert [row[1:5] for row in listed] == [["3 / 3", "Telavi", "External assessment", "2022"]]
    assert "Sighnaghi" not in " ".join(" ".join(row) for row in listed)
    for url in (
        change_url(sighnaghi_external),
        change_url(sighnaghi_self),
        reverse("admin:assessments_assessment_reply", args=[sighnaghi_external.pk]),
        reverse("admin:assessments_assessment_area", args=[sighnaghi_external.pk, "A"]),
    ):
        refused = telavi.get(url)
        assert refused.status_code == 404, url
        assert SIGHNAGHI_SECRET not in refused.content.decode()

    reply_url = reverse("admin:assessments_assessment_reply", args=[telavi_external.pk])
    reply_page = telavi.get(reply_url)
    assert "We visited 12 of 20 villages" in Page(reply_page).text
    forms = {form.indicator.code: form for form in reply_page.context["forms"]}
    replied = telavi.post(
        reply_url,
        post_data(forms.values(), {"A.2.1": {"reply": "The other villages join in 2023"}}),
    )
    assert replied["Location"] == reply_url
    assert "Saved 1 reply." in Page(telavi.get(reply_url)).text

    # 4. Project staff close the reply and return A.2.1 with a comment.
    assert staff.post(transition_url(telavi_external, "close_reply"))["Location"] == change_url(
        telavi_external
    )
    returned = staff.post(
        transition_url(telavi_external, "return"),
        return_data(telavi_external, [("A.2.1", "Name the villages you visited.")]),
    )
    assert returned.status_code == 302
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.DRAFT

    # The monitor sees the comment beside the answer, fixes it and resubmits.
    overview = Page(monitor.get(reverse("monitor:assessment", args=[telavi_external.pk])))
    assert "A.2.1 : Name the villages you visited." in overview.text
    area_a = open_area(monitor, telavi_external, "A")
    beside_a_2_1 = re.search(r'id="indicator-A.2.1".*?</fieldset>', area_a.html, re.S).group(0)
    assert "Reviewer's comment:" in beside_a_2_1
    assert "Name the villages you visited." in beside_a_2_1
    fixed = area_a.post(
        {"A.2.1": {"value": "75", "evidence": "Villages: Kurdghelauri, Shalauri, Ikalto, …"}}
    )
    assert fixed.status_code == 302
    resubmitted = monitor.post(
        reverse("monitor:transition", args=[telavi_external.pk]), {"action": "submit"}
    )
    assert resubmitted.status_code == 302
    assert ReviewComment.objects.get().resolved

    # 5. Project staff start the review and publish.
    assert staff.post(transition_url(telavi_external, "start_review")).status_code == 302
    publish_page = Page(staff.get(transition_url(telavi_external, "publish")))
    assert "Publishing freezes the scores of the current answers" in publish_page.text
    published = staff.post(transition_url(telavi_external, "publish"), follow=True)
    assert "Done: Publish. The assessment is now “Published”." in Page(published).text
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.PUBLISHED

    # The public scorecard shows the new numbers: A.1 = 100, A.2 = 75 → A = 87.5;
    # B = (8 − 20) ÷ (5 − 20) = 80; overall (87.5 + 80) ÷ 2 = 83.75 → 83.8.
    scorecard = Page(client.get("/en/scorecards/2022/telavi/?show=all"))
    assert scorecard.status_code == 200
    assert "83.8" in scorecard.text
    assert "87.5" in scorecard.text
    # The reply was written in the Georgian field, so the Georgian scorecard shows it.
    assert (
        "The other villages join in 2023"
        in Page(client.get("/ka/scorecards/2022/telavi/?show=all")).text
    )

    # 6. The full history shows every step, with who.
    history = Page(
        staff.get(reverse("admin:assessments_assessment_full_history", args=[telavi_external.pk]))
    )
    assert history.status_code == 200
    rows = table_rows(history, 'class="full-history"')
    steps = [(row[1], row[2]) for row in rows if row[2].startswith("Assessment")]
    assert [step for step in reversed(steps) if step[1] != "Assessment (created)"] == [
        ("cso-monitor", "Assessment Submit"),
        ("project-staff", "Assessment Open the right of reply"),
        ("project-staff", "Assessment Close the right of reply"),
        ("project-staff", "Assessment Return to draft"),
        ("cso-monitor", "Assessment Submit"),
        ("project-staff", "Assessment Start review"),
        ("project-staff", "Assessment Publish"),
    ]
    changed_answer = [
        row for row in rows if "Answer to A.2.1" in row[2] and "value: 60% → 75%" in row[3]
    ]
    assert [row[1] for row in changed_answer] == ["cso-monitor"]
    reply = [row for row in rows if "The other villages join in 2023" in row[3]]
    assert [row[1] for row in reply] == ["telavi-staff"]
    comment = [row for row in rows if "Review comment on A.2.1" in row[2]]
    assert comment and comment[-1][1] == "project-staff"


# --- The admin's workflow pages --------------------------------------------------------------


@pytest.fixture
def staff_browser(browser_of, project_staff):
    return browser_of(project_staff, "en")


def test_it_offers_each_person_only_their_transitions(
    telavi_self, telavi_staff, browser_of, staff_browser, to_status
):
    answer_all(telavi_self)
    municipal = Page(browser_of(telavi_staff, "en").get(change_url(telavi_self)))
    assert "Submit…" in municipal.text
    assert "Publish…" not in municipal.text
    assert "Full history" not in municipal.text

    to_status(telavi_self, Status.REVIEW)
    staff = Page(staff_browser.get(change_url(telavi_self)))
    assert "Return to draft…" in staff.text and "Publish…" in staff.text
    assert "Full history" in staff.text
    assert "Submit…" not in Page(browser_of(telavi_staff, "en").get(change_url(telavi_self))).text


def test_it_does_not_let_anyone_type_in_the_status(telavi_self, staff_browser):
    page = staff_browser.get(change_url(telavi_self))
    assert 'name="status"' not in page.content.decode()


def test_it_lists_what_is_missing_when_municipal_staff_submit(
    telavi_self, telavi_staff, browser_of
):
    factories.answer(telavi_self, "A.1.1", 1)
    browser = browser_of(telavi_staff, "en")
    confirm = Page(browser.get(transition_url(telavi_self, "submit")))
    assert "these are still missing" in confirm.text
    assert "A.1.2" in confirm.text and "B.1.1" in confirm.text
    # Each missing indicator is named, not just coded, and there is a way back.
    a12 = telavi_self.cycle.methodology.areas.get(code="A").criteria.get(code="A.1")
    name = a12.indicators.get(code="A.1.2").name
    assert f"A.1.2 {name}" in confirm.text
    assert change_url(telavi_self) in confirm.hrefs()
    assert browser.post(transition_url(telavi_self, "submit")).status_code == 400
    telavi_self.refresh_from_db()
    assert telavi_self.status == Status.DRAFT


def test_it_lets_the_telavi_staff_member_fill_in_the_self_assessment(
    telavi_self, telavi_staff, browser_of, open_area
):
    browser = browser_of(telavi_staff, "en")
    page = open_area(browser, telavi_self, admin=True)
    saved = page.post({"A.1.2": {"value": "2", "evidence": "დადგენილება №12"}})
    assert saved["Location"] == page.url
    response = Response.objects.get(indicator__code="A.1.2")
    assert (response.value, response.updated_by) == (2, telavi_staff)
    assert response.history.latest().history_user == telavi_staff


@pytest.mark.parametrize("days", ["0", "91", "ten"])
def test_it_refuses_a_reply_stage_of_a_strange_length(
    telavi_external, staff_browser, to_status, days
):
    to_status(telavi_external, Status.SUBMITTED)
    refused = staff_browser.post(transition_url(telavi_external, "open_reply"), {"days": days})
    assert refused.status_code == 400
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.SUBMITTED


def test_it_refuses_a_return_without_any_comment_with_a_message(
    telavi_external, staff_browser, to_status
):
    to_status(telavi_external, Status.REVIEW)
    refused = staff_browser.post(
        transition_url(telavi_external, "return"), return_data(telavi_external, [])
    )
    assert refused.status_code == 400
    assert "Say what needs to change: write at least one comment." in Page(refused).text
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.REVIEW


def test_it_refuses_a_comment_that_names_no_indicator(telavi_external, staff_browser, to_status):
    to_status(telavi_external, Status.REVIEW)
    refused = staff_browser.post(
        transition_url(telavi_external, "return"),
        return_data(telavi_external, [(None, "Which one?")]),
    )
    assert refused.status_code == 400
    assert "Choose the indicator this comment is about." in Page(refused).text
    # The summary at the top leads to the comment's indicator box.
    heading, lines = error_summary(refused.content.decode())
    assert heading == "Nothing was saved: 1 field needs attention"
    assert lines == [
        (
            "id_comments-0-indicator",
            "Comment 1: Indicator: Choose the indicator this comment is about.",
        )
    ]


def test_it_takes_a_note_on_the_whole_assessment_as_enough_for_a_return(
    telavi_external, staff_browser, to_status
):
    to_status(telavi_external, Status.REVIEW)
    returned = staff_browser.post(
        transition_url(telavi_external, "return"),
        return_data(telavi_external, [], note="Please add sources everywhere."),
    )
    assert returned.status_code == 302
    assert ReviewComment.objects.get().indicator is None


def test_it_publishes_a_correction_with_notes_in_both_languages_and_keeps_the_old_revision(
    telavi_external, staff_browser, to_status
):
    to_status(telavi_external, Status.PUBLISHED)
    assert staff_browser.post(transition_url(telavi_external, "correct")).status_code == 302
    unchanged = staff_browser.post(
        transition_url(telavi_external, "publish"), {"note_ka": "ა", "note_en": "a"}
    )
    assert unchanged.status_code == 400
    assert "This correction changes nothing that revision 1 published" in Page(unchanged).text
    factories.answer(telavi_external, "B.1.1", 6)

    refused = staff_browser.post(transition_url(telavi_external, "publish"), {"note_ka": "x"})
    assert refused.status_code == 400
    assert telavi_external.snapshots.count() == 1

    done = staff_browser.post(
        transition_url(telavi_external, "publish"),
        {"note_ka": "შესწორდა B.1.1", "note_en": "B.1.1 corrected"},
        follow=True,
    )
    page = Page(done)
    assert "Revision 2" in page.text and "(public): B.1.1 corrected" in page.text
    assert "Revision 1" in page.text


def test_it_refuses_replies_after_the_last_day(
    telavi_external, telavi_staff, browser_of, to_status
):
    to_status(telavi_external, Status.REPLY)
    telavi_external.reply_deadline = timezone.localdate() - datetime.timedelta(days=1)
    telavi_external.save()
    browser = browser_of(telavi_staff, "en")
    url = reverse("admin:assessments_assessment_reply", args=[telavi_external.pk])

    page = Page(browser.get(url))
    assert "Save replies" not in page.text
    refused = browser.post(url, reply_data(telavi_external, {"A.2.1": {"reply": "Late"}}))
    assert refused.status_code == 403
    assert "The right of reply is not open for this assessment." in Page(refused).text
    assert Response.objects.get(indicator__code="A.2.1", assessment=telavi_external).reply == ""


def test_it_tells_municipal_staff_the_full_history_is_for_project_staff(
    telavi_self, telavi_staff, browser_of
):
    refused = browser_of(telavi_staff, "en").get(
        reverse("admin:assessments_assessment_full_history", args=[telavi_self.pk])
    )
    assert refused.status_code == 403
    assert "Only project staff can see an assessment's history." in Page(refused).text


def test_it_lets_project_staff_assign_the_cso_of_an_external_assessment(
    telavi_external, other_cso, staff_browser
):
    saved = staff_browser.post(
        change_url(telavi_external),
        {
            "municipality": telavi_external.municipality_id,
            "cycle": telavi_external.cycle_id,
            "kind": "external",
            "organization": other_cso.pk,
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    telavi_external.refresh_from_db()
    assert telavi_external.organization == other_cso


def test_it_does_not_let_municipal_staff_change_who_assesses_them(
    telavi_external, other_cso, telavi_staff, browser_of, to_status
):
    to_status(telavi_external, Status.REPLY)
    refused = browser_of(telavi_staff, "en").post(
        change_url(telavi_external),
        {
            "municipality": telavi_external.municipality_id,
            "cycle": telavi_external.cycle_id,
            "kind": "external",
            "organization": other_cso.pk,
        },
    )
    assert refused.status_code == 403
    telavi_external.refresh_from_db()
    assert telavi_external.organization != other_cso


# --- The full history, as project staff read it ----------------------------------------------


@pytest.fixture
def history_of(browser_of, project_staff):
    def history_of(assessment, language="en"):
        url = reverse("admin:assessments_assessment_full_history", args=[assessment.pk])
        return table_rows(
            Page(browser_of(project_staff, language).get(url)), 'class="full-history"'
        )

    return history_of


def test_it_shows_who_changed_each_answer_in_the_full_history(
    telavi_external, cso_monitor, browser_of, open_area, history_of
):
    factories.answer(telavi_external, "A.2.1", 40)
    monitor = browser_of(cso_monitor, "en")
    open_area(monitor, telavi_external).post({"A.2.1": {"value": "45", "evidence": "Survey"}})

    rows = history_of(telavi_external)
    changed = [row for row in rows if row[2] == "Answer to A.2.1"]
    assert [(row[1], row[3]) for row in changed] == [
        ("cso-monitor", "value: 40% → 45% evidence: – → Survey")
    ]


def test_the_full_history_keeps_a_no_answer_and_says_every_answer_in_words(telavi_self, history_of):
    factories.answer(telavi_self, "A.1.1", 0)
    factories.answer(telavi_self, "A.1.2", 2)
    factories.answer(telavi_self, "B.1.1", Decimal("7.5"))

    changes = {row[2]: row[3] for row in history_of(telavi_self)}
    assert changes["Answer to A.1.1 (created)"] == "value: – → No"
    assert changes["Answer to A.1.2 (created)"] == "value: – → Adopted (level 2 of 3)"
    assert changes["Answer to B.1.1 (created)"] == "value: – → 7.5 days"
    georgian = {row[2]: row[3] for row in history_of(telavi_self, "ka")}
    assert "მიღებული" in " ".join(georgian.values())


def test_it_names_the_cso_in_the_full_history(telavi_external, history_of):
    created = [row for row in history_of(telavi_external) if row[2] == "Assessment (created)"]
    assert "CSO organisation: – → Civic Monitor" in created[0][3]


def test_it_shows_the_reply_deadline_as_a_georgian_date_in_the_full_history(
    telavi_external, to_status, history_of
):
    to_status(telavi_external, Status.REPLY)
    telavi_external.refresh_from_db()
    deadline = telavi_external.reply_deadline
    changes = " ".join(row[3] for row in history_of(telavi_external, "ka"))
    assert deadline.strftime("%d.%m.%Y") in changes
    assert deadline.isoformat() not in changes
