"""Pages: topics around me, proposing one, a topic's page (support, comments, reports,
moderation, what organisers do) and the moderators' queue of reported comments. Thin: who
sees what comes from access.py, every write from services.py. A refused action shows the
topic page again with the message and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.lib import exports

from . import access, services
from .forms import AgendaForm, CommentForm, ProposeForm, ReasonForm, SettleForm
from .models import DISCUSSABLE, SUPPORTABLE, Comment, Report, Status, Support
from .services import TopicError

PER_PAGE = 20
FILTERS = {
    "active": (Status.OPEN, Status.READY, Status.ON_AGENDA),
    "ready": (Status.READY,),
    "on_agenda": (Status.ON_AGENDA,),
    "ended": (Status.SETTLED, Status.WITHDRAWN, Status.CLOSED),
}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def with_counts(qs, user):
    """Topics with their support count and whether this user supports them, in the one query."""
    person_id = getattr(user, "person_id", None)
    mine = Support.objects.filter(topic=OuterRef("pk"), person_id=person_id) if person_id else None
    qs = qs.annotate(support_count=Count("supports", distinct=True))
    if mine is not None:
        qs = qs.annotate(supported=Exists(mine))
    return qs.select_related("community", "compound", "building__compound", "stairwell__building__compound")


def listed_topics(user, shown: str):
    """The topics of the list for its `show` filter, newest first (the page and its export)."""
    statuses = FILTERS.get(shown, FILTERS["active"])
    return with_counts(access.visible_topics(user).filter(status__in=statuses), user).order_by("-created", "-pk")


@login_required
def topic_list(request):
    shown = request.GET.get("show", "active")
    page = Paginator(listed_topics(request.user, shown), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "topics": page.object_list,
        "shown": shown if shown in FILTERS else "active",
        "filters": [
            ("active", _("Being discussed")),
            ("ready", _("Ready for an agenda")),
            ("on_agenda", _("On an agenda")),
            ("ended", _("Ended")),
        ],
        "query": f"show={shown}" if shown in FILTERS else "",
        "may_propose": bool(access.proposable_places(request.user)),
        "moderator": access.is_moderator(request.user),
    }
    return render(request, "topics/list.html", context)


@login_required
def propose(request):
    places = access.proposable_places(request.user)
    if not places:
        raise Http404
    form = ProposeForm(request.POST or None, places=places, prefix="t")
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            topic = services.propose(user=request.user, place=d["place"], title=d["title"], text=d["text"])
        except TopicError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your topic is published. Neighbours can now support it."))
            return redirect("topics:detail", code=topic.code)
    status = 422 if request.method == "POST" else 200
    return render(request, "topics/new.html", {"form": form, "error": error}, status=status)


def _support_context(request, topic) -> dict:
    user = request.user
    count = topic.supports.count()
    supported = bool(user.person_id) and topic.supports.filter(person_id=user.person_id).exists()
    return {
        "topic": topic,
        "support_count": count,
        "supported": supported,
        "may_support": topic.status in SUPPORTABLE and not supported and access.may_support(user, topic),
    }


def _detail_context(request, topic, **extra) -> dict:
    user = request.user
    moderator = access.may_moderate(user, topic)
    reports = Report.objects.filter(resolved=False)
    comments = (
        topic.comments.select_related("author__person", "hidden_by")
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved=False)))
        .prefetch_related(Prefetch("reports", queryset=reports.filter(reporter=user), to_attr="mine"))
    )
    context = {
        **_support_context(request, topic),
        "comments": comments,
        "moderator": moderator,
        "organiser": access.may_organise(user, topic),
        "proposer": topic.proposer_id == user.pk,
        "discussable": topic.status in DISCUSSABLE,
        "comment_form": CommentForm(prefix="c"),
        "reason_form": ReasonForm(prefix="r"),
        "agenda_form": AgendaForm(prefix="a"),
        "settle_form": SettleForm(prefix="s"),
        "error": None,
    }
    context.update(extra)
    return context


@login_required
def topic_detail(request, code):
    topic = access.access_topic(request.user, code)
    return render(request, "topics/detail.html", _detail_context(request, topic))


def _refused(request, topic, exc: TopicError):
    """The page again with the message, the status saying why (403, 409, 422)."""
    status = exc.status_code if exc.status_code in (403, 409, 422) else 422
    if exc.status_code == 404:
        raise Http404
    return render(request, "topics/detail.html", _detail_context(request, topic, error=exc.message), status=status)


def _done(request, topic, message: str, anchor: str = ""):
    messages.success(request, message)
    return redirect(reverse("topics:detail", args=[topic.code]) + anchor)


@login_required
@require_POST
def support(request, code):
    topic = access.access_topic(request.user, code)
    try:
        topic = services.support(topic=topic, user=request.user)
    except TopicError as exc:
        if _is_htmx(request):
            # htmx swaps a 403 or 422 answer in place (base.html); a conflict is shown the same way.
            context = {**_support_context(request, topic), "error": exc.message}
            return render(request, "topics/_support.html", context, status=403 if exc.status_code == 403 else 422)
        return _refused(request, topic, exc)
    if _is_htmx(request):
        return render(request, "topics/_support.html", {**_support_context(request, topic), "thanks": True})
    return _done(request, topic, _("Thank you: your support is counted."))


@login_required
@require_POST
def withdraw(request, code):
    topic = access.access_topic(request.user, code)
    try:
        topic = services.withdraw(topic=topic, user=request.user)
    except TopicError as exc:
        return _refused(request, topic, exc)
    return _done(request, topic, _("You withdrew the topic."))


@login_required
@require_POST
def add_comment(request, code):
    topic = access.access_topic(request.user, code)
    try:
        comment = services.comment(topic=topic, user=request.user, text=request.POST.get("c-text", ""))
    except TopicError as exc:
        return _refused(request, topic, exc)
    return _done(request, topic, _("Your comment is posted."), f"#comment-{comment.pk}")


@login_required
@require_POST
def report(request, pk):
    comment = access.access_comment(request.user, pk)
    try:
        services.report(comment=comment, user=request.user, reason=request.POST.get("r-reason", ""))
    except TopicError as exc:
        return _refused(request, comment.topic, exc)
    return _done(request, comment.topic, _("Thank you: the moderators will look at it."), f"#comment-{comment.pk}")


def _moderate(request, pk, action):
    comment = access.access_comment(request.user, pk)
    if not access.may_moderate(request.user, comment.topic):
        raise Http404
    try:
        if action == "hide":
            services.hide(comment=comment, user=request.user, reason=request.POST.get("r-reason", ""))
            message = _("The comment is hidden and its author told why.")
        elif action == "unhide":
            services.unhide(comment=comment, user=request.user)
            message = _("The comment is shown again.")
        else:
            services.keep(comment=comment, user=request.user)
            message = _("The comment stays; its reports are cleared.")
    except TopicError as exc:
        return _refused(request, comment.topic, exc)
    if request.POST.get("next") == "queue":
        messages.success(request, message)
        return redirect("topics:moderation")
    return _done(request, comment.topic, message, f"#comment-{comment.pk}")


@login_required
@require_POST
def hide(request, pk):
    return _moderate(request, pk, "hide")


@login_required
@require_POST
def unhide(request, pk):
    return _moderate(request, pk, "unhide")


@login_required
@require_POST
def keep(request, pk):
    return _moderate(request, pk, "keep")


def _organise(request, code):
    topic = access.access_topic(request.user, code)
    if not access.may_organise(request.user, topic):
        raise Http404
    return topic


@login_required
@require_POST
def close(request, code):
    topic = _organise(request, code)
    try:
        services.close(topic=topic, user=request.user, reason=request.POST.get("r-reason", ""))
    except TopicError as exc:
        return _refused(request, topic, exc)
    return _done(request, topic, _("The topic is closed."))


@login_required
@require_POST
def agenda(request, code):
    topic = _organise(request, code)
    try:
        services.mark_on_agenda(topic, request.POST.get("a-meeting_title", ""), request.user)
    except TopicError as exc:
        return _refused(request, topic, exc)
    return _done(request, topic, _("The topic is on the meeting's agenda."))


@login_required
@require_POST
def settle(request, code):
    topic = _organise(request, code)
    try:
        services.settle(topic=topic, user=request.user, outcome=request.POST.get("s-outcome", ""))
    except TopicError as exc:
        return _refused(request, topic, exc)
    return _done(request, topic, _("The topic is settled."))


@login_required
def moderation(request):
    """Reported comments not yet dealt with, most reported first, in the topics one moderates."""
    if not access.is_moderator(request.user):
        raise Http404
    comments = (
        Comment.objects.filter(topic__in=access.moderated_topics(request.user).values("pk"), hidden=False)
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved=False)))
        .filter(open_reports__gt=0)
        .select_related("topic", "author__person")
        .prefetch_related(Prefetch("reports", queryset=Report.objects.filter(resolved=False).order_by("created")))
        .order_by("-open_reports", "created")
    )
    page = Paginator(comments, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "topics/moderation.html",
        {"page": page, "comments": page.object_list, "reason_form": ReasonForm(prefix="r")},
    )


@login_required
def topic_list_export(request):
    from .models import Topic

    statuses = dict(Status.choices)
    columns = [
        (exports.label(Topic, "code"), lambda t: t.code),
        (exports.label(Topic, "title"), lambda t: t.title),
        (_("Place"), lambda t: t.place_label),
        (exports.label(Topic, "status"), lambda t: str(statuses.get(t.status, t.status))),
        (_("Supporters"), lambda t: t.support_count),
        (exports.label(Topic, "created"), lambda t: t.created),
    ]
    return exports.export_list(
        request,
        key="topics",
        title=_("Topics"),
        queryset=listed_topics(request.user, request.GET.get("show", "active")),
        columns=columns,
        back=reverse("topics:list"),
    )
