import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.models import Cycle, JobStatus
from assessments.pdf import documents, jobs


class Command(BaseCommand):
    help = (
        "Queue the PDFs of one cycle: every published scorecard, the regional report and "
        "the methodology handbook, in every language. With no broker they render here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, metavar="YEAR")
        parser.add_argument(
            "--only-stale",
            action="store_true",
            help="Only files that are missing, failed or made from older data.",
        )

    def handle(self, *args, cycle, only_stale, **options):
        found = Cycle.objects.filter(year=cycle).first()
        if found is None:
            years = ", ".join(str(y) for y in Cycle.objects.values_list("year", flat=True))
            raise CommandError(f"There is no cycle {cycle}. Cycles: {years or 'none'}.")
        if not documents.current_sources(cycle=found):
            raise CommandError(
                f"Nothing is published in cycle {cycle}: there is nothing to render."
            )
        renderings = documents.renderings_to_make(cycle=found, force=not only_stale)
        eager = settings.CELERY_TASK_ALWAYS_EAGER
        total = len(renderings)
        for number, rendering in enumerate(renderings, 1):
            started = time.perf_counter()
            jobs.queue([rendering])
            prefix = f"[{number}/{total}] {rendering}"
            if not eager:
                self.stdout.write(f"{prefix}: queued")
                continue
            rendering.refresh_from_db()
            seconds = time.perf_counter() - started
            if rendering.status == JobStatus.DONE:
                self.stdout.write(f"{prefix}: {rendering.pages} pages, {seconds:.1f} s")
            else:
                self.stderr.write(f"{prefix}: failed: {rendering.error}")
        sources = documents.current_sources(cycle=found)
        waiting = sum(1 for r in documents.renderings_for(sources) if r.status == JobStatus.PENDING)
        if not total and waiting:
            self.stdout.write(
                f"Every PDF of cycle {cycle} is made or queued: {waiting} wait for a worker."
            )
        elif not total:
            self.stdout.write(f"Every PDF of cycle {cycle} is up to date.")
        elif not eager:
            self.stdout.write(f"{total} PDFs queued; a worker renders them.")
