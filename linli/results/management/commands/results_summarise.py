"""Summarise the figures of closed periods for every subdistrict and community (nightly): the
last three closed months by default, and the quarters and years that hold them."""

import re
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.results import summaries
from linli.results.period import parse


class Command(BaseCommand):
    help = "Count the figures of closed months, quarters and years into summaries (docs/results.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, default=summaries.DEFAULT_MONTHS, help="the last N closed months (default 3)"
        )
        parser.add_argument("--since", help="every closed month from this one, like 2026-01 (instead of --months)")
        parser.add_argument(
            "--level", action="append", choices=summaries.LEVELS, help="subdistrict or community (default both)"
        )
        parser.add_argument("--daily", action="store_true", help="do nothing if the summaries were counted today")

    def handle(self, *args, months=summaries.DEFAULT_MONTHS, since=None, level=None, daily=False, **options):
        today = timezone.localdate()
        first = None
        if since:
            try:
                first = parse(since) if re.fullmatch(r"\d{4}-\d{1,2}", since.strip()) else None
            except ValidationError:
                first = None
            if first is None:
                raise CommandError(f"--since {since}: give a month like 2026-01.")
            if not summaries.is_closed(first, today):
                raise CommandError(f"--since {since}: that month is not over yet; only closed months are summarised.")
        if months < 1:
            raise CommandError(f"--months {months}: give 1 or more.")
        if daily and (last := summaries.last_run()) and timezone.localdate(last) == today:
            self.stdout.write(f"Summaries already counted today at {timezone.localtime(last):%H:%M}: nothing to do.")
            return
        levels = tuple(dict.fromkeys(level or summaries.LEVELS))
        chosen = summaries.periods(months=months, since=first, today=today)
        started = time.monotonic()
        for period in chosen:
            begun = time.monotonic()
            rows = summaries.summarise(period, levels=levels)
            took = time.monotonic() - begun
            self.stdout.write(f"{period.code}: {rows} figures ({', '.join(levels)}) in {took:.1f} s")
        self.stdout.write(f"{len(chosen)} periods summarised in {time.monotonic() - started:.1f} s")
