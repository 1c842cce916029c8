"""Celery tasks (production); the embedded mode runs `manage.py retention_sweep` instead."""

from linli.celery import app

from . import retention


@app.task(name="privacy.retention_sweep")
def retention_sweep_task() -> dict:
    return retention.sweep()
