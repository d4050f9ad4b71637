"""How long "publish" keeps its user waiting in the README's set-up: `make run` (SQLite, a
Celery worker beside the site on the folder broker).

    DEBUG=1 .venv/bin/python -m bench.publish

It builds that set-up in a scratch folder: a fresh SQLite database with the demo
(`migrate`, then `seed_demo` with its PDFs left out, as a worker would make them), and the
folder broker. It then completes cycle 2022 (both assessments of every municipality) and
times the publication of the last one, which calls for the whole cycle's documents: the
scorecards, the regional report and the handbook, in Georgian and English. Publishing
queues them and returns; the worker renders them afterwards (bench/pdf.py times that).

It prints the seconds publishing took (target < 2 s) and how many PDF jobs it queued. With
--strict it exits 1 on a miss. The scratch folder is removed at the end (--keep keeps it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 2.0
REPO = Path(__file__).resolve().parent.parent


def prepare(folder: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "musqat.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "PRIVATE_ROOT": str(folder / "private"),
        "CELERY_BROKER_URL": "filesystem://localhost//",
        "MUSQAT_BROKER_FOLDER": str(folder / "broker"),
    }
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=environment, check=True, cwd=REPO)
    subprocess.run(
        [*manage, "seed_demo"],
        env={**environment, "MUSQAT_RENDER_PDFS": "0"},
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    return environment


def measure() -> tuple[float, int]:
    """Complete cycle 2022 but for one assessment; time publishing that one."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from assessments import services
    from assessments.management.commands.seed_demo import Command
    from assessments.models import Assessment, Cycle

    staff = get_user_model().objects.get(username="project-staff")
    cycle = Cycle.objects.get(year=2022)
    seeder = Command()
    assessments = list(
        Assessment.objects.filter(cycle=cycle).order_by("municipality__slug", "kind")
    )
    last = assessments.pop()
    for assessment in assessments:
        seeder.publish_synthetic(assessment, staff)
    # The last one is answered and brought to review the way the seeding does it, then
    # published as project staff publish it, with its PDFs queued.
    seeder.answer_synthetic(last, staff)
    last.refresh_from_db()

    queue = Path(os.environ["MUSQAT_BROKER_FOLDER"]) / "queue"
    before = len(list(queue.iterdir()))
    started = time.perf_counter()
    services.publish_assessment(assessment=last, by=staff)
    seconds = time.perf_counter() - started
    return seconds, len(list(queue.iterdir())) - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="musqat-publish-"))
    try:
        started = time.perf_counter()
        os.environ.update(prepare(folder))
        print(f"set-up (migrate, seed_demo without PDFs): {time.perf_counter() - started:.1f} s")
        sys.path.insert(0, str(REPO))
        seconds, queued = measure()
    finally:
        if options.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    met = seconds < TARGET_SECONDS
    print(
        f"publishing the last assessment of cycle 2022: {seconds:.2f} s "
        f"(target < {TARGET_SECONDS:.0f} s: {'met' if met else 'MISSED'}); "
        f"{queued} messages queued for the worker"
    )
    return 1 if options.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
