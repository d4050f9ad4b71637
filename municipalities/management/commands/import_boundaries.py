from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ...boundaries import ADDED, REPLACED, BoundaryError, BoundaryPlan
from ...boundary_import import apply_plan, plan_import, report_of


class Command(BaseCommand):
    help = (
        "Import municipal boundaries from a GeoJSON FeatureCollection (WGS 84), matching "
        "each feature to a municipality by slug or name. Features that match no "
        "municipality are left out; errors stop the whole import. --dry-run only reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .geojson file, such as geoBoundaries' ADM2")
        parser.add_argument(
            "--property",
            metavar="NAME",
            help="the feature property that names the municipality (default: the first "
            "of slug, shapeName, name, name_en, name_ka that matches)",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")

    def handle(self, *args, file, property, dry_run, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": file, "error": error}
            ) from None
        try:
            plan = plan_import(data, property=property)
        except BoundaryError as error:
            raise CommandError(str(error)) from None
        self.report(plan)
        if plan.errors:
            raise CommandError(
                _("Nothing was imported: %(count)s errors.") % {"count": len(plan.errors)}
            )
        if not plan.matches:
            raise CommandError(_("No feature of the file matches a municipality."))
        if dry_run:
            summary = report_of(plan).summary()
            self.stdout.write(_("Dry run, nothing written: %(summary)s.") % {"summary": summary})
            return
        if not plan.changes:
            self.stdout.write(_("Every boundary is already as in the file: nothing to write."))
            return
        report = apply_plan(plan, file_name=file)
        self.stdout.write(
            self.style.SUCCESS(_("Imported: %(summary)s.") % {"summary": report.summary()})
        )

    def report(self, plan: BoundaryPlan):
        states = {ADDED: _("boundary added"), REPLACED: _("boundary replaced")}
        for match in plan.matches:
            feature = match.feature
            self.stdout.write(
                _(
                    "feature %(number)s (%(label)s) → %(municipality)s: %(state)s, "
                    "%(kept)s of %(points)s points kept"
                )  # fmt: skip
                % {
                    "number": feature.number,
                    "label": feature.label,
                    "municipality": match.place.label,
                    "state": states.get(match.state, _("unchanged")),
                    "kept": feature.kept,
                    "points": feature.points,
                }
            )
        for problem in plan.unmatched:
            self.stdout.write(_("left out: %(problem)s") % {"problem": problem})
        for place in plan.without_boundary:
            note = _("keeps its current boundary") if place.boundary else _("has no boundary")
            self.stdout.write(
                _("no feature for %(municipality)s: %(note)s")
                % {"municipality": place.label, "note": note}
            )
        for problem in plan.errors:
            self.stderr.write(str(problem))
