"""How fast responses are imported and a cycle is exported, and how much memory that takes.

Run from the repository root, on any migrated database (PostgreSQL, as production runs):

    DATABASE_URL=postgres://root@127.0.0.1:5432/musqat_bench .venv/bin/python -m bench.imports

 Everything it makes is made inside one
transaction that is rolled back at the end, so the database is left as it was. It builds
a methodology of 100 indicators that every assessment answers (the demo matrix), 64
municipalities and a cycle, then prints:

1. the seconds to import 10,000 responses from XLSX: 100 files (50 municipalities × self
   and external assessment), each of 100 rows, as `import_responses` reads them — read,
   validated and written, all or nothing per file (target ≤ 20 s);
2. the peak memory (ru_maxrss) of the process after the import (target ≤ 400 MB);
3. the seconds to export a cycle of 64 municipalities (128 published assessments) as the
   project staff's XLSX workbook (target ≤ 10 s), and its size.

Exit status 0, or with --strict 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

TARGET_IMPORT_SECONDS = 20.0
TARGET_IMPORT_MIB = 400
TARGET_EXPORT_SECONDS = 10.0
IMPORTED_MUNICIPALITIES = 50
EXPORTED_MUNICIPALITIES = 64


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="for the random answers")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args()


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Rollback(Exception):
    """Raised at the end to roll everything back."""


def main() -> int:
    options = arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "musqat.settings")
    os.environ.setdefault("MUSQAT_RENDER_PDFS", "0")
    import django

    django.setup()
    from django.db import connection, transaction

    print(f"database: {connection.vendor}")
    results = {}
    try:
        with transaction.atomic():
            run(options, results)
            raise Rollback
    except Rollback:
        pass
    print("(everything made was rolled back)")
    missed = [
        results["import_seconds"] > TARGET_IMPORT_SECONDS,
        results["import_mib"] > TARGET_IMPORT_MIB,
        results["export_seconds"] > TARGET_EXPORT_SECONDS,
    ]
    return 1 if options.strict and any(missed) else 0


def run(options, results: dict) -> None:
    from django.contrib.auth import get_user_model

    from assessments import services
    from assessments.answers.imports import COLUMNS, responses_importer
    from assessments.models import Assessment, Cycle, Response
    from assessments.opendata.workbook import write_cycle_workbook
    from assessments.workflow import Kind, Status
    from municipalities.models import Organization, Region
    from musqat.imports import apply
    from musqat.spreadsheets import Sheet, read_rows, write_xlsx

    random.seed(options.seed)
    started = time.perf_counter()
    staff = get_user_model().objects.create_superuser("bench-staff", "bench@example.org", "x")
    version = build_methodology(code="bench")
    cycle = Cycle.objects.create(year=2999, methodology=version, is_open=True)
    region = Region.objects.create(slug="bench-region", name_ka="რეგიონი", name_en="Region")
    organization = Organization.objects.create(slug="bench-cso", name_ka="ორგ", name_en="CSO")
    municipalities = build_municipalities(EXPORTED_MUNICIPALITIES, regions=[region])
    assessments = [
        Assessment.objects.create(
            municipality=municipality,
            cycle=cycle,
            kind=kind,
            organization=organization if kind == Kind.EXTERNAL else None,
        )
        for municipality in municipalities
        for kind in (Kind.SELF, Kind.EXTERNAL)
    ]
    indicators = list(assessments[0].indicators().order_by("code"))
    assert len(indicators) == 100, len(indicators)
    print(f"set-up: {len(municipalities)} municipalities, {len(assessments)} assessments, "
          f"{len(indicators)} indicators ({time.perf_counter() - started:.1f} s)")  # fmt: skip

    imported = assessments[: IMPORTED_MUNICIPALITIES * 2]
    folder = Path(tempfile.mkdtemp(prefix="musqat-bench-"))
    files = []
    for assessment in imported:
        rows = [
            [indicator.code, random_answer(indicator), "", "", "", "Council minutes, 2024", "",
             "https://example.org/minutes"]
            for indicator in indicators
        ]  # fmt: skip
        path = folder / f"{assessment.pk}.xlsx"
        write_xlsx([Sheet(title="responses", columns=COLUMNS, rows=rows)], out=path)
        files.append((assessment, path))

    before = peak_mib()
    started = time.perf_counter()
    created = 0
    for assessment, path in files:
        report = apply(responses_importer(assessment), read_rows(path.read_bytes()), by=staff)
        created += report.created
    seconds = time.perf_counter() - started
    results["import_seconds"] = seconds
    results["import_mib"] = peak = peak_mib()
    assert created == 10_000, created
    print(
        f"import: {created} responses from {len(files)} XLSX files in {seconds:.1f} s "
        f"(target ≤ {TARGET_IMPORT_SECONDS:.0f} s): {verdict(seconds, TARGET_IMPORT_SECONDS)}"
    )
    print(f"peak memory: {peak:.0f} MiB (before the import {before:.0f} MiB; "
          f"target ≤ {TARGET_IMPORT_MIB} MB): {verdict(peak, TARGET_IMPORT_MIB)}")  # fmt: skip
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()

    # The rest answer in bulk; then every assessment is published, as project staff do.
    for assessment in assessments[len(imported) :]:
        Response.objects.bulk_create(
            Response(assessment=assessment, indicator=indicator, value=random_answer(indicator))
            for indicator in indicators
        )
    started = time.perf_counter()
    Assessment.objects.filter(cycle=cycle).update(status=Status.REVIEW)
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("cycle"):
        services.publish_assessment(assessment=assessment, by=staff, notify=False, render=False)
    print(f"published {len(assessments)} assessments ({time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    out = io.BytesIO()
    write_cycle_workbook(cycle, language="ka", out=out)
    seconds = time.perf_counter() - started
    results["export_seconds"] = seconds
    size = len(out.getvalue()) / 1024 / 1024
    print(f"export: cycle of {len(municipalities)} municipalities as XLSX, {size:.1f} MiB, "
          f"in {seconds:.1f} s (target ≤ {TARGET_EXPORT_SECONDS:.0f} s): "
          f"{verdict(seconds, TARGET_EXPORT_SECONDS)}")  # fmt: skip


# Builders shared with bench/national.py. They need Django set up (called from run()).


def build_methodology(*, code: str, is_current: bool = False, indicators: int = 100):
    """The demo matrix as a new methodology version in which every assessment, self or
    external, answers every indicator; `indicators` keeps only the first ones (≤ 100)."""
    from assessments.demo import METHODOLOGY_CSV
    from indicators.matrix import load_matrix
    from indicators.models import MethodologyVersion
    from musqat.spreadsheets import read_rows

    version = MethodologyVersion.objects.create(
        code=code, name_ka="საზომი", name_en="Bench", is_current=is_current
    )
    rows = read_rows(METHODOLOGY_CSV.read_bytes())[:indicators]
    for row in rows:
        row["answered_by"] = "both"  # so that each assessment answers all of them
        row["previous_code"] = ""
    load_matrix(version=version, rows=rows)
    return version


def build_municipalities(count: int, *, regions: list, first: int = 1) -> list:
    """`count` municipalities, spread over the regions in turn and over Georgia's map."""
    from municipalities.models import Municipality

    return [
        Municipality.objects.create(
            region=regions[(n - first) * len(regions) // count],
            slug=f"bench-{n:02d}",
            name_ka=f"მუნიციპალიტეტი {n}",
            name_en=f"Municipality {n}",
            official_name_ka=f"მუნიციპალიტეტი {n}",
            official_name_en=f"Municipality {n}",
            centre_ka="ცენტრი",
            centre_en="Centre",
            population=10_000 + n,
            area_km2=Decimal(500),
            latitude=Decimal("41.2") + Decimal(n * 37 % 200) / 100,
            longitude=Decimal("40.2") + Decimal(n * 53 % 640) / 100,
        )
        for n in range(first, first + count)
    ]


def random_answer(indicator) -> Decimal:
    """A random valid answer to the indicator (seed `random` for repeatable data)."""
    if indicator.response_type == "yes_no":
        return Decimal(random.randint(0, 1))
    if indicator.response_type == "scale":
        return Decimal(random.randint(0, indicator.scale_max))
    if indicator.response_type == "percent":
        return Decimal(random.randint(0, 100))
    low, high = sorted((indicator.worst, indicator.best))
    return Decimal(random.randint(int(low), int(high)))


if __name__ == "__main__":
    sys.exit(main())
