"""Sending deliveries: once, with retries and back-off, never twice.

- `schedule(ids)` runs after the commit that queued them: in the embedded mode (TASKS_EAGER)
  in background threads, so a slow webhook never delays a page; in production as Celery
  tasks (tasks.py).
- `deliver(id)` claims the row, sends it through its channel, and records the outcome. A
  failure is retried after 1 min, 5 min, 30 min and 2 h (NOTICES_RETRY_DELAYS); after the
  fifth attempt, or at once for a failure that retrying cannot fix, it stays failed for an
  administrator to look at (/notices/failed/).
- `send_due()` (manage.py notices_send, or Celery beat every minute) sends what waited for the
  end of quiet hours, retries that are due, and claims whose worker died.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .channels import DeliveryError, sender
from .models import Delivery

logger = logging.getLogger("linli.notices")

# A claim older than this is a worker that died while sending: the sweep sends again. (The
# receiver may then get it twice; the X-Linli-Delivery key lets it notice.)
LEASE = dt.timedelta(minutes=10)
# Enqueue with a countdown only what is due this soon; later holds are left to the sweep
# (a Redis broker redelivers long-delayed tasks, see docs/notices.md).
ENQUEUE_AHEAD = dt.timedelta(minutes=10)


def retry_delays() -> list[int]:
    return list(settings.NOTICES_RETRY_DELAYS)


def max_attempts() -> int:
    return len(retry_delays()) + 1


def deliver(delivery_id: int, *, now: dt.datetime | None = None) -> int | None:
    """Send one delivery if it is due. Returns the seconds until it should be tried again
    (a retry, or the end of its quiet hours), else None (sent, given up, or not ours)."""
    now = now or timezone.now()
    # The claim: lock the row, check, mark it as being sent, commit. Two workers given the same
    # delivery (a Celery retry and the sweep, or a message the broker delivered twice) are
    # served one after the other, and the second finds it sending or sent and leaves it. The
    # lock is not held while sending, so a slow channel never blocks other writers.
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status == Delivery.Status.SENT:
            return None
        if delivery.status == Delivery.Status.SENDING and delivery.claimed_at and delivery.claimed_at > now - LEASE:
            return None
        if delivery.next_try is None:
            return None  # gave up: only an administrator's retry sets a new time
        if delivery.next_try > now:
            return max(1, int((delivery.next_try - now).total_seconds()))
        delivery.status, delivery.claimed_at = Delivery.Status.SENDING, now
        delivery.attempts += 1
        delivery.save(update_fields=["status", "claimed_at", "attempts"])

    try:
        sender(delivery.channel).send(delivery)
    except DeliveryError as exc:
        error = exc
    except Exception as exc:  # a bug in a channel must not leave the delivery claimed forever
        logger.exception("notices: delivery %s (%s) crashed", delivery.pk, delivery.channel)
        error = DeliveryError(Delivery.Error.INTERNAL, type(exc).__name__)
    else:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_at=None, error="", last_error=""
        )
        return None

    delays = retry_delays()
    retry_in = None if error.permanent or delivery.attempts > len(delays) else delays[delivery.attempts - 1]
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED,
        error=error.code,
        last_error=error.detail,
        next_try=now + dt.timedelta(seconds=retry_in) if retry_in is not None else None,
        claimed_at=None,
    )
    # The reason only: channels never put an address or secret in it.
    logger.warning(
        "notices: delivery %s (%s) failed, attempt %s: %s%s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        error,
        f"; retry in {retry_in} s" if retry_in is not None else "; given up",
    )
    return retry_in


def deliver_all(ids, *, now=None) -> None:
    for pk in ids:
        deliver(pk, now=now)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """A few background threads per process, made on first use (after a server forked its
    workers): a burst of events (a bulk action) queues up instead of starting a thread each."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="linli-notices")
        return _pool


def _in_thread(ids) -> None:
    try:
        deliver_all(ids)
    except Exception:
        logger.exception("notices: background delivery failed")
    finally:
        connection.close()


def schedule(ids) -> None:
    """Send these deliveries (already committed) without making the caller wait."""
    ids = list(ids)
    if not ids:
        return
    if not settings.TASKS_EAGER:
        from .tasks import deliver_task

        now = timezone.now()
        for pk, next_try in Delivery.objects.filter(pk__in=ids).values_list("pk", "next_try"):
            if next_try is None or next_try - now <= ENQUEUE_AHEAD:
                countdown = max(0, int((next_try - now).total_seconds())) if next_try else 0
                deliver_task.apply_async((pk,), countdown=countdown)
        return
    if settings.NOTICES_IN_THREAD:
        _executor().submit(_in_thread, ids)
    else:
        deliver_all(ids)


# With Celery, what is due was enqueued when it was queued or when it failed: the sweep only
# takes what has waited this long past its time (a lost task), so a busy queue is not flooded.
SWEEP_GRACE = dt.timedelta(minutes=2)


def due_ids(now=None, limit: int = 500) -> list[int]:
    return list(Delivery.objects.due(now, lease=LEASE).order_by("next_try", "pk").values_list("pk", flat=True)[:limit])


def send_due(now=None) -> int:
    """Send (embedded) or enqueue (Celery) everything due now; the number handled."""
    now = now or timezone.now()
    ids = due_ids(now if settings.TASKS_EAGER else now - SWEEP_GRACE)
    if not settings.TASKS_EAGER:
        from .tasks import deliver_task

        for pk in ids:
            deliver_task.apply_async((pk,))
    else:
        deliver_all(ids, now=now)
    return len(ids)


def retry(delivery: Delivery) -> None:
    """An administrator's retry of a failed delivery: one more attempt, now."""
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.FAILED).update(
            status=Delivery.Status.QUEUED, next_try=timezone.now()
        )
        if updated:
            transaction.on_commit(lambda: schedule([delivery.pk]))
