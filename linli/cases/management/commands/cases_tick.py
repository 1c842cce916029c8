from django.core.management.base import BaseCommand

from linli.cases.services import tick


class Command(BaseCommand):
    help = "Reminders, escalation of overdue cases, auto-close and revisit tasks. Run every few minutes (cron)."

    def handle(self, *args, **options):
        done = tick()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in done.items()))
