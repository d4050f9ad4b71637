from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from musqat import backup


class Command(BaseCommand):
    help = (
        "Replace the database (DATABASE_URL), MEDIA_ROOT and PRIVATE_ROOT with those of a "
        "backup made by `manage.py backup`. The archive is checked whole before anything "
        "changes; it asks before it deletes the current data, unless given --yes."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="A musqat-….tar.gz made by backup.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask before replacing the current data."
        )

    def handle(self, *args, archive, yes, **options):
        try:
            manifest, advice = backup.restore_backup(
                archive,
                site=backup.Site.from_settings(),
                confirm=lambda question: yes or self.ask(question),
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored {backup.describe(manifest)}; every table's rows checked.")
        for line in advice:
            self.stdout.write(line)

    def ask(self, question: str) -> bool:
        self.stdout.write(question)
        try:
            answer = input('Type "yes" to go on: ')
        except EOFError:
            self.stdout.write("\nNo answer (in a script, pass --yes).")
            return False
        return answer.strip().lower() == "yes"
