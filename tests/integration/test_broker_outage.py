"""Publishing while the broker is down: the publication stands, its PDFs wait, and the
sweep makes them once the broker is back.

These tests stop Redis, so they run their own redis-server on a free port, never the
machine's shared one.
"""

import time

import pytest
from django.db import connections

from assessments import services
from assessments.models import Document, JobStatus, Rendering, ScoreSnapshot
from assessments.pdf.jobs import sweep_pdfs
from assessments.workflow import Status
from tests import factories

from .support import Broker, assert_complete_pdf, sending_to, wait_for, wait_until_rendered

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ANSWERS = {"A.1.1": 0, "A.1.2": 2, "B.1.1": 8}
# Queuing gives up after three quick retries (CELERY_TASK_PUBLISH_RETRY_POLICY), for each
# task; publishing must not hang on a dead broker.
PUBLISH_SECONDS = 15


@pytest.fixture
def telavi_self(telavi, cycle_2021, cso):
    """Telavi's self-assessment of 2021, answered and under review; the external one is
    still open, so publishing it calls for Telavi's scorecard only."""
    assessment = factories.assessment(telavi, cycle_2021, "self")
    factories.assessment(telavi, cycle_2021, "external", organization=cso)
    for code, value in ANSWERS.items():
        factories.answer(assessment, code, value)
    assessment.status = Status.REVIEW
    assessment.save()
    return assessment


def committed(assessment) -> tuple[str, int]:
    """The assessment's status and snapshot count, as another connection sees them."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT status FROM assessments_assessment WHERE id = %s", [assessment.pk]
            )
            (status,) = cursor.fetchone()
            cursor.execute(
                f"SELECT count(*) FROM {ScoreSnapshot._meta.db_table} WHERE assessment_id = %s",
                [assessment.pk],
            )
            (snapshots,) = cursor.fetchone()
    finally:
        other.close()
    return status, snapshots


def publish_while_down(assessment, by, **options):
    started = time.monotonic()
    services.publish_assessment(assessment=assessment, by=by, **options)
    seconds = time.monotonic() - started
    print(f"publishing with the broker down took {seconds:.1f} s")
    return seconds


def assert_published_and_pending(assessment, telavi, cycle):
    assert committed(assessment) == (Status.PUBLISHED, 1)
    renderings = Rendering.objects.filter(document=Document.SCORECARD, municipality=telavi,
                                          cycle=cycle)  # fmt: skip
    assert sorted(r.language for r in renderings) == ["en", "ka"]
    for rendering in renderings:
        assert rendering.status == JobStatus.PENDING
        assert rendering.requested_at is not None
        assert rendering.attempts == 0
        assert not rendering.file
    return renderings


def test_publishing_while_the_broker_is_down_does_not_fail(
    private_redis, pdf_settings, telavi_self, telavi, cycle_2021, project_staff
):
    """As the admin publishes: with the notification emails too."""
    with sending_to(private_redis.url):
        private_redis.stop()

        seconds = publish_while_down(telavi_self, project_staff)

    assert seconds < PUBLISH_SECONDS
    assert_published_and_pending(telavi_self, telavi, cycle_2021)


def test_the_sweep_renders_what_was_published_while_the_broker_was_down(
    private_redis, start_worker, pdf_settings, telavi_self, telavi, cycle_2021, project_staff
):
    # The worker's sweep counts a PDF queued any time ago as lost (in production, after
    # MUSQAT_RENDER_STUCK_MINUTES=30), as it would be by the time the sweep comes round.
    worker = start_worker(private_redis.url, MUSQAT_RENDER_STUCK_MINUTES="0")
    broker = Broker(private_redis.url)
    with sending_to(private_redis.url):
        private_redis.stop()

        seconds = publish_while_down(telavi_self, project_staff, notify=False)

        assert seconds < PUBLISH_SECONDS
        renderings = assert_published_and_pending(telavi_self, telavi, cycle_2021)
        assert worker.alive

        private_redis.start()
        # The worker reconnects and declares its queues again on the empty server.
        wait_for(
            lambda: broker.client().exists("_kombu.binding.pdf"),
            timeout=30,
            what="the worker to reconnect to the restarted broker",
            details=worker.tail,
        )
        sweep_pdfs.delay()

        rendered = wait_until_rendered(renderings, count=2, timeout=40, worker=worker)

    for rendering in rendered:
        assert rendering.attempts == 1
        assert_complete_pdf(rendering, pdf_settings)
    assert "sweep_pdfs" in worker.output()
