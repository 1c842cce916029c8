"""Celery tasks (production); the embedded mode runs `manage.py results_reports` and
`manage.py results_summarise --daily` from scripts/run.sh instead."""

from linli.celery import app

from . import report, summaries
from .period import last_full_month


@app.task(name="results.monthly_reports")
def monthly_reports_task() -> int:
    return len(report.write_all(last_full_month()))


@app.task(name="results.summarise")
def summarise_task() -> int:
    """The last three closed months, and the quarters and years holding them (nightly)."""
    return sum(summaries.summarise(period) for period in summaries.periods())
