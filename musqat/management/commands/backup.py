from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from musqat import backup


class Command(BaseCommand):
    help = (
        "Back up the database (DATABASE_URL), MEDIA_ROOT and PRIVATE_ROOT into one archive, "
        "backups/musqat-YYYYmmdd-HHMMSS.tar.gz; `manage.py restore` puts it back."
    )
    # The checks read nothing a backup needs, and a backup should not wait on them.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default="backups",
            metavar="FOLDER",
            help="The folder to write the archive into (default: backups).",
        )

    def handle(self, *args, output, **options):
        try:
            path, manifest = backup.create_backup(
                site=backup.Site.from_settings(), into=Path(output)
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        database = manifest["database"]
        self.stdout.write(
            f"Database {database['name']} "
            f"({backup.ENGINE_NAMES[database['engine']]} {database['server_version']}): "
            f"{len(database['tables'])} tables, {sum(database['tables'].values()):,} rows"
        )
        for folder, entry in manifest["folders"].items():
            self.stdout.write(f"{folder}: {backup.files(entry['count'])}, {entry['bytes']:,} bytes")
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size:,} bytes)")
