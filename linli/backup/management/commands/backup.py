from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linli.backup import services


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online copy; PostgreSQL: pg_dump) and the uploaded files into one "
        "archive with a manifest of checksums and row counts. Safe while linli runs. See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", type=Path, help="a directory, or a file name ending in .tar (default: var/backups/)"
        )
        parser.add_argument("--no-media", action="store_true", help="leave out the uploaded files")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, **options):
        try:
            path = services.backup(output=options["output"], using=options["database"], media=not options["no_media"])
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
