"""Announcements (公告) to a community, compound, building or stairwell: who may publish where,
who reads what, and which homes have been reached.

- Publishing: community staff within their community (and the subdistrict's administrators
  within it), building leaders for their buildings and stairwells, property clerks and owners'
  committee members for their compounds (停水通知, 业委会公告). A resident does not publish.
- Reading: everyone living in a home inside the place (an active occupancy), and those who may
  publish there. Opening one leaves a read receipt.
- Reach: per home, whether anyone living there has read it or a leader told it in person; the
  homes not yet reached, per stairwell, are the list a leader takes door to door.
- Or to people rather than homes: the members of an organisation (published by its officers
  and by those who may publish to its place), or those holding a role within a place (its
  building leaders; its party members, only by those who may see party membership). They are
  fixed when it is published, and the reach report counts them one by one.
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
from linli.people.models import LeaderAssignment, Membership, Occupancy, Organisation, PartyMember, Person
from linli.places.models import Home, Stairwell

from . import attachments as files_
from .models import (
    Announcement,
    AnnouncementAttachment,
    AnnouncementRead,
    AnnouncementRecipient,
    AudienceRole,
    ChannelConfig,
    HomeToldInPerson,
)
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
    if not (user and user.is_authenticated):
        return False
    return bool(_grants(user, "stairwell")) or _officer_of(user).filter(community__isnull=False).exists()


def may_publish(user, level: str, place) -> bool:
    return level in PLACE_LEVELS and publishable(user, level).filter(pk=place.pk).exists()


def may_publish_role(user, level: str, place, role: str) -> bool:
    """To a role within a place: whoever may publish there; to its party members only those
    who may see party membership (the reach report names them)."""
    if role not in AudienceRole.values or not may_publish(user, level, place):
        return False
    if role == AudienceRole.PARTY_MEMBER:
        grants = [g for g in _grants(user, level) if g.party]
        return any(g.level == "all" for g in grants) or any(
            MODELS[level].objects.filter(g.place_q(level), pk=place.pk).exists() for g in grants
        )
    return True


OFFICER_ROLES = {
    Membership.Role.CHAIR,
    Membership.Role.VICE_CHAIR,
    Membership.Role.SECRETARY,
    Membership.Role.OFFICER,
    Membership.Role.LEADER,
    Membership.Role.MANAGER,
    Membership.Role.ADMIN,
}


def _officer_of(user):
    if not user.person_id:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        pk__in=Membership.objects.active()
        .filter(person_id=user.person_id, role__in=OFFICER_ROLES)
        .values("organisation")
    )


def organisation_place(org: Organisation):
    """The level and place an organisation belongs to (its most specific one), or (None, None)
    for one above the communities (a subdistrict office)."""
    for level in reversed(PLACE_LEVELS):
        if getattr(org, f"{level}_id"):
            return level, getattr(org, level)
    return None, None


def publishable_organisations(user):
    """The organisations this user may publish to: those he is an officer of, and those whose
    place he may publish to. Only organisations within a community (announcements belong to one)."""
    if not (user and user.is_authenticated):
        return Organisation.objects.none()
    q = Q(pk__in=_officer_of(user).values("pk"))
    if _grants(user, "stairwell"):
        below = {}
        for level in reversed(PLACE_LEVELS):
            q |= Q(**{f"{level}__in": publishable(user, level)}, **below)
            below[f"{level}__isnull"] = True
    return Organisation.objects.filter(q, community__isnull=False)


def may_publish_to_organisation(user, org: Organisation) -> bool:
    return publishable_organisations(user).filter(pk=org.pk).exists()


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
        to_homes = Q(pk__in=[])
        for home in homes:
            to_homes |= _for_home(*home)
        q |= to_homes & Q(organisation__isnull=True, role="")
        q |= Q(pk__in=AnnouncementRecipient.objects.filter(person_id=scope.person_id).values("announcement_id"))
        q |= Q(organisation__in=_officer_of(user))
    for grant in scope.grants:
        if grant.role not in PUBLISHERS:
            continue
        if grant.level == "all":
            return Announcement.objects.all()
        if grant.level == "subdistrict":
            place = Q(community__subdistrict_id__in=grant.ids)
        elif grant.level in PLACE_LEVELS:
            place = Q(**{f"{grant.level}_id__in": grant.ids})
        else:
            continue
        q |= place if grant.party else place & ~Q(role=AudienceRole.PARTY_MEMBER)
    return Announcement.objects.filter(q)


def access_announcement(user, pk) -> Announcement:
    try:
        return (
            visible_announcements(user)
            .select_related("community", "compound", "building", "stairwell", "organisation")
            .get(pk=pk)
        )
    except (Announcement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_address(user, announcement: Announcement) -> bool:
    """May publish to the same audience (and so see who it reached)."""
    if announcement.organisation_id:
        return may_publish_to_organisation(user, announcement.organisation)
    if announcement.role:
        return may_publish_role(user, announcement.level, announcement.place, announcement.role)
    return may_publish(user, announcement.level, announcement.place)


def _leader_homes(user):
    """The homes in the buildings and stairwells a building leader looks after."""
    grants = [g for g in scope_for(user).grants if g.role == Role.BUILDING_LEADER]
    q = Q(pk__in=[])
    for grant in grants:
        q |= grant.place_q("home")
    return Home.objects.filter(q)


def may_see_reach(user, announcement: Announcement) -> bool:
    if announcement.author_id == user.pk or may_address(user, announcement):
        return True
    # A building leader sees his own homes' reach of an announcement to the place around them.
    return (
        not announcement.for_people
        and homes_of(announcement.level, announcement.place).filter(pk__in=_leader_homes(user).values("pk")).exists()
    )


# --- publishing and reading -------------------------------------------------------------


def homes_of(level: str, place):
    path = up_path("home", level)
    return Home.objects.filter(**{f"{path}_id": place.pk})


def audience(level: str, place) -> list[int]:
    """The users living in the place's homes now."""
    occupants = Occupancy.objects.active().filter(home__in=homes_of(level, place)).values("person_id")
    return list(get_user_model().objects.filter(is_active=True, person_id__in=occupants).values_list("pk", flat=True))


def people_for(*, level: str, place, organisation: Organisation | None = None, role: str = "") -> list[int]:
    """The people an announcement to an organisation or a role is for (person ids)."""
    if organisation is not None:
        qs = Membership.objects.active().filter(organisation=organisation).values_list("person_id", flat=True)
    elif role == AudienceRole.BUILDING_LEADER:
        path = up_path("stairwell", level)
        stairwells = Stairwell.objects.filter(**({f"{path}_id": place.pk} if path else {"pk": place.pk}))
        qs = (
            LeaderAssignment.objects.active()
            .filter(
                Q(stairwells__isnull=True, building__in=stairwells.values("building_id"))
                | Q(stairwells__in=stairwells)
                | Q(grid_cell__stairwells__in=stairwells)
            )
            .values_list("person_id", flat=True)
        )
    elif role == AudienceRole.PARTY_MEMBER:
        living = Occupancy.objects.active().filter(home__in=homes_of(level, place)).values("person_id")
        qs = PartyMember.objects.filter(
            Q(person_id__in=living) | Q(**{f"organisation__{level}_id": place.pk})
        ).values_list("person_id", flat=True)
    else:
        return []
    return sorted(set(qs))


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


def _check_audience(user, level, place, organisation, role):
    if organisation is not None:
        if role:
            raise ValidationError(_("Choose an organisation or a role, not both."), code="audience")
        level, place = organisation_place(organisation)
        if level is None:
            raise ValidationError(
                _("Announcements go to organisations within a community; this one is above them."), code="audience"
            )
        if not may_publish_to_organisation(user, organisation):
            raise PermissionDenied(_("You cannot publish announcements to that organisation."))
        return level, place
    if level not in PLACE_LEVELS or place is None:
        raise ValidationError(_("Choose whom the announcement is for."), code="audience")
    if role:
        if role not in AudienceRole.values:
            raise ValidationError(_("Unknown audience."), code="audience")
        if not may_publish_role(user, level, place, role):
            raise PermissionDenied(_("You cannot publish announcements to them."))
    elif not may_publish(user, level, place):
        raise PermissionDenied(_("You cannot publish announcements to that place."))
    return level, place


@transaction.atomic
def publish(
    *,
    user,
    level: str | None = None,
    place=None,
    organisation: Organisation | None = None,
    role: str = "",
    title: str,
    body: str,
    pinned: bool = False,
    expires: dt.datetime | None = None,
    files=(),
    now: dt.datetime | None = None,
) -> Announcement:
    """Publish to a place the user may publish to (everyone living there is told: the bell, the
    channels they chose, and the stairwells' group robots inside it), or to the members of an
    organisation or a role within a place (those people are told, and the organisation's group
    robots). `files` are uploads, all checked before anything is saved."""
    now = now or timezone.now()
    level, place = _check_audience(user, level, place, organisation, role)
    title = _clean(title, _("Title"), 120)
    body = _clean(body, _("Text"), 4000)
    if expires is not None and expires <= now:
        raise ValidationError(_("The end date must be in the future."), code="expired")
    checked = files_.check_files(files)
    announcement = Announcement.objects.create(
        title=title,
        body=body,
        author=user,
        author_label=user.display_name(),
        pinned=pinned,
        expires=expires,
        published=now,
        organisation=organisation,
        role=role or "",
        **_path(level, place),
    )
    for f in checked:
        AnnouncementAttachment.objects.create(
            announcement=announcement, file=f.content, name=f.name, content_type=f.content_type, size=f.size
        )
    if announcement.for_people:
        people = people_for(level=level, place=place, organisation=organisation, role=role)
        AnnouncementRecipient.objects.bulk_create(
            [AnnouncementRecipient(announcement=announcement, person_id=pk) for pk in people]
        )
        users = get_user_model().objects.filter(is_active=True, person_id__in=people).values_list("pk", flat=True)
        configs = ChannelConfig.objects.filter(active=True, organisation=organisation) if organisation else []
    else:
        users = audience(level, place)
        stairwells = homes_of(level, place).values("stairwell_id")
        configs = ChannelConfig.objects.filter(active=True, stairwell_id__in=stairwells)
    groups = [c for c in configs if not c.kind_list() or KIND in c.kind_list()]
    with translation.override(language_for(None)):
        heading = _("Announcement: %(title)s (%(place)s)") % {"title": title, "place": announcement.audience_label}
    notify(
        users=[pk for pk in users if pk != user.pk],  # not the author himself
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
    unread_homes: list = field(default_factory=list)  # not reached: nobody read it, nobody was told
    told_homes: list = field(default_factory=list)  # told in person (and not read): (home, mark)

    @property
    def told(self) -> int:
        return len(self.told_homes)

    @property
    def not_reached(self) -> int:
        return len(self.unread_homes)


@dataclass
class Reach:
    total: int
    read: int
    without_account: int  # homes where nobody has an account: only a visit reaches them
    stairwells: list[StairwellReach]
    readers: int
    told: int = 0  # homes told in person where nobody has read it

    @property
    def reached(self) -> int:
        return self.read + self.told

    @property
    def percent(self) -> int:
        return round(100 * self.reached / self.total) if self.total else 0


@dataclass
class PeopleReach:
    """An announcement to people (an organisation, a role): counted per person."""

    total: int
    read: int
    unread: list  # the people who have not opened it, by name

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.total) if self.total else 0


def reach(announcement: Announcement, viewer) -> Reach | PeopleReach:
    """Per home, whether anyone living there has read it or was told in person; limited to the
    homes the viewer may see (each leader gets his own buildings' list). Per person for an
    announcement to an organisation or a role."""
    if announcement.for_people:
        return _people_reach(announcement)
    readers = AnnouncementRead.objects.filter(announcement=announcement).values("person_id")
    occupied = Occupancy.objects.active().filter(home=OuterRef("pk"))
    mine = visible_homes(viewer).values("pk")
    if announcement.author_id != viewer.pk and not may_address(viewer, announcement):
        mine = _leader_homes(viewer).values("pk")
    homes = (
        homes_of(announcement.level, announcement.place)
        .filter(pk__in=mine)
        .annotate(
            has_read=Exists(occupied.filter(person_id__in=readers)),
            has_account=Exists(occupied.filter(person__user__isnull=False, person__user__is_active=True)),
        )
        .select_related("stairwell__building__compound")  # the stairwell's name holds its compound's
        .order_by(
            "stairwell__building__sort_key", "stairwell__building__name", "stairwell__sort_key", "floor", "number"
        )
    )
    marks = {m.home_id: m for m in HomeToldInPerson.objects.filter(announcement=announcement)}
    markable = set(markable_homes(viewer, announcement).values_list("pk", flat=True))
    rows: dict[int, StairwellReach] = {}
    total = read = told = without = 0
    for home in homes:
        row = rows.setdefault(home.stairwell_id, StairwellReach(home.stairwell))
        home.may_mark = home.pk in markable
        row.total += 1
        total += 1
        if home.has_read:
            row.read += 1
            read += 1
        elif home.pk in marks:
            told += 1
            mark = marks[home.pk]
            mark.home = home  # already fetched: the API lists its number
            mark.may_undo = mark.by_id == viewer.pk
            row.told_homes.append((home, mark))
        else:
            row.unread_homes.append(home)
        if not home.has_account:
            without += 1
    return Reach(
        total=total,
        read=read,
        told=told,
        without_account=without,
        stairwells=list(rows.values()),
        readers=announcement.reads.count(),
    )


def _people_reach(announcement: Announcement) -> PeopleReach:
    read_by = AnnouncementRead.objects.filter(announcement=announcement, person_id=OuterRef("pk"))
    people = (
        Person.objects.filter(pk__in=announcement.recipients.values("person_id"))
        .annotate(has_read=Exists(read_by))
        .order_by("name", "pk")
    )
    total = read = 0
    unread = []
    for person in people:
        total += 1
        if person.has_read:
            read += 1
        else:
            unread.append(person)
    return PeopleReach(total=total, read=read, unread=unread)


# --- told in person ---------------------------------------------------------------------


def markable_homes(user, announcement: Announcement):
    """The homes this user may mark as told in person: the publisher any home of the place, a
    building leader the homes in his buildings."""
    if announcement.for_people or not user.is_authenticated:
        return Home.objects.none()
    homes = homes_of(announcement.level, announcement.place)
    if announcement.author_id == user.pk:
        return homes
    return homes.filter(pk__in=_leader_homes(user).values("pk"))


def access_home_for_marking(user, announcement: Announcement, pk) -> Home:
    """A home of the announcement the user may see the reach of (else 404)."""
    if not may_see_reach(user, announcement):
        raise Http404
    try:
        return (
            homes_of(announcement.level, announcement.place)
            .filter(
                Q(pk__in=visible_homes(user).values("pk")) | Q(pk__in=markable_homes(user, announcement).values("pk"))
            )
            .get(pk=pk)
        )
    except (Home.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def mark_told(*, user, announcement: Announcement, home: Home, now=None) -> HomeToldInPerson:
    """Record that the user told this home in person (door to door): it counts as reached."""
    if not markable_homes(user, announcement).filter(pk=home.pk).exists():
        raise PermissionDenied(_("Only the publisher or the home's building leader can mark it told in person."))
    try:
        with transaction.atomic():
            return HomeToldInPerson.objects.create(
                announcement=announcement, home=home, by=user, by_label=user.display_name(), at=now or timezone.now()
            )
    except IntegrityError:
        # Two leaders at the same door: the unique constraint keeps the first.
        mark = HomeToldInPerson.objects.get(announcement=announcement, home=home)
        raise ValidationError(
            _("%(home)s was already marked told in person by %(by)s.") % {"home": home.number, "by": mark.by_label},
            code="already",
        ) from None


def unmark_told(*, user, announcement: Announcement, home: Home) -> None:
    """Undo a mark; only who made it may."""
    mark = HomeToldInPerson.objects.filter(announcement=announcement, home=home).first()
    if mark is None:
        raise ValidationError(_("This home was not marked told in person."), code="not_marked")
    if mark.by_id != user.pk:
        raise PermissionDenied(_("Only %(by)s, who marked it, can undo it.") % {"by": mark.by_label})
    mark.delete()
