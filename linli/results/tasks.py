"""Celery tasks (production); the embedded mode runs `manage.py results_reports` instead."""

from linli.celery import app

from . import report
from .period import last_full_month


@app.task(name="results.monthly_reports")
def monthly_reports_task() -> int:
    return len(report.write_all(last_full_month()))
