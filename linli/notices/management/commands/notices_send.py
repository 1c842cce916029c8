from django.core.management.base import BaseCommand

from linli.notices.dispatch import send_due


class Command(BaseCommand):
    help = (
        "Send the deliveries that are due: held through quiet hours, retries, and those a worker "
        "dropped. Run every minute or few (cron, or the embedded run loop); Celery beat does it in production."
    )

    def handle(self, *args, **options):
        count = send_due()
        self.stdout.write(f"{count} delivery(ies) handled")
