"""Published results change only through a correction (DESIGN.md, "Trust rules").

Project staff, trying as a careless administrator would, cannot move a published
assessment to another municipality, revert it through the admin's history, or comment
outside review; every row of the workflow table is tried through the page that uses it.
"""

import os

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from assessments import services
from assessments.models import ReviewComment
from assessments.workflow import PERMISSIONS, TRANSITIONS, Status
from indicators.models import Indicator
from musqat.storage import PrivateStorage
from tests import factories
from tests.assessments.conftest import answer_all, bring_to, evidence
from tests.assessments.test_permissions import MATRIX


def change_url(assessment):
    return reverse("admin:assessments_assessment_change", args=[assessment.pk])


def change_form(assessment, **changes):
    """What the admin's change form sends, with some fields changed."""
    return {
        "municipality": assessment.municipality_id,
        "cycle": assessment.cycle_id,
        "kind": assessment.kind,
        "organization": assessment.organization_id or "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        **changes,
    }


@pytest.fixture
def staff(browser_of, project_staff):
    return browser_of(project_staff, "en")


@pytest.fixture
def kvareli(db):
    return factories.municipality("kvareli", "Kvareli", "ყვარელი")


# --- What an assessment is of, and who carries it out ---------------------------------------


def test_project_staff_cannot_move_a_published_assessment_to_another_municipality(
    published_2021, kvareli, staff, citizen
):
    telavi_self = published_2021["telavi", "self"]
    before = citizen.get("/en/scorecards/2021/kvareli/").status_code

    staff.post(change_url(telavi_self), change_form(telavi_self, municipality=kvareli.pk))

    telavi_self.refresh_from_db()
    assert telavi_self.municipality.slug == "telavi"
    assert citizen.get("/en/scorecards/2021/kvareli/").status_code == before == 404


@pytest.mark.parametrize("field", ["municipality", "cycle", "kind", "organization"])
def test_the_model_refuses_a_new_identity_once_the_assessment_left_its_draft(
    published_2021, kvareli, other_cso, cycle_2022, field
):
    external = published_2021["telavi", "external"]
    new = {"municipality": kvareli, "cycle": cycle_2022, "kind": "self", "organization": other_cso}
    setattr(external, field, new[field])
    if field == "kind":
        external.organization = None  # a self-assessment has none

    with pytest.raises(ValidationError) as refused:
        external.full_clean()
    assert field in refused.value.message_dict


def test_a_draft_may_still_be_put_right(telavi_external, other_cso, staff):
    form = change_form(telavi_external, organization=other_cso.pk)
    saved = staff.post(change_url(telavi_external), form)
    assert saved.status_code == 302
    telavi_external.refresh_from_db()
    assert telavi_external.organization == other_cso


def test_the_organisation_of_a_submitted_assessment_stays(
    telavi_external, other_cso, staff, project_staff
):
    answer_all(telavi_external)
    bring_to(telavi_external, Status.SUBMITTED, by=project_staff)
    staff.post(change_url(telavi_external), change_form(telavi_external, organization=other_cso.pk))
    telavi_external.refresh_from_db()
    assert telavi_external.organization != other_cso


# --- No revert through the admin's history --------------------------------------------------


def test_the_admin_history_cannot_set_a_published_assessment_back_to_draft(
    published_2021, staff, citizen
):
    telavi_self = published_2021["telavi", "self"]
    first = telavi_self.history.earliest()  # created as a draft
    url = reverse(
        "admin:assessments_assessment_simple_history", args=[telavi_self.pk, first.history_id]
    )

    page = staff.get(url)
    reverted = staff.post(url, change_form(telavi_self, status="draft"))

    assert "Revert" not in page.content.decode()
    assert reverted.status_code == 403
    telavi_self.refresh_from_db()
    assert telavi_self.status == Status.PUBLISHED
    assert citizen.get("/en/scorecards/2021/telavi/").status_code == 200


def test_the_admin_history_cannot_revert_an_answer(published_2021, staff):
    response = published_2021["telavi", "self"].responses.get(indicator__code="A.1.1")
    first = response.history.earliest()
    url = reverse("admin:assessments_response_simple_history", args=[response.pk, first.history_id])
    assert staff.post(url, {"value": "1"}).status_code == 403


# --- Review comments: only under review -----------------------------------------------------


def comment_form(assessment, text):
    indicator = Indicator.objects.get(
        code="A.1.1", criterion__area__version=assessment.cycle.methodology
    )
    return change_form(
        assessment,
        **{
            "comments-TOTAL_FORMS": "1",
            "comments-0-indicator": indicator.pk,
            "comments-0-text": text,
            "comments-0-resolved": "",
        },
    )


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(Status.DRAFT, False), (Status.SUBMITTED, False), (Status.REVIEW, True),
     (Status.PUBLISHED, False)],
)  # fmt: skip
def test_project_staff_comment_inline_only_under_review(
    telavi_self, staff, project_staff, status, allowed
):
    answer_all(telavi_self)
    bring_to(telavi_self, status, by=project_staff)

    staff.post(change_url(telavi_self), comment_form(telavi_self, "Attach the minutes."))

    created = ReviewComment.objects.filter(assessment=telavi_self, text="Attach the minutes.")
    assert created.exists() is allowed


def test_a_review_comment_is_never_deleted_from_the_admin(telavi_self, staff, project_staff):
    answer_all(telavi_self)
    bring_to(telavi_self, Status.REVIEW, by=project_staff)
    comment = ReviewComment.objects.create(assessment=telavi_self, text="Keep me", author=None)
    data = comment_form(telavi_self, "")
    data.update(
        {
            "comments-TOTAL_FORMS": "1",
            "comments-INITIAL_FORMS": "1",
            "comments-0-id": comment.pk,
            "comments-0-text": "Keep me",
            "comments-0-DELETE": "on",
        }
    )
    staff.post(change_url(telavi_self), data)
    assert ReviewComment.objects.filter(pk=comment.pk).exists()


# --- The whole table ------------------------------------------------------------------------

# Each row of workflow.PERMISSIONS and TRANSITIONS, and the test that tries it through
# the page that uses it.
TRIED = {
    "view": "test_permissions: view the answers of a draft / under review",
    "edit_answers": "test_permissions: edit the answers of a draft / once submitted",
    "write_reply": "test_permissions: write a reply",
    "view_history": "test_permissions: see the full history",
    "comment": "test_project_staff_comment_inline_only_under_review",
    "assign_organization": "test_the_organisation_of_a_submitted_assessment_stays",
    "edit_identity": "test_project_staff_cannot_move_a_published_assessment_to_…",
}


def test_every_row_of_the_workflow_table_is_tried_by_a_test():
    assert {p.action for p in PERMISSIONS} == set(TRIED)
    assert {t.action for t in TRANSITIONS} <= set(MATRIX)
    names = {name for name in globals() if name.startswith("test_")}
    for tried in TRIED.values():
        if not tried.startswith("test_permissions"):
            assert any(name.startswith(tried.rstrip("…")) for name in names), tried


# --- A correction must change something -----------------------------------------------------


def test_a_correction_that_changes_nothing_is_refused(published_2021, project_staff):
    external = published_2021["telavi", "external"]
    services.move_assessment(assessment=external, action="correct", by=project_staff)

    with override("en"), pytest.raises(ValidationError, match="changes nothing that revision 1"):
        services.publish_assessment(
            assessment=external, by=project_staff, note_ka="ა", note_en="a", notify=False
        )
    assert list(external.snapshots.values_list("revision", "is_current")) == [(1, True)]


def test_a_correction_that_adds_an_evidence_file_is_a_change(
    published_2021, project_staff, media, citizen
):
    external = published_2021["telavi", "external"]
    services.move_assessment(assessment=external, action="correct", by=project_staff)
    evidence(external.responses.get(indicator__code="A.2.1"), name="village-list.pdf")

    second = services.publish_assessment(
        assessment=external, by=project_staff, note_ka="ფაილი", note_en="A file", notify=False
    )
    assert second.revision == 2
    page = citizen.get("/en/scorecards/2021/telavi/revisions/").content.decode()
    assert "No answer changed; the correction added or removed evidence files." in page


# --- Evidence files: private, and kept while a published revision shows them ----------------


@pytest.fixture
def published_with_a_file(published_2021, project_staff, media):
    """Telavi's external 2021 assessment republished with a village list as evidence of A.2.1,
    then taken back for a correction and returned to the CSO monitor as a draft."""
    external = published_2021["telavi", "external"]
    services.move_assessment(assessment=external, action="correct", by=project_staff)
    document = evidence(external.responses.get(indicator__code="A.2.1"), name="villages.pdf")
    services.publish_assessment(
        assessment=external, by=project_staff, note_ka="ფაილი", note_en="A file", notify=False
    )
    services.move_assessment(assessment=external, action="correct", by=project_staff)
    indicator = Indicator.objects.get(
        code="A.2.1", criterion__area__version=external.cycle.methodology
    )
    services.return_assessment(
        assessment=external, by=project_staff, comments=[(indicator.pk, "Check the list.")]
    )
    return external, document


def test_evidence_files_are_never_under_a_public_media_address(
    published_with_a_file, media, settings, citizen
):
    _external, document = published_with_a_file
    assert isinstance(document.file.storage, PrivateStorage)
    assert document.file.path.startswith(str(settings.PRIVATE_ROOT))
    assert citizen.get(f"/media/{document.file.name}").status_code == 404


def test_a_file_removed_during_a_correction_stays_public_until_the_correction_is_published(
    published_with_a_file,
    cso_monitor,
    browser_of,
    open_area,
    citizen,
    project_staff,
    django_capture_on_commit_callbacks,
):
    external, document = published_with_a_file
    evidence_url = f"/en/evidence/{document.pk}/"
    monitor = browser_of(cso_monitor, "en")
    area = open_area(monitor, external)

    saved = area.post({"A.2.1": {"remove_files": [str(document.pk)], "value": "61"}})

    assert saved.status_code == 302
    document.refresh_from_db()
    assert document.removed_at is not None
    # The public revision still links the file, and the file is still served.
    assert evidence_url in citizen.get("/en/scorecards/2021/telavi/?show=all").content.decode()
    assert citizen.get(evidence_url).status_code == 200
    # The monitor's form no longer offers it.
    assert "villages.pdf" not in open_area(monitor, external).html

    services.submit_assessment(assessment=external, by=cso_monitor)
    services.move_assessment(assessment=external, action="start_review", by=project_staff)
    with django_capture_on_commit_callbacks(execute=True):  # the public pages are cleared
        services.publish_assessment(
            assessment=external, by=project_staff, note_ka="სია", note_en="The list", notify=False
        )

    assert evidence_url not in citizen.get("/en/scorecards/2021/telavi/?show=all").content.decode()
    assert citizen.get(evidence_url).status_code == 404


def test_a_file_no_revision_published_is_deleted_when_removed(
    telavi_external, cso_monitor, browser_of, open_area, media
):
    document = evidence(telavi_external.responses.get_or_create(
        indicator=Indicator.objects.get(code="A.2.1")
    )[0])  # fmt: skip
    path = document.file.path
    open_area(browser_of(cso_monitor, "en"), telavi_external).post(
        {"A.2.1": {"remove_files": [str(document.pk)]}}
    )
    assert not document.__class__.objects.filter(pk=document.pk).exists()
    assert not os.path.exists(path)


def test_a_correction_that_only_removes_an_evidence_file_is_a_change(
    published_with_a_file, project_staff, cso_monitor
):
    external, document = published_with_a_file
    document.remove(by=cso_monitor)
    services.submit_assessment(assessment=external, by=cso_monitor)
    services.move_assessment(assessment=external, action="start_review", by=project_staff)

    third = services.publish_assessment(
        assessment=external, by=project_staff, note_ka="ფაილი ამოღებულია", note_en="File removed",
        notify=False,
    )  # fmt: skip
    assert third.revision == 3
    assert not document.is_shown_in(third)
