"""Celery for production: workers on Redis (CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/1).

    celery -A linli worker --loglevel=info      # runs the tasks (each app's tasks.py)
    celery -A linli beat                        # the periodic work below

In the embedded mode (no CELERY_BROKER_URL, settings.TASKS_EAGER) nothing here runs: tasks
run in-process after the commit, and the periodic work is management commands.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Deliveries held through quiet hours, retries due, and claims of workers that died.
    "notices-send-due": {"task": "notices.send_due", "schedule": 60.0},
    "notices-digest": {"task": "notices.digest", "schedule": crontab(hour=8, minute=0)},
    # Votes open and close on time (a ballot after closing time is refused even before this runs).
    "votes-tick": {"task": "votes.tick", "schedule": 60.0},
    "resolutions-tick": {"task": "resolutions.tick", "schedule": crontab(hour=9, minute=0)},
    # Recurring activities' coming dates, and tomorrow's reminders (each sent once).
    "volunteers-tick": {"task": "volunteers.tick", "schedule": crontab(minute=0)},
    # Duty shifts of the next 48 hours still short of people: their organisers are told once.
    "rosters-tick": {"task": "rosters.tick", "schedule": 900.0},
    # Personal data past its retention period (docs/privacy.md), at night.
    "privacy-retention-sweep": {"task": "privacy.retention_sweep", "schedule": crontab(hour=3, minute=30)},
    # The figures of the last three closed months (and their quarters and years) summarised, so
    # the subdistrict's and communities' results pages read rows, not a year of records.
    "results-summarise": {"task": "results.summarise", "schedule": crontab(hour=3, minute=0)},
    # The monthly reports (PDF) of the month just ended, for every community and the subdistrict.
    "results-monthly-reports": {
        "task": "results.monthly_reports",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
    },
}
