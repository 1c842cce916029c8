"""manage.py import_homes FILE --user USERNAME [--dry-run] [--compound NAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.people import importing


class Command(BaseCommand):
    help = (
        "Import homes and residents from an .xlsx or CSV file, as the given user and within that user's "
        "compounds. The whole file is checked first; nothing is written unless every row is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username whose scope decides the compounds allowed")
        parser.add_argument("--dry-run", action="store_true", help="only check the file and print what would change")
        parser.add_argument("--compound", help="import every row into this compound (by name)")

    def handle(self, *args, file: Path, user: str, dry_run: bool, compound: str | None, **options):
        try:
            importer = User.objects.get(username=user, is_active=True)
        except User.DoesNotExist:
            raise CommandError(_("No active user “%(name)s”.") % {"name": user}) from None
        if not importing.can_import(importer):
            raise CommandError(_("Your role does not allow importing homes and residents."))
        if not file.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        target = None
        if compound:
            target = importing.importable_compounds(importer).filter(name=compound).first()
            if target is None:
                raise CommandError(
                    _("Compound “%(name)s” was not found among the compounds you may import into.") % {"name": compound}
                )
        result = importing.import_file(
            user=importer, path=file, file_name=file.name, compound=target, commit=not dry_run
        )
        if not result.valid:
            for error in result.errors:
                where = _("row %(row)s") % {"row": error.row} if error.row else _("file")
                column = f" · {error.column}" if error.column else ""
                value = f" · {error.value}" if error.value else ""
                self.stdout.write(f"{where}{column}{value}: {error.message}")
            raise CommandError(
                _("%(count)s errors; nothing was imported.") % {"count": len(result.errors)}, returncode=1
            )
        heading = _("Checked, nothing written (dry run):") if dry_run else _("Imported:")
        self.stdout.write(f"{heading} {result.total_rows} " + _("rows"))
        for label, count in importing.summary_rows(result.summary):
            self.stdout.write(f"  {label}: {count}")
