from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from musqat.imports import run_from_command

from ...matrix import matrix_importer
from ...models import MethodologyVersion


class Command(BaseCommand):
    help = (
        "Import a methodology matrix (XLSX or CSV, one row per indicator) into a methodology "
        "version: the current one unless --methodology names another. All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx file, or a CSV file in UTF-8")
        parser.add_argument(
            "--methodology",
            dest="version_code",
            help="the version code (default: the current version)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, write nothing"
        )

    def handle(self, *args, file, version_code, dry_run, **options):
        versions = MethodologyVersion.objects.all()
        version = (
            versions.filter(code=version_code).first()
            if version_code
            else versions.filter(is_current=True).first()
        )
        if version is None:
            known = ", ".join(versions.values_list("code", flat=True)) or "-"
            raise CommandError(
                _("No methodology version %(code)s. Versions: %(known)s. Create one in the admin.")
                % {"code": version_code or _("is current"), "known": known}
            )
        self.stdout.write(_("Methodology version: %(version)s") % {"version": version})
        run_from_command(
            self,
            importer=matrix_importer(version),
            path=file,
            dry_run=dry_run,
            what=_("Methodology matrix"),
            target=version,
        )
