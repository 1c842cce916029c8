"""Celery tasks (production). Each takes an id, and the work is in dispatch/services, so the
embedded mode runs the very same code in-process."""

from linli.celery import app

from . import dispatch, services


@app.task(name="notices.deliver", bind=True, max_retries=None, acks_late=True)
def deliver_task(self, delivery_id: int) -> None:
    """Send one delivery. The row holds the state (attempts, next try), so a retry is only a
    new attempt later; deliver() guards against sending twice when the same delivery comes
    around again (a retry, the sweep, a message the broker delivered twice)."""
    retry_in = dispatch.deliver(delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@app.task(name="notices.send_due")
def send_due_task() -> int:
    return dispatch.send_due()


@app.task(name="notices.digest")
def digest_task() -> int:
    return services.send_digests()
