"""Materialise the recurring series up to the horizon and send tomorrow's reminders.
Safe to run as often as wanted (every hour is plenty): each date is created once, each
reminder sent once."""

from django.core.management.base import BaseCommand

from linli.volunteers import services


class Command(BaseCommand):
    help = "Create the coming dates of recurring activities and remind the volunteers the day before."

    def handle(self, *args, **options):
        result = services.tick()
        self.stdout.write(f"volunteers: {result['created']} dates created, {result['reminded']} activities reminded")
