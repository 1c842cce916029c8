"""Celery tasks (production); the embedded mode runs `manage.py volunteers_tick` instead."""

from linli.celery import app

from . import services


@app.task(name="volunteers.tick")
def tick_task() -> dict:
    return services.tick()
