"""Telling people about topics, through the notices app (feed and the channels each keeps on):
organisers when a topic is ready for an agenda, the proposer and supporters when it is put on
an agenda or settled, the proposer when it is closed, a comment's author when it is hidden.
Each event reaches a person once (its key)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.accounts.models import User
from linli.notices import kinds
from linli.notices.services import notify

from .access import organiser_users
from .models import Comment, Topic

GROUP = gettext_lazy("Topics")
KINDS = {
    "topic.ready": gettext_lazy("A topic is ready for an agenda"),
    "topic.on_agenda": gettext_lazy("A topic I raised or support is on an agenda"),
    "topic.settled": gettext_lazy("A topic I raised or support is settled"),
    "topic.closed": gettext_lazy("A topic I raised was closed"),
    "topic.comment_hidden": gettext_lazy("My comment on a topic was hidden"),
}


def register_kinds():
    for code, label in KINDS.items():
        kinds.register(code, label, GROUP)


def _link(topic: Topic) -> str:
    return reverse("topics:detail", args=[topic.code])


def _followers(topic: Topic):
    """The proposer and the supporters who have an account."""
    q = Q(person_id__in=topic.supports.values("person_id"))
    if topic.proposer_id:
        q |= Q(pk=topic.proposer_id)
    return User.objects.filter(q, is_active=True)


def ready(topic: Topic) -> None:
    users = set(organiser_users(topic)) | ({topic.proposer} if topic.proposer_id else set())
    notify(
        users=users,
        kind="topic.ready",
        title=_("Ready for an agenda: %(title)s (%(place)s)") % {"title": topic.title, "place": topic.place_label},
        body=_("%(n)s neighbours support it. Put it on a meeting's agenda, or close it with a reason.")
        % {"n": topic.threshold},
        link=_link(topic),
        key=f"topic:{topic.pk}:ready",
    )


def on_agenda(topic: Topic, by) -> None:
    notify(
        users=[u for u in _followers(topic) if u != by],
        kind="topic.on_agenda",
        title=_("On the agenda: %(title)s") % {"title": topic.title},
        body=_("It will be discussed at: %(meeting)s") % {"meeting": topic.meeting_title},
        link=_link(topic),
        key=f"topic:{topic.pk}:agenda:{topic.version}",
    )


def settled(topic: Topic, by) -> None:
    notify(
        users=[u for u in _followers(topic) if u != by],
        kind="topic.settled",
        title=_("Settled: %(title)s") % {"title": topic.title},
        body=topic.outcome,
        link=_link(topic),
        key=f"topic:{topic.pk}:settled",
    )


def closed(topic: Topic, by) -> None:
    if topic.proposer_id and topic.proposer != by:
        notify(
            users=[topic.proposer],
            kind="topic.closed",
            title=_("Your topic was closed: %(title)s") % {"title": topic.title},
            body=_("Reason: %(reason)s") % {"reason": topic.closed_reason},
            link=_link(topic),
            key=f"topic:{topic.pk}:closed",
        )


def comment_hidden(comment: Comment, by) -> None:
    if comment.author_id and comment.author_id != getattr(by, "pk", None):
        notify(
            users=[comment.author_id],
            kind="topic.comment_hidden",
            title=_("Your comment was hidden: %(title)s") % {"title": comment.topic.title},
            body=_("Reason: %(reason)s") % {"reason": comment.hidden_reason},
            link=_link(comment.topic) + f"#comment-{comment.pk}",
            key=f"topic-comment:{comment.pk}:hidden:{comment.hidden_at.timestamp():.0f}",
        )
