"""The staff's results workbook is written by a real worker, which reports its progress."""

import io

import pytest
from django.db import transaction
from openpyxl import load_workbook

from assessments.models import Export, JobStatus
from assessments.opendata.exports import queue_export

from .support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_root(settings, tmp_path):
    """Exports go to their own private folder, here and in the worker."""
    private = tmp_path / "private"
    private.mkdir()
    settings.PRIVATE_ROOT = private
    return private


def test_an_export_is_written_by_the_worker_and_ends_ready_to_download(
    broker, start_worker, private_root, published_2021, cycle_2021, project_staff
):
    worker = start_worker(broker.url, PRIVATE_ROOT=str(private_root))
    with transaction.atomic():
        export = queue_export(cycle=cycle_2021, language="en", by=project_staff)
        # Nothing is sent before the commit: the worker could not see the record yet.
        assert Export.objects.get(pk=export.pk).status == JobStatus.PENDING

    def finished():
        export.refresh_from_db()
        return export.status in (JobStatus.DONE, JobStatus.FAILED)

    wait_for(finished, timeout=45, what="the export to finish", details=worker.tail)

    assert export.status == JobStatus.DONE, export.error
    assert export.total > 0
    assert export.done == export.total
    book = load_workbook(io.BytesIO((private_root / export.file.name).read_bytes()))
    scores = book.worksheets[0]
    municipalities = {row[0] for row in scores.iter_rows(min_row=2, values_only=True)}
    assert municipalities == {"Telavi", "Sighnaghi"}
