"""Celery tasks (production); the embedded mode runs `manage.py resolutions_tick` instead."""

from linli.celery import app

from . import services


@app.task(name="resolutions.tick")
def tick_task() -> int:
    return services.tick()
