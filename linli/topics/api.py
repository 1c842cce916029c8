"""Topics over the API, under /api/v1/topics: the topics within reach, proposing one,
supporting, withdrawing, comments and their reports, hiding (moderators), closing, putting on
an agenda and settling (organisers).

Every topic is fetched through topics.access (outside the caller's reach is a 404) and every
change goes through topics.services, whose refusals become 403 (not for this caller), 409
(the topic's state) or 422 (the input), with their message."""

import contextlib
import datetime as dt
from typing import Literal

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.lib.api_support import ApiError, ErrorOut, Pagination
from linli.lib.masking import mask_name

from . import access, services
from .access import place_from_key
from .models import Comment, Report, Topic
from .services import TopicError
from .views import FILTERS, with_counts

router = Router(tags=["topics"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CODES = {403: "permission_denied", 409: "conflict", 422: "invalid"}


@contextlib.contextmanager
def topic_errors(field: str = "body"):
    try:
        yield
    except TopicError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        status = exc.status_code if exc.status_code in CODES else 422
        errors = [{"field": exc.field or field, "message": exc.message}] if status == 422 else None
        raise ApiError(status, CODES[status], exc.message, errors=errors) from None


def _name(request, user, full: bool) -> str | None:
    if user is None:
        return None
    if user.pk == request.user.pk or full:
        return user.display_name()
    return mask_name(user.display_name())


# --- schemas ------------------------------------------------------------------------------


class TopicFields(Schema):
    code: str
    title: str
    level: str = Field(..., description="stairwell | building | compound | community")
    place: str
    community_id: int
    compound_id: int | None
    building_id: int | None
    stairwell_id: int | None
    status: str = Field(..., description="open | ready | on_agenda | settled | withdrawn | closed")
    status_label: str
    threshold: int = Field(..., description="Supports needed, frozen when the topic was proposed")
    support_count: int
    supported: bool = Field(..., description="The caller supports it")
    created: dt.datetime
    version: int


class TopicOut(TopicFields):
    """A topic in a list, read from the model."""

    @staticmethod
    def resolve_place(obj: Topic) -> str:
        return obj.place_label

    @staticmethod
    def resolve_status_label(obj: Topic) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_supported(obj: Topic) -> bool:
        return bool(getattr(obj, "supported", False))


class CommentOut(Schema):
    id: int
    author: str | None = Field(None, description="Masked (李**) except for moderators and one's own")
    mine: bool
    text: str = Field(..., description="Empty when hidden: the reason is shown instead")
    hidden: bool
    hidden_reason: str
    created: dt.datetime
    reports: int | None = Field(None, description="Open reports, for moderators")


class TopicDetailOut(TopicFields):
    text: str
    proposer: str | None
    meeting_title: str
    outcome: str
    closed_reason: str
    may_support: bool
    organiser: bool
    moderator: bool
    comments: list[CommentOut]


class ProposeIn(Schema):
    level: Literal["stairwell", "building", "compound", "community"]
    place_id: int
    title: str = Field(..., max_length=80)
    text: str = Field(..., max_length=4000)


class VersionIn(Schema):
    version: int | None = Field(None, description="The version you saw; a stale one is a 409")


class ReasonIn(VersionIn):
    reason: str


class TextIn(Schema):
    text: str


class AgendaIn(Schema):
    meeting_title: str


class SettleIn(VersionIn):
    outcome: str = ""


class ReportOut(Schema):
    id: int
    comment: int
    reason: str


class QueueItemOut(Schema):
    id: int
    topic: str = Field(..., description="The topic's code")
    topic_title: str
    author: str | None
    text: str
    created: dt.datetime
    reports: list[str]


def _comment(request, c: Comment, moderator: bool) -> dict:
    return {
        "id": c.pk,
        "author": _name(request, c.author, moderator),
        "mine": c.author_id == request.user.pk,
        "text": "" if c.hidden and not moderator else c.text,
        "hidden": c.hidden,
        "hidden_reason": c.hidden_reason,
        "created": c.created,
        "reports": getattr(c, "open_reports", None) if moderator else None,
    }


def _detail(request, topic: Topic) -> dict:
    user = request.user
    topic = with_counts(Topic.objects.filter(pk=topic.pk), user).select_related("proposer__person").get()
    moderator = access.may_moderate(user, topic)
    comments = topic.comments.select_related("author__person").annotate(
        open_reports=Count("reports", filter=Q(reports__resolved=False))
    )
    data = {
        "code": topic.code,
        "title": topic.title,
        "level": topic.level,
        "place": topic.place_label,
        "community_id": topic.community_id,
        "compound_id": topic.compound_id,
        "building_id": topic.building_id,
        "stairwell_id": topic.stairwell_id,
        "status": topic.status,
        "status_label": str(topic.get_status_display()),
        "threshold": topic.threshold,
        "support_count": topic.support_count,
        "supported": bool(getattr(topic, "supported", False)),
        "created": topic.created,
        "version": topic.version,
    }
    data.update(
        text=topic.text,
        proposer=_name(request, topic.proposer, moderator),
        meeting_title=topic.meeting_title,
        outcome=topic.outcome,
        closed_reason=topic.closed_reason,
        may_support=(
            topic.status in ("open", "ready")
            and not getattr(topic, "supported", False)
            and access.may_support(user, topic)
        ),
        organiser=access.may_organise(user, topic),
        moderator=moderator,
        comments=[_comment(request, c, moderator) for c in comments],
    )
    return data


# --- endpoints ----------------------------------------------------------------------------


@router.get("", response=list[TopicOut])
@paginate(Pagination)
def topic_list(request, show: Literal["active", "ready", "on_agenda", "ended", "all"] = "active"):
    """Topics within reach, newest first. `show`: active (open, ready, on an agenda; the
    default), ready, on_agenda, ended, all."""
    qs = access.visible_topics(request.user)
    if show != "all":
        qs = qs.filter(status__in=FILTERS[show])
    return with_counts(qs, request.user).order_by("-created", "-pk")


@router.post("", response={201: TopicDetailOut, **ERRORS})
def propose(request, payload: ProposeIn):
    """Propose a topic for a place: a resident of a home inside it, a leader of it, or staff
    of its community. The threshold is the scope's default at this moment."""
    place = place_from_key(f"{payload.level}:{payload.place_id}")
    if place is None:
        raise ApiError(422, "invalid", _("Choose the place the topic is for."))
    with topic_errors("place_id"):
        topic = services.propose(user=request.user, place=place, title=payload.title, text=payload.text)
    return Answer(201, _detail(request, topic))


@router.get("/moderation", response={200: list[QueueItemOut], 404: ErrorOut})
@paginate(Pagination)
def moderation(request):
    """Reported comments not yet dealt with, most reported first (moderators only)."""
    if not access.is_moderator(request.user):
        raise Http404
    comments = (
        Comment.objects.filter(topic__in=access.moderated_topics(request.user).values("pk"), hidden=False)
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved=False)))
        .filter(open_reports__gt=0)
        .select_related("topic", "author__person")
        .order_by("-open_reports", "created")
    )
    reasons: dict[int, list[str]] = {}
    rows = list(comments)
    for r in Report.objects.filter(comment__in=[c.pk for c in rows], resolved=False).order_by("created"):
        reasons.setdefault(r.comment_id, []).append(r.reason)
    return [
        {
            "id": c.pk,
            "topic": c.topic.code,
            "topic_title": c.topic.title,
            "author": c.author.display_name() if c.author else None,
            "text": c.text,
            "created": c.created,
            "reports": reasons.get(c.pk, []),
        }
        for c in rows
    ]


@router.get("/{code}", response={200: TopicDetailOut, 404: ErrorOut})
def topic_detail(request, code: str):
    return _detail(request, access.access_topic(request.user, code))


@router.post("/{code}/support", response={200: TopicDetailOut, **ERRORS})
def support(request, code: str):
    """Support the topic (residents of its place, once each). The support that reaches the
    threshold makes it ready and tells the organisers."""
    topic = access.access_topic(request.user, code)
    with topic_errors():
        topic = services.support(topic=topic, user=request.user)
    return _detail(request, topic)


@router.post("/{code}/withdraw", response={200: TopicDetailOut, **ERRORS})
def withdraw(request, code: str, payload: VersionIn | None = None):
    """The proposer withdraws his topic, before it is on an agenda."""
    topic = access.access_topic(request.user, code)
    with topic_errors():
        topic = services.withdraw(topic=topic, user=request.user, version=payload.version if payload else None)
    return _detail(request, topic)


@router.post("/{code}/comments", response={201: CommentOut, **ERRORS})
def add_comment(request, code: str, payload: TextIn):
    topic = access.access_topic(request.user, code)
    with topic_errors("text"):
        comment = services.comment(topic=topic, user=request.user, text=payload.text)
    return Answer(201, _comment(request, comment, access.may_moderate(request.user, topic)))


@router.post("/comments/{int:comment_id}/report", response={201: ReportOut, **ERRORS})
def report(request, comment_id: int, payload: ReasonIn):
    comment = access.access_comment(request.user, comment_id)
    with topic_errors("reason"):
        r = services.report(comment=comment, user=request.user, reason=payload.reason)
    return Answer(201, {"id": r.pk, "comment": comment.pk, "reason": r.reason})


@router.post("/comments/{int:comment_id}/hide", response={200: CommentOut, **ERRORS})
def hide(request, comment_id: int, payload: ReasonIn):
    """Hide a comment (the community's staff): the reason is shown in its place and the author
    is told."""
    comment = access.access_comment(request.user, comment_id)
    with topic_errors("reason"):
        comment = services.hide(comment=comment, user=request.user, reason=payload.reason)
    return _comment(request, comment, True)


@router.post("/comments/{int:comment_id}/unhide", response={200: CommentOut, **ERRORS})
def unhide(request, comment_id: int):
    comment = access.access_comment(request.user, comment_id)
    with topic_errors():
        comment = services.unhide(comment=comment, user=request.user)
    return _comment(request, comment, True)


@router.post("/{code}/close", response={200: TopicDetailOut, **ERRORS})
def close(request, code: str, payload: ReasonIn):
    """Close the topic with a reason shown to everyone (organisers)."""
    topic = access.access_topic(request.user, code)
    with topic_errors("reason"):
        topic = services.close(topic=topic, user=request.user, reason=payload.reason, version=payload.version)
    return _detail(request, topic)


@router.post("/{code}/agenda", response={200: TopicDetailOut, **ERRORS})
def agenda(request, code: str, payload: AgendaIn):
    """Put the topic on a meeting's agenda (organisers), whether or not it reached its threshold."""
    topic = access.access_topic(request.user, code)
    with topic_errors("meeting_title"):
        topic = services.mark_on_agenda(topic, payload.meeting_title, request.user)
    return _detail(request, topic)


@router.post("/{code}/settle", response={200: TopicDetailOut, **ERRORS})
def settle(request, code: str, payload: SettleIn):
    topic = access.access_topic(request.user, code)
    with topic_errors("outcome"):
        topic = services.settle(topic=topic, user=request.user, outcome=payload.outcome, version=payload.version)
    return _detail(request, topic)
