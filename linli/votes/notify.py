"""Telling owners: the notice is out, voting is open, voting closes within a day (only those
whose home has not voted), the result is published. Through the notices app (feed, and the
channels each person keeps on); each event reaches a person once (its key)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.notices import kinds
from linli.notices.services import notify

from .models import Owner, Vote

GROUP = gettext_lazy("Owners' votes")
KINDS = {
    "vote.announced": gettext_lazy("A vote announced for my home"),
    "vote.opened": gettext_lazy("Voting opens"),
    "vote.closing": gettext_lazy("Voting closes within a day and my home has not voted"),
    "vote.published": gettext_lazy("The result of a vote"),
}


def register_kinds():
    for code, label in KINDS.items():
        # A vote is rare and matters: the reminder also goes by text message unless turned off.
        channels = ("email", "sms") if code == "vote.closing" else ("email",)
        kinds.register(code, label, GROUP, default_channels=channels)


def owners(vote: Vote, *, not_voted: bool = False):
    qs = Owner.objects.filter(elector__vote=vote)
    if not_voted:
        qs = qs.filter(elector__ballot__isnull=True)
    return User.objects.filter(is_active=True, person_id__in=qs.values("person_id"))


def tell(vote: Vote, event: str) -> None:
    place = str(vote.place)
    closes = timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
    opens = timezone.localtime(vote.opens_at).strftime("%Y-%m-%d %H:%M")
    text = {
        "vote.announced": (
            _("Vote announced: %(title)s") % {"title": vote.title},
            _("Owners of %(place)s vote from %(opens)s to %(closes)s. Check the list of homes and areas now.")
            % {"place": place, "opens": opens, "closes": closes},
        ),
        "vote.opened": (
            _("Voting is open: %(title)s") % {"title": vote.title},
            _("Vote on your phone until %(closes)s.") % {"closes": closes},
        ),
        "vote.closing": (
            _("Voting closes soon: %(title)s") % {"title": vote.title},
            _("Your home has not voted yet. Voting closes at %(closes)s.") % {"closes": closes},
        ),
        "vote.published": (
            _("Result published: %(title)s") % {"title": vote.title},
            _("See the result and check that your ballot was counted."),
        ),
    }[event]
    notify(
        users=owners(vote, not_voted=event == "vote.closing"),
        kind=event,
        title=text[0],
        body=text[1],
        link=reverse("vote_public:result" if event == "vote.published" else "votes:vote", args=[vote.code]),
        key=f"vote:{vote.pk}:{event.split('.')[1]}",
    )
