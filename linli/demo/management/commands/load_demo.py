"""manage.py load_demo [--if-empty] [--scale 1.0] [--seed 2021]: the real Guicheng compounds."""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.demo.activities import load_activities
from linli.demo.cases import load_cases
from linli.demo.deliberation import load_deliberation
from linli.demo.generator import build, write
from linli.demo.reach import load_reach
from linli.demo.votes import load_votes
from linli.places.models import Subdistrict


class Command(BaseCommand):
    help = "Load the demo data set: 桂城街道 with its real compounds, residents, organisations and demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if a subdistrict exists already (for `make run`)."
        )
        parser.add_argument("--scale", type=float, default=1.0, help="Multiplies the number of homes (1.0 = real).")
        parser.add_argument(
            "--seed", type=int, default=2021, help="Seed of the random generator (same seed, same data)."
        )

    def handle(self, *args, if_empty=False, scale=1.0, seed=2021, **options):
        if not 0 < scale <= 10:
            raise CommandError(_("The scale must be more than 0 and at most 10, not %(scale)s.") % {"scale": scale})
        existing = Subdistrict.objects.first()
        if existing is not None:
            if if_empty:
                self.stdout.write(_("Demo data not loaded: the database already holds %(name)s.") % {"name": existing})
                return
            raise CommandError(
                _(
                    "The database already holds %(name)s. Empty it first (manage.py flush, or delete "
                    "var/linli.sqlite3 and migrate), or pass --if-empty."
                )
                % {"name": existing}
            )
        started = time.monotonic()
        plan = build(seed=seed, scale=scale)
        built = time.monotonic()
        counts = write(plan)
        written = time.monotonic()
        # Cases are dated back from now (the last 120 days), so the same seed gives the same
        # cases on the same day; their own generator leaves the rest of the data set as it was.
        counts.update(load_cases(rng=random.Random(seed), now=timezone.now(), scale=scale))
        cased = time.monotonic()
        counts.update(load_votes(rng=random.Random(seed), now=timezone.now()))
        counts.update(load_deliberation(now=timezone.now()))
        voted = time.monotonic()
        # Volunteering, patrols, the campaign and the roster: dated back from now, as the cases.
        counts.update(load_activities(rng=random.Random(seed), now=timezone.now()))
        counts.update(load_reach(rng=random.Random(seed), now=timezone.now()))
        done = time.monotonic()
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count:,}")
        message = _("Demo data loaded in %(total).1f s (scale %(scale)s, seed %(seed)s).") % {
            "total": done - started,
            "scale": scale,
            "seed": seed,
        }
        timing = (
            f" [build {built - started:.1f} s, write {written - built:.1f} s, cases {cased - written:.1f} s,"
            f" votes {voted - cased:.1f} s, activities {done - voted:.1f} s]"
        )
        self.stdout.write(self.style.SUCCESS(message) + timing)
        self.stdout.write(_("Demo accounts: manage.py demo_accounts"))
