"""Announcements (公告) to a community, compound, building or stairwell: who may publish where,
who reads what, and which homes have been reached.

- Publishing: community staff within their community (and the subdistrict's administrators
  within it), building leaders for their buildings and stairwells, property clerks and owners'
  committee members for their compounds (停水通知, 业委会公告). A resident does not publish.
- Reading: everyone living in a home inside the place (an active occupancy), and those who may
  publish there. Opening one leaves a read receipt.
- Reach: per home, whether anyone living there has read it; the homes not yet reached, per
  stairwell, are the list a leader takes door to door.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linli.accounts.scope import LEVELS, MODELS, Role, scope_for, up_path, visible_homes
from linli.people.models import Occupancy
from linli.places.models import Home

from .models import Announcement, AnnouncementRead, ChannelConfig
from .services import language_for, notify

PUBLISHERS = {
    Role.BUILDING_LEADER,
    Role.PROPERTY_CLERK,
    Role.OWNERS_COMMITTEE,
    Role.COMMUNITY_WORKER,
    Role.PARTY_SECRETARY,
    Role.SUBDISTRICT_ADMIN,
    Role.SYSTEM_ADMIN,
}
PLACE_LEVELS = ("community", "compound", "building", "stairwell")
KIND = "announcement"


# --- who may publish where --------------------------------------------------------------


def _grants(user, level: str):
    """The user's publishing grants that reach down to `level`: a leader of a building may
    publish to it and its stairwells, not to the compound around it."""
    return [
        g
        for g in scope_for(user).grants
        if g.role in PUBLISHERS and (g.level == "all" or LEVELS.index(g.level) <= LEVELS.index(level))
    ]


def publishable(user, level: str):
    """The places at `level` this user may publish to."""
    grants = _grants(user, level)
    if any(g.level == "all" for g in grants):
        return MODELS[level].objects.all()
    q = Q(pk__in=[])
    for grant in grants:
        q |= grant.place_q(level)
    return MODELS[level].objects.filter(q)


def may_publish_anywhere(user) -> bool:
    return bool(user and user.is_authenticated and _grants(user, "stairwell"))


def may_publish(user, level: str, place) -> bool:
    return level in PLACE_LEVELS and publishable(user, level).filter(pk=place.pk).exists()


# --- who reads what ---------------------------------------------------------------------


def _for_home(community, compound, building, stairwell) -> Q:
    """Announcements addressed to a place that contains this home."""
    return (
        Q(community_id=community)
        & (Q(compound__isnull=True) | Q(compound_id=compound))
        & (Q(building__isnull=True) | Q(building_id=building))
        & (Q(stairwell__isnull=True) | Q(stairwell_id=stairwell))
    )


def visible_announcements(user):
    scope = scope_for(user)
    if scope.user_id is None:
        return Announcement.objects.none()
    q = Q(pk__in=[])
    if scope.person_id:
        homes = Home.objects.filter(
            occupancies__in=Occupancy.objects.active().filter(person_id=scope.person_id)
        ).values_list(
            "stairwell__building__compound__community_id",
            "stairwell__building__compound_id",
            "stairwell__building_id",
            "stairwell_id",
        )
        for home in homes:
            q |= _for_home(*home)
    for grant in scope.grants:
        if grant.role not in PUBLISHERS:
            continue
        if grant.level == "all":
            return Announcement.objects.all()
        if grant.level == "subdistrict":
            q |= Q(community__subdistrict_id__in=grant.ids)
        elif grant.level in PLACE_LEVELS:
            q |= Q(**{f"{grant.level}_id__in": grant.ids})
    return Announcement.objects.filter(q)


def access_announcement(user, pk) -> Announcement:
    try:
        return visible_announcements(user).select_related("community", "compound", "building", "stairwell").get(pk=pk)
    except (Announcement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_see_reach(user, announcement: Announcement) -> bool:
    return may_publish(user, announcement.level, announcement.place) or announcement.author_id == user.pk


# --- publishing and reading -------------------------------------------------------------


def homes_of(level: str, place):
    path = up_path("home", level)
    return Home.objects.filter(**{f"{path}_id": place.pk})


def audience(level: str, place) -> list[int]:
    """The users living in the place's homes now."""
    occupants = Occupancy.objects.active().filter(home__in=homes_of(level, place)).values("person_id")
    return list(get_user_model().objects.filter(is_active=True, person_id__in=occupants).values_list("pk", flat=True))


def _path(level: str, place) -> dict:
    """The place and every level above it, as the announcement stores them."""
    path, current = {}, place
    for name in reversed(PLACE_LEVELS[: PLACE_LEVELS.index(level) + 1]):
        path[name] = current
        if name != "community":
            current = getattr(current, {"stairwell": "building", "building": "compound", "compound": "community"}[name])
    return path


def _clean(value: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("%(field)s is required.") % {"field": label}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            _("%(field)s is too long: at most %(n)s characters.") % {"field": label, "n": max_length}, code="too_long"
        )
    return value


@transaction.atomic
def publish(
    *,
    user,
    level: str,
    place,
    title: str,
    body: str,
    pinned: bool = False,
    expires: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Announcement:
    """Publish to a place the user may publish to; everyone living there is told (the bell,
    and the channels they chose), and so are the stairwells' group robots inside it."""
    now = now or timezone.now()
    if not may_publish(user, level, place):
        raise PermissionDenied(_("You cannot publish announcements to that place."))
    title = _clean(title, _("Title"), 120)
    body = _clean(body, _("Text"), 4000)
    if expires is not None and expires <= now:
        raise ValidationError(_("The end date must be in the future."), code="expired")
    announcement = Announcement.objects.create(
        title=title,
        body=body,
        author=user,
        author_label=user.display_name(),
        pinned=pinned,
        expires=expires,
        published=now,
        **_path(level, place),
    )
    stairwells = homes_of(level, place).values("stairwell_id")
    groups = [
        c
        for c in ChannelConfig.objects.filter(active=True, stairwell_id__in=stairwells)
        if not c.kind_list() or KIND in c.kind_list()
    ]
    with translation.override(language_for(None)):
        heading = _("Announcement: %(title)s (%(place)s)") % {"title": title, "place": announcement.place_label}
    notify(
        users=[pk for pk in audience(level, place) if pk != user.pk],  # not the author himself
        kind=KIND,
        title=heading,
        body=body[:500],
        link=reverse("notices:announcement", args=[announcement.pk]),
        key=f"announcement:{announcement.pk}",
        groups=groups,
    )
    return announcement


def mark_read(*, user, announcement: Announcement, now=None) -> bool:
    """Leave the reader's receipt (once); True if it is his first."""
    if not user.is_authenticated:
        return False
    try:
        with transaction.atomic():
            AnnouncementRead.objects.create(
                announcement=announcement, user=user, person_id=user.person_id, at=now or timezone.now()
            )
    except IntegrityError:
        return False
    return True


# --- reach ------------------------------------------------------------------------------


@dataclass
class StairwellReach:
    stairwell: object
    total: int = 0
    read: int = 0
    unread_homes: list = field(default_factory=list)


@dataclass
class Reach:
    total: int
    read: int
    without_account: int  # homes where nobody has an account: only a visit reaches them
    stairwells: list[StairwellReach]
    readers: int

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0


def reach(announcement: Announcement, viewer) -> Reach:
    """Per home, whether anyone living there has read it; limited to the homes the viewer may
    see (each leader gets his own buildings' list)."""
    readers = AnnouncementRead.objects.filter(announcement=announcement).values("person_id")
    occupied = Occupancy.objects.active().filter(home=OuterRef("pk"))
    homes = (
        homes_of(announcement.level, announcement.place)
        .filter(pk__in=visible_homes(viewer).values("pk"))
        .annotate(
            has_read=Exists(occupied.filter(person_id__in=readers)),
            has_account=Exists(occupied.filter(person__user__isnull=False, person__user__is_active=True)),
        )
        .select_related("stairwell__building")
        .order_by(
            "stairwell__building__sort_key", "stairwell__building__name", "stairwell__sort_key", "floor", "number"
        )
    )
    rows: dict[int, StairwellReach] = {}
    total = read = without = 0
    for home in homes:
        row = rows.setdefault(home.stairwell_id, StairwellReach(home.stairwell))
        row.total += 1
        total += 1
        if home.has_read:
            row.read += 1
            read += 1
        else:
            row.unread_homes.append(home)
        if not home.has_account:
            without += 1
    return Reach(
        total=total,
        read=read,
        without_account=without,
        stairwells=list(rows.values()),
        readers=announcement.reads.count(),
    )
