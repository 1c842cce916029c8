"""The owners' pages: the votes one can see, one vote with its ballot (one screen, one button,
for all of one's homes at once), and the receipt.

Views are thin: who sees what comes from `access`, every rule of casting from `services`,
whose VoteError message the page shows (and nothing is changed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, services
from .forms import PROPOSAL_OPTIONS, BallotForm, home_label
from .models import Matter, Vote
from .services import VoteError

S = Vote.Status
ENDED = (S.CLOSED, S.PUBLISHED, S.CANCELLED)


def ballot_of(elector):
    """The elector's current ballot, or None (a reverse one-to-one raises when there is none)."""
    try:
        return elector.ballot
    except ObjectDoesNotExist:
        return None


def describe(matters, choices: dict) -> list[dict]:
    """What a ballot chose, in words, matter by matter."""
    words = dict(PROPOSAL_OPTIONS)
    out = []
    for matter in matters:
        value = choices.get(str(matter.pk))
        if matter.kind == Matter.Kind.PROPOSAL:
            text = str(words.get(value, "—"))
        else:
            names = [c.name for c in matter.candidates.all() if c.pk in (value or [])]
            text = "、".join(names) if names else _("no candidate")
        out.append({"matter": matter, "text": text})
    return out


def voting_now(vote, now=None) -> bool:
    """Whether ballots may be cast now: the voting window has come and the vote is open, or
    still announced (the first ballot opens it: services._lock_open_vote)."""
    now = now or timezone.now()
    return vote.status in (S.OPEN, S.ANNOUNCED) and vote.opens_at <= now < vote.closes_at


def matters_of(vote):
    return list(vote.matters.prefetch_related("candidates"))


@login_required
def index(request):
    user = request.user
    votes = list(access.visible_votes(user).order_by("-opens_at", "-pk")[:200])
    now = timezone.now()
    for v in votes:
        v.voting = voting_now(v, now)
    groups = [
        (_("Voting now"), [v for v in votes if v.voting or v.status == S.OPEN]),
        (_("Coming"), [v for v in votes if v.status in (S.DRAFT, S.ANNOUNCED) and not v.voting]),
        (_("Ended"), [v for v in votes if v.status in ENDED]),
    ]
    ctx = {
        "groups": [(title, items) for title, items in groups if items],
        "may_create": access.managed_compounds(user).exists(),
    }
    return render(request, "votes/index.html", ctx)


def render_vote(request, vote, *, form=None, error: str = "", status: int = 200):
    user = request.user
    matters = matters_of(vote)
    voting = voting_now(vote)
    electors = list(services.electors_for(user, vote)) if voting else []
    mine = [(e, ballot_of(e)) for e in electors]
    voted = [(e, b) for e, b in mine if b is not None]
    if not voting:
        form = None  # voting closed while the owner was on the page: no ballot to redraw
    if electors and form is None:
        initial = {}
        if voted:  # casting again changes the ballot: start from the one that counts now
            for key, value in voted[0][1].choices.items():
                initial[f"m{key}"] = value
        form = BallotForm(vote=vote, electors=electors, matters=matters, initial=initial)
    ctx = {
        "vote": vote,
        "matters": matters,
        "documents": list(vote.documents.all()),
        "form": form,
        "error": error,
        "voted": voted,
        "manages": access.can_manage(user, vote),
        "sees_electorate": access.sees_electorate(user, vote),
        "ended": vote.status in ENDED,
        "voting": voting,
    }
    return render(request, "votes/vote.html", ctx, status=status)


@login_required
def vote_page(request, code):
    return render_vote(request, access.access_vote(request.user, code))


@login_required
@require_POST
def cast(request, code):
    """One ballot for each ticked home, all or none: if one is refused, none is recorded."""
    user = request.user
    vote = access.access_vote(user, code)
    electors = list(services.electors_for(user, vote))
    if not electors:
        return render_vote(request, vote, error=_("You are not the voter of any home in this vote."), status=403)
    form = BallotForm(request.POST, vote=vote, electors=electors, matters=matters_of(vote))
    if not form.is_valid():
        return render_vote(request, vote, form=form, status=400)
    choices = form.choices()
    try:
        with transaction.atomic():
            for elector in form.chosen_electors():
                services.cast_online(vote=vote, user=user, elector=elector, choices=choices)
    except VoteError as exc:
        return render_vote(request, vote, form=form, error=exc.message, status=exc.status_code)
    return redirect("votes:receipt", code=vote.code)


@login_required
def receipt(request, code):
    user = request.user
    vote = access.access_vote(user, code)
    matters = matters_of(vote)
    ballots = [
        {"home": home_label(e.home), "ballot": b, "chosen": describe(matters, b.choices)}
        for e in services.electors_for(user, vote)
        if (b := ballot_of(e)) is not None
    ]
    if not ballots:
        return redirect("votes:vote", code=vote.code)
    response = render(request, "votes/receipt.html", {"vote": vote, "ballots": ballots, "open": voting_now(vote)})
    response["Cache-Control"] = "private, no-store"
    return response
