"""Notifications over the API, under /api/v1/notices: the caller's own feed, marking read, his
preferences, and announcements (read, publish, reach). Nobody reads or marks another person's
notifications, nor an announcement outside his homes and area (a 404, as for one that does not
exist)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.accounts.scope import MODELS
from linli.lib.api_support import ErrorOut, Pagination, invalid_input

from . import announcements as ann
from . import kinds, services
from .access import access_notification, own_notifications
from .models import Notification

router = Router(tags=["notices"])


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    link: str
    created: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_kind_label(obj: Notification) -> str:
        return kinds.label(obj.kind)


class UnreadOut(Schema):
    unread: int


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="The notifications to mark read; omitted: all unread ones")


class ReadOut(Schema):
    marked: int
    unread: int


class ChoiceOut(Schema):
    kind: str
    label: str
    group: str
    email: bool
    sms: bool


class PreferencesOut(Schema):
    events: list[ChoiceOut]
    quiet_from: dt.time | None = Field(None, description="Local time; emails and text messages wait until quiet_until")
    quiet_until: dt.time | None
    digest: bool = Field(..., description="One message a day instead of one for each event")


class ChoiceIn(Schema):
    kind: str = Field(..., examples=["case.reply"])
    email: bool | None = None
    sms: bool | None = None


class PreferencesIn(Schema):
    events: list[ChoiceIn] = Field(default_factory=list, description="Changes; kinds not listed keep their setting")
    quiet_from: dt.time | None = None
    quiet_until: dt.time | None = None
    digest: bool = False


@router.get("", response=list[NotificationOut])
@paginate(Pagination)
def feed(request, unread: bool = False):
    """The caller's notifications, newest first; `unread=true` for the unread ones only."""
    qs = own_notifications(request.user)
    return qs.unread() if unread else qs


@router.get("/unread", response=UnreadOut)
def unread_count(request):
    """The number on the bell."""
    return {"unread": own_notifications(request.user).unread().count()}


@router.post("/read", response={200: ReadOut, 422: ErrorOut})
def mark_read(request, payload: ReadIn):
    """Mark some (`ids`) or all of the caller's notifications read. Ids that are not the
    caller's are ignored."""
    marked = services.mark_read(user=request.user, ids=payload.ids)
    return {"marked": marked, "unread": own_notifications(request.user).unread().count()}


@router.post("/{int:notification_id}/read", response={200: NotificationOut, 404: ErrorOut})
def mark_one_read(request, notification_id: int):
    notice = access_notification(request.user, notification_id)
    services.mark_read(user=request.user, ids=[notice.pk])
    notice.refresh_from_db()
    return notice


def _preferences(user) -> dict:
    chosen = services.preferences(user)
    schedule = services.schedule_of(user)
    events = [
        {
            "kind": code,
            "label": str(kind.label),
            "group": str(kind.group),
            "email": chosen[(code, "email")],
            "sms": chosen[(code, "sms")],
        }
        for code, kind in kinds.KINDS.items()
    ]
    return {
        "events": events,
        "quiet_from": schedule.quiet_from,
        "quiet_until": schedule.quiet_until,
        "digest": schedule.digest,
    }


@router.get("/preferences", response=PreferencesOut)
def get_preferences(request):
    """Which events reach the caller by email and text message (the feed has them all), his
    quiet hours and whether he gets one daily digest instead."""
    return _preferences(request.user)


@router.put("/preferences", response={200: PreferencesOut, 422: ErrorOut})
def put_preferences(request, payload: PreferencesIn):
    choices = {}
    for n, choice in enumerate(payload.events):
        if choice.kind not in kinds.KINDS:
            raise invalid_input(f"events.{n}.kind", _("Unknown event kind: %(kind)s") % {"kind": choice.kind})
        for channel in ("email", "sms"):
            value = getattr(choice, channel)
            if value is not None:
                choices[(choice.kind, channel)] = value
    try:
        services.save_preferences(
            user=request.user,
            choices=choices,
            quiet_from=payload.quiet_from,
            quiet_until=payload.quiet_until,
            digest=payload.digest,
        )
    except DjangoValidationError as exc:
        raise invalid_input("quiet_from", " ".join(exc.messages)) from None
    return _preferences(request.user)


# --- announcements ----------------------------------------------------------------------


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    level: str
    place: str = Field(..., description="The community, compound, building or stairwell it is for")
    author: str
    pinned: bool
    published: dt.datetime
    expires: dt.datetime | None

    @staticmethod
    def resolve_place(obj) -> str:
        return obj.place_label

    @staticmethod
    def resolve_author(obj) -> str:
        return obj.author_label


class AnnouncementIn(Schema):
    level: Literal["community", "compound", "building", "stairwell"]
    place: int = Field(..., description="The id of the community, compound, building or stairwell")
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=4000)
    pinned: bool = False
    expires: dt.datetime | None = None


class StairwellReachOut(Schema):
    stairwell: str
    homes: int
    read: int
    unread_homes: list[str]


class ReachOut(Schema):
    homes: int
    read: int
    percent: int
    readers: int
    homes_without_account: int
    stairwells: list[StairwellReachOut]


@router.get("/announcements", response=list[AnnouncementOut])
@paginate(Pagination)
def announcement_list(request):
    """Current announcements for the caller's homes (and, for those who publish, within their area)."""
    return (
        ann.visible_announcements(request.user)
        .current()
        .select_related("community", "compound", "building", "stairwell")
    )


@router.post("/announcements", response={201: AnnouncementOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def announcement_publish(request, payload: AnnouncementIn):
    """Publish to everyone living in a place the caller may publish to; they are told under the bell."""
    try:
        place = MODELS[payload.level].objects.get(pk=payload.place)
    except MODELS[payload.level].DoesNotExist:
        raise Http404 from None
    try:
        announcement = ann.publish(
            user=request.user,
            level=payload.level,
            place=place,
            title=payload.title,
            body=payload.body,
            pinned=payload.pinned,
            expires=payload.expires,
        )
    except DjangoValidationError as exc:
        raise invalid_input("expires" if exc.code == "expired" else "title", " ".join(exc.messages)) from None
    return Answer(201, announcement)


@router.get("/announcements/{int:announcement_id}", response={200: AnnouncementOut, 404: ErrorOut})
def announcement_detail(request, announcement_id: int):
    """One announcement; reading it leaves the caller's read receipt."""
    announcement = ann.access_announcement(request.user, announcement_id)
    ann.mark_read(user=request.user, announcement=announcement)
    return announcement


@router.get("/announcements/{int:announcement_id}/reach", response={200: ReachOut, 404: ErrorOut})
def announcement_reach(request, announcement_id: int):
    """Homes reached (anyone living there has read it), for those who may publish there; each
    caller sees the homes within his own area."""
    announcement = ann.access_announcement(request.user, announcement_id)
    if not ann.may_see_reach(request.user, announcement):
        raise Http404
    reach = ann.reach(announcement, request.user)
    return {
        "homes": reach.total,
        "read": reach.read,
        "percent": reach.percent,
        "readers": reach.readers,
        "homes_without_account": reach.without_account,
        "stairwells": [
            {
                "stairwell": str(row.stairwell),
                "homes": row.total,
                "read": row.read,
                "unread_homes": [h.number for h in row.unread_homes],
            }
            for row in reach.stairwells
        ],
    }
