"""Logs that can be followed across processes: one JSON object a line, with a request id.

Every request gets an id: the one the proxy in front sent in X-Request-ID when it is a
plain token, else a new one. It is sent back in the response's X-Request-ID, carried on
every log record written while the request is served, and handed to the tasks the request
queues, so a PDF rendered by a worker can be traced to the publication that asked for it.
Each request also ends with one line of its own: method, path, status and milliseconds.

Production logs JSON to standard output (LOG_FORMAT=json, the default when DEBUG is off);
development keeps plain lines.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import re
import time
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only when it is a plain token: it goes into every log line.
PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}", re.ASCII)

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
requests_logger = logging.getLogger("musqat.requests")

# The attributes every LogRecord has; anything else was passed in `extra` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's (or task's) id on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, the
    fields passed in `extra`, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", ""):
            entry["request_id"] = record.request_id
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry and name != "request_id":
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """First of the middleware: gives the request its id and logs the request's end."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        current = offered if PLAIN_ID.fullmatch(offered) else new_id()
        request.request_id = current
        token = request_id.set(current)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = current
            requests_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)


# --- Tasks: the id travels in the message's headers ----------------------------------------


def send_request_id(headers=None, **_kwargs) -> None:
    """Celery's before_task_publish: the queuing request's id goes with the task."""
    if headers is not None and request_id.get() and "request_id" not in headers:
        headers["request_id"] = request_id.get()


def receive_request_id(task=None, **_kwargs) -> None:
    """Celery's task_prerun: the task logs with the id of the request that queued it,
    or an id of its own (a periodic job)."""
    offered = getattr(task.request, "request_id", None) if task is not None else None
    request_id.set(
        offered if isinstance(offered, str) and PLAIN_ID.fullmatch(offered) else new_id()
    )


def forget_request_id(**_kwargs) -> None:
    """Celery's task_postrun: the next task in this process starts without one."""
    request_id.set("")
