"""The Celery app, and the base class of every task.

Queues: "pdf" for rendering, "mail" for notifications, "celery" for the rest; beat runs
the periodic jobs in settings.CELERY_BEAT_SCHEDULE. With no broker configured
(CELERY_BROKER_URL unset) every task runs eagerly, in process.
"""

import functools
import logging
import os

from celery import Celery, signals
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import KombuError

from . import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "musqat.settings")

logger = logging.getLogger(__name__)

# What queuing a task raises when the broker cannot be reached: Celery turns the
# transport's connection errors into kombu's OperationalError; a refused or timed-out
# socket may still come through as an OSError.
QUEUE_ERRORS = (KombuError, OSError)


class Task(DjangoTask):
    """A task is queued after the commit that calls for it, and a job that keeps a record
    of its work fails in one way: retried with backoff, then recorded as failed."""

    # Seconds before the first retry of a failed job; each retry waits twice as long.
    retry_seconds = 10

    def delay_on_commit(self, *args, **kwargs) -> None:
        """Queue once the transaction commits (at once outside one), never for a rollback.

        The change is committed whatever happens to the queue: a broker that cannot be
        reached is logged and handed to `not_queued`, never turned into an error for a
        request that succeeded.
        """
        transaction.on_commit(functools.partial(self._queue, args, kwargs), robust=True)

    def _queue(self, args, kwargs) -> None:
        try:
            self.delay(*args, **kwargs)
        except QUEUE_ERRORS as error:
            logger.warning("%s could not be queued: %s", self.name, error)
            self.not_queued(error, *args, **kwargs)

    def not_queued(self, error: Exception, *args, **kwargs) -> None:
        """A task the broker did not take. By default it is left for a sweep to queue again."""

    def run_recorded(self, work, record_failure, pk: int) -> str:
        """Do one job's `work(pk)`. On an error `record_failure(pk, error, final=…)` keeps
        it, and the job is tried again later; after the last try it stays failed."""
        try:
            return work(pk)
        except Exception as error:
            final = self.request.is_eager or self.request.retries >= self.max_retries
            record_failure(pk, error, final=final)
            if not final:
                countdown = self.retry_seconds * 2**self.request.retries
                raise self.retry(exc=error, countdown=countdown) from error
            logger.exception("%s %s failed after %s tries", self.name, pk, self.request.retries + 1)
            return "failed"


app = Celery("musqat", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task logs with the id of the request that queued it (musqat/logs.py).
signals.before_task_publish.connect(logs.send_request_id, weak=False)
signals.task_prerun.connect(logs.receive_request_id, weak=False)
signals.task_postrun.connect(logs.forget_request_id, weak=False)
