"""manage.py cleanup_imports [--days N]: run it daily (cron or a systemd timer)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linli.people.importing import cleanup_imports


class Command(BaseCommand):
    help = (
        "Delete uploaded import files that are no longer needed: those of finished imports, and those "
        "of imports left unconfirmed or stuck for longer than --days, which are marked as abandoned."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=2, help="abandon previews and stuck imports older than this (default 2)"
        )

    def handle(self, *args, days: int, verbosity: int, **options):
        if days < 1:
            raise CommandError(_("--days must be at least 1."))
        done = cleanup_imports(older_than=datetime.timedelta(days=days))
        lines = [
            (
                ngettext(
                    "Deleted the file of %(count)s finished import.",
                    "Deleted the files of %(count)s finished imports.",
                    len(done.finished),
                ),
                done.finished,
            ),
            (
                ngettext(
                    "Marked %(count)s abandoned import as failed and deleted its file.",
                    "Marked %(count)s abandoned imports as failed and deleted their files.",
                    len(done.abandoned),
                ),
                done.abandoned,
            ),
            (
                ngettext(
                    "Deleted %(count)s uploaded file that belongs to no import.",
                    "Deleted %(count)s uploaded files that belong to no import.",
                    len(done.stray_files),
                ),
                done.stray_files,
            ),
        ]
        if not any(items for _message, items in lines):
            self.stdout.write(_("Nothing to clean up."))
            return
        for message, items in lines:
            if not items:
                continue
            self.stdout.write(message % {"count": len(items)})
            if verbosity > 1:
                for item in items:
                    self.stdout.write(f"  {item}" if isinstance(item, str) else f"  #{item.pk} {item.file_name}")
