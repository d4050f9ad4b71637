"""Importing municipal boundaries: the database's side of ``boundaries.py``.

The admin page and ``manage.py import_boundaries`` both plan with ``plan_import`` and
write with ``apply_plan``, so a file means the same in both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from musqat.imports import ImportReport, log_import

from .boundaries import (
    ADDED,
    REPLACED,
    UNCHANGED,
    BoundaryPlan,
    Place,
    match_features,
    read_features,
)
from .models import Municipality, boundary_is_valid


def places() -> list[Place]:
    return [
        Place(
            key=m.pk,
            slug=m.slug,
            label=m.name,
            names=(m.name_en, m.name_ka, m.official_name_en, m.official_name_ka),
            boundary=m.boundary,
        )
        for m in Municipality.objects.order_by("slug")
    ]


def plan_import(data: bytes, *, property: str | None = None) -> BoundaryPlan:
    """What importing the file would do; nothing is written. Raises BoundaryError for a
    file refused as a whole."""
    features = read_features(data, max_bytes=settings.IMPORT_MAX_BYTES)
    return match_features(features, places(), property=property or None)


def report_of(plan: BoundaryPlan) -> ImportReport:
    """The plan in the counts every import logs."""
    counts = plan.counts
    return ImportReport(
        created=counts[ADDED], updated=counts[REPLACED], unchanged=counts[UNCHANGED]
    )


def apply_plan(plan: BoundaryPlan, *, by=None, file_name: str) -> ImportReport:
    """Write the plan's new and changed boundaries, all in one transaction, and log it.

    Each municipality is saved through the model, so that the public pages showing it
    are built afresh.
    """
    if not plan.may_apply:
        raise ValueError("a plan with errors or without changes is not applied")
    with transaction.atomic():
        for match in plan.changes:
            municipality = Municipality.objects.select_for_update().get(pk=match.place.key)
            if not boundary_is_valid(match.feature.geometry):  # the model's own rule
                raise ValueError(f"{municipality.slug}: invalid boundary")
            municipality.boundary = match.feature.geometry
            municipality.save(update_fields=["boundary"])
    report = report_of(plan)
    log_import(
        by=by,
        target=Municipality,
        file_name=file_name,
        report=report,
        what=str(Municipality._meta.verbose_name_plural),
    )
    return report
