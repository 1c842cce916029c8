from django.core.management.base import BaseCommand

from linli.rosters.services import flag_gaps


class Command(BaseCommand):
    help = "Tell organisers of duty shifts that are short of people within the next 48 hours (once per shift)."

    def handle(self, *args, **options):
        self.stdout.write(f"{flag_gaps()} shift(s) flagged")
