"""Publishing makes its PDFs through a real worker, even one that dies half-way."""

import time

import pytest

from assessments.models import Document, JobStatus, Rendering
from tests import factories

from .support import (
    VISIBILITY_TIMEOUT,
    assert_complete_pdf,
    pdf_text,
    rendering_states,
    wait_for,
    wait_until_rendered,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SELF_ANSWERS = {"A.1.1": 0, "A.1.2": 2, "B.1.1": 8}
EXTERNAL_ANSWERS = {"A.1.1": 1, "A.2.1": 60, "B.1.1": 14}


@pytest.fixture
def telavi_2021(telavi, cycle_2021, cso):
    """Telavi's two assessments of 2021, neither published yet."""
    return {
        "self": factories.assessment(telavi, cycle_2021, "self"),
        "external": factories.assessment(telavi, cycle_2021, "external", organization=cso),
    }


def scorecards(telavi, cycle):
    return Rendering.objects.filter(
        document=Document.SCORECARD, municipality=telavi, cycle=cycle
    ).order_by("language")


def test_publishing_renders_the_scorecard_in_both_languages(
    worker, pdf_settings, telavi_2021, telavi, cycle_2021, publish
):
    # The external assessment is still open, so only Telavi's scorecard is called for.
    publish(telavi_2021["self"], SELF_ANSWERS)

    rendered = wait_until_rendered(
        scorecards(telavi, cycle_2021), count=2, timeout=45, worker=worker
    )

    assert [r.language for r in rendered] == ["en", "ka"]
    assert set(Rendering.objects.values_list("document", flat=True)) == {Document.SCORECARD}
    for rendering in rendered:
        assert rendering.attempts == 1
        assert rendering.error == ""
        assert rendering.duration > 0
        path = assert_complete_pdf(rendering, pdf_settings)
        assert path.name.startswith(f"musqat-scorecard-2021-telavi-{rendering.language}-")
    english, georgian = (pdf_text(pdf_settings / r.file.name) for r in rendered)
    assert "Telavi" in english
    assert "თელავი" in georgian
    assert "Telavi" not in georgian


def test_publishing_the_last_assessment_renders_the_whole_cycle(
    worker, pdf_settings, telavi_2021, cycle_2021, publish
):
    publish(telavi_2021["self"], SELF_ANSWERS)
    publish(telavi_2021["external"], EXTERNAL_ANSWERS)

    # Telavi's scorecard, the regional report and the methodology handbook, in ka and en.
    rendered = wait_until_rendered(Rendering.objects.all(), count=6, timeout=55, worker=worker)

    assert {(r.document, r.language) for r in rendered} == {
        (document, language)
        for document in (Document.SCORECARD, Document.REPORT, Document.HANDBOOK)
        for language in ("ka", "en")
    }
    for rendering in rendered:
        assert_complete_pdf(rendering, pdf_settings)


def test_a_render_cut_off_by_a_killed_worker_is_done_again_by_the_next(
    broker, start_worker, pdf_settings, telavi_2021, telavi, cycle_2021, publish
):
    first = start_worker(broker.url)
    publish(telavi_2021["self"], SELF_ANSWERS)

    running = wait_for(
        lambda: Rendering.objects.filter(status=JobStatus.RUNNING).first(),
        timeout=30,
        interval=0.01,
        what="a render to start",
        details=first.tail,
    )
    first.kill()
    killed_at = time.time()

    running.refresh_from_db()
    assert running.status == JobStatus.RUNNING, (
        "the render ended before the worker was killed; the test missed its moment:\n"
        + rendering_states(scorecards(telavi, cycle_2021))
    )
    assert not running.file
    assert running.attempts == 1
    # Acknowledged late: the job is still the broker's, delivered and not acknowledged.
    unacked = broker.unacked()
    assert len(unacked) == 1, unacked
    delivered_at = unacked[0][1]
    assert delivered_at <= killed_at

    # A worker puts back, when it starts, what was delivered over VISIBILITY_TIMEOUT ago.
    while time.time() < delivered_at + VISIBILITY_TIMEOUT + 0.5:
        time.sleep(0.1)
    second = start_worker(broker.url)

    rendered = wait_until_rendered(
        scorecards(telavi, cycle_2021), count=2, timeout=40, worker=second
    )
    # A worker acknowledges a job after the task returns, a moment after its file is
    # recorded as ready: the broker's list empties shortly after, not at that instant.
    wait_for(
        lambda: not broker.unacked(),
        timeout=10,
        what="the broker to hold no unacknowledged job",
        details=lambda: repr(broker.unacked()),
    )
    for rendering in rendered:
        assert_complete_pdf(rendering, pdf_settings)
        assert rendering.attempts == (2 if rendering.pk == running.pk else 1)
