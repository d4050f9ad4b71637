"""Project staff in the admin: answers are editable only in a draft, status only by workflow."""

import pytest

from assessments.workflow import Status
from tests import factories


@pytest.fixture
def staff_client(client, project_staff):
    client.force_login(project_staff)
    return client


def post_answer(client, response, **fields):
    data = {
        "assessment": response.assessment_id,
        "indicator": response.indicator_id,
        "files-TOTAL_FORMS": "0",
        "files-INITIAL_FORMS": "0",
    }
    return client.post(
        f"/admin/assessments/response/{response.pk}/change/",
        data | fields,
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def telavi_self(telavi, cycle_2021):
    assessment = factories.assessment(telavi, cycle_2021, "self")
    factories.answer(assessment, "A.1.1", 1)
    return assessment


def test_project_staff_edit_a_draft_answer_on_its_area_page(
    staff_client, telavi_self, project_staff, open_area
):
    page = open_area(staff_client, telavi_self, "A", admin=True)
    saved = page.post({"A.1.1": {"value": "0", "evidence": "Council minutes"}})
    assert saved.status_code == 302
    response = telavi_self.responses.get(indicator__code="A.1.1")
    assert response.value == 0
    assert response.evidence == "Council minutes"
    assert response.updated_by == project_staff
    assert response.history.first().history_user == project_staff


def test_it_rejects_an_out_of_range_answer_with_a_message(staff_client, telavi_self, open_area):
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = open_area(staff_client, telavi_self, "A", admin=True)
    refused = page.post({"A.1.1": {"value": "7", "evidence": "Kept"}})
    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()
    assert "Kept" in refused.content.decode()
    assert telavi_self.responses.get(indicator__code="A.1.1").value == 1


def test_the_answers_admin_is_for_reading_only(staff_client, telavi_self):
    response = telavi_self.responses.get()
    page = post_answer(staff_client, response, value="0")
    assert page.status_code == 403
    response.refresh_from_db()
    assert response.value == 1


def test_answers_of_a_submitted_assessment_are_read_only(staff_client, telavi_self):
    telavi_self.status = Status.SUBMITTED
    telavi_self.save()
    response = telavi_self.responses.get()
    page = post_answer(staff_client, response, value="0")
    assert page.status_code == 403
    response.refresh_from_db()
    assert response.value == 1


def test_the_status_cannot_be_set_by_hand(staff_client, telavi_self):
    page = staff_client.get(f"/admin/assessments/assessment/{telavi_self.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()


def test_project_staff_see_an_assessments_history(staff_client, telavi_self):
    telavi_self.reply_deadline = "2021-06-30"
    telavi_self.save()
    page = staff_client.get(f"/admin/assessments/assessment/{telavi_self.pk}/history/")
    assert page.status_code == 200
    for record in telavi_self.history.all():
        assert f"/history/{record.history_id}/" in page.content.decode()
    assert telavi_self.history.count() == 2
