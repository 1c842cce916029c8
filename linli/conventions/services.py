"""Recording conventions and their versions. Refusals raise ConventionError; nothing is written."""

from __future__ import annotations

import difflib

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.scope import scope_for
from linli.meetings import access as meeting_access
from linli.meetings.models import Meeting
from linli.places.models import Community, Compound

from .models import Convention, Version


class ConventionError(Exception):
    status_code = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


def may_record(user, *, community, compound=None) -> bool:
    return meeting_access.may_organise_at(user, community=community, compound=compound)


def visible_conventions(user):
    """Conventions are public in their place: residents, leaders and staff of it see them."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Convention.objects.none()
    communities = Community.objects.filter(scope.places_q("community")).values("pk")
    compounds = Compound.objects.filter(scope.places_q("compound")).values("pk")
    return Convention.objects.filter(
        Q(compound_id__in=compounds) | Q(compound__isnull=True, community_id__in=communities)
    ).select_related("community", "compound")


def adopt(
    *, user, title: str, kind: str, text: str, community=None, compound=None, convention: Convention | None = None,
    meeting: Meeting | None = None, vote=None, note: str = "",
) -> Version:  # fmt: skip
    """Record a convention's new text with what adopted it: a meeting whose minutes are
    approved, or an owners' vote whose result is published and whose matters passed."""
    text = (text or "").strip()
    if not text:
        raise ConventionError(_("Give the text of the convention."))
    if convention is not None:
        community, compound = convention.community, convention.compound
    elif compound is not None:
        community = compound.community
    if community is None:
        raise ConventionError(_("Choose where the convention applies."))
    if not may_record(user, community=community, compound=compound):
        raise ConventionError(_("You may not record conventions here."))
    if (meeting is None) == (vote is None):
        raise ConventionError(_("Say what adopted it: one meeting or one owners' vote."))
    if meeting is not None:
        from linli.meetings.models import Minutes

        minutes = Minutes.objects.filter(meeting=meeting).first()  # fresh: a cached one may predate approval
        if minutes is None or not minutes.frozen:
            raise ConventionError(_("The meeting's minutes must be approved first."))
        if meeting.community_id != community.pk:
            raise ConventionError(_("That meeting was for another place."))
    if vote is not None:
        if vote.status != "published" or not all(m.get("passed") for m in vote.result.get("matters", [])):
            raise ConventionError(
                _("Only an owners' vote that passed, with its result published, adopts a convention.")
            )
        if compound is None or vote.compound_id != compound.pk:
            raise ConventionError(_("That vote was for another place."))
    adopted_on = timezone.localdate(
        (minutes.approved_at if meeting is not None else vote.published_at) or timezone.now()
    )
    with transaction.atomic():
        if convention is None:
            title = (title or "").strip()
            if not title:
                raise ConventionError(_("Give the convention a title."))
            if kind not in Convention.Kind.values:
                raise ConventionError(_("Choose the kind of convention."))
            convention, _created = Convention.objects.get_or_create(
                community=community, compound=compound, title=title, defaults={"kind": kind}
            )
        convention = Convention.objects.select_for_update().get(pk=convention.pk)
        last = convention.versions.order_by("-number").first()
        if last and last.text == text:
            raise ConventionError(_("The text is the same as the current version."))
        return Version.objects.create(
            convention=convention, number=(last.number + 1) if last else 1, text=text, adopted_on=adopted_on,
            meeting=meeting, vote=vote, note=(note or "").strip()[:300], recorded_by=user,
        )  # fmt: skip


def diff(old: Version, new: Version) -> list[tuple[str, str]]:
    """Line by line: ("same" | "added" | "removed", text)."""
    out = []
    for line in difflib.ndiff(old.text.splitlines(), new.text.splitlines()):
        tag, body = line[:2], line[2:]
        if tag == "  ":
            out.append(("same", body))
        elif tag == "+ ":
            out.append(("added", body))
        elif tag == "- ":
            out.append(("removed", body))
    return out
