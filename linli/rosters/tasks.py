"""Celery tasks (production); the embedded mode runs `manage.py rosters_tick` instead."""

from linli.celery import app

from . import services


@app.task(name="rosters.tick")
def tick_task() -> int:
    return services.flag_gaps()
