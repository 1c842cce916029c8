import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from linli.backup import services


class Command(BaseCommand):
    help = (
        "Restore an archive made by `linli backup`: checks every checksum first, refuses a database that "
        "already holds data unless --force, then compares each table's row count with the backup. "
        "Stop the app processes first. See docs/backup.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")
        parser.add_argument("--no-media", action="store_true", help="restore the database only")
        parser.add_argument("--check", action="store_true", help="only check the archive's checksums; change nothing")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, **options):
        try:
            if options["check"]:
                with tempfile.TemporaryDirectory(prefix="linli-check-") as tmp:
                    manifest = services.verify(options["archive"], Path(tmp))
                self.stdout.write(
                    _("The backup is whole: %(vendor)s database of %(created)s, %(tables)s tables, %(files)s files.")
                    % {
                        "vendor": manifest["vendor"],
                        "created": manifest["created_at"],
                        "tables": len(manifest["tables"]),
                        "files": len(manifest["media"]),
                    }
                )
                return
            result = services.restore(
                options["archive"], using=options["database"], force=options["force"], media=not options["no_media"]
            )
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            _("Restored the backup of %(created)s: %(tables)s tables, each with the rows it had; %(files)s files.")
            % {"created": manifest["created_at"], "tables": len(manifest["tables"]), "files": result.media_files}
        )
        if result.pending_migrations:
            self.stdout.write(_("The backup is older than this code: run `linli migrate`."))
        for warning in result.warnings:
            self.stderr.write(warning)
