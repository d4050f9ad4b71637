"""Who may do what: every person × every action × their own and someone else's assessment.

The objects are Telavi's 2022 self-assessment and its external assessment, which the
CSO "Civic Monitor" carries out. For the Telavi staff member both are their own (the
external one is about Telavi); for the CSO monitor the external one is theirs and the
self-assessment is not; for the Sighnaghi staff member and a monitor of another CSO
both belong to others. Each case goes through the page the person would use: the
admin for staff, the monitor workspace for monitors, both for a citizen (not logged in).
"""

import pytest
from django.urls import reverse

from assessments.models import EvidenceFile, Response
from assessments.workflow import TRANSITIONS, Status
from indicators.models import Indicator
from tests.assessments.conftest import PDF, answer_data, bring_to, evidence, reply_data

ALLOW, DENY, NEVER = True, False, None  # NEVER: an assessment of this kind never gets there

SECRET = "Minutes of the council meeting of 12 May, page 4"

MONITORS = ("cso_monitor", "other_monitor")

# action: (the status the assessment is in, {person: (self-assessment, external assessment)})
MATRIX = {
    "view the answers of a draft": (
        Status.DRAFT,
        {
            "telavi_staff": (ALLOW, DENY),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, ALLOW),
            "other_monitor": (DENY, DENY),
            "project_staff": (ALLOW, ALLOW),
            "citizen": (DENY, DENY),
        },
    ),
    "view the answers under review": (
        Status.REVIEW,
        {
            "telavi_staff": (ALLOW, ALLOW),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, ALLOW),
            "other_monitor": (DENY, DENY),
            "project_staff": (ALLOW, ALLOW),
            "citizen": (DENY, DENY),
        },
    ),
    "edit the answers of a draft": (
        Status.DRAFT,
        {
            "telavi_staff": (ALLOW, DENY),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, ALLOW),
            "other_monitor": (DENY, DENY),
            "project_staff": (ALLOW, ALLOW),
            "citizen": (DENY, DENY),
        },
    ),
    "edit the answers once submitted": (
        Status.SUBMITTED,
        {
            "telavi_staff": (DENY, DENY),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, DENY),
            "other_monitor": (DENY, DENY),
            "project_staff": (DENY, DENY),
            "citizen": (DENY, DENY),
        },
    ),
    "write a reply": (
        Status.REPLY,
        {
            "telavi_staff": (NEVER, ALLOW),
            "sighnaghi_staff": (NEVER, DENY),
            "cso_monitor": (NEVER, DENY),
            "other_monitor": (NEVER, DENY),
            "project_staff": (NEVER, DENY),
            "citizen": (NEVER, DENY),
        },
    ),
    "submit": (
        Status.DRAFT,
        {
            "telavi_staff": (ALLOW, DENY),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, ALLOW),
            "other_monitor": (DENY, DENY),
            "project_staff": (ALLOW, ALLOW),
            "citizen": (DENY, DENY),
        },
    ),
    "open_reply": (
        Status.SUBMITTED,
        {
            "telavi_staff": (DENY, DENY),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, DENY),
            "other_monitor": (DENY, DENY),
            # A self-assessment has no right of reply, not even for project staff.
            "project_staff": (DENY, ALLOW),
            "citizen": (DENY, DENY),
        },
    ),
    "close_reply": (
        Status.REPLY,
        {
            # The municipality may say it has finished replying.
            "telavi_staff": (NEVER, ALLOW),
            "sighnaghi_staff": (NEVER, DENY),
            "cso_monitor": (NEVER, DENY),
            "other_monitor": (NEVER, DENY),
            "project_staff": (NEVER, ALLOW),
            "citizen": (NEVER, DENY),
        },
    ),
    **{
        action: (
            state,
            {
                "telavi_staff": (DENY, DENY),
                "sighnaghi_staff": (DENY, DENY),
                "cso_monitor": (DENY, DENY),
                "other_monitor": (DENY, DENY),
                "project_staff": (ALLOW, ALLOW),
                "citizen": (DENY, DENY),
            },
        )
        for action, state in (
            ("start_review", Status.SUBMITTED),
            ("return", Status.REVIEW),
            ("publish", Status.REVIEW),
            ("correct", Status.PUBLISHED),
        )
    },
    "see the full history": (
        Status.DRAFT,
        {
            "telavi_staff": (DENY, DENY),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, DENY),
            "other_monitor": (DENY, DENY),
            "project_staff": (ALLOW, ALLOW),
            "citizen": (DENY, DENY),
        },
    ),
    "download an evidence file of a draft": (
        Status.DRAFT,
        {
            "telavi_staff": (ALLOW, DENY),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, ALLOW),
            "other_monitor": (DENY, DENY),
            "project_staff": (ALLOW, ALLOW),
            "citizen": (DENY, DENY),
        },
    ),
    "download an evidence file under review": (
        Status.REVIEW,
        {
            "telavi_staff": (ALLOW, ALLOW),
            "sighnaghi_staff": (DENY, DENY),
            "cso_monitor": (DENY, ALLOW),
            "other_monitor": (DENY, DENY),
            "project_staff": (ALLOW, ALLOW),
            "citizen": (DENY, DENY),
        },
    ),
}


def cases():
    for action, (_state, row) in MATRIX.items():
        for person, outcomes in row.items():
            for kind, expected in zip(("self", "external"), outcomes, strict=True):
                if expected is NEVER:
                    continue
                word = "may" if expected else "may-not"
                yield pytest.param(
                    person, action, kind, expected, id=f"{person}-{word}-{action}-{kind}"
                )


# --- How each action is tried, through the pages a person uses ----------------------------


def entry_points(person):
    if person == "citizen":
        return ["admin", "monitor"]
    return ["monitor"] if person in MONITORS else ["admin"]


def area_url(assessment, where):
    if where == "admin":
        return reverse("admin:assessments_assessment_area", args=[assessment.pk, "A"])
    return reverse("monitor:area", args=[assessment.pk, "A"])


def a_1_1(assessment):
    return Response.objects.get(assessment=assessment, indicator__code="A.1.1")


def view_answers(browser, assessment, where):
    response = browser.get(area_url(assessment, where))
    return response, response.status_code == 200 and SECRET in response.content.decode()


def edit_answers(browser, assessment, where):
    data = answer_data(assessment, "A", {"A.1.1": {"evidence": "Changed by someone"}})
    response = browser.post(area_url(assessment, where), data)
    return response, a_1_1(assessment).evidence == "Changed by someone"


def write_reply(browser, assessment, where):
    url = reverse("admin:assessments_assessment_reply", args=[assessment.pk])
    response = browser.post(url, reply_data(assessment, {"A.1.1": {"reply": "Our answer"}}))
    return response, a_1_1(assessment).reply == "Our answer"


def full_history(browser, assessment, where):
    url = reverse("admin:assessments_assessment_full_history", args=[assessment.pk])
    response = browser.get(url)
    return response, response.status_code == 200 and SECRET in response.content.decode()


def download_evidence(browser, assessment, where):
    document = EvidenceFile.objects.get(response__assessment=assessment)
    response = browser.get(reverse("assessments:evidence_file", args=[document.pk]))
    received = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, received == PDF


TARGETS = {t.action: t.target for t in TRANSITIONS}


def transition_data(assessment, action):
    if action == "open_reply":
        return {"days": "7"}
    if action == "return":
        indicator = Indicator.objects.get(
            code="A.1.1", criterion__area__version=assessment.cycle.methodology
        )
        return {
            "note": "",
            "comments-TOTAL_FORMS": "1",
            "comments-INITIAL_FORMS": "0",
            "comments-0-indicator": str(indicator.pk),
            "comments-0-text": "Attach the signed minutes.",
        }
    return {}


def transition(action):
    def make(browser, assessment, where):
        before = assessment.status
        if where == "admin":
            url = reverse("admin:assessments_assessment_transition", args=[assessment.pk, action])
            response = browser.post(url, transition_data(assessment, action))
        else:
            url = reverse("monitor:transition", args=[assessment.pk])
            response = browser.post(url, {"action": action})
        assessment.refresh_from_db()
        return response, assessment.status != before and assessment.status == TARGETS[action]

    return make


SCENARIOS = {
    "view the answers of a draft": view_answers,
    "view the answers under review": view_answers,
    "edit the answers of a draft": edit_answers,
    "edit the answers once submitted": edit_answers,
    "write a reply": write_reply,
    **{action: transition(action) for action in TARGETS},
    "see the full history": full_history,
    "download an evidence file of a draft": download_evidence,
    "download an evidence file under review": download_evidence,
}


def was_refused(response):
    """Not found, forbidden, or sent to a login page: never a page of someone else's data."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


def went_through(response):
    if response.status_code == 200:
        return True
    return response.status_code == 302 and "/login/" not in response["Location"]


@pytest.fixture
def prepared(project_staff, media):
    """An assessment, complete, in the action's status, with a secret answer and a file."""

    def prepared(assessment, status):
        bring_to(assessment, status, by=project_staff)
        response = a_1_1(assessment)
        response.evidence = SECRET
        response.save()
        evidence(response)
        return assessment

    return prepared


@pytest.mark.parametrize(("person", "action", "kind", "expected"), list(cases()))
def test_it_lets_each_person_do_exactly_what_their_role_allows(
    request, person, action, kind, expected, prepared, browser_of
):
    status, _row = MATRIX[action]
    assessment = prepared(request.getfixturevalue(f"telavi_{kind}"), status)
    someone = None if person == "citizen" else request.getfixturevalue(person)
    browser = browser_of(someone, "en")

    for where in entry_points(person):
        response, happened = SCENARIOS[action](browser, assessment, where)
        if expected:
            assert went_through(response), (where, response.status_code)
            assert happened
        else:
            assert was_refused(response), (where, response.status_code)
            assert not happened
            if not response.streaming:
                assert SECRET not in response.content.decode()


def test_it_has_a_matrix_that_covers_every_person_and_transition():
    assert {t.action for t in TRANSITIONS} <= set(MATRIX)
    for _status, row in MATRIX.values():
        assert set(row) == {
            "telavi_staff",
            "sighnaghi_staff",
            "cso_monitor",
            "other_monitor",
            "project_staff",
            "citizen",
        }


# --- Cross-object access by URL -----------------------------------------------------------


@pytest.fixture
def telavi_in_reply(telavi_external, prepared):
    return prepared(telavi_external, Status.REPLY)


def telavi_urls(assessment):
    response = a_1_1(assessment)
    document = EvidenceFile.objects.get(response=response)
    pk = assessment.pk
    return [
        reverse("admin:assessments_assessment_change", args=[pk]),
        reverse("admin:assessments_assessment_history", args=[pk]),
        reverse("admin:assessments_assessment_area", args=[pk, "A"]),
        reverse("admin:assessments_assessment_reply", args=[pk]),
        reverse("admin:assessments_assessment_transition", args=[pk, "close_reply"]),
        reverse("admin:assessments_assessment_full_history", args=[pk]),
        reverse("admin:assessments_response_change", args=[response.pk]),
        reverse("admin:assessments_response_history", args=[response.pk]),
        reverse("monitor:assessment", args=[pk]),
        reverse("monitor:area", args=[pk, "A"]),
        reverse("monitor:transition", args=[pk]) + "?action=close_reply",
        reverse("assessments:evidence_file", args=[document.pk]),
    ]


def test_it_gives_a_sighnaghi_staff_member_who_types_telavi_s_addresses_nothing(
    telavi_in_reply, sighnaghi_staff, browser_of
):
    browser = browser_of(sighnaghi_staff, "en")
    for url in telavi_urls(telavi_in_reply):
        response = browser.get(url)
        assert response.status_code in (403, 404), url
        if not response.streaming:
            assert SECRET not in response.content.decode(), url
            assert "Civic Monitor" not in response.content.decode(), url


def test_it_gives_a_monitor_of_another_cso_who_types_the_addresses_nothing(
    telavi_in_reply, other_monitor, browser_of
):
    browser = browser_of(other_monitor, "en")
    for url in telavi_urls(telavi_in_reply):
        response = browser.get(url)
        assert was_refused(response), url
        if response.status_code != 302 and not response.streaming:
            assert SECRET not in response.content.decode(), url


def test_it_ignores_a_forged_post_to_another_municipality_s_assessment(
    telavi_self, sighnaghi_staff, browser_of, prepared
):
    prepared(telavi_self, Status.DRAFT)
    browser = browser_of(sighnaghi_staff, "en")
    data = answer_data(telavi_self, "A", {"A.1.1": {"value": "0"}})
    response = browser.post(
        reverse("admin:assessments_assessment_area", args=[telavi_self.pk, "A"]), data
    )
    assert response.status_code == 404
    response = browser.post(
        reverse("admin:assessments_assessment_transition", args=[telavi_self.pk, "submit"])
    )
    assert response.status_code == 404
    telavi_self.refresh_from_db()
    assert telavi_self.status == Status.DRAFT
    assert a_1_1(telavi_self).value == 1


def test_it_tells_a_monitor_who_forges_a_publish_that_it_is_not_allowed(
    telavi_external, cso_monitor, browser_of, prepared
):
    prepared(telavi_external, Status.REVIEW)
    browser = browser_of(cso_monitor, "en")
    page = browser.post(
        reverse("monitor:transition", args=[telavi_external.pk]), {"action": "publish"}
    )
    assert page.status_code == 403
    assert "Only project staff can take this step (Publish)." in page.content.decode()
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.REVIEW
    assert not telavi_external.snapshots.exists()


def test_it_keeps_monitors_out_of_the_admin(telavi_external, cso_monitor, browser_of, prepared):
    prepared(telavi_external, Status.DRAFT)
    browser = browser_of(cso_monitor, "en")
    for url in (
        reverse("admin:assessments_assessment_changelist"),
        reverse("admin:assessments_assessment_change", args=[telavi_external.pk]),
    ):
        response = browser.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_it_shows_municipal_staff_nothing_in_the_monitor_workspace(
    telavi_external, telavi_staff, browser_of, prepared
):
    prepared(telavi_external, Status.REPLY)
    browser = browser_of(telavi_staff, "en")
    assert browser.get(reverse("monitor:assessment", args=[telavi_external.pk])).status_code == 404
    dashboard = browser.get(reverse("monitor:dashboard")).content.decode()
    assert "not a member of any civil society organisation" in dashboard
    assert SECRET not in dashboard


def test_it_makes_evidence_public_with_the_publication(
    telavi_external, project_staff, browser_of, media
):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    document = evidence(a_1_1(telavi_external))
    url = reverse("assessments:evidence_file", args=[document.pk])
    citizen = browser_of(None)
    assert citizen.get(url).status_code == 404

    bring_to(telavi_external, Status.PUBLISHED, by=project_staff)

    response = citizen.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_it_shows_the_admin_history_page_to_project_staff_only(
    telavi_self, telavi_staff, browser_of, prepared
):
    prepared(telavi_self, Status.DRAFT)
    browser = browser_of(telavi_staff, "en")
    response = browser.get(reverse("admin:assessments_assessment_history", args=[telavi_self.pk]))
    assert response.status_code == 403
