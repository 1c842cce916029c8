from django.core.management.base import BaseCommand

from linli.resolutions.services import tick


class Command(BaseCommand):
    help = "Tell the responsible organisations of overdue resolutions (once each). Run daily or more often."

    def handle(self, *args, **options):
        self.stdout.write(f"overdue={tick()}")
