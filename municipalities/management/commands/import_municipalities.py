from django.core.management.base import BaseCommand

from musqat.imports import run_from_command

from ...models import Municipality, Organization
from ...resources import municipalities_importer, organizations_importer


class Command(BaseCommand):
    help = (
        "Import municipalities (or, with --organizations, CSO organisations) from an XLSX "
        "or CSV file, matched by slug. All rows or none; --dry-run only reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx file or a CSV file in UTF-8")
        parser.add_argument(
            "--organizations",
            action="store_true",
            help="the file lists CSO organisations, not municipalities",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")

    def handle(self, *args, file, organizations, dry_run, **options):
        model = Organization if organizations else Municipality
        run_from_command(
            self,
            importer=organizations_importer if organizations else municipalities_importer,
            path=file,
            dry_run=dry_run,
            what=str(model._meta.verbose_name_plural),
            target=model,
        )
