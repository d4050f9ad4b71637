"""How the site holds up at national scale: scoring, page times and query counts, cached
throughput, load, and the PDFs, each figure beside its target.

Run from the repository root, with Redis on 127.0.0.1:6379 (database 12 is used and
flushed) and two migrated PostgreSQL databases filled by bench/national.py, 64 and 8
municipalities:

    .venv/bin/python -m bench.scale            # --quick: 10 s loads; --strict: exit 1 on a miss

It prints:

1. re-scoring and snapshotting one cycle of the national data (128 assessments): inside a
   transaction that is rolled back, the cycle's snapshots are deleted and the assessments
   published again, less the e-mail and PDFs queued after the commit: together, as the
   admin's "Publish the selected assessments" does (`publish_assessments`) — target ≤ 1 s;
   then one by one, as each assessment's publish page does (`publish_assessment`), for
   comparison;
2. in process (Django's test Client, anonymous, DEBUG off), for each page at 64 and at 8
   municipalities: the median time (wall, and this process's CPU, which leaves out
   PostgreSQL's and the machine's other work), the queries and the size of the HTML. The
   page cache is Redis, as in production, and every request is a miss: the cache's
   generation is bumped before each (`musqat.cache.clear_public_pages`, what publishing
   does), so the page is built and stored as for the first visitor after a publication.
   Targets: the scorecard (of the cycle the action plans answer, so with their marks)
   ≤ 50 ms, the municipality list and a comparison of 8 ≤ 80 ms; the same number of
   queries at 8 as at 64 municipalities for every page, ≤ 15 for the scorecard;
3. under gunicorn (`--workers 3`, as docker-compose.yml runs the web service; DEBUG off,
   the collected static files, the Redis page cache), with wrk (2 threads) at 50
   connections: the requests per second of a cached scorecard against /bench/trivial, a
   page that returns two bytes through the same middleware (bench/settings.py,
   bench/urls.py), the two taken in turn in 10-second slices so that the machine's other
   work weighs on both alike — target a ratio ≥ 0.8;
4. load, over a mix of 43 public pages in turn (home, the municipality list, scorecards of
   eight municipalities in two cycles and two languages, municipality pages, comparisons,
   area pages, open data, methodology, grants, the API), each run 60 s at 50 connections:
   first with the cache emptied (as after a publication), then with it warm — no errors
   (socket errors, timeouts after 5 s, answers other than 2xx/3xx), p99 ≤ 500 ms; then at
   200 connections, cache warm, against three gunicorn masters of three workers each bound
   to one port with SO_REUSEPORT, so that the kernel shares the connections among them
   (what `docker compose up --scale web=3` behind one address does) — no errors, its p99;
5. the PDFs: bench/pdf.py in a subprocess, on the 8-municipality database (or
   --pdf-database), for the cycle its plans answer, its worker on Redis database 12 — one
   scorecard warm ≤ 1.5 s, the cycle's 20 PDFs through a 2-process worker ≤ 15 s.

wrk asks as browsers do, with "Accept-Encoding: gzip, deflate, br" (the page cache keeps
pages compressed and sends them so). It runs on the same machine as the server, so it takes
part of the CPU it measures.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://root@127.0.0.1:5432/"
CACHE_URL = "redis://127.0.0.1:6379/12"

TARGET_RESCORE_SECONDS = 1.0
TARGET_SCORECARD_MS = 50
TARGET_LIST_MS = 80
TARGET_SCORECARD_QUERIES = 15
TARGET_CACHED_RATIO = 0.8
TARGET_P99_MS = 500
TARGET_PDF_SCORECARD_SECONDS = 1.5
TARGET_PDF_CYCLE_SECONDS = 15.0
GUNICORN_START_SECONDS = 60

# The generated data's names (bench/national.py): cycles from 2020, slugs bench-01….
FIRST_YEAR = 2020


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=POSTGRES + "musqat_bench_national")
    parser.add_argument("--eight-database", default=POSTGRES + "musqat_bench_eight")
    parser.add_argument(
        "--pdf-database",
        default=POSTGRES + "musqat_bench_eight",
        help="a database with published PDFs' data (the demo: --pdf-cycle 2021 "
        "--pdf-municipality telavi)",
    )
    parser.add_argument("--pdf-cycle", type=int, help="default: the generated plans' cycle")
    parser.add_argument("--pdf-municipality", default="bench-01")
    parser.add_argument("--cycles", type=int, default=5, help="as generated (default 5)")
    parser.add_argument("--samples", type=int, default=30, help="requests per page (default 30)")
    parser.add_argument("--seconds", type=int, default=60, help="of each load (default 60)")
    parser.add_argument("--quick", action="store_true", help="10 s loads, 10 samples a page")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    # Internal: measure the pages of one database in this process and print JSON.
    parser.add_argument("--pages-json", metavar="FILE", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.quick:
        options.seconds, options.samples = 10, 10
    years = [FIRST_YEAR + n for n in range(options.cycles)]
    options.latest, options.plan_year = years[-1], years[-2]
    options.pdf_cycle = options.pdf_cycle or options.plan_year
    return options


def site_environment(scratch: Path, database: str) -> dict:
    """Production's settings as far as one machine allows: DEBUG off, a secret key, plain
    HTTP (no TLS proxy here), the Redis page cache, collected static files."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "PYTEST_VERSION")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        MUSQAT_BEHIND_PROXY="0",
        CACHE_URL=CACHE_URL,
        STATIC_ROOT=str(scratch / "static"),
        MEDIA_ROOT=str(scratch / "media"),
        MUSQAT_RENDER_PDFS="0",
        PYTHONUNBUFFERED="1",
    )
    return environment


def page_addresses(options, slugs: list[str]) -> dict[str, str]:
    """The pages measured in process, by name."""
    compared = "&".join(f"m={slug}" for slug in slugs[:8])
    return {
        "scorecard": f"/ka/scorecards/{options.plan_year}/{slugs[0]}/",
        "scorecard (latest cycle)": f"/ka/scorecards/{options.latest}/{slugs[0]}/",
        "municipality list": "/ka/municipalities/",
        "compare of 8": f"/ka/compare/?cycle={options.latest}&{compared}",
        "home": "/ka/",
        "municipality": f"/ka/municipalities/{slugs[0]}/",
        "area": f"/ka/areas/{options.latest}/A/",
        "open data": "/ka/data/",
        "API scorecard": f"/api/v1/scorecards/{options.latest}/{slugs[0]}/",
    }


def load_mix(options, slugs: list[str]) -> list[str]:
    """The public pages the load rotates through."""
    years = (options.latest, options.plan_year)
    places = slugs[:: max(1, len(slugs) // 8)][:8]
    compared = "&".join(f"m={slug}" for slug in slugs[:8])
    paths = ["/ka/", "/en/", "/ka/municipalities/", f"/ka/municipalities/?cycle={years[1]}"]
    paths += [f"/ka/scorecards/{year}/{slug}/" for year in years for slug in places]
    paths += [f"/en/scorecards/{years[0]}/{slug}/" for slug in places[:3]]
    paths += [f"/ka/municipalities/{slug}/" for slug in places[:4]]
    paths += [f"/ka/compare/?cycle={years[0]}&{compared}", f"/en/compare/?{compared}"]
    paths += [f"/ka/areas/{year}/{code}/" for year in years for code in "ABCD"]
    paths += ["/ka/data/", "/ka/methodology/", "/ka/grants/", "/api/v1/cycles/"]
    paths += [f"/api/v1/cycles/{years[0]}/scores/", f"/api/v1/scorecards/{years[0]}/{slugs[1]}/"]
    return paths


# --- 2. Pages in process (run in a child per database) --------------------------------------


def measure_pages(options) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from municipalities.models import Municipality
    from musqat.cache import clear_public_pages

    slugs = list(Municipality.objects.order_by("slug").values_list("slug", flat=True))
    client = Client()
    pages = {}
    for name, address in page_addresses(options, slugs).items():
        for _ in range(3):  # warm: templates, translations, connections
            clear_public_pages()
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
        clear_public_pages()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        # Counted now: the context reads the connection's log, which the next request clears.
        count = len(queries)
        times, cpu = [], []
        for _ in range(options.samples):
            clear_public_pages()
            started, used = time.perf_counter(), time.process_time()
            client.get(address)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        pages[name] = {
            "address": address,
            "p50_ms": statistics.median(times),
            "p90_ms": statistics.quantiles(times, n=10)[-1],
            "cpu_p50_ms": statistics.median(cpu),
            "queries": count,
            "bytes": len(response.content),
        }
    return {"municipalities": len(slugs), "pages": pages}


def pages_of(options, database: str, scratch: Path) -> dict:
    out = scratch / "pages.json"
    command = [sys.executable, "-m", "bench.scale", "--pages-json", str(out), "--samples",
               str(options.samples), "--cycles", str(options.cycles)]  # fmt: skip
    run = subprocess.run(
        command, cwd=REPO, env=site_environment(scratch, database), capture_output=True, text=True
    )
    if run.returncode:
        sys.exit(f"Measuring the pages of {database} failed:\n{run.stderr[-3000:]}")
    return json.loads(out.read_text())


# --- 1. Re-scoring a cycle -----------------------------------------------------------------


class Rollback(Exception):
    pass


def rescore_cycle(year: int, *, together: bool = True) -> dict:
    """Publish the cycle's assessments again: together, as the admin's "Publish the selected
    assessments" does (`publish_assessments`), or one by one, as each assessment's publish
    page does (`publish_assessment`). Wall and CPU seconds, queries, and how many."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from assessments.models import Assessment, ScoreSnapshot
    from assessments.services import publish_assessment, publish_assessments
    from assessments.workflow import Status

    staff = get_user_model().objects.filter(is_superuser=True).first()
    queries = []
    result = {}
    try:
        with transaction.atomic():
            ScoreSnapshot.objects.filter(assessment__cycle__year=year).delete()
            Assessment.objects.filter(cycle__year=year).update(
                status=Status.REVIEW, published_at=None
            )
            assessments = list(Assessment.objects.filter(cycle__year=year).select_related("cycle"))
            started, used = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(lambda run, *args: queries.append(1) or run(*args)):
                if together:
                    publish_assessments(
                        assessments=assessments, by=staff, notify=False, render=False
                    )
                else:
                    for assessment in assessments:
                        publish_assessment(
                            assessment=assessment, by=staff, notify=False, render=False
                        )
            result["seconds"] = time.perf_counter() - started
            result["cpu"] = time.process_time() - used
            result["queries"] = len(queries)
            result["count"] = len(assessments)
            raise Rollback
    except Rollback:
        pass
    return result


# --- 3 and 4. gunicorn and wrk -------------------------------------------------------------


class Servers:
    """gunicorn masters, stopped (and waited for) on exit, whatever happens."""

    def __init__(self, scratch: Path, environment: dict):
        self.scratch, self.environment, self.processes = scratch, environment, []

    def start(self, port: int, *, masters: int = 1, workers: int = 3) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        for n in range(masters):
            log = open(self.scratch / f"gunicorn-{port}-{n}.log", "ab")  # noqa: SIM115
            command = [str(gunicorn), "musqat.wsgi", "--bind", f"127.0.0.1:{port}",
                       "--workers", str(workers), "--log-level", "warning"]  # fmt: skip
            if masters > 1:
                command.append("--reuse-port")
            self.processes.append(
                subprocess.Popen(
                    command,
                    cwd=REPO,
                    env=self.environment,
                    stdout=log,
                    stderr=log,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )  # fmt: skip
            )
            log.close()
        deadline = time.monotonic() + GUNICORN_START_SECONDS
        while not self._answers(port, workers * masters):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                self.stop()
                logs = "".join(path.read_text() for path in self.scratch.glob("gunicorn-*.log"))
                sys.exit(f"gunicorn did not start:\n{logs[-3000:]}")
            time.sleep(0.2)

    def _answers(self, port: int, times: int) -> bool:
        """Every worker has loaded the site (asked as often as there are workers)."""
        try:
            for _ in range(times):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/trivial", timeout=30):
                    pass
        except OSError:
            return False
        return True

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.processes = []


@contextmanager
def serving(servers: Servers, port: int, **how):
    servers.start(port, **how)
    try:
        yield
    finally:
        servers.stop()


LUA = """
local paths = {PATHS}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 7
end
function init(args)
  counter = tonumber(offset) or 0
  wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\": %d, \\"microseconds\\": %d, \\"connect\\": %d, \\"read\\": %d, " ..
    "\\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d, \\"p50\\": %d, \\"p99\\": %d, " ..
    "\\"max\\": %d}\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def wrk(port: int, paths: list[str], *, connections: int, seconds: int, scratch: Path) -> dict:
    """Run wrk over the paths in turn; its figures, latencies in milliseconds."""
    script = scratch / f"mix-{len(paths)}.lua"
    quoted = ", ".join(json.dumps(path) for path in paths)
    script.write_text(LUA.replace("{PATHS}", "{" + quoted + "}"))
    command = ["/usr/bin/wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
               "--timeout", "5s", "-s", str(script), f"http://127.0.0.1:{port}"]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True)
    line = next((x for x in run.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk failed:\n{run.stdout}\n{run.stderr}")
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["microseconds"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    for key in ("p50", "p99", "max"):
        result[key] /= 1000
    return result


def sent_bytes(port: int, path: str) -> int:
    """How many bytes of body a page sends to a client that accepts gzip, as wrk does."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return len(answer.read())


def alternating(port: int, *lists: list[str], seconds: int, scratch: Path):
    """wrk runs at 50 connections, one per list of paths, in 10-second slices taken in turn,
    so that the machine's other work weighs on all alike; each one's figures over its slices
    (p50 the median of the slices', p99 and max the highest)."""
    slices = max(1, seconds // 10)
    runs = tuple([] for _ in lists)
    for _ in range(slices):
        for paths, results in zip(lists, runs, strict=True):
            results.append(
                wrk(port, paths, connections=50, seconds=seconds // slices, scratch=scratch)
            )
    return tuple(_combined(results) for results in runs)


def _combined(results: list[dict]) -> dict:
    total = {key: sum(r[key] for r in results) for key in ("requests", "microseconds")}
    for key in ("connect", "read", "write", "status", "timeout", "errors"):
        total[key] = sum(r[key] for r in results)
    total["rps"] = total["requests"] / (total["microseconds"] / 1e6)
    total["p50"] = statistics.median(r["p50"] for r in results)
    total["p99"] = max(r["p99"] for r in results)
    total["max"] = max(r["max"] for r in results)
    return total


def wrk_line(result: dict) -> str:
    errors = ", ".join(
        f"{k} {result[k]}" for k in ("connect", "read", "write", "timeout", "status") if result[k]
    )
    return (
        f"{result['rps']:7.0f} req/s, {result['requests']} requests, p50 {result['p50']:.0f} ms, "
        f"p99 {result['p99']:.0f} ms, max {result['max']:.0f} ms, "
        f"errors {result['errors']}{f' ({errors})' if errors else ''}"
    )


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()


def warm(port: int, paths: list[str]) -> None:
    """Each path asked often enough that every worker has served it."""
    for path in paths * 10:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
            response.read()


def free_port(port: int) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            sys.exit(f"Port {port} is taken: pass --port.")


# --- 5. PDFs ---------------------------------------------------------------------------------


def pdfs(options, scratch: Path) -> dict:
    """bench/pdf.py, on the PDF database, with its worker on this benchmark's Redis."""
    environment = site_environment(scratch, options.pdf_database)
    # As bench/pdf.py's README section runs it: local settings, its own scratch media.
    environment.update(DJANGO_SETTINGS_MODULE="musqat.settings", DEBUG="1")
    for name in ("SECRET_KEY", "STATIC_ROOT", "MEDIA_ROOT"):
        environment.pop(name)
    command = [sys.executable, "-m", "bench.pdf", "--cycle", str(options.pdf_cycle),
               "--municipality", options.pdf_municipality, "--broker", CACHE_URL]  # fmt: skip
    # Its own process group, so that an interruption stops its worker too.
    process = subprocess.Popen(
        command, cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        raise
    run = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    warm_match = re.search(r"warm, median\s+([\d.]+) s", run.stdout)
    cycle_match = re.search(r"cycle, wall time\s+([\d.]+) s", run.stdout)
    files = re.search(r"files\s+(\d+) of (\d+)", run.stdout)
    return {
        "output": run.stdout + (run.stderr[-2000:] if run.returncode else ""),
        "scorecard": float(warm_match[1]) if warm_match else None,
        "cycle": float(cycle_match[1]) if cycle_match else None,
        "files": f"{files[1]} of {files[2]}" if files else "?",
    }


# --- The run ---------------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.missed = []

    def check(self, label: str, value, ok: bool, target: str) -> None:
        print(f"   {label:<44} {value:>14}   target {target:<14} {'ok' if ok else 'MISSED'}")
        if not ok:
            self.missed.append(label)


def main() -> int:
    options = arguments()
    if options.pages_json:
        Path(options.pages_json).write_text(json.dumps(measure_pages(options)))
        return 0
    # A plain kill ends the run as Ctrl-C does: servers and workers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="musqat-scale-"))
    servers = Servers(scratch, site_environment(scratch, options.database))
    try:
        return run(options, scratch, servers)
    finally:
        servers.stop()
        try:
            flush_cache()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, {memory:.0f} GiB, load average {load}"


def run(options, scratch: Path, servers: Servers) -> int:
    report = Report()
    environment = site_environment(scratch, options.database)
    os.environ.update(environment)
    print(f"MUSQAT scale benchmark, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"Machine: {machine()}")
    print(f"Databases: {options.database} (national), {options.eight_database} (8)")
    free_port(options.port)
    flush_cache()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=REPO, env=environment, check=True,
    )  # fmt: skip
    print(f"(static files collected in {time.perf_counter() - started:.0f} s, DEBUG off)")

    import django

    django.setup()
    from django.db import connection

    from municipalities.models import Municipality

    slugs = list(Municipality.objects.order_by("slug").values_list("slug", flat=True))

    # 1.
    together = rescore_cycle(options.latest)
    one_by_one = rescore_cycle(options.latest, together=False)
    connection.close()
    count = together["count"]
    print(f"\n1. Re-scoring and snapshotting cycle {options.latest} ({count} assessments)")
    for label, result in (
        ("admin action, publish_assessments", together),
        ("one by one, publish_assessment", one_by_one),
    ):
        print(
            f"   {label:<36} {result['seconds']:.2f} s, CPU {result['cpu']:.2f} s, "
            f"{result['queries']} queries"
        )
    seconds = together["seconds"]
    report.check("the cycle published together", f"{seconds:.2f} s", seconds <= 1, "≤ 1 s")

    # 2.
    national = pages_of(options, options.database, scratch)
    eight = pages_of(options, options.eight_database, scratch)
    print(f"\n2. Pages in process, every request a cache miss ({options.samples} requests each)")
    sizes = f"{national['municipalities']} / {eight['municipalities']} municipalities"
    print(f"   ({sizes}; CPU: this process's, without PostgreSQL's)")
    print(
        f"   {'page':<26}{'p50 ms':>14}{'p90 ms':>9}{'CPU p50 ms':>16}{'queries':>11}"
        f"{'HTML KiB':>10}"
    )
    for name, page in national["pages"].items():
        small = eight["pages"][name]
        print(
            f"   {name:<26}{page['p50_ms']:>7.1f} /{small['p50_ms']:>5.1f}{page['p90_ms']:>9.1f}"
            f"{page['cpu_p50_ms']:>9.1f} /{small['cpu_p50_ms']:>5.1f}"
            f"{page['queries']:>6} /{small['queries']:>3}{page['bytes'] / 1024:>10.0f}"
        )
    pages = national["pages"]
    for name, target in (
        ("scorecard", TARGET_SCORECARD_MS),
        ("municipality list", TARGET_LIST_MS),
        ("compare of 8", TARGET_LIST_MS),
    ):
        p50 = pages[name]["p50_ms"]
        report.check(f"{name} p50", f"{p50:.1f} ms", p50 <= target, f"≤ {target} ms")
    queries = pages["scorecard"]["queries"]
    report.check(
        "scorecard queries", queries, queries <= TARGET_SCORECARD_QUERIES,
        f"≤ {TARGET_SCORECARD_QUERIES}",
    )  # fmt: skip
    for name, page in pages.items():
        small = eight["pages"][name]["queries"]
        report.check(
            f"{name} queries, {sizes}", f"{page['queries']} / {small}",
            page["queries"] == small, "equal",
        )  # fmt: skip
    report.check("scorecard HTML", f"{pages['scorecard']['bytes'] / 1024:.0f} KiB", True, "-")

    # 3.
    port = options.port
    scorecard = pages["scorecard"]["address"]
    print(
        f"\n3. Cached throughput, gunicorn --workers 3, wrk -c 50 -t 2, {options.seconds} s each "
        "in 10 s slices taken in turn"
    )
    flush_cache()
    with serving(servers, port, masters=1, workers=3):
        warm(port, [scorecard])
        # What the page's bytes alone cost: the trivial view sending as many (compressed,
        # as wrk asks) as the cached scorecard does.
        size = sent_bytes(port, scorecard)
        trivial, cached, sized = alternating(
            port, ["/bench/trivial"], [scorecard], [f"/bench/sized/{size}"],
            seconds=options.seconds, scratch=scratch,
        )  # fmt: skip
        print(f"   trivial view      {wrk_line(trivial)}")
        print(f"   cached scorecard  {wrk_line(cached)}")
        print(f"   trivial, {size / 1024:.0f} KiB  {wrk_line(sized)}")
        ratio = cached["rps"] / trivial["rps"]
        report.check("cached scorecard / trivial", f"{ratio:.2f}", ratio >= 0.8, "≥ 0.8")
        print(
            f"   (the trivial view sending the page's {size / 1024:.0f} KiB: "
            f"{sized['rps'] / trivial['rps']:.2f} × the trivial view; the cached scorecard "
            f"{cached['rps'] / sized['rps']:.2f} × that)"
        )
        report.check(
            "errors (both)", trivial["errors"] + cached["errors"],
            trivial["errors"] + cached["errors"] == 0, "0",
        )  # fmt: skip

        # 4.
        mix = load_mix(options, slugs)
        print(f"\n4. Load: {len(mix)} public pages in turn")
        flush_cache()
        cold = wrk(port, mix, connections=50, seconds=options.seconds, scratch=scratch)
        print(f"   50 connections, cache emptied first   {wrk_line(cold)}")
        warmed = wrk(port, mix, connections=50, seconds=options.seconds, scratch=scratch)
        print(f"   50 connections, cache warm            {wrk_line(warmed)}")
    for name, result in (("cache emptied", cold), ("cache warm", warmed)):
        report.check(f"50 connections, {name}: errors", result["errors"], not result["errors"], "0")
        p99 = result["p99"]
        report.check(f"50 connections, {name}: p99", f"{p99:.0f} ms", p99 <= 500, "≤ 500 ms")
    with serving(servers, port, masters=3, workers=3):
        warm(port, mix)
        heavy = wrk(port, mix, connections=200, seconds=options.seconds, scratch=scratch)
        print(f"   200 connections, 3 gunicorn × 3 workers, cache warm   {wrk_line(heavy)}")
    report.check("200 connections: errors", heavy["errors"], heavy["errors"] == 0, "0")
    report.check("200 connections: p99", f"{heavy['p99']:.0f} ms", True, "(reported)")

    # 5.
    if options.skip_pdf:
        print("\n5. PDFs: skipped")
    else:
        print(
            f"\n5. PDFs (bench/pdf.py on {options.pdf_database}, cycle {options.pdf_cycle}, "
            f"{options.pdf_municipality})"
        )
        result = pdfs(options, scratch)
        for line in result["output"].splitlines():
            print(f"   | {line}")
        one, cycle = result["scorecard"], result["cycle"]
        report.check(
            "one scorecard PDF, warm", "-" if one is None else f"{one:.2f} s",
            one is not None and one <= TARGET_PDF_SCORECARD_SECONDS, "≤ 1.5 s",
        )  # fmt: skip
        report.check(
            f"cycle's PDFs ({result['files']}), 2 processes",
            "-" if cycle is None else f"{cycle:.1f} s",
            cycle is not None and cycle <= TARGET_PDF_CYCLE_SECONDS, "≤ 15 s",
        )  # fmt: skip

    load_now = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nLoad average at the end: {load_now}")
    if report.missed:
        print(f"Missed: {'; '.join(report.missed)}.")
    return 1 if options.strict and report.missed else 0


if __name__ == "__main__":
    sys.exit(main())
