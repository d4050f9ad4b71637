from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.answers.imports import responses_importer
from assessments.models import Assessment
from musqat.imports import run_from_command


class Command(BaseCommand):
    help = (
        "Import an assessment's answers from an XLSX or CSV file: one row per indicator "
        "(indicator_code, value, not_applicable, na_reason, na_reason_en, evidence, "
        "evidence_en, links). Only a draft takes them. Nothing is written if any row is "
        "wrong; with --dry-run nothing is written at all."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="An .xlsx file, or a CSV file in UTF-8.")
        parser.add_argument("--assessment", type=int, required=True, metavar="ID")
        parser.add_argument("--dry-run", action="store_true", help="Only report what would change.")

    def handle(self, *args, file, assessment, dry_run, **options):
        found = (
            Assessment.objects.select_related("municipality", "cycle").filter(pk=assessment).first()
        )
        if found is None:
            raise CommandError(
                _("There is no assessment with the id %(id)s. The admin lists the assessments.")
                % {"id": assessment}
            )
        run_from_command(
            self,
            importer=responses_importer(found),
            path=file,
            dry_run=dry_run,
            what=_("Responses of %(assessment)s") % {"assessment": found},
            target=found,
        )
