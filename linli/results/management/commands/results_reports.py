"""Write the monthly reports (PDF) of every subdistrict and community: run on the 1st of each
month for the month before (`--month` for another)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from linli.results import report
from linli.results.period import last_full_month, parse


class Command(BaseCommand):
    help = "Write the monthly report PDFs under LINLI_VAR_DIR/reports/<month>/."

    def add_arguments(self, parser):
        parser.add_argument("--month", help="the month, like 2026-11 (default: the last full month)")
        parser.add_argument("--if-missing", action="store_true", help="keep the reports already written")

    def handle(self, *args, month=None, if_missing=False, **options):
        try:
            period = parse(month) if month else last_full_month()
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from None
        paths = report.write_all(period, if_missing=if_missing)
        self.stdout.write(f"{len(paths)} reports for {period} in {report.reports_dir() / period.code}")
