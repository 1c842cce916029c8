"""Celery tasks (production); the embedded mode runs `manage.py votes_tick` instead."""

from linli.celery import app

from . import services


@app.task(name="votes.tick")
def tick_task() -> dict:
    return services.tick()
