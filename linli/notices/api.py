"""Notifications over the API, under /api/v1/notices: the caller's own feed, marking read, his
preferences, and announcements (read, publish, their files, reach, homes told in person). Nobody
reads or marks another person's notifications, nor an announcement or its files outside his
homes and area (a 404, as for one that does not exist)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja import Status as Answer
from ninja.files import UploadedFile
from ninja.pagination import paginate

from linli.accounts.scope import MODELS
from linli.lib.api_support import ErrorOut, Pagination, invalid_input

from . import announcements as ann
from . import kinds, services
from .access import access_notification, own_notifications
from .models import AnnouncementAttachment, Notification
from .models import HomeToldInPerson as Told

router = Router(tags=["notices"])

# The codes of notices.attachments' refusals: the API names the field `files` for them.
FILE_ERRORS = {"type", "too_large", "photo", "mismatch", "too_many"}


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


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("api:notices_announcement_file", args=[obj.announcement_id, obj.pk])


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    level: str
    place: str = Field(..., description="The community, compound, building or stairwell it is for")
    audience: str = Field(..., description="Whom it is for: everyone living in the place, an organisation or a role")
    organisation: str | None = Field(None, description="The organisation whose members it is for")
    role: str = Field("", description="building_leader or party_member: those holding the role within the place")
    author: str
    pinned: bool
    published: dt.datetime
    expires: dt.datetime | None
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_place(obj) -> str:
        return obj.place_label

    @staticmethod
    def resolve_audience(obj) -> str:
        return obj.audience_label

    @staticmethod
    def resolve_organisation(obj) -> str | None:
        return obj.organisation.name if obj.organisation_id else None

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())

    @staticmethod
    def resolve_author(obj) -> str:
        return obj.author_label


class AnnouncementIn(Schema):
    level: Literal["community", "compound", "building", "stairwell"] | None = None
    place: int | None = Field(None, description="The id of the community, compound, building or stairwell")
    organisation: int | None = Field(None, description="Instead of a place: to this organisation's members")
    role: Literal["building_leader", "party_member"] | None = Field(
        None, description="With a place: only those holding this role there"
    )
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=4000)
    pinned: bool = False
    expires: dt.datetime | None = None


class ToldOut(Schema):
    home: str
    home_id: int
    by: str
    at: dt.datetime


class StairwellReachOut(Schema):
    stairwell: str
    homes: int
    read: int
    unread_homes: list[str]
    told_in_person: list[ToldOut]


class PeopleReachOut(Schema):
    total: int
    read: int
    not_read: list[str] = Field(..., description="The names of those who have not opened it")


class ReachOut(Schema):
    homes: int = Field(..., description="Homes (0 for an announcement to an organisation or a role)")
    read: int = Field(..., description="Homes where someone has read it")
    told_in_person: int = Field(0, description="Homes told in person where no one has read it")
    reached: int = 0
    percent: int
    readers: int
    homes_without_account: int
    stairwells: list[StairwellReachOut]
    people: PeopleReachOut | None = Field(None, description="For an organisation or a role: counted per person")


@router.get("/announcements", response=list[AnnouncementOut])
@paginate(Pagination)
def announcement_list(request):
    """Current announcements for the caller's homes (and, for those who publish, within their area)."""
    return (
        ann.visible_announcements(request.user)
        .current()
        .select_related("community", "compound", "building", "stairwell", "organisation")
        .prefetch_related("attachments")
    )


@router.post("/announcements", response={201: AnnouncementOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def announcement_publish(request, payload: AnnouncementIn):
    """Publish to everyone living in a place the caller may publish to, to those holding a role
    there (`role`), or to the members of an organisation (`organisation` instead of a place);
    they are told under the bell. With files: `POST /announcements/with-files`."""
    return _publish(request, payload)


@router.post("/announcements/with-files", response={201: AnnouncementOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def announcement_publish_with_files(request, payload: Form[AnnouncementIn], files: File[list[UploadedFile]] = None):
    """As `POST /announcements`, sent as multipart/form-data with the files attached (photos,
    PDF, Word or Excel; each checked by its content, all before anything is saved: one bad file
    and nothing is published)."""
    return _publish(request, payload, files or ())


def _publish(request, payload: AnnouncementIn, files=()):
    if payload.organisation is not None:
        org = ann.publishable_organisations(request.user).filter(pk=payload.organisation).first()
        if org is None:
            raise Http404
        to = {"organisation": org}
    elif payload.level is None or payload.place is None:
        raise invalid_input("place", _("Give a level and a place, or an organisation."))
    else:
        try:
            to = {"level": payload.level, "place": MODELS[payload.level].objects.get(pk=payload.place)}
        except MODELS[payload.level].DoesNotExist:
            raise Http404 from None
    try:
        announcement = ann.publish(
            user=request.user,
            **to,
            role=payload.role or "",
            title=payload.title,
            body=payload.body,
            pinned=payload.pinned,
            expires=payload.expires,
            files=files,
        )
    except DjangoValidationError as exc:
        field = {"expired": "expires", "audience": "role"}.get(exc.code, "title")
        if exc.code in FILE_ERRORS:
            field = "files"
        raise invalid_input(field, " ".join(exc.messages)) from None
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
    if isinstance(reach, ann.PeopleReach):
        return {
            "homes": 0,
            "read": 0,
            "percent": reach.percent,
            "readers": reach.read,
            "homes_without_account": 0,
            "stairwells": [],
            "people": {"total": reach.total, "read": reach.read, "not_read": [p.name for p in reach.unread]},
        }
    return {
        "homes": reach.total,
        "read": reach.read,
        "told_in_person": reach.told,
        "reached": reach.reached,
        "percent": reach.percent,
        "readers": reach.readers,
        "homes_without_account": reach.without_account,
        "stairwells": [
            {
                "stairwell": str(row.stairwell),
                "homes": row.total,
                "read": row.read,
                "unread_homes": [h.number for h in row.unread_homes],
                "told_in_person": [_told(mark) for _home, mark in row.told_homes],
            }
            for row in reach.stairwells
        ],
    }


def _told(mark: Told) -> dict:
    return {"home": mark.home.number, "home_id": mark.home_id, "by": mark.by_label, "at": mark.at}


@router.get(
    "/announcements/{int:announcement_id}/attachments/{int:attachment_id}",
    response={200: None, 404: ErrorOut},
    url_name="notices_announcement_file",
)
def announcement_file(request, announcement_id: int, attachment_id: int):
    """One file of an announcement, for those who may read it."""
    announcement = ann.access_announcement(request.user, announcement_id)
    try:
        item = AnnouncementAttachment.objects.get(announcement=announcement, pk=attachment_id)
        handle = item.file.open("rb")
    except (AnnouncementAttachment.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    response = FileResponse(handle, content_type=item.content_type, as_attachment=True, filename=item.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.post(
    "/announcements/{int:announcement_id}/reach/homes/{int:home_id}/told",
    response={201: ToldOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def announcement_told(request, announcement_id: int, home_id: int):
    """Mark a home told in person (the publisher, or the home's building leader): it counts as reached."""
    announcement = ann.access_announcement(request.user, announcement_id)
    home = ann.access_home_for_marking(request.user, announcement, home_id)
    try:
        mark = ann.mark_told(user=request.user, announcement=announcement, home=home)
    except DjangoValidationError as exc:
        raise invalid_input("home", " ".join(exc.messages)) from None
    return Answer(201, _told(mark))


@router.delete(
    "/announcements/{int:announcement_id}/reach/homes/{int:home_id}/told",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def announcement_untold(request, announcement_id: int, home_id: int):
    """Undo one's own mark."""
    announcement = ann.access_announcement(request.user, announcement_id)
    home = ann.access_home_for_marking(request.user, announcement, home_id)
    try:
        ann.unmark_told(user=request.user, announcement=announcement, home=home)
    except DjangoValidationError as exc:
        raise invalid_input("home", " ".join(exc.messages)) from None
    return Answer(204, None)
