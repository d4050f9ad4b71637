"""What the integration tests share besides fixtures: waiting, the brokers, the worker
subprocess and reading the PDFs it made (see conftest.py for how it all fits)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
REDIS_URL = os.environ.get("MUSQAT_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# Seconds an unacked message waits before a (new) worker delivers it again.
VISIBILITY_TIMEOUT = 5
WORKER_START_SECONDS = 60


# --- Waiting ----------------------------------------------------------------------------


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.05, details=None):
    """Poll until condition() is true; fail after `timeout` seconds saying what did not
    happen (and details(), e.g. the worker's log)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            extra = f"\n{details()}" if details else ""
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}{extra}")
        time.sleep(interval)


# --- The broker ---------------------------------------------------------------------------


class Broker:
    """One Redis database used as the Celery broker."""

    def __init__(self, url: str):
        self.url = url

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def flush(self):
        self.client().flushdb()

    def unacked(self) -> list[tuple[bytes, float]]:
        """Delivered but not acknowledged messages: (delivery tag, delivery time)."""
        return self.client().zrange("unacked_index", 0, -1, withscores=True)


def _forget_connections(app):
    """Drop the pooled broker connections and producers, as Celery does after a fork.

    (Celery.close() would not do: it leaves the producer pool, still bound to the old
    broker, and takes the app out of the registry of apps.)
    """
    from kombu import pools

    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    pools.reset()


@contextmanager
def sending_to(url: str):
    """Send this process's tasks to the broker at `url` instead of running them eagerly."""
    from musqat.celery import app

    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: app.conf[key] for key in keys}
    saved_env = os.environ.get("CELERY_BROKER_URL")
    # The broker URL in the environment wins over the configuration.
    os.environ["CELERY_BROKER_URL"] = url
    _forget_connections(app)
    app.conf.update(
        broker_url=url,
        task_always_eager=False,
        broker_transport_options={**saved["broker_transport_options"],
                                  "visibility_timeout": VISIBILITY_TIMEOUT},
    )  # fmt: skip
    try:
        yield app
    finally:
        _forget_connections(app)
        app.conf.update(saved)
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


class PrivateRedis:
    """A redis-server of the test's own on a free port, to stop and start again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.log = folder / "redis.log"

    def start(self):
        command = [
            shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.folder),
            "--logfile", str(self.log),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=self.folder, start_new_session=True)
        broker = Broker(self.url)

        def answers():
            if self.process.poll() is not None:
                pytest.fail(f"redis-server exited with {self.process.returncode}:\n{self.tail()}")
            try:
                return broker.client().ping()
            except Exception:
                return False

        wait_for(answers, timeout=15, what=f"redis-server on port {self.port}", details=self.tail)

    def stop(self):
        """Shut the server down (nothing saved) and wait until its port is closed."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def tail(self) -> str:
        return _tail(self.log)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The worker ---------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the test database, for the worker."""
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    at = "@" if credentials else ""
    return f"postgres://{credentials}{at}{host}{port}/{quote(db['NAME'], safe='')}"


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} was not written)"
    return f"--- last lines of {path} ---\n" + "\n".join(text.splitlines()[-lines:])


class Worker:
    """`celery -A musqat worker` as a subprocess, with a log file of its own."""

    def __init__(self, *, broker_url: str, media: Path, log: Path, extra_env: dict):
        self.broker_url = broker_url
        self.log = log
        self.name = f"integration-{uuid.uuid4().hex[:8]}@%h"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "musqat.settings",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "MUSQAT_RENDER_PDFS": "1",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        self.env.pop("CELERY_RESULT_BACKEND", None)
        self.process = None

    def start(self, timeout: float = WORKER_START_SECONDS):
        command = [
            str(CELERY), "-A", "musqat", "worker", "-Q", "pdf,mail,celery", "-P", "solo",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
            "-n", self.name,
        ]  # fmt: skip
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip

        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}\n{self.tail()}")
            return " ready." in self.output()

        wait_for(ready, timeout=timeout, what="the Celery worker to be ready", details=self.tail)
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self) -> str:
        return _tail(self.log)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL, as the OOM killer or a lost machine would."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 10):
        """Warm shutdown; killed if it takes longer than `timeout` seconds."""
        if not self.alive:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


# --- Reading what the worker made ---------------------------------------------------------


def pdf_info(path: Path) -> dict[str, str]:
    """What pdfinfo reads from a file (it fails on a truncated or broken PDF)."""
    done = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, f"pdfinfo cannot read {path}: {done.stderr.strip()}"
    info = {}
    for line in done.stdout.splitlines():
        key, _sep, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8", errors="replace")


def rendering_states(queryset) -> str:
    return "\n".join(
        f"  {r.pk} {r.document} {r.language} {r.status} attempts={r.attempts} "
        f"file={r.file.name or '-'} error={r.error[:300]!r}"
        for r in queryset
    )


def wait_until_rendered(queryset, *, timeout: float, worker: Worker | None = None, count=None):
    """Poll until every rendering of the queryset is done (and there are `count` of them)."""
    from assessments.models import JobStatus

    def done():
        rows = list(queryset.all())
        if any(r.status == JobStatus.FAILED for r in rows):
            pytest.fail(f"a PDF failed:\n{rendering_states(rows)}\n{details_worker()}")
        if count is not None and len(rows) != count:
            return False
        return rows and all(r.status == JobStatus.DONE for r in rows)

    def details_worker():
        return worker.tail() if worker else ""

    def details():
        return f"{rendering_states(queryset.all())}\n{details_worker()}"

    wait_for(done, timeout=timeout, what="the PDFs to be rendered", interval=0.1, details=details)
    return list(queryset.all())


def assert_complete_pdf(rendering, media: Path):
    """The file is where the record says, whole, and has the pages the record says."""
    assert rendering.file.name, rendering
    path = media / rendering.file.name
    assert path.is_file(), f"{path} is missing"
    content = path.read_bytes()
    assert content.startswith(b"%PDF-"), content[:20]
    assert content.rstrip().endswith(b"%%EOF"), content[-20:]
    info = pdf_info(path)
    assert int(info["Pages"]) == rendering.pages > 0
    return path
