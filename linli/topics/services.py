"""Writes for topics: propose, support, withdraw, comment, report, moderate (hide, unhide,
keep), close, put on an agenda, settle. Plain functions; each refusal is a TopicError with a
translated message and a status, and nothing is changed.

The lead's meetings app calls `mark_on_agenda(topic, meeting_title, by)` when a topic becomes
an agenda item.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, notify
from .models import DISCUSSABLE, FINAL, SUPPORTABLE, Comment, Level, Report, Status, Support, Topic

TITLE_MAX, TEXT_MAX, COMMENT_MAX, REASON_MAX = 80, 4000, 2000, 200


class TopicError(Exception):
    """A request the topic's rules or state do not allow. status_code: 403 not allowed for
    this user, 409 not in this state, 422 bad input."""

    def __init__(self, message: str, status_code: int = 422, field: str = ""):
        self.message, self.status_code, self.field = str(message), status_code, field
        super().__init__(self.message)


def threshold_for(level: str) -> int:
    """The supports a topic of this scope needs (settings.TOPICS_THRESHOLDS), at least 1."""
    return max(1, int(settings.TOPICS_THRESHOLDS[Level(level).value]))


def _clean(value: str, *, limit: int, empty: str, too_long: str, field: str = "") -> str:
    value = (value or "").strip()
    if not value:
        raise TopicError(empty, field=field)
    if len(value) > limit:
        raise TopicError(too_long % {"n": limit}, field=field)
    return value


def _lock(topic: Topic) -> Topic:
    return Topic.objects.select_for_update().get(pk=topic.pk)


def _check_version(topic: Topic, version: int | None) -> None:
    if version is not None and version != topic.version:
        raise TopicError(_("This topic was changed meanwhile. Reload the page and try again."), 409)


def _bump(topic: Topic, **fields) -> Topic:
    for name, value in fields.items():
        setattr(topic, name, value)
    topic.version += 1
    topic.save(update_fields=[*fields, "version"])
    return topic


# --- proposing and supporting ------------------------------------------------------------


def propose(*, user, place, title: str, text: str, now=None) -> Topic:
    """A new topic for a stairwell, building, compound or community, by a resident of a home
    inside it, a leader of it or its community's staff. Its threshold is fixed now."""
    title = _clean(
        title,
        limit=TITLE_MAX,
        empty=_("Give the topic a title."),
        too_long=_("The title can have at most %(n)s characters."),
        field="title",
    )
    text = _clean(
        text,
        limit=TEXT_MAX,
        empty=_("Say what the topic is about."),
        too_long=_("The text can have at most %(n)s characters."),
        field="text",
    )
    if place is None:
        raise TopicError(_("Choose the place the topic is for."))
    if not access.may_propose(user, place):
        raise TopicError(
            _("You can propose topics only for the places where you live, that you lead or that you serve."), 403
        )
    level = Level(type(place).__name__.lower())
    topic = Topic(title=title, text=text, proposer=user, proposer_person=user.person, threshold=threshold_for(level))
    setattr(topic, level.value, place)
    if now is not None:
        topic.created = now
    topic.save()
    return topic


def support(*, topic: Topic, user, now=None) -> Topic:
    """Count this resident's support; the support that reaches the threshold makes the topic
    ready and tells the organisers. Returns the topic as it now stands."""
    now = now or timezone.now()
    person = getattr(user, "person", None)
    with transaction.atomic():
        # The row lock orders supports of one topic: two neighbours supporting at the same
        # moment cannot both see the count below the threshold (the organisers would never be
        # told), and one person's double tap finds his first support already there.
        topic = _lock(topic)
        if topic.status not in SUPPORTABLE:
            raise TopicError(_("This topic no longer collects support."), 409)
        if not access.may_support(user, topic):
            raise TopicError(
                _("Only residents of %(place)s can support this topic.") % {"place": topic.place_label}, 403
            )
        if Support.objects.filter(topic=topic, person=person).exists():
            raise TopicError(_("You already support this topic."), 409)
        try:
            with transaction.atomic():
                Support.objects.create(topic=topic, person=person, user=user, created=now)
        except IntegrityError:  # the unique constraint: a support that slipped past the lock
            raise TopicError(_("You already support this topic."), 409) from None
        count = Support.objects.filter(topic=topic).count()
        if topic.status == Status.OPEN and count >= topic.threshold:
            _bump(topic, status=Status.READY, ready_at=now)
            notify.ready(topic)
    topic.support_count = count
    return topic


def withdraw(*, topic: Topic, user, version: int | None = None, now=None) -> Topic:
    """The proposer takes his topic back, while it is not yet on an agenda."""
    with transaction.atomic():
        topic = _lock(topic)
        if topic.proposer_id is None or topic.proposer_id != getattr(user, "pk", None):
            raise TopicError(_("Only the person who proposed a topic can withdraw it."), 403)
        _check_version(topic, version)
        if topic.status not in SUPPORTABLE:
            raise TopicError(_("A topic can be withdrawn only before it is on an agenda."), 409)
        return _bump(topic, status=Status.WITHDRAWN, ended_at=now or timezone.now(), decided_by=user)


# --- what organisers do ------------------------------------------------------------------


def _organiser(user, topic: Topic) -> None:
    if not access.may_organise(user, topic):
        raise TopicError(_("Only the organisers of this place can do this."), 403)


def close(*, topic: Topic, user, reason: str, version: int | None = None, now=None) -> Topic:
    """An organiser closes a topic that will not be taken up; the reason is shown to all."""
    reason = _clean(
        reason,
        limit=300,
        empty=_("Give the reason for closing the topic: it is shown to everyone."),
        too_long=_("The reason can have at most %(n)s characters."),
    )
    with transaction.atomic():
        topic = _lock(topic)
        _organiser(user, topic)
        _check_version(topic, version)
        if topic.status in FINAL:
            raise TopicError(_("This topic has already ended."), 409)
        topic = _bump(
            topic, status=Status.CLOSED, closed_reason=reason, ended_at=now or timezone.now(), decided_by=user
        )
        notify.closed(topic, user)
    return topic


def mark_on_agenda(topic: Topic, meeting_title: str, by, *, now=None) -> Topic:
    """Put the topic on a meeting's agenda: by the threshold it reached, or picked by an
    organiser before it did. Called again for a later meeting, it names that one. `by` None is
    linli itself (e.g. the meetings app acting on a decision already checked)."""
    meeting_title = _clean(
        meeting_title,
        limit=120,
        empty=_("Name the meeting whose agenda the topic is on."),
        too_long=_("The meeting's name can have at most %(n)s characters."),
    )
    with transaction.atomic():
        topic = _lock(topic)
        if by is not None:
            _organiser(by, topic)
        if topic.status not in (Status.OPEN, Status.READY, Status.ON_AGENDA):
            raise TopicError(_("This topic has ended and cannot go on an agenda."), 409)
        picked = topic.picked or topic.status == Status.OPEN
        topic = _bump(
            topic,
            status=Status.ON_AGENDA,
            meeting_title=meeting_title,
            on_agenda_at=now or timezone.now(),
            picked=picked,
        )
        notify.on_agenda(topic, by)
    return topic


def settle(
    *, topic: Topic, user, outcome: str = "", version: int | None = None, now=None, checked: bool = False
) -> Topic:
    """The meeting dealt with it: the outcome (optional here; the minutes hold the detail).
    `checked`: the caller has checked the user may (the meetings app, approving the minutes of
    the meeting whose agenda the topic is on)."""
    outcome = (outcome or "").strip()
    if len(outcome) > 2000:
        raise TopicError(_("The outcome can have at most %(n)s characters.") % {"n": 2000})
    with transaction.atomic():
        topic = _lock(topic)
        if user is not None and not checked:
            _organiser(user, topic)
        _check_version(topic, version)
        if topic.status != Status.ON_AGENDA:
            raise TopicError(_("Only a topic on an agenda can be settled."), 409)
        topic = _bump(topic, status=Status.SETTLED, outcome=outcome, ended_at=now or timezone.now(), decided_by=user)
        notify.settled(topic, user)
    return topic


# --- comments and their moderation --------------------------------------------------------


def _sees(user, topic: Topic) -> None:
    if not access.visible_topics(user).filter(pk=topic.pk).exists():
        raise TopicError(_("This topic is not within your area."), 404)


def comment(*, topic: Topic, user, text: str, now=None) -> Comment:
    text = _clean(
        text,
        limit=COMMENT_MAX,
        empty=_("Write something before sending."),
        too_long=_("A comment can have at most %(n)s characters."),
    )
    _sees(user, topic)
    topic.refresh_from_db(fields=["status"])
    if topic.status not in DISCUSSABLE:
        raise TopicError(_("This topic has ended: no more comments."), 409)
    return Comment.objects.create(topic=topic, author=user, text=text, created=now or timezone.now())


def report(*, comment: Comment, user, reason: str) -> Report:
    """A neighbour asks the moderators to look at a comment; once per person and comment."""
    reason = _clean(
        reason,
        limit=REASON_MAX,
        empty=_("Say what is wrong with this comment."),
        too_long=_("The reason can have at most %(n)s characters."),
    )
    _sees(user, comment.topic)
    if comment.author_id == getattr(user, "pk", None):
        raise TopicError(_("You cannot report your own comment."), 422)
    if comment.hidden:
        raise TopicError(_("This comment is already hidden."), 409)
    try:
        with transaction.atomic():
            return Report.objects.create(comment=comment, reporter=user, reason=reason)
    except IntegrityError:
        raise TopicError(_("You have already reported this comment."), 409) from None


def _moderator(user, comment: Comment) -> None:
    if not access.may_moderate(user, comment.topic):
        raise TopicError(_("Only the community's staff can moderate comments."), 403)


def hide(*, comment: Comment, user, reason: str, now=None) -> Comment:
    """Hide a comment; the reason is shown in its place and its author is told."""
    reason = _clean(
        reason,
        limit=REASON_MAX,
        empty=_("Give the reason for hiding the comment: it is shown in its place."),
        too_long=_("The reason can have at most %(n)s characters."),
    )
    _moderator(user, comment)
    with transaction.atomic():
        # Two moderators hiding the same comment at once: the second finds it hidden.
        comment = Comment.objects.select_for_update().select_related("topic").get(pk=comment.pk)
        if comment.hidden:
            raise TopicError(_("This comment is already hidden."), 409)
        comment.hidden, comment.hidden_reason = True, reason
        comment.hidden_by, comment.hidden_at = user, now or timezone.now()
        comment.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
        comment.reports.filter(resolved=False).update(resolved=True)
        notify.comment_hidden(comment, user)
    return comment


def unhide(*, comment: Comment, user) -> Comment:
    _moderator(user, comment)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("topic").get(pk=comment.pk)
        if not comment.hidden:
            raise TopicError(_("This comment is not hidden."), 409)
        comment.hidden, comment.hidden_reason, comment.hidden_by, comment.hidden_at = False, "", None, None
        comment.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
    return comment


def keep(*, comment: Comment, user) -> int:
    """A moderator read the reports and keeps the comment: they leave the queue. How many."""
    _moderator(user, comment)
    return comment.reports.filter(resolved=False).update(resolved=True)
