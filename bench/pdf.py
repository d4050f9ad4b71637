"""How fast the PDFs are made, and how much memory that takes.

Run from the repository root, on a database seeded with `manage.py seed_demo` (eight
municipalities, cycles 2020 and 2021 published), with Redis on 127.0.0.1:6379:

    DATABASE_URL=postgres://root@127.0.0.1:5432/musqat_bench .venv/bin/python -m bench.pdf

 It prints:

1. the seconds to lay out one scorecard warm, in this process: the Telavi 2021 scorecard
   in Georgian, rendered once to warm up, then the median of five renders
   (target ≤ 1.5 s);
2. the wall time of a whole cycle through a real worker (`celery -A musqat worker
   --concurrency 2`, as docker-compose.yml runs it; a subprocess, on Redis database 14,
   flushed before and after): every document of cycle 2021 queued with
   jobs.queue_stale(force=True), timed from queuing until the last is done
   (target ≤ 15 s), and how many files were made;
3. the peak memory (ru_maxrss) of this process after its renders and of the worker.

The files go to a scratch MEDIA_ROOT under /tmp, removed at the end (--keep keeps it).
The worker writes its results into the database's PDF records; they are put back as
they were at the end. Exit status 0, or with --strict 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TARGET_SCORECARD_SECONDS = 1.5
TARGET_CYCLE_SECONDS = 15.0
WORKER_START_SECONDS = 90


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycle", type=int, default=2021, metavar="YEAR")
    parser.add_argument(
        "--municipality",
        default="telavi",
        metavar="SLUG",
        help="whose scorecard is rendered in process (default telavi)",
    )
    parser.add_argument("--language", default="ka", help="of that scorecard (default ka)")
    parser.add_argument("--repeat", type=int, default=5, help="warm renders (default 5)")
    parser.add_argument(
        "--broker",
        default="redis://127.0.0.1:6379/14",
        help="the worker's broker; its database is flushed (default %(default)s)",
    )
    # As production runs it (docker-compose.yml): one process per core of the 2-core machine.
    parser.add_argument("--pool", default="prefork", help="the worker's pool (default prefork)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds to wait for the cycle (default 300)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch MEDIA_ROOT")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args()


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def verdict(seconds: float, target: float) -> str:
    return f"target ≤ {target:g} s   {'OK' if seconds <= target else 'OVER TARGET'}"


def main() -> int:
    args = arguments()
    scratch = Path(tempfile.mkdtemp(prefix="musqat-bench-"))
    media = scratch / "media"
    media.mkdir()
    # Read by the settings when they load, here and in the worker.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "musqat.settings")
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ["CELERY_BROKER_URL"] = args.broker
    os.environ["MUSQAT_RENDER_PDFS"] = "1"
    os.environ.pop("CELERY_RESULT_BACKEND", None)
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is not set: using the SQLite file db.sqlite3.", file=sys.stderr)

    import django

    django.setup()
    try:
        return run(args, scratch, media)
    finally:
        if args.keep:
            print(f"\nFiles kept in {media}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def run(args, scratch: Path, media: Path) -> int:
    from django.db import connection

    from assessments.models import Cycle, Document, Rendering
    from assessments.pdf import documents
    from municipalities.models import Municipality

    cycle = Cycle.objects.filter(year=args.cycle).select_related("methodology").first()
    municipality = Municipality.objects.filter(slug=args.municipality).first()
    sources = documents.current_sources(cycle=cycle) if cycle else {}
    if cycle is None or municipality is None or not sources:
        print(
            f"Nothing to measure: cycle {args.cycle} must exist and be published, and "
            f"municipality {args.municipality!r} exist. Seed the database first "
            "(manage.py seed_demo).",
            file=sys.stderr,
        )
        return 2
    places = sum(1 for key in sources if key[0] == Document.SCORECARD)
    print(
        f"MUSQAT PDF benchmark: database {connection.settings_dict['NAME']} "
        f"({connection.vendor}), cycle {cycle.year}, {places} municipalities published"
    )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Machine: {os.cpu_count()} CPUs, load average {load} (other work skews the figures)")

    missed = []

    # 1. One scorecard, in this process.
    card = Rendering(
        document=Document.SCORECARD, cycle=cycle, municipality=municipality,
        language=args.language,
    )  # fmt: skip
    scorecard = render_in_process(card, args.repeat)
    warm = statistics.median(scorecard["warm"])
    print(
        f"\n1. One scorecard in process ({municipality.name_en} {cycle.year}, "
        f"{args.language}), median of {args.repeat} renders after a warm-up"
    )
    print(f"   first (cold) render     {scorecard['cold']:6.2f} s")
    print(f"   warm, median            {warm:6.2f} s   {verdict(warm, TARGET_SCORECARD_SECONDS)}")
    print(
        f"   warm, fastest/slowest   {min(scorecard['warm']):6.2f} / "
        f"{max(scorecard['warm']):.2f} s   ({scorecard['pages']} pages, "
        f"{scorecard['bytes'] / 1024:.0f} KiB)"
    )
    if warm > TARGET_SCORECARD_SECONDS:
        missed.append("scorecard")
    in_process_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # 2. The whole cycle, through a worker.
    whole = render_cycle(args, cycle, scratch, media)
    print(f"\n2. Cycle {cycle.year} through a worker (-P {args.pool}, broker {args.broker})")
    print(f"   worker ready after      {whole['startup']:6.2f} s (not counted)")
    if whole["seconds"] is None:
        print(f"   cycle                   not done after {args.timeout:g} s: {whole['problem']}")
        missed.append("cycle")
    else:
        seconds = whole["seconds"]
        target = verdict(seconds, TARGET_CYCLE_SECONDS)
        print(f"   cycle, wall time        {seconds:6.2f} s   {target}")
        if seconds > TARGET_CYCLE_SECONDS:
            missed.append("cycle")
    print(
        f"   files                   {whole['files']} of {whole['queued']} "
        f"({whole['pages']} pages, {whole['bytes'] / 1024 / 1024:.1f} MiB)"
    )
    print(f"   render time in worker   {whole['render_seconds']:6.2f} s (sum of the records)")
    for row in whole["rows"]:
        print(f"     {row}")

    # 3. Memory.
    print("\n3. Peak memory (ru_maxrss)")
    print(f"   this process, after the in-process renders   {mib(in_process_kib)}")
    if whole["worker_kib"]:
        print(f"   the worker (RUSAGE_CHILDREN, after it exited) {mib(whole['worker_kib'])}")
    else:
        print("   the worker: not measured (it did not exit)")

    if missed:
        print(f"\nMissed: {', '.join(missed)}.")
    return 1 if missed and args.strict else 0


def render_in_process(card, repeat: int) -> dict:
    from django.utils import translation

    from assessments.pdf import jobs

    with translation.override(card.language):
        started = time.perf_counter()
        content, pages = jobs.render(card)
        cold = time.perf_counter() - started
        warm = []
        for _ in range(repeat):
            started = time.perf_counter()
            content, pages = jobs.render(card)
            warm.append(time.perf_counter() - started)
    assert content.startswith(b"%PDF-"), content[:20]
    return {"cold": cold, "warm": warm, "pages": pages, "bytes": len(content)}


def render_cycle(args, cycle, scratch: Path, media: Path) -> dict:
    import redis

    from assessments.models import JobStatus, Rendering
    from assessments.pdf import jobs

    broker = redis.Redis.from_url(args.broker, socket_connect_timeout=3)
    broker.flushdb()
    # What the worker overwrites, to put back at the end.
    saved = {row["id"]: row for row in Rendering.objects.values()}
    worker = start_worker(args, scratch)
    result = {"startup": worker.startup, "seconds": None, "problem": "", "worker_kib": 0}
    try:
        started = time.perf_counter()
        queued = jobs.queue_stale(cycle=cycle, force=True)
        pks = [r.pk for r in queued]
        deadline = started + args.timeout
        while True:
            rows = list(Rendering.objects.filter(pk__in=pks))
            failed = [r for r in rows if r.status == JobStatus.FAILED]
            if failed:
                result["problem"] = "; ".join(f"{r}: {r.error[:200]}" for r in failed)
                break
            if all(r.status == JobStatus.DONE for r in rows):
                result["seconds"] = time.perf_counter() - started
                break
            if worker.process.poll() is not None:
                result["problem"] = f"the worker exited with {worker.process.returncode}"
                break
            if time.perf_counter() > deadline:
                pending = sum(r.status != JobStatus.DONE for r in rows)
                result["problem"] = f"{pending} not done"
                break
            time.sleep(0.05)
        rows.sort(key=lambda r: (r.document, r.municipality_id or 0, r.language))
        complete = [r for r in rows if r.status == JobStatus.DONE and is_pdf(media, r)]
        result.update(
            queued=len(pks),
            files=len(complete),
            pages=sum(r.pages or 0 for r in complete),
            bytes=sum((media / r.file.name).stat().st_size for r in complete),
            render_seconds=sum(r.duration or 0 for r in complete),
            rows=describe(rows),
        )
    finally:
        if worker.stop():
            result["worker_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        broker.flushdb()
        restore(saved)
    if result["seconds"] is None and not result["problem"]:
        result["problem"] = "see the worker log"
    if result["problem"]:
        print(worker.tail(), file=sys.stderr)
    return result


def is_pdf(media: Path, rendering) -> bool:
    path = media / rendering.file.name
    if not rendering.file.name or not path.is_file():
        return False
    with open(path, "rb") as handle:
        return handle.read(5) == b"%PDF-"


def describe(rows) -> list[str]:
    """The five slowest documents."""
    slowest = sorted(rows, key=lambda r: -(r.duration or 0))[:5]
    return [
        f"{r.download_name():<44} {r.pages or 0:3d} pages {r.duration or 0:6.2f} s" for r in slowest
    ]


def restore(saved: dict) -> None:
    """Put the PDF records back as they were before the worker ran."""
    from assessments.models import Rendering

    Rendering.objects.exclude(pk__in=list(saved)).delete()
    for pk, row in saved.items():
        fields = {key: value for key, value in row.items() if key != "id"}
        Rendering.objects.filter(pk=pk).update(**fields)


class Worker:
    def __init__(self, process, log: Path, startup: float):
        self.process, self.log, self.startup = process, log, startup

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.log} ---\n" + "\n".join(text.splitlines()[-lines:])

    def stop(self) -> bool:
        """Warm shutdown, waited for (so that its usage counts); True when it exited."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                return False
        return True


def start_worker(args, scratch: Path) -> Worker:
    celery = Path(sys.executable).with_name("celery")
    command = [
        str(celery), "-A", "musqat", "worker", "-Q", "pdf,mail,celery", "-P", args.pool,
        "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info",
        "-n", f"bench-{os.getpid()}@%h",
    ]  # fmt: skip
    if args.concurrency:
        command += ["-c", str(args.concurrency)]
    log = scratch / "worker.log"
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    worker = Worker(process, log, 0.0)
    while " ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.perf_counter() - started > WORKER_START_SECONDS:
            worker.stop()
            sys.exit(f"The worker did not start.\n{worker.tail()}")
        time.sleep(0.05)
    worker.startup = time.perf_counter() - started
    return worker


if __name__ == "__main__":
    sys.exit(main())
