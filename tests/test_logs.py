"""Logs a person can follow: JSON lines with the request's id, in the responses and in the
tasks a request queues (musqat/logs.py)."""

import json
import logging
import sys
import types

import pytest

from musqat import logs


@pytest.fixture
def records():
    """What is logged while the test runs, through the site's filter."""
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record)

    handler = Keep()
    handler.addFilter(logs.RequestIdFilter())
    root = logging.getLogger()
    requests_logger = logging.getLogger("musqat.requests")
    level = requests_logger.level
    requests_logger.setLevel(logging.INFO)
    root.addHandler(handler)
    yield seen
    root.removeHandler(handler)
    requests_logger.setLevel(level)


@pytest.mark.django_db
def test_every_response_carries_a_new_request_id(client):
    first = client.get("/en/about/")["X-Request-ID"]
    second = client.get("/en/about/")["X-Request-ID"]

    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("3f2a9c1e-77b0-4c55-9e0d-2f1f4b6d8a10", True),
        ("short", False),
        ("x" * 65, False),
        ('id with spaces and "quotes"', False),
        ("abc123\r\nX-Injected: 1", False),
    ],
)
def test_a_proxys_request_id_is_kept_only_when_it_is_a_plain_token(client, offered, kept):
    answered = client.get("/en/about/", HTTP_X_REQUEST_ID=offered)["X-Request-ID"]

    assert (answered == offered) is kept
    assert logs.PLAIN_ID.fullmatch(answered)


@pytest.mark.django_db
def test_each_request_ends_with_a_line_naming_its_status_and_id(client, records):
    response = client.get("/en/no-such-page/", HTTP_X_REQUEST_ID="trace-0000-1111")

    lines = [r for r in records if r.name == "musqat.requests"]
    assert response.status_code == 404
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status) == ("GET", "/en/no-such-page/", 404)
    assert line.request_id == "trace-0000-1111"
    assert line.ms >= 0


def test_the_json_format_is_one_object_a_line_with_the_id_and_the_extra_fields():
    formatter = logs.JsonFormatter()
    record = logging.LogRecord(
        "musqat.test", logging.WARNING, __file__, 1, "ქალაქი %s", ("თელავი",), None
    )
    record.request_id = "abc12345"
    record.status = 503
    try:
        raise ValueError("broken")
    except ValueError:
        record.exc_info = sys.exc_info()

    line = formatter.format(record)
    entry = json.loads(line)

    assert "\n" not in line
    assert entry["message"] == "ქალაქი თელავი"  # readable, not \u escapes
    assert "თელავი" in line
    assert (entry["level"], entry["logger"]) == ("WARNING", "musqat.test")
    assert entry["request_id"] == "abc12345"
    assert entry["status"] == 503
    assert entry["time"].endswith("+00:00")
    assert "ValueError: broken" in entry["exception"]


def test_a_task_queued_by_a_request_carries_its_id_and_logs_with_it():
    token = logs.request_id.set("publish-request-1")
    try:
        headers = {}
        logs.send_request_id(headers=headers)
    finally:
        logs.request_id.reset(token)
    assert headers == {"request_id": "publish-request-1"}

    task = types.SimpleNamespace(request=types.SimpleNamespace(request_id="publish-request-1"))
    logs.receive_request_id(task=task)
    assert logs.request_id.get() == "publish-request-1"
    logs.forget_request_id()
    assert logs.request_id.get() == ""


def test_a_periodic_task_gets_an_id_of_its_own_and_a_hostile_one_is_replaced():
    for offered in (None, "bad id\n"):
        task = types.SimpleNamespace(request=types.SimpleNamespace(request_id=offered))
        logs.receive_request_id(task=task)
        current = logs.request_id.get()
        assert logs.PLAIN_ID.fullmatch(current) and current != offered
    logs.forget_request_id()
