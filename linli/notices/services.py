"""Writes: telling people of an event, marking what they read, their preferences, the digest.

Other apps call `notify()`; everything it does happens after the caller's transaction commits
and nothing it does can fail the caller: a rolled-back change tells no one, and a broken
channel is a failed delivery, not a failed request.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import dispatch, kinds
from .models import PERSONAL, Channel, ChannelConfig, Delivery, Notification, Preference, Schedule

logger = logging.getLogger("linli.notices")

DIGEST_LINES = 30


def language_for(user) -> str:
    """The language a person is written to in. Users have no language of their own yet, so
    everyone hears the site's (zh-hans)."""
    return settings.LANGUAGE_CODE


def notify(
    *,
    users: Iterable,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str = "",
    groups: Iterable[ChannelConfig] = (),
) -> None:
    """Tell these users, and these group channels, of one event: an item in each user's feed
    and a message on every channel they keep on for this kind (held through their quiet
    hours; collected into the daily digest if they chose one).

    `key` names the event ("case:12:reply:345"): the same key never reaches a person or a
    channel twice. Runs after the current transaction commits; never raises."""
    user_ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    group_ids = sorted({getattr(g, "pk", g) for g in groups})
    message = {"kind": kind, "title": str(title)[:200], "body": str(body), "link": link, "key": key[:150]}

    def run():
        try:
            ids = record(user_ids=user_ids, group_ids=group_ids, **message)
        except Exception:
            logger.exception("notices: %s not recorded", kind)
            return
        try:
            dispatch.schedule(ids)
        except Exception:
            logger.exception("notices: deliveries %s not scheduled (the sweep will send them)", ids)

    if user_ids or group_ids:
        transaction.on_commit(run)


def address(user, channel: str) -> str:
    if channel == Channel.EMAIL:
        return user.email or ""
    if channel == Channel.SMS:
        return user.person.phone if user.person_id and user.person else ""
    return ""


def _schedule_of(user) -> Schedule | None:
    try:
        return user.notice_schedule
    except ObjectDoesNotExist:
        return None


def _choices(user_ids, kind: str | None = None) -> dict[tuple[int, str, str], bool]:
    qs = Preference.objects.filter(user_id__in=user_ids)
    if kind is not None:
        qs = qs.filter(kind=kind)
    return {(p.user_id, p.kind, p.channel): p.enabled for p in qs}


def is_on(choices: dict, user_id: int, kind: str, channel: str) -> bool:
    chosen = choices.get((user_id, kind, channel))
    if chosen is not None:
        return chosen
    known = kinds.KINDS.get(kind)
    return channel in known.default_channels if known else True


@transaction.atomic
def record(*, user_ids, group_ids, kind: str, title: str, body: str, link: str, key: str, now=None) -> list[int]:
    """The feed items and queued deliveries for one event; the ids of the deliveries queued.
    Written in bulk (an announcement reaches a whole community); the unique keys make a
    second run for the same event add nothing."""
    now = now or timezone.now()
    key = key or uuid.uuid4().hex
    payload = {"title": title, "body": body, "link": link}
    deliveries: list[Delivery] = []

    def queue(suffix: str, next_try, **fields):
        delivery = Delivery(key=f"{key}:{suffix}"[:200], kind=kind, payload=payload, created=now, **fields)
        delivery.next_try = next_try or now
        deliveries.append(delivery)

    users = list(
        get_user_model().objects.filter(pk__in=user_ids, is_active=True).select_related("person", "notice_schedule")
    )
    told = set(Notification.objects.filter(key=key, user__in=users).values_list("user_id", flat=True))
    fresh = [u for u in users if u.pk not in told]
    Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, title=title, body=body, link=link, key=key, created=now) for u in fresh],
        batch_size=500,
        ignore_conflicts=True,
    )
    choices = _choices([u.pk for u in fresh], kind)
    for user in fresh:
        schedule = _schedule_of(user)
        if schedule and schedule.digest:
            continue  # the daily digest will carry it
        hold = schedule.quiet_until_at(now) if schedule else None
        for channel in PERSONAL:
            target = address(user, channel)
            if target and is_on(choices, user.pk, kind, channel):
                queue(f"{channel}:u{user.pk}", hold, channel=channel, user=user, target=target)

    for config in ChannelConfig.objects.filter(pk__in=group_ids, active=True):
        queue(f"{config.channel}:c{config.pk}", config.quiet_until_at(now), channel=config.channel, config=config)
    if not deliveries:
        return []
    keys = [d.key for d in deliveries]
    existing = set(Delivery.objects.filter(key__in=keys).values_list("key", flat=True))
    fresh_deliveries = [d for d in deliveries if d.key not in existing]
    Delivery.objects.bulk_create(fresh_deliveries, batch_size=500, ignore_conflicts=True)
    # What this run queued (a run at the same moment for the same event may have queued some:
    # scheduling them twice is harmless, deliver() sends each once).
    new_keys = [k for k in keys if k not in existing]
    return list(Delivery.objects.filter(key__in=new_keys, status=Delivery.Status.QUEUED).values_list("pk", flat=True))


# --- the feed ---------------------------------------------------------------------------


def mark_read(*, user, ids: Iterable[int] | None = None, now=None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None); how many."""
    qs = Notification.objects.filter(user=user).unread()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=now or timezone.now())


# --- preferences ------------------------------------------------------------------------


def preferences(user) -> dict[tuple[str, str], bool]:
    """(kind, channel) → on, for every registered kind and personal channel."""
    choices = _choices([user.pk])
    return {(k, c): is_on(choices, user.pk, k, c) for k in kinds.KINDS for c in PERSONAL}


def schedule_of(user) -> Schedule:
    return Schedule.objects.filter(user=user).first() or Schedule(user=user)


@transaction.atomic
def save_preferences(
    *,
    user,
    choices: dict[tuple[str, str], bool],
    quiet_from: dt.time | None = None,
    quiet_until: dt.time | None = None,
    digest: bool = False,
) -> Schedule:
    """Store the person's choices: only those that differ from the default get a row."""
    if (quiet_from is None) != (quiet_until is None):
        raise ValidationError(_("Give both the start and the end of the quiet hours, or neither."), code="quiet")
    if quiet_from is not None and quiet_from == quiet_until:
        raise ValidationError(_("The quiet hours cannot start and end at the same time."), code="quiet")
    for (kind, channel), enabled in choices.items():
        if kind not in kinds.KINDS or channel not in PERSONAL:
            raise ValidationError(_("Unknown event or channel: %(value)s") % {"value": f"{kind}/{channel}"})
        default = channel in kinds.KINDS[kind].default_channels
        if enabled == default:
            Preference.objects.filter(user=user, kind=kind, channel=channel).delete()
        else:
            Preference.objects.update_or_create(user=user, kind=kind, channel=channel, defaults={"enabled": enabled})
    schedule = Schedule.objects.select_for_update().filter(user=user).first() or Schedule(user=user)
    if digest and not schedule.digest:
        schedule.digest_since = timezone.now()  # the first digest starts from now, not from the past
    schedule.quiet_from, schedule.quiet_until, schedule.digest = quiet_from, quiet_until, digest
    schedule.save()
    return schedule


# --- the daily digest -------------------------------------------------------------------


def send_digests(now=None) -> int:
    """One message per person and channel with what their feed got since the last digest, for
    those who chose the digest (manage.py notices_digest, once a day). Running it twice on a
    day sends nothing more. Returns the number of messages queued."""
    now = now or timezone.now()
    queued: list[int] = []
    schedules = Schedule.objects.filter(digest=True, user__is_active=True).select_related("user__person")
    for schedule in schedules:
        with transaction.atomic():
            queued += _digest(schedule, now)
    dispatch.schedule(queued)
    return len(queued)


def _digest(schedule: Schedule, now) -> list[int]:
    user = schedule.user
    since = schedule.digest_since or now - dt.timedelta(days=1)
    items = list(Notification.objects.filter(user=user, created__gt=since, created__lte=now).order_by("created"))
    choices = _choices([user.pk])
    hold = schedule.quiet_until_at(now)
    queued = []
    for channel in PERSONAL:
        target = address(user, channel)
        wanted = [n for n in items if is_on(choices, user.pk, n.kind, channel)]
        if not target or not wanted:
            continue
        with translation.override(language_for(user)):
            title = ngettext("linli: %(n)s new notification", "linli: %(n)s new notifications", len(wanted)) % {
                "n": len(wanted)
            }
            lines = [f"· {n.title}" for n in wanted[:DIGEST_LINES]]
            if len(wanted) > DIGEST_LINES:
                lines.append(_("… and %(n)s more") % {"n": len(wanted) - DIGEST_LINES})
        delivery, created = Delivery.objects.get_or_create(
            key=f"digest:{user.pk}:{channel}:{timezone.localdate(now).isoformat()}",
            defaults={
                "channel": channel,
                "kind": "digest",
                "user": user,
                "target": target,
                "payload": {"title": title, "body": "\n".join(lines), "link": reverse("notices:feed")},
                "next_try": hold or now,
                "created": now,
            },
        )
        if created:
            queued.append(delivery.pk)
    schedule.digest_since = now
    schedule.save(update_fields=["digest_since"])
    return queued
