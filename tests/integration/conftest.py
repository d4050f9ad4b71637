"""A real Celery worker on a real Redis broker, reading the PostgreSQL test database.

The tests here commit their data (django_db(transaction=True)) so that a worker started
as a subprocess — `celery -A musqat worker -Q pdf,mail,celery -P solo`, as production
runs it, only with one process — can read it. The test process sends its tasks to the
same broker: the Celery app was configured from the Django settings (eager, no broker)
when it was first used, so `sending_to` points it at the broker for one test and back.

Needs: PostgreSQL (DATABASE_URL=postgres://…), Redis on 127.0.0.1:6379 (database 13 is
flushed before and after each test; MUSQAT_TEST_REDIS_URL picks another), the
`redis-server` binary for the broker-outage tests, and `pdfinfo` (poppler-utils).
When one is missing the tests are skipped, unless MUSQAT_REQUIRE_INTEGRATION=1 (as in
CI), which makes them fail.

Redelivery after a worker dies: the Redis transport keeps each delivered, unacked
message in the `unacked` hash, indexed by delivery time in `unacked_index`. A consumer
puts back on its queue every message delivered more than `visibility_timeout` seconds
ago (kombu's QoS.restore_visible): once when it starts (on_poll_init), then only every
unacked_restore_interval × unacked_restore_throttle = 10 × 10 s. So the worker gets
CELERY_VISIBILITY_TIMEOUT=5, and a test that kills one starts the next only once the
message has been unacked for longer than that: the new worker restores it at once.
"""

from __future__ import annotations

import os
import shutil

import pytest

from .support import (
    CELERY,
    REDIS_URL,
    Broker,
    PrivateRedis,
    Worker,
    sending_to,
)

# --- Is everything there? ---------------------------------------------------------------


def _required() -> bool:
    return os.environ.get("MUSQAT_REQUIRE_INTEGRATION", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str):
    """Skip, or fail when the integration tests are required (CI)."""
    if _required():
        pytest.fail(f"MUSQAT_REQUIRE_INTEGRATION=1 but {reason}", pytrace=False)
    pytest.skip(f"integration tests skipped: {reason}")


def _postgres_missing() -> str | None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        return (
            f"they need PostgreSQL, and the database is {database['ENGINE']} "
            "(set DATABASE_URL=postgres://…)"
        )
    import psycopg2

    try:
        psycopg2.connect(
            dbname="postgres",
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            host=database["HOST"] or None,
            port=database["PORT"] or None,
            connect_timeout=3,
        ).close()
    except psycopg2.Error as error:
        return f"PostgreSQL cannot be reached: {str(error).strip()}"
    return None


def _redis_missing() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} cannot be reached: {error}"
    return None


@pytest.fixture(scope="session", autouse=True)
def _integration_prerequisites():
    """Checked before any test database is created or any worker started."""
    for missing in (
        lambda: None if CELERY.exists() else f"{CELERY} is missing",
        lambda: None if shutil.which("pdfinfo") else "pdfinfo is missing (poppler-utils)",
        _postgres_missing,
        _redis_missing,
    ):
        reason = missing()
        if reason:
            unavailable(reason)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Run on their own, these tests use a test database of their own
    (test_<name>_integration), so that they can run beside the rest of the suite, which
    drops and creates test_<name>. (Run with the rest, they share its database: pytest
    asks for this fixture again here after the rest set the database up, and then the
    names are left alone.)"""
    from django.conf import settings
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX

    for database in settings.DATABASES.values():
        test = database.setdefault("TEST", {})
        if database["NAME"] == test.get("NAME") or database["NAME"].startswith(
            TEST_DATABASE_PREFIX
        ):
            continue  # already the test database
        test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_integration"


@pytest.fixture
def broker():
    """Redis database 13 (MUSQAT_TEST_REDIS_URL), empty, with this process sending to it."""
    found = Broker(REDIS_URL)
    found.flush()
    with sending_to(found.url):
        yield found
    found.flush()


@pytest.fixture
def private_redis(tmp_path):
    """A private Redis broker, running; stopped at the end."""
    if not shutil.which("redis-server"):
        unavailable("the redis-server binary is missing")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = PrivateRedis(folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pdf_settings(settings, tmp_path):
    """PDFs are made (the session turned them off), into a fresh MEDIA_ROOT."""
    media = tmp_path / "media"
    media.mkdir()
    settings.RENDER_PDFS = True
    settings.MEDIA_ROOT = media
    return media


@pytest.fixture
def start_worker(transactional_db, pdf_settings, tmp_path):
    """Start a worker on a broker URL; every worker started is stopped at the end,
    before the test database is flushed."""
    workers = []

    def start(broker_url: str, **extra_env) -> Worker:
        worker = Worker(
            broker_url=broker_url,
            media=pdf_settings,
            log=tmp_path / f"worker-{len(workers) + 1}.log",
            extra_env=extra_env,
        )
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def worker(broker, start_worker):
    """One worker on the shared test broker, ready."""
    return start_worker(broker.url)
