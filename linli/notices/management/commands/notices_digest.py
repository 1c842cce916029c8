from django.core.management.base import BaseCommand

from linli.notices.services import send_digests


class Command(BaseCommand):
    help = "Send the daily digest to those who chose one (run once a day, e.g. at 08:00)."

    def handle(self, *args, **options):
        count = send_digests()
        self.stdout.write(f"{count} digest message(s) queued")
