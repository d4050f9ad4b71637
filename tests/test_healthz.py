"""/healthz answers 200 when the database and the broker answer, and 503 naming what is
down (DESIGN.md, "Names that other tools rely on")."""

import json
import time

import pytest
from celery import Celery
from django.db import OperationalError

from musqat import health


def read(client):
    answer = client.get("/healthz")
    return answer, json.loads(answer.content)


@pytest.mark.django_db
def test_it_answers_200_when_the_database_answers_and_no_broker_is_used(client):
    answer, body = read(client)
    assert answer.status_code == 200
    assert body == {
        "status": "ok",
        "down": [],
        "checks": {"database": "ok", "broker": "not used"},
    }
    assert "no-store" in answer["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", refused)
    answer, body = read(client)
    assert answer.status_code == 503
    assert body["down"] == ["database"]


@pytest.mark.django_db
def test_it_answers_503_naming_the_broker_when_it_cannot_be_reached(client, settings, monkeypatch):
    # A Celery app of the test's own, sending to where nothing listens: the site's app
    # and its configuration stay as they are for the other tests.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # it would win over the app's
    monkeypatch.setattr(health, "app", Celery(broker="redis://127.0.0.1:1/0", set_as_current=False))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    started = time.monotonic()
    answer, body = read(client)
    took = time.monotonic() - started
    assert answer.status_code == 503
    assert body["down"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert took < 10  # a prober is not kept waiting


@pytest.mark.django_db
def test_it_takes_no_post(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_it_answers_whatever_host_the_prober_names(client, settings):
    """Docker and load balancers ask by address; other pages still refuse unknown hosts."""
    settings.ALLOWED_HOSTS = ["musqat.example.org"]

    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/en/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    assert client.get("/healthz/", HTTP_HOST="10.0.0.7:8000").status_code == 400
