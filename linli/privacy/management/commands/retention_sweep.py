"""Delete or empty the personal data past its retention period (docs/privacy.md). Daily."""

from django.core.management.base import BaseCommand

from linli.privacy import retention


class Command(BaseCommand):
    help = "Delete or empty personal data past its retention period; prints the rows per kind."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count what would go")

    def handle(self, *args, dry_run=False, **options):
        counts = retention.sweep(dry_run=dry_run)
        labels = {k.key: k.label for k in retention.KINDS}
        verb = "would go" if dry_run else "done"
        for key, n in counts.items():
            self.stdout.write(f"{key}: {n} ({labels[key]}) {verb}")
