from django.core.management.base import BaseCommand

from linli.votes.services import tick


class Command(BaseCommand):
    help = "Open votes whose voting time has come and close (and count) those whose time is up. Run every minute."

    def handle(self, *args, **options):
        done = tick()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in done.items()))
