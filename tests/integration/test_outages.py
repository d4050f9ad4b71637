"""The site through the faults real servers have: the cache's Redis going away, and the
database dropping every connection, as a PostgreSQL restart does.

Publishing while the broker is down is test_broker_outage.py's; a worker killed mid-task is
test_pdf_worker.py's.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psycopg2
import pytest
from django.core.cache import cache
from django.db import connection

from musqat import cache as page_cache

from .support import _free_port, _tail, database_url, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SCORECARD = "/en/scorecards/2021/telavi/"
PUBLIC_PAGES = ["/en/", "/ka/", "/en/municipalities/", SCORECARD, "/ka/compare/?cycle=2021"]


@pytest.fixture
def redis_cache(settings, private_redis):
    """The page cache in a Redis of the test's own, as production keeps it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "musqat.redis_cache.ForgivingRedisCache",
            "LOCATION": private_redis.url.replace("/0", "/1"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    cache.clear()
    yield private_redis


def test_public_pages_are_served_while_the_caches_redis_is_down(
    client, published_2021, redis_cache
):
    first = client.get(SCORECARD)
    assert first.status_code == 200
    assert cache.get(page_cache.GENERATION_KEY) is not None  # Redis took the page

    redis_cache.stop()
    started = time.monotonic()
    answers = {path: client.get(path) for path in PUBLIC_PAGES}
    seconds = time.monotonic() - started

    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(
        PUBLIC_PAGES, 200
    )
    assert answers[SCORECARD].content == first.content  # built afresh, the same page
    # One timeout at most, then the cache is left alone for a while: not one per request.
    assert seconds < 5, f"{len(PUBLIC_PAGES)} pages took {seconds:.1f} s without the cache"


def test_publishing_while_the_caches_redis_is_down_commits(
    client, telavi, sighnaghi, cycle_2021, cso, publish, redis_cache
):
    from tests import factories

    redis_cache.stop()
    assessment = factories.assessment(telavi, cycle_2021, "external", organization=cso)

    publish(assessment, {"A.1.1": 1, "A.2.1": 60, "B.1.1": 8})

    assessment.refresh_from_db()
    assert assessment.status == "published"
    assert client.get(SCORECARD).status_code == 200


def test_the_cache_is_used_again_once_redis_is_back(
    client, published_2021, redis_cache, monkeypatch
):
    from musqat import redis_cache as backend

    monkeypatch.setattr(backend, "RETRY_SECONDS", 0.2)
    redis_cache.stop()
    assert client.get(SCORECARD).status_code == 200

    redis_cache.start()
    time.sleep(0.3)
    assert client.get(SCORECARD).status_code == 200
    assert cache.get(page_cache.GENERATION_KEY) is not None


# --- The database drops its connections ----------------------------------------------------


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def site(tmp_path, published_2021):
    """The site under gunicorn, as production runs it, on the test database: persistent
    connections (CONN_MAX_AGE) checked before reuse."""
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "musqat.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "600",
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("PYTEST_VERSION", None)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    with log.open("w") as output:
        process = subprocess.Popen(
            [gunicorn, "musqat.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    address = f"http://127.0.0.1:{port}"

    def answers():
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{_tail(log)}")
        try:
            return get(f"{address}/healthz")[0] == 200
        except OSError:
            return False

    wait_for(answers, timeout=60, what="gunicorn to answer", details=lambda: _tail(log))
    yield address, log
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def drop_the_sites_connections() -> int:
    """Ends every other session on the test database, as a restart of PostgreSQL ends them
    ("terminating connection due to administrator command"): the machine's server is shared,
    so the test cuts its own database's connections instead of restarting the server."""
    name = connection.settings_dict["NAME"]
    admin = psycopg2.connect(database_url().replace(f"/{name}", "/postgres"))
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            (ended,) = cursor.fetchone()
    finally:
        admin.close()
    return ended


def test_the_site_recovers_from_dropped_database_connections_without_a_restart(site):
    address, log = site
    uncached = f"{address}{SCORECARD}?nocache=1"  # a query the page cache never stores
    for _ in range(6):  # both workers hold a connection
        assert get(f"{address}/healthz")[0] == 200
        assert get(uncached)[0] == 200
    connection.close()  # the test's own connection is dropped too, and reopened when needed

    ended = drop_the_sites_connections()

    assert ended >= 1
    for _ in range(6):
        status, text = get(f"{address}/healthz")
        assert status == 200, text
        status, text = get(uncached)
        assert status == 200, _tail(log)
        assert "Telavi" in text
