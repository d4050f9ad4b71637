"""The Celery app. Queues: "pdf" for rendering, "mail" for notifications, "celery" for
the rest; beat runs the periodic jobs in settings.CELERY_BEAT_SCHEDULE. With no broker
configured (CELERY_BROKER_URL unset) every task runs eagerly, in process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "musqat.settings")

app = Celery("musqat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
