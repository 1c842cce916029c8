"""Retention: how long each kind of personal data is kept, and the sweep that removes what is
past its period. Periods come from settings (RETENTION_*, env LINLI_RETAIN_*; docs/privacy.md
gives the reasons). Each kind is swept in its own transaction, and a second run finds nothing
more to do. `now` is a parameter so that tests need no frozen clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

YEAR = dt.timedelta(days=365)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    period: Callable[[], dt.timedelta]
    rows: Callable  # (cutoff) -> queryset of what is past its period
    action: Callable  # (queryset) -> number of rows deleted or emptied


def _days(name: str, default: int):
    return lambda: dt.timedelta(days=getattr(settings, name, default))


def _years(name: str, default: int):
    return lambda: getattr(settings, name, default) * YEAR


def _delete(qs) -> int:
    return qs.delete()[1].get(qs.model._meta.label, 0)


# --- the kinds -------------------------------------------------------------------------------


def _reveals(cutoff):
    from linli.people.models import RevealLog

    return RevealLog.objects.filter(at__lt=cutoff)


def _deliveries(cutoff):
    from linli.notices.models import Delivery

    # Only finished ones: a queued message is never dropped by the sweep.
    return Delivery.objects.filter(status__in=(Delivery.Status.SENT, Delivery.Status.FAILED), created__lt=cutoff)


def _notifications(cutoff):
    from linli.notices.models import Notification

    return Notification.objects.filter(created__lt=cutoff)


def _logins(cutoff):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [m.objects.filter(attempt_time__lt=cutoff) for m in (AccessAttempt, AccessFailureLog, AccessLog)]


def _delete_each(querysets) -> int:
    return sum(_delete(qs) for qs in querysets)


def _final_cases(cutoff):
    from linli.cases.models import FINAL, Case

    return (
        Case.objects.filter(status__in=sorted(FINAL))
        .alias(ended=Coalesce("closed_at", "resolved_at", "submitted_at"))
        .filter(ended__lt=cutoff)
    )


def _case_photos(cutoff):
    from linli.cases.models import Photo

    return Photo.objects.filter(case__in=_final_cases(cutoff).values("pk"))


def _delete_photos(qs) -> int:
    n = 0
    for photo in qs.only("pk", "image"):
        name = photo.image.name
        photo.delete()
        if name:
            # After the commit: a rolled-back sweep must not have lost the file.
            storage = photo.image.storage
            transaction.on_commit(lambda n=name, s=storage: s.delete(n))
        n += 1
    return n


def _case_contacts(cutoff):
    return _final_cases(cutoff).filter(~Q(reporter_phone="") | ~Q(reporter_name="") | ~Q(phone_last4=""))


def _empty_contacts(qs) -> int:
    return qs.update(reporter_phone="", reporter_name="", phone_last4="")


def _decided_corrections(cutoff):
    from .models import CorrectionRequest, Status

    return CorrectionRequest.objects.exclude(status=Status.PENDING).filter(decided_at__lt=cutoff).exclude(value="")


def _sessions(cutoff):
    from django.contrib.sessions.models import Session

    return Session.objects.filter(expire_date__lt=timezone.now())


KINDS = [
    Kind("reveals", _("reveal log entries"), _years("RETENTION_REVEALS_YEARS", 3), _reveals, _delete),
    Kind("deliveries", _("message deliveries"), _days("RETENTION_DELIVERIES_DAYS", 90), _deliveries, _delete),
    Kind("notifications", _("notifications"), _days("RETENTION_NOTIFICATIONS_DAYS", 365), _notifications, _delete),
    Kind("logins", _("login records"), _days("RETENTION_LOGINS_DAYS", 90), _logins, _delete_each),
    Kind("case_photos", _("photos of closed cases"), _years("RETENTION_CASE_PHOTOS_YEARS", 2), _case_photos,
         _delete_photos),
    Kind("case_contacts", _("reporters' names and phones on closed cases"),
         _years("RETENTION_CASE_CONTACTS_YEARS", 3), _case_contacts, _empty_contacts),
    Kind("corrections", _("values in decided correction requests"), _days("RETENTION_CORRECTIONS_DAYS", 180),
         _decided_corrections, lambda qs: qs.update(value="")),
    Kind("sessions", _("expired sessions"), lambda: dt.timedelta(0), _sessions, _delete),
]  # fmt: skip


def _count(rows) -> int:
    return sum(qs.count() for qs in rows) if isinstance(rows, list) else rows.count()


def sweep(*, now=None, dry_run: bool = False) -> dict[str, int]:
    """Remove (or empty) what is past its period; {kind: rows}. With dry_run, only count."""
    now = now or timezone.now()
    done = {}
    for kind in KINDS:
        cutoff = now - kind.period()
        if dry_run:
            done[kind.key] = _count(kind.rows(cutoff))
            continue
        with transaction.atomic():
            done[kind.key] = kind.action(kind.rows(cutoff))
    return done
