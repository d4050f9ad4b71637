"""Emails on submission, return, the opening of the right of reply and publication: to the
right people, each in their own language, only once the change is committed, and never
twice for one event.

Who speaks what: the project staff member and the Telavi staff member read Georgian (the
default); Anna of the project team and the CSO monitor read English.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from assessments import services
from assessments.notifications import send_notification
from assessments.permissions import PROJECT_STAFF_GROUP
from assessments.workflow import Status
from musqat.models import SentNotification
from tests import factories
from tests.assessments.conftest import answer_all, bring_to, speaks


@pytest.fixture(autouse=True)
def addresses(project_staff, telavi_staff, sighnaghi_staff, cso_monitor):
    for person in (project_staff, telavi_staff, sighnaghi_staff, cso_monitor):
        person.email = f"{person.username}@example.ge"
        person.save()
    speaks(cso_monitor, "en")


@pytest.fixture
def anna(db):
    person = factories.user(
        "anna", group=PROJECT_STAFF_GROUP, is_staff=True, email="anna@example.org"
    )
    return speaks(person, "en")


def sent_to(mailoutbox):
    return sorted(address for mail in mailoutbox for address in mail.to)


def mail_to(mailoutbox, address):
    (mail,) = [mail for mail in mailoutbox if mail.to == [address]]
    return mail


def test_it_tells_the_project_staff_of_a_submission_each_in_their_language(
    telavi_external, cso_monitor, anna, mailoutbox, django_capture_on_commit_callbacks
):
    answer_all(telavi_external)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_assessment(assessment=telavi_external, by=cso_monitor)

    assert sent_to(mailoutbox) == ["anna@example.org", "project-staff@example.ge"]
    english = mail_to(mailoutbox, "anna@example.org")
    assert english.subject == "Submitted for review: Telavi 2022 – External assessment"
    assert "Telavi 2022 – External assessment has been submitted and is ready for review." in (
        english.body
    )
    assert f"/admin/assessments/assessment/{telavi_external.pk}/change/" in english.body
    georgian = mail_to(mailoutbox, "project-staff@example.ge")
    assert georgian.subject == "წარდგენილია განსახილველად: თელავი 2022 – გარე შეფასება"
    assert "მოგესალმებით, project-staff!" in georgian.body
    assert "„თელავი 2022 – გარე შეფასება“ წარდგენილია და მზადაა განსახილველად." in georgian.body
    assert "Telavi" not in georgian.body


def test_it_tells_the_owners_of_a_return_what_to_change(
    telavi_external, project_staff, cso_monitor, cso, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = factories.cso_monitor("nino", cso)
    colleague.email = "nino@example.ge"
    colleague.save()
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    indicator = telavi_external.indicators().get(code="A.2.1")

    with django_capture_on_commit_callbacks(execute=True):
        services.return_assessment(
            assessment=telavi_external,
            by=project_staff,
            comments=[(indicator.pk, "Name the villages you visited.")],
        )

    assert sent_to(mailoutbox) == ["cso-monitor@example.ge", "nino@example.ge"]
    english = mail_to(mailoutbox, "cso-monitor@example.ge")
    assert english.subject == "Returned to you with comments: Telavi 2022 – External assessment"
    assert "- A.2.1: Name the villages you visited." in english.body
    assert f"/monitor/assessments/{telavi_external.pk}/" in english.body


def test_it_tells_the_municipality_s_staff_of_their_returned_self_assessment(
    telavi_self, project_staff, mailoutbox, django_capture_on_commit_callbacks
):
    bring_to(telavi_self, Status.REVIEW, by=project_staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_assessment(
            assessment=telavi_self, by=project_staff, comments=[], note="Add the sources."
        )
    assert sent_to(mailoutbox) == ["telavi-staff@example.ge"]


def test_it_tells_only_that_municipality_s_staff_that_the_reply_is_open(
    telavi_external, project_staff, mailoutbox, django_capture_on_commit_callbacks
):
    bring_to(telavi_external, Status.SUBMITTED, by=project_staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_reply(assessment=telavi_external, by=project_staff, days=10)

    assert sent_to(mailoutbox) == ["telavi-staff@example.ge"]
    mail = mailoutbox[0]
    assert mail.subject == "თქვენთვის პასუხის უფლება გახსნილია: თელავი 2022 – გარე შეფასება"
    telavi_external.refresh_from_db()
    assert telavi_external.reply_deadline.strftime("%d.%m.%Y") in mail.body
    assert f"/admin/assessments/assessment/{telavi_external.pk}/reply/" in mail.body


def test_it_tells_the_cso_and_the_municipality_of_a_publication(
    telavi_external, project_staff, mailoutbox, django_capture_on_commit_callbacks
):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_assessment(assessment=telavi_external, by=project_staff)

    assert sent_to(mailoutbox) == ["cso-monitor@example.ge", "telavi-staff@example.ge"]
    english = mail_to(mailoutbox, "cso-monitor@example.ge")
    assert english.subject == "Published: Telavi 2022 – External assessment"
    georgian = mail_to(mailoutbox, "telavi-staff@example.ge")
    assert georgian.subject == "გამოქვეყნდა: თელავი 2022 – გარე შეფასება"


def test_it_sends_no_email_before_the_change_is_committed(
    telavi_external, cso_monitor, mailoutbox, django_capture_on_commit_callbacks
):
    answer_all(telavi_external)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.submit_assessment(assessment=telavi_external, by=cso_monitor)
        assert mailoutbox == []

    for callback in callbacks:
        callback()
    assert sent_to(mailoutbox) == ["project-staff@example.ge"]


def test_it_sends_no_email_when_the_transaction_rolls_back(
    telavi_external, cso_monitor, mailoutbox, django_capture_on_commit_callbacks
):
    answer_all(telavi_external)

    class Interrupted(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Interrupted),
        transaction.atomic(),
    ):
        services.submit_assessment(assessment=telavi_external, by=cso_monitor)
        raise Interrupted

    assert callbacks == []
    assert mailoutbox == []
    telavi_external.refresh_from_db()
    assert telavi_external.status == Status.DRAFT


def test_it_sends_nothing_for_a_refused_transition(
    telavi_external, cso_monitor, mailoutbox, django_capture_on_commit_callbacks
):
    answer_all(telavi_external, {"A.1.1": 1})  # incomplete
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.submit_assessment(assessment=telavi_external, by=cso_monitor)
    assert callbacks == [] and mailoutbox == []


def test_it_does_not_send_twice_when_the_task_is_retried(
    telavi_external, cso_monitor, anna, mailoutbox, django_capture_on_commit_callbacks
):
    answer_all(telavi_external)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.submit_assessment(assessment=telavi_external, by=cso_monitor)
    assert len(mailoutbox) == 2

    for callback in callbacks:  # the same event queued again, as a retry would
        callback()
    record = telavi_external.history.latest()
    key = f"submitted:{telavi_external.pk}:{record.history_id}"
    retried = send_notification.delay(event="submitted", assessment_id=telavi_external.pk, key=key)
    assert retried.get() == 0

    assert len(mailoutbox) == 2
    assert SentNotification.objects.count() == 2


def test_it_sends_the_next_occurrence_of_an_event_again(
    telavi_external, project_staff, cso_monitor, mailoutbox, django_capture_on_commit_callbacks
):
    bring_to(telavi_external, Status.REVIEW, by=project_staff)
    indicator = telavi_external.indicators().get(code="A.2.1")
    for text in ("First round", "Second round"):
        with django_capture_on_commit_callbacks(execute=True):
            services.return_assessment(
                assessment=telavi_external, by=project_staff, comments=[(indicator.pk, text)]
            )
        services.submit_assessment(assessment=telavi_external, by=cso_monitor, notify=False)
        services.move_assessment(
            assessment=telavi_external, action="start_review", by=project_staff
        )

    assert [mail.subject.split(":")[0] for mail in mailoutbox] == [
        "Returned to you with comments",
        "Returned to you with comments",
    ]
    assert "Second round" in mailoutbox[1].body and "First round" not in mailoutbox[1].body


def test_it_sends_nothing_to_people_with_no_address_or_no_longer_active(
    telavi_external,
    cso_monitor,
    anna,
    project_staff,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    anna.is_active = False
    anna.save()
    project_staff.email = ""
    project_staff.save()
    answer_all(telavi_external)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_assessment(assessment=telavi_external, by=cso_monitor)
    assert mailoutbox == []
