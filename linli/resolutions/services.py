"""Resolutions: made by those who organise meetings, followed up by the organisation that owns
them, shown in public. Refusals raise ResolutionError with a message; nothing is written."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.scope import scope_for
from linli.lib.images import CleanPhoto
from linli.meetings import access as meeting_access
from linli.meetings.models import Meeting
from linli.notices.services import notify
from linli.people.models import Membership

from .models import Progress, Resolution

S = Resolution.Status
# Plain members of an organisation do not answer for its resolutions; these roles do.
ANSWERING_ROLES = [
    Membership.Role.CHAIR,
    Membership.Role.VICE_CHAIR,
    Membership.Role.SECRETARY,
    Membership.Role.OFFICER,
    Membership.Role.LEADER,
    Membership.Role.MANAGER,
    Membership.Role.CLERK,
    Membership.Role.WORKER,
    Membership.Role.ADMIN,
]


class ResolutionError(Exception):
    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


# --- who may do what ------------------------------------------------------------------------


def may_create(user, *, community, compound=None, meeting: Meeting | None = None) -> bool:
    if meeting is not None:
        return meeting_access.can_organise(user, meeting)
    return meeting_access.may_organise_at(user, community=community, compound=compound)


def answers_for(user, resolution: Resolution) -> bool:
    """Whether the user reports progress: an officer of the responsible organisation, or one
    who may organise meetings for the resolution's place."""
    scope = scope_for(user)
    if scope.person_id and (
        Membership.objects.active()
        .filter(person_id=scope.person_id, organisation_id=resolution.owner_id, role__in=ANSWERING_ROLES)
        .exists()
    ):
        return True
    return meeting_access.may_organise_at(user, community=resolution.community, compound=resolution.compound)


def visible_resolutions(user):
    """Residents see the public resolutions of the places they can see; the responsible
    organisation and organisers see theirs, public or not."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Resolution.objects.none()
    from linli.places.models import Community, Compound

    mine = Q(owner_id__in=scope.org_ids)
    communities = Community.objects.filter(scope.places_q("community")).values("pk")
    compounds = Compound.objects.filter(scope.places_q("compound")).values("pk")
    seen = Q(public=True) & (Q(compound_id__in=compounds) | Q(compound__isnull=True, community_id__in=communities))
    organised = Q(meeting__in=Meeting.objects.filter(meeting_access.organised_q(user)).values("pk"))
    return Resolution.objects.filter(mine | seen | organised).select_related("owner", "compound", "meeting")


def public_resolutions(compound):
    return Resolution.objects.filter(public=True, compound=compound).select_related("owner", "meeting")


# --- making and following up ----------------------------------------------------------------


def create(
    *, user, title: str, owner, due: dt.date, meeting: Meeting | None = None, agenda_item=None, community=None,
    compound=None, text: str = "", public: bool = True, now=None,
) -> Resolution:  # fmt: skip
    title = (title or "").strip()
    if not title:
        raise ResolutionError(_("Say what was resolved."))
    if owner is None:
        raise ResolutionError(_("Name the organisation responsible."))
    if meeting is not None:
        community, compound = meeting.community, meeting.compound
        if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
            raise ResolutionError(_("That agenda item is not of this meeting."))
    if community is None:
        raise ResolutionError(_("Choose where the resolution applies."))
    if compound is not None and compound.community_id != community.pk:
        raise ResolutionError(_("That compound is not in this community."))
    today = timezone.localdate(now or timezone.now())
    if due < today:
        raise ResolutionError(_("The due date has passed already."))
    if not may_create(user, community=community, compound=compound, meeting=meeting):
        raise ResolutionError(_("You may not make resolutions here."))
    resolution = Resolution.objects.create(
        title=title, text=text, community=community, compound=compound, meeting=meeting, agenda_item=agenda_item,
        owner=owner, due=due, public=public, created_by=user,
    )  # fmt: skip
    _tell_owner(resolution, "resolution.assigned", _("A resolution for %(org)s: %(title)s"))
    return resolution


def report(*, resolution: Resolution, user, percent, text: str, photo=None, now=None) -> Progress:
    """A progress update with evidence. 100% makes the resolution done; progress may be
    corrected downwards, never past a done or dropped resolution."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ResolutionError(_("Say what was done."))
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise ResolutionError(_("Progress is a whole number from 0 to 100.")) from None
    if not 0 <= percent <= 100:
        raise ResolutionError(_("Progress is a whole number from 0 to 100."))
    if not answers_for(user, resolution):
        raise ResolutionError(_("Only the responsible organisation reports progress."))
    if isinstance(photo, CleanPhoto):
        photo = ContentFile(photo.content, name=photo.name)
    with transaction.atomic():
        resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if resolution.status in (S.DONE, S.DROPPED):
            raise ResolutionError(_("This resolution is closed."))
        update = Progress.objects.create(
            resolution=resolution, percent=percent, text=text, photo=photo or "", by=user, at=now
        )
        resolution.percent = percent
        resolution.status = S.DONE if percent == 100 else S.IN_PROGRESS if percent else S.PLANNED
        resolution.done_at = now if percent == 100 else None
        resolution.version += 1
        resolution.save(update_fields=["percent", "status", "done_at", "version"])
    return update


def drop(*, resolution: Resolution, user, reason: str, now=None) -> Resolution:
    reason = (reason or "").strip()
    if not reason:
        raise ResolutionError(_("Give the reason for dropping it."))
    if not may_create(user, community=resolution.community, compound=resolution.compound, meeting=resolution.meeting):
        raise ResolutionError(_("Only those who made the resolution may drop it."))
    with transaction.atomic():
        resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if resolution.status in (S.DONE, S.DROPPED):
            raise ResolutionError(_("This resolution is closed."))
        Progress.objects.create(
            resolution=resolution, percent=resolution.percent, text=_("Dropped: %(reason)s") % {"reason": reason},
            by=user, at=now or timezone.now(),
        )  # fmt: skip
        resolution.status = S.DROPPED
        resolution.version += 1
        resolution.save(update_fields=["status", "version"])
    return resolution


def open_case(*, resolution: Resolution, user, category, description: str = ""):
    """File a case for the work a resolution needs (routed like any case)."""
    from linli.cases import services as cases
    from linli.cases.models import Channel

    if resolution.compound is None:
        raise ResolutionError(_("A case needs a compound: this resolution is for the whole community."))
    if not answers_for(user, resolution):
        raise ResolutionError(_("Only the responsible organisation reports progress."))
    with transaction.atomic():
        case, _secret = cases.submit(
            compound=resolution.compound,
            category=category,
            title=resolution.title[:80],
            description=description or resolution.text or resolution.title,
            reporter=user.person,
            reporter_name=user.display_name(),
            channel=Channel.MEETING,
            recorded_by=user,
            on_public_board=resolution.public,
        )
        Resolution.objects.filter(pk=resolution.pk).update(case=case)
    return case


def open_vote(*, resolution: Resolution, user, opens_at, closes_at, item: int):
    """Draft an owners' vote on a resolution that the owners must decide (art. 278)."""
    from linli.votes import services as votes

    if resolution.compound is None:
        raise ResolutionError(_("A vote needs a compound: this resolution is for the whole community."))
    try:
        with transaction.atomic():
            vote = votes.create_vote(
                user=user, compound=resolution.compound, title=resolution.title[:120], opens_at=opens_at,
                closes_at=closes_at, description=resolution.text,
            )  # fmt: skip
            votes.add_matter(vote=vote, title=resolution.title, item=item, text=resolution.text)
            Resolution.objects.filter(pk=resolution.pk).update(vote=vote)
    except votes.VoteError as exc:
        raise ResolutionError(exc.message) from None
    return vote


def tick(now=None) -> int:
    """Tell the responsible organisations of resolutions that passed their due date (once)."""
    today = timezone.localdate(now or timezone.now())
    overdue = Resolution.objects.filter(status__in=[S.PLANNED, S.IN_PROGRESS], due__lt=today)
    for resolution in overdue:
        _tell_owner(resolution, "resolution.overdue", _("Overdue: %(title)s (%(org)s)"))
    return overdue.count()


def _tell_owner(resolution: Resolution, kind: str, title: str) -> None:
    people = (
        Membership.objects.active()
        .filter(organisation_id=resolution.owner_id, role__in=ANSWERING_ROLES)
        .values("person_id")
    )
    notify(
        users=User.objects.filter(is_active=True, person_id__in=people),
        kind=kind,
        title=title % {"title": resolution.title, "org": resolution.owner.name},
        body=_("Due %(due)s.") % {"due": resolution.due.isoformat()},
        link=f"/resolutions/{resolution.code}/",
        key=f"resolution:{resolution.pk}:{kind.split('.')[1]}",
    )
