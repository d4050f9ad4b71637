"""/healthz against a real broker: 200 while Redis answers, 503 naming it once stopped."""

import json

import pytest

from .support import sending_to

# Transactional, as the other integration tests: they run after the rest of the suite, since
# sending_to leaves the Celery app configured as it found it on the way in.
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_it_answers_200_while_the_broker_answers_and_503_once_it_stops(
    client, settings, private_redis
):
    # sending_to keeps the Celery app's configuration as it finds it, to put it back: the
    # site's setting changes inside it, never before.
    with sending_to(private_redis.url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        answer = client.get("/healthz")
        assert answer.status_code == 200, answer.content
        assert json.loads(answer.content)["checks"] == {"database": "ok", "broker": "ok"}

        private_redis.stop()
        answer = client.get("/healthz")
        assert answer.status_code == 503
        assert json.loads(answer.content)["down"] == ["broker"]
