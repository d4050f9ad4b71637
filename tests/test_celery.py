"""Tasks keep the names that queues, routes and beat refer to (DESIGN.md), wherever their
code lives, and every one of them queues after the commit in the same way."""

import pytest
from django.conf import settings
from django.db import transaction

from musqat.celery import Task, app

STABLE_NAMES = {
    "assessments.tasks.render_pdf",
    "assessments.tasks.sweep_pdfs",
    "assessments.tasks.send_notification",
    "assessments.tasks.export_cycle",
    "assessments.tasks.close_expired_replies",
    "grants.tasks.send_grant_notification",
    "grants.tasks.render_call_pdf",
    "grants.tasks.export_call",
    "grants.tasks.remind_reports",
    "assessments.tasks.send_plan_notification",
    "assessments.tasks.check_action_plans",
}


def project_tasks():
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_keeps_its_stable_name():
    assert set(project_tasks()) == STABLE_NAMES


def test_routes_and_the_beat_schedule_name_tasks_that_exist():
    named = set(settings.CELERY_TASK_ROUTES) | {
        job["task"] for job in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert named <= set(project_tasks())


def test_every_task_is_queued_after_the_commit_the_same_way():
    assert all(isinstance(task, Task) for task in project_tasks().values())


@pytest.mark.django_db(transaction=True)
def test_a_task_is_not_queued_for_a_rollback_and_a_broker_outage_is_not_an_error(monkeypatch):
    sent, refused = [], []
    task = app.tasks["assessments.tasks.sweep_pdfs"]
    monkeypatch.setattr(task, "delay", lambda *args, **kwargs: sent.append(args))
    with pytest.raises(RuntimeError), transaction.atomic():
        task.delay_on_commit()
        raise RuntimeError("the change is rolled back")
    assert sent == []

    with transaction.atomic():
        task.delay_on_commit()
    assert sent == [()]

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    monkeypatch.setattr(task, "delay", broker_down)
    monkeypatch.setattr(task, "not_queued", lambda error: refused.append(str(error)))
    with transaction.atomic():
        task.delay_on_commit()  # no error: the change is committed whatever the queue does
    assert refused == ["[Errno 111] Connection refused"]
